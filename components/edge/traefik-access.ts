import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * What Traefik's Kubernetes CRD provider reads in a namespace it watches (Traefik 3.7, the rules
 * of chart 41.3.0's namespaced Role for that provider). Secrets are among them: its Secret
 * informer must sync before it serves any route, and TLS options and middlewares may name one.
 */
export function traefikReadRules(): k8s.types.input.rbac.v1.PolicyRule[] {
    const read = ["get", "list", "watch"];
    return [
        { apiGroups: [""], resources: ["configmaps", "services", "secrets"], verbs: read },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["get"] },
        {
            apiGroups: ["traefik.io"],
            resources: [
                "ingressroutes",
                "ingressroutetcps",
                "ingressrouteudps",
                "middlewares",
                "middlewaretcps",
                "tlsoptions",
                "tlsstores",
                "traefikservices",
                "serverstransports",
                "serverstransporttcps",
            ],
            verbs: read,
        },
    ];
}

/** The name of the Role and RoleBinding in every namespace Traefik watches. */
export const TRAEFIK_ACCESS_NAME = "traefik";

export interface TraefikAccessArgs {
    readonly provider: k8s.Provider;
    /** Traefik's namespace (its ServiceAccount's). */
    readonly traefikNamespace: string;
    /** Traefik's ServiceAccount (the chart's, named after the release). */
    readonly serviceAccount: string;
}

/**
 * Traefik's read access, one namespace at a time: a Role and RoleBinding in each namespace that
 * has routes, declared where the first route there is (so after that namespace, and shown in that
 * layer's diff). Traefik watches exactly those namespaces, and waits for their Roles: a Traefik
 * pod that starts watching a namespace before it may read there serves no route at all until it
 * may (its informers must all sync first). The list is known once every layer has published its
 * routes: `seal()` fixes it, after which publishing into a new namespace is an error.
 */
export class TraefikAccess {
    private readonly granted = new Map<string, pulumi.Resource[]>();
    private sealed = false;
    private resolve!: () => void;
    private readonly ready = new Promise<void>((r) => (this.resolve = r));

    constructor(private readonly args: TraefikAccessArgs) {}

    /** The watched namespaces, sorted; resolves at `seal()`. */
    get namespaces(): Promise<string[]> {
        return this.ready.then(() => [...this.granted.keys()].sort());
    }

    /** Every Role and RoleBinding granted; resolves at `seal()`. */
    get grants(): Promise<pulumi.Resource[]> {
        return this.ready.then(() => [...this.granted.values()].flat());
    }

    /** Lets Traefik read `namespace` (once per namespace; the first caller is the objects' parent). */
    grant(parent: pulumi.Resource, namespace: string): void {
        if (this.granted.has(namespace)) return;
        if (this.sealed) {
            throw new Error(
                `Traefik's namespaces are already fixed; ${namespace} was published into after every layer had published its routes`,
            );
        }
        const opts = { parent, provider: this.args.provider };
        const metadata = { name: TRAEFIK_ACCESS_NAME, namespace };
        const role = new k8s.rbac.v1.Role(`traefik-read-${namespace}`, { metadata, rules: traefikReadRules() }, opts);
        const binding = new k8s.rbac.v1.RoleBinding(
            `traefik-read-${namespace}`,
            {
                metadata,
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: TRAEFIK_ACCESS_NAME },
                subjects: [
                    { kind: "ServiceAccount", name: this.args.serviceAccount, namespace: this.args.traefikNamespace },
                ],
            },
            opts,
        );
        this.granted.set(namespace, [role, binding]);
    }

    /** Every route is published: fixes the namespace list Traefik watches. */
    seal(): void {
        this.sealed = true;
        this.resolve();
    }
}
