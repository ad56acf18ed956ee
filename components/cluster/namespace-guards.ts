import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Ceilings for a platform namespace (the apps size theirs from stack config). */
export interface NamespaceBudget {
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
}

/** Requests and limits given to a chart container that declares none, so the quota can count it. */
const CONTAINER_DEFAULTS = {
    defaultRequest: { cpu: "50m", memory: "64Mi" },
    default: { cpu: "500m", memory: "512Mi" },
};

/**
 * A ResourceQuota and a LimitRange for a platform namespace. Charts' pods are not visible to
 * render, so the LimitRange fills in requests and limits for any container that lacks them and the
 * quota caps the namespace: a runaway (a scrape explosion, a crash-looping job) cannot take a node.
 */
export function namespaceGuards(
    name: string,
    namespace: pulumi.Input<string>,
    budget: NamespaceBudget,
    opts: pulumi.CustomResourceOptions,
): void {
    new k8s.core.v1.ResourceQuota(
        `${name}-quota`,
        {
            metadata: { name: "quota", namespace },
            spec: {
                hard: {
                    "requests.cpu": budget.cpu,
                    "requests.memory": budget.memory,
                    "limits.cpu": budget.cpuLimit,
                    "limits.memory": budget.memoryLimit,
                    pods: String(budget.pods),
                    "requests.storage": budget.storage ?? "0",
                },
            },
        },
        opts,
    );
    new k8s.core.v1.LimitRange(
        `${name}-limits`,
        {
            metadata: { name: "limits", namespace },
            spec: { limits: [{ type: "Container", ...CONTAINER_DEFAULTS }] },
        },
        opts,
    );
}
