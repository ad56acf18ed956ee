import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PSS_JUSTIFICATION_ANNOTATION } from "../../contract/annotations";

/**
 * The Pod Security Standard a namespace enforces. Anything below `restricted` states why: the
 * reason is part of the type, so leaving it out does not compile, and it is recorded on the
 * namespace (annotation `platform/pod-security-justification`, which the policy rules read).
 */
export type PodSecurity =
    | { readonly level: "restricted" }
    | { readonly level: "baseline"; readonly reason: string }
    | { readonly level: "privileged"; readonly reason: string };

export type PodSecurityLevel = PodSecurity["level"];

/** Ceilings of the namespace's ResourceQuota. */
export interface NamespaceQuota {
    /** Sum of CPU requests, e.g. "2". */
    readonly cpu: string;
    /** Sum of memory requests, e.g. "4Gi". */
    readonly memory: string;
    /** Sum of CPU limits. */
    readonly cpuLimit: string;
    /** Sum of memory limits. */
    readonly memoryLimit: string;
    /** Pods at most. */
    readonly pods: number;
    /** Sum of volume claims. @default "0" (no volumes) */
    readonly storage?: string;
    /** Object counts after those, e.g. `{ "services.loadbalancers": 0 }`. @default none */
    readonly objectCounts?: Readonly<Record<string, number>>;
}

type Quantities = { readonly cpu: string; readonly memory: string };

/** What the LimitRange gives a container that sets no requests or limits, and the most it may ask for. */
export interface ContainerLimits {
    /** Requests of a container that sets none. */
    readonly defaultRequest: Quantities;
    /** Limits of a container that sets none. */
    readonly default: Quantities;
    /** The most one container may ask for. @default no maximum */
    readonly max?: Quantities;
}

/** What a chart container without requests and limits gets, so the quota can count it. */
export const CONTAINER_DEFAULTS: ContainerLimits = {
    defaultRequest: { cpu: "50m", memory: "64Mi" },
    default: { cpu: "500m", memory: "512Mi" },
};

/** The children, each named `${name}-<role>`. */
export type PlatformNamespaceRole = "namespace" | "quota" | "limits" | "default-deny";

export interface PlatformNamespaceArgs {
    /** The cluster's provider. @default the provider the parent passes down */
    readonly provider?: k8s.Provider;
    /** The namespace's name. */
    readonly namespace: string;
    /** Pod Security Standard enforced (warn and audit one level stricter). */
    readonly podSecurity: PodSecurity;
    /** Labels besides the Pod Security ones, e.g. `app.kubernetes.io/part-of`. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** The ResourceQuota: a runaway (a load test, a scrape explosion) cannot take a node. */
    readonly quota: NamespaceQuota;
    /** The LimitRange for containers. @default CONTAINER_DEFAULTS (no maximum) */
    readonly limits?: ContainerLimits;
    /**
     * What the default-deny NetworkPolicy refuses: `ingress` (policy `default-deny-ingress`) or
     * `ingress-and-egress` (policy `default-deny`). Other policies open what the pods need.
     */
    readonly defaultDeny: "ingress" | "ingress-and-egress";
    /**
     * The namespace holds data (volumes): deleting it deletes them, whatever the volumes' own
     * protection says. Such a namespace is never deleted by Pulumi (`retainOnDelete`: a rename or a
     * destroy leaves it, and its data, in the cluster) and, with `protect`, not even planned to be
     * (prd). @default no data
     */
    readonly holdsData?: { readonly protect: boolean };
    /** Earlier identities of the children (objects declared elsewhere before this component existed). @default none */
    readonly childAliases?: Readonly<Partial<Record<PlatformNamespaceRole, pulumi.Input<pulumi.Alias>[]>>>;
}

/** Warn and audit one level stricter than enforced, so what the next level would refuse shows up. */
const STRICTER: Readonly<Record<PodSecurityLevel, PodSecurityLevel>> = {
    restricted: "restricted",
    baseline: "restricted",
    privileged: "baseline",
};

/** The Pod Security labels of a level, all three modes pinned to the `latest` standard. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
    const pss = "pod-security.kubernetes.io";
    return {
        [`${pss}/enforce`]: level,
        [`${pss}/enforce-version`]: "latest",
        [`${pss}/warn`]: STRICTER[level],
        [`${pss}/warn-version`]: "latest",
        [`${pss}/audit`]: STRICTER[level],
        [`${pss}/audit-version`]: "latest",
    };
}

/**
 * A namespace as every layer needs one: Pod Security labels (a reason recorded below restricted),
 * a ResourceQuota and a LimitRange (without them a load test once took whole nodes down), and a
 * default-deny NetworkPolicy. The caller adds the allows its pods need.
 */
export class PlatformNamespace extends pulumi.ComponentResource {
    /** The Namespace, for `dependsOn`. */
    readonly namespace: k8s.core.v1.Namespace;
    /** The namespace's name, known once the Namespace exists (so users of it wait for it). */
    readonly name: pulumi.Output<string>;

    constructor(name: string, args: PlatformNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
        const ps = args.podSecurity;
        // The type demands a reason; this catches an empty one (or a caller outside TypeScript).
        if (ps.level !== "restricted" && !ps.reason?.trim())
            throw new Error(`namespace ${args.namespace}: Pod Security ${ps.level} needs a reason`);
        super("platform:cluster:PlatformNamespace", name, {}, opts);
        const child = (role: PlatformNamespaceRole): pulumi.CustomResourceOptions => ({
            parent: this,
            ...(args.provider ? { provider: args.provider } : {}),
            ...(args.childAliases?.[role] ? { aliases: args.childAliases[role] } : {}),
            // Deleting the namespace removes the rest: Pulumi need not delete them one by one. A
            // namespace kept for its data is never deleted, so its objects are deleted one by one.
            ...(role !== "namespace" && !args.holdsData ? { deletedWith: this.namespace } : {}),
        });
        const keep = args.holdsData ? { retainOnDelete: true, protect: args.holdsData.protect } : {};
        this.namespace = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: {
                    name: args.namespace,
                    labels: { ...args.labels, ...podSecurityLabels(ps.level) },
                    ...(ps.level !== "restricted"
                        ? { annotations: { [PSS_JUSTIFICATION_ANNOTATION]: ps.reason } }
                        : {}),
                },
            },
            { ...child("namespace"), ...keep },
        );
        this.name = this.namespace.metadata.name;
        const meta = (n: string) => ({ name: n, namespace: this.name });

        const q = args.quota;
        new k8s.core.v1.ResourceQuota(
            `${name}-quota`,
            {
                metadata: meta("quota"),
                spec: {
                    hard: {
                        "requests.cpu": q.cpu,
                        "requests.memory": q.memory,
                        "limits.cpu": q.cpuLimit,
                        "limits.memory": q.memoryLimit,
                        pods: String(q.pods),
                        "requests.storage": q.storage ?? "0",
                        ...Object.fromEntries(Object.entries(q.objectCounts ?? {}).map(([k, v]) => [k, String(v)])),
                    },
                },
            },
            child("quota"),
        );

        const l = args.limits ?? CONTAINER_DEFAULTS;
        new k8s.core.v1.LimitRange(
            `${name}-limits`,
            {
                metadata: meta("limits"),
                spec: {
                    limits: [
                        {
                            type: "Container",
                            defaultRequest: { ...l.defaultRequest },
                            default: { ...l.default },
                            ...(l.max ? { max: { ...l.max } } : {}),
                        },
                    ],
                },
            },
            child("limits"),
        );

        const egress = args.defaultDeny === "ingress-and-egress";
        new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: meta(egress ? "default-deny" : "default-deny-ingress"),
                spec: { podSelector: {}, policyTypes: egress ? ["Ingress", "Egress"] : ["Ingress"] },
            },
            child("default-deny"),
        );

        this.registerOutputs({ name: this.name });
    }
}

/**
 * Aliases for the children of a PlatformNamespace that `parent` used to declare itself, each under
 * its old Pulumi name, so moving them into the component keeps their URNs (no delete and create).
 */
export function declaredBefore(
    parent: pulumi.Resource,
    names: Readonly<Partial<Record<PlatformNamespaceRole, string>>>,
): Partial<Record<PlatformNamespaceRole, pulumi.Input<pulumi.Alias>[]>> {
    return Object.fromEntries(Object.entries(names).map(([role, n]) => [role, [{ name: n, parent }]]));
}

/**
 * The alias of a default-deny policy that a `${name}-policies` component of type `type` (under
 * `parent`) declared before, as `${name}-policies-<role>`.
 */
export function defaultDenyDeclaredBy(
    parent: pulumi.Resource,
    name: string,
    type: string,
    role = "default-deny",
): pulumi.Input<pulumi.Alias>[] {
    return [{ name: `${name}-policies-${role}`, parent: pulumi.createUrn(`${name}-policies`, type, parent) }];
}
