import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { declaredBefore, PlatformNamespace } from "../cluster/platform-namespace";
import { networkPolicies, TrafficSpec } from "./network-policies";

export interface QuotaSpec {
    /** Sum of CPU requests. */
    readonly cpu: string;
    /** Sum of memory requests. */
    readonly memory: string;
    /** Sum of CPU limits. @default twice cpu */
    readonly cpuLimit?: string;
    /** Sum of memory limits. @default memory */
    readonly memoryLimit?: string;
    /** Pods in the namespace. */
    readonly pods: number;
    /** Persistent volume storage requested in the namespace. */
    readonly storage: string;
}

export interface LimitsSpec {
    /** Request of a container that sets none. */
    readonly defaultRequest: { readonly cpu: string; readonly memory: string };
    /** Limit of a container that sets none. */
    readonly default: { readonly cpu: string; readonly memory: string };
    /** The most one container may ask for. */
    readonly max: { readonly cpu: string; readonly memory: string };
}

export interface NamespaceEnvelopeArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The app the namespace belongs to (labels, policy selectors). */
    readonly app: string;
    /** Namespace name. */
    readonly namespace: string;
    /** Pod Security Standards level enforced; warn and audit stay at restricted, and baseline records where it was declared. */
    readonly podSecurity: "restricted" | "baseline";
    /** ResourceQuota of the namespace. */
    readonly quota: QuotaSpec;
    /** LimitRange of the namespace. */
    readonly limits: LimitsSpec;
    /** The traffic the pods need (default deny for the rest). */
    readonly traffic: TrafficSpec;
    /** Name of the app's Kubernetes service account. @default the app name */
    readonly serviceAccountName?: string;
    /** Google service account the app's KSA acts as (Workload Identity). @default none */
    readonly googleServiceAccount?: pulumi.Input<string>;
    /** Extra namespace labels. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** The namespace holds the app's data volumes (PlatformNamespaceArgs.holdsData). @default no data */
    readonly holdsData?: { readonly protect: boolean };
}

/** Doubles a CPU quantity for the default limit quota ("2" -> "4", "500m" -> "1000m"). */
export function doubled(q: string): string {
    const m = /^([0-9]+(?:\.[0-9]+)?)(.*)$/.exec(q);
    return m ? `${Number(m[1]) * 2}${m[2]}` : q;
}

/**
 * An app's namespace: Pod Security labels, a ResourceQuota and LimitRange (a load test once took
 * nodes down without them), default-deny NetworkPolicies plus exactly the allows the app needs,
 * and the app's service account (bound to a Google one when it calls Google APIs).
 */
export class NamespaceEnvelope extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    /** The namespace name, resolved after the Namespace exists. */
    readonly name: pulumi.Output<string>;
    readonly serviceAccount: k8s.core.v1.ServiceAccount;

    constructor(name: string, args: NamespaceEnvelopeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:NamespaceEnvelope", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const q = args.quota;
        const ns = new PlatformNamespace(
            `${name}-ns`,
            {
                provider: args.provider,
                namespace: args.namespace,
                labels: { ...args.labels, "app.kubernetes.io/part-of": args.app },
                podSecurity:
                    args.podSecurity === "restricted"
                        ? { level: "restricted" }
                        : { level: args.podSecurity, reason: `declared in platform:apps.${args.app}` },
                quota: {
                    cpu: q.cpu,
                    memory: q.memory,
                    cpuLimit: q.cpuLimit ?? doubled(q.cpu),
                    memoryLimit: q.memoryLimit ?? q.memory,
                    pods: q.pods,
                    storage: q.storage,
                    objectCounts: { persistentvolumeclaims: 5, "services.loadbalancers": 0, "services.nodeports": 0 },
                },
                limits: args.limits,
                defaultDeny: "ingress-and-egress",
                holdsData: args.holdsData,
                childAliases: declaredBefore(this, {
                    namespace: `${name}-ns`,
                    quota: `${name}-quota`,
                    limits: `${name}-limits`,
                    "default-deny": `${name}-default-deny`,
                }),
            },
            { parent: this },
        );
        this.namespace = ns.namespace;
        this.name = ns.name;
        const meta = (n: string, annotations?: Record<string, string>) => ({
            name: n,
            namespace: this.name,
            ...(annotations ? { annotations } : {}),
        });
        for (const p of networkPolicies(args.app, args.traffic))
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${p.name}`,
                { metadata: meta(p.name, p.annotations), spec: p.spec },
                child,
            );
        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-ksa`,
            {
                metadata: {
                    ...meta(args.serviceAccountName ?? args.app),
                    ...(args.googleServiceAccount
                        ? { annotations: { "iam.gke.io/gcp-service-account": args.googleServiceAccount } }
                        : {}),
                },
                automountServiceAccountToken: false,
            },
            child,
        );
        this.registerOutputs({ name: this.name });
    }
}
