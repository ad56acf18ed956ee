import type { NodePoolSpec } from "../../components/gcp/gke-cluster";
import { agree, Same } from "../type-check";
import { z } from "zod";
import { cidr, dnsLabel, parseCidr } from "../validators";

const taintSchema = z
    .object({
        key: z.string().min(1),
        value: z.string().default(""),
        effect: z.enum(["NO_SCHEDULE", "PREFER_NO_SCHEDULE", "NO_EXECUTE"]),
    })
    .strict();

/** One separately managed, autoscaled GKE node pool. */
export const nodePoolSchema = z
    .object({
        /** Pool name, a DNS label (the cluster prefixes nothing). */
        name: dnsLabel(40),
        /** Compute Engine machine type, e.g. e2-standard-4 or n1-highmem-16. */
        machineType: z
            .string()
            .regex(/^[a-z][a-z0-9]*-[a-z0-9-]+$/, { message: "is not a machine type (e.g. e2-standard-4)" }),
        /**
         * Autoscaler lower bound, in total across the pool's zones (totalMinNodeCount). A regional
         * cluster still starts a pool with one node in each of its zones. @default 1
         */
        minCount: z.number().int().min(0).max(1000).default(1),
        /** Autoscaler upper bound, in total across the pool's zones (totalMaxNodeCount). @default 3 */
        maxCount: z.number().int().min(1).max(1000).default(3),
        /** Boot disk size in GB. @default 50 */
        diskSizeGb: z.number().int().min(10).max(65536).default(50),
        /** Boot disk type. @default pd-balanced */
        diskType: z.enum(["pd-standard", "pd-balanced", "pd-ssd"]).default("pd-balanced"),
        /** Spot VMs: cheap and preemptible, for dev and burst pools. @default false */
        spot: z.boolean().default(false),
        /** Kubernetes node labels. @default {} */
        labels: z.record(z.string(), z.string()).default({}),
        /** Kubernetes node taints. @default [] */
        taints: z.array(taintSchema).default([]),
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
        /** What the range is (shown in the console). */
        name: z.string().min(1).max(100),
        /** The range allowed to reach the control plane's IP endpoint; never 0.0.0.0/0. */
        cidr: cidr(0, 32),
    })
    .strict();

/**
 * Where the Kubernetes layers run: a GKE cluster the program creates (`gke`), or a cluster that
 * already exists and is reached through a kubeconfig context (`existing`, e.g. kind or minikube).
 */
export const clusterSchema = z
    .object({
        /** `gke` creates the cluster; `existing` uses a kubeconfig context and creates no GCP resources. @default gke */
        mode: z.enum(["gke", "existing"]).default("gke"),
        /** Cluster name (at most 24 characters: the node service account ID is `<name>-nodes`). @default platform-<environment> */
        name: dnsLabel(24).optional(),
        /** A region (regional control plane, nodes in three zones) or a zone. @default the gcp:region */
        location: z
            .string()
            .regex(/^[a-z]+-[a-z]+[0-9](-[a-z])?$/, {
                message: "is not a GCP region or zone (e.g. asia-northeast1 or asia-northeast1-a)",
            })
            .optional(),
        /** GKE release channel; versions and auto-upgrades follow it. @default REGULAR */
        releaseChannel: z.enum(["RAPID", "REGULAR", "STABLE"]).default("REGULAR"),
        /** The control plane's private /28 range. @default 172.16.0.0/28 */
        masterCidr: cidr(28, 28).default("172.16.0.0/28"),
        /**
         * Reach the control plane through its DNS endpoint (IAM-authenticated, from anywhere, no IP
         * allow list to keep current); the kubeconfig uses it. @default true
         */
        dnsEndpoint: z.boolean().default(true),
        /** Ranges allowed to reach the control plane's IP endpoint. @default [] (VPC only) */
        authorizedNetworks: z.array(authorizedNetworkSchema).max(50).default([]),
        /** Daily maintenance window start, HH:MM in UTC. @default 18:00 (03:00 in Japan) */
        maintenanceStart: z
            .string()
            .regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { message: "is not a time HH:MM (UTC)" })
            .default("18:00"),
        /** GKE deletion protection and Pulumi `protect`. @default true on prd, false elsewhere */
        deletionProtection: z.boolean().optional(),
        /** Node pools; at least one. */
        nodePools: z.array(nodePoolSchema).max(20).default([]),
        /** `existing` mode: the kubeconfig context to use. */
        context: z.string().min(1).optional(),
        /** `existing` mode: the kubeconfig file. @default the KUBECONFIG the CLI sees */
        kubeconfigPath: z.string().min(1).optional(),
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
        const seen = new Map<string, number>();
        c.nodePools.forEach((pool, i) => {
            const first = seen.get(pool.name);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["nodePools", i, "name"],
                    input: pool.name,
                    message: `repeats nodePools[${first}].name; pool names must be unique`,
                });
            }
            seen.set(pool.name, i);
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
