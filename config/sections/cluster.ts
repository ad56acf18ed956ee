import type { NodePoolSpec } from "../../components/gcp/gke-cluster";
import { poolLayout } from "../../components/gcp/node-pool-layout";
import { agree, Same } from "../type-check";
import { z } from "zod";
import { uniqueList } from "../unique";
import { cidr, dnsLabel, parseCidr } from "../validators";

const taintSchema = z
    .object({
        key: z.string().min(1).meta({ description: "Taint key." }),
        value: z.string().default("").meta({ description: "Taint value." }),
        effect: z
            .enum(["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"])
            .meta({ description: "What the taint does to Pods that do not tolerate it." }),
    })
    .strict();

/** One separately managed, autoscaled GKE node pool. */
export const nodePoolSchema = z
    .object({
        name: dnsLabel(40).meta({
            description: "Pool name, a DNS label (the cluster prefixes nothing).",
        }),
        machineType: z
            .string()
            .regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, { message: "is not a machine type (e.g. e2-standard-4)" })
            .meta({ description: "Compute Engine machine type, e.g. `e2-standard-4` or `n1-highmem-16`." }),
        minCount: z.number().int().min(0).max(1000).default(1).meta({
            description:
                "Autoscaler lower bound, in total across the pool's zones (`totalMinNodeCount`), and the pool's size when created (`minCount / zones` per zone): a multiple of its zones (three for a regional cluster unless `zones` names fewer).",
        }),
        maxCount: z.number().int().min(1).max(1000).default(3).meta({
            description:
                "Autoscaler upper bound, in total across the pool's zones (`totalMaxNodeCount`); not below `minCount`.",
        }),
        zones: uniqueList(
            z.string().regex(/^[a-z]+-[a-z]+[0-9]-[a-z]$/, { message: "is not a zone (e.g. asia-northeast1-a)" }),
        )
            .min(1)
            .max(4)
            .optional()
            .meta({
                description:
                    "Zones the pool's nodes run in (`nodeLocations`), in the cluster's region. Unset: the cluster's zone, or the three GKE picks for a regional cluster.",
            }),
        diskSizeGb: z.number().int().min(10).max(65536).default(50).meta({ description: "Boot disk size in GB." }),
        diskType: z
            .enum(["pd-standard", "pd-balanced", "pd-ssd"])
            .default("pd-balanced")
            .meta({ description: "Boot disk type." }),
        spot: z
            .boolean()
            .default(false)
            .meta({ description: "Spot VMs: cheap and preemptible, for dev and burst pools." }),
        labels: z.record(z.string(), z.string()).default({}).meta({ description: "Kubernetes node labels." }),
        taints: uniqueList(taintSchema, { key: (t) => `${t.key}:${t.effect}` })
            .default([])
            .meta({ description: "Kubernetes node taints; one per key and effect." }),
    })
    .strict()
    .superRefine((pool, ctx) => {
        if (pool.maxCount < pool.minCount) {
            ctx.addIssue({
                code: "custom",
                path: ["maxCount"],
                input: pool.maxCount,
                message: `is below minCount ${pool.minCount}`,
            });
        }
    });

const authorizedNetworkSchema = z
    .object({
        name: z.string().min(1).max(100).meta({ description: "What the range is (shown in the console)." }),
        cidr: cidr(0, 32).meta({
            description: "The range allowed to reach the control plane's IP endpoint; never `0.0.0.0/0`.",
        }),
    })
    .strict();

/**
 * Where the Kubernetes layers run: a GKE cluster the program creates (`gke`), or a cluster that
 * already exists and is reached through a kubeconfig context (`existing`, e.g. kind or minikube).
 */
export const clusterSchema = z
    .object({
        mode: z.enum(["gke", "existing"]).default("gke").meta({
            description:
                "`gke` creates the cluster; `existing` uses a kubeconfig `context` (kind, minikube) and creates no GCP resources.",
        }),
        name: dnsLabel(24).optional().meta({
            description:
                "Cluster name, short because the node service account ID is `<name>-nodes`. Unset: `platform-<environment>`.",
        }),
        location: z
            .string()
            .regex(/^[a-z]+-[a-z]+[0-9](-[a-z])?$/, {
                message: "is not a GCP region or zone (e.g. asia-northeast1 or asia-northeast1-a)",
            })
            .optional()
            .meta({
                description: "A region (regional control plane, nodes in three zones) or a zone. Unset: `gcp:region`.",
            }),
        releaseChannel: z
            .enum(["RAPID", "REGULAR", "STABLE"])
            .default("REGULAR")
            .meta({ description: "GKE release channel; versions and auto-upgrades follow it." }),
        masterCidr: cidr(28, 28)
            .default("172.16.0.0/28")
            .meta({ description: "The control plane's private /28 range." }),
        dnsEndpoint: z.boolean().default(true).meta({
            description:
                "Reach the control plane through its IAM-authenticated DNS endpoint (from anywhere, no IP allow list to keep current); the kubeconfig uses it.",
        }),
        authorizedNetworks: uniqueList(authorizedNetworkSchema, "name", "cidr").max(50).default([]).meta({
            description: "Ranges allowed to reach the control plane's IP endpoint; empty: the VPC only.",
        }),
        maintenanceStart: z
            .string()
            .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: "is not a time HH:MM (UTC)" })
            .default("18:00")
            .meta({ description: "Daily maintenance window start, `HH:MM` in UTC (`18:00` is 03:00 in Japan)." }),
        deletionProtection: z.boolean().optional().meta({
            description:
                "GKE deletion protection plus Pulumi `protect` on the cluster and its node pools (prd also protects the DNS zone and ingress IP). Unset: `true` on prd, `false` elsewhere.",
        }),
        nodePools: uniqueList(nodePoolSchema, "name").max(20).default([]).meta({
            description: "Separately managed, autoscaled node pools; `gke` mode needs at least one, with unique names.",
        }),
        context: z
            .string()
            .min(1)
            .optional()
            .meta({ description: "`existing` mode only (and required there): the kubeconfig context to use." }),
        kubeconfigPath: z
            .string()
            .min(1)
            .optional()
            .meta({ description: "`existing` mode only: the kubeconfig file. Unset: the `KUBECONFIG` the CLI sees." }),
    })
    .strict()
    .superRefine((c, ctx) => {
        if (c.mode === "existing") {
            if (!c.context) {
                ctx.addIssue({
                    code: "custom",
                    path: ["context"],
                    input: c.context,
                    message: "is required when mode is existing (a kubeconfig context name)",
                });
            }
            return;
        }
        if (c.nodePools.length === 0) {
            ctx.addIssue({
                code: "custom",
                path: ["nodePools"],
                input: c.nodePools,
                message: "must list at least one node pool when mode is gke",
            });
        }
        // Unset, the location is gcp:region: a regional cluster.
        const location = c.location ?? "region";
        c.nodePools.forEach((pool, i) => {
            const layout = poolLayout(location, pool);
            if ("problem" in layout)
                ctx.addIssue({
                    code: "custom",
                    path: ["nodePools", i, "minCount"],
                    input: pool.minCount,
                    message: layout.problem,
                });
            const region = c.location?.replace(/-[a-z]$/, "");
            const foreign = region ? (pool.zones ?? []).filter((zone) => !zone.startsWith(`${region}-`)) : [];
            if (foreign.length > 0)
                ctx.addIssue({
                    code: "custom",
                    path: ["nodePools", i, "zones"],
                    input: pool.zones,
                    message: `names ${foreign.join(", ")}, outside the cluster's region ${region}`,
                });
        });
        c.authorizedNetworks.forEach((net, i) => {
            if (parseCidr(net.cidr)?.prefix === 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["authorizedNetworks", i, "cidr"],
                    input: net.cidr,
                    message: "opens the control plane to the whole internet; list the ranges that need it",
                });
            }
        });
        if (c.context || c.kubeconfigPath) {
            ctx.addIssue({
                code: "custom",
                path: [c.context ? "context" : "kubeconfigPath"],
                input: c.context ?? c.kubeconfigPath,
                message: "only applies when mode is existing",
            });
        }
    });

export type ClusterConfig = z.output<typeof clusterSchema>;
export type NodePoolConfig = z.output<typeof nodePoolSchema>;
agree<Same<NodePoolConfig, NodePoolSpec>>(true);
