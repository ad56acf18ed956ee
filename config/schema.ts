import { z } from "zod";
import { AppsConfig, appsSchema, checkApp, parseImage, StackApp } from "./sections/apps";
import { chartsSchema } from "./sections/charts";
import { ciSchema } from "./sections/ci";
import { clusterSchema } from "./sections/cluster";
import { dnsSchema } from "./sections/dns";
import { EDGE_OFF, edgeSchema, refineEdgeCookie, refineEdgeForEnvironment } from "./sections/edge";
import { gitopsSchema } from "./sections/gitops";
import { monitoringSchema } from "./sections/monitoring";
import { networkSchema } from "./sections/network";
import { onpremSchema, siteRanges } from "./sections/onprem";
import { branchLabel, PreviewConfig, previewSchema, previewsSchema } from "./sections/preview";
import { registrySchema } from "./sections/registry";
import { overlaps, parseCidr } from "./validators";
import { Environment, ENVIRONMENTS } from "../contract/environment";

const gcpSchema = z
    .object({
        project: z
            .string()
            .regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, {
                message: "is not a GCP project ID (6-30 lower-case letters, digits, '-')",
            })
            .optional()
            .meta({ description: "Google Cloud project ID; required with `cluster.mode: gke` and with `ci.enabled`." }),
        region: z
            .string()
            .regex(/^[a-z]+-[a-z]+[0-9]$/, { message: "is not a GCP region (e.g. asia-northeast1)" })
            .default("asia-northeast1")
            .meta({ description: "Region of the cluster, NAT, static IP and registry." }),
    })
    .strict();

/** The whole stack's config: one schema, validated before any resource is declared. */
export const stackSchema = z
    .object({
        environment: z.enum(ENVIRONMENTS).meta({
            description: "Which environment the stack is; prd turns on deletion protection, HA and stricter policy.",
        }),
        gcp: gcpSchema.default({ region: "asia-northeast1" }),
        /** `platform:bootstrap` */
        bootstrap: z.boolean().default(false).meta({
            description:
                "First deploy: create the platform (cluster, registry, DNS, edge, monitoring, GitOps) and no app, since the apps' images cannot be in the registry this run creates. The `imagesToPush` output and a warning name the images to push; then set it to `false` and run `pulumi up` again (docs/operations.md, First deploy). Never on a stack whose apps run: it removes them.",
        }),
        /** `platform:cluster` */
        cluster: clusterSchema,
        /** `platform:network` */
        network: networkSchema.default(networkSchema.parse({})),
        /** `platform:dns` */
        dns: dnsSchema,
        /** `platform:registry` */
        registry: registrySchema.default(registrySchema.parse({})),
        /** `platform:edge` */
        edge: edgeSchema.default(EDGE_OFF),
        /** `platform:gitops` */
        gitops: gitopsSchema.default(gitopsSchema.parse({})),
        /** `platform:monitoring` */
        monitoring: monitoringSchema.default(monitoringSchema.parse({})),
        /** `platform:apps` */
        apps: appsSchema.default(appsSchema.parse({})),
        /** `platform:imageFile`: the images Flux bumps (config/images.ts) */
        imageFile: z
            .string()
            .regex(/^(?!.*(^|\/)\.\.(\/|$))[A-Za-z0-9._/-]+\.ya?ml$/, {
                message: "is not a path of a .yaml file without '..' (e.g. images/dev.yaml)",
            })
            .optional()
            .meta({
                description:
                    "The image file Flux's image automation writes, relative to the project folder (e.g. `images/dev.yaml`) or absolute: a Kubernetes-shaped document holding every app container's image with its setter marker. Unset: every container names its `image` in the stack file, and Flux can bump none.",
            }),
        /** `platform:onprem` */
        onprem: onpremSchema.default(onpremSchema.parse({})),
        /** `platform:previews`: host branch previews (dev) */
        previews: previewsSchema.default(previewsSchema.parse({})),
        /** `platform:preview`: this stack is one app branch's preview */
        preview: previewSchema.optional(),
        /** `platform:charts` */
        charts: chartsSchema.default({}),
        /** `platform:ci` */
        ci: ciSchema.default(ciSchema.parse({})),
    })
    .strict()
    .superRefine((s, ctx) => {
        refineEdgeForEnvironment(s.edge, s.environment, ctx);
        refineEdgeCookie(
            s.edge,
            { domain: s.dns.domain, hostsPreviews: s.previews.enabled || s.edge.sablier || s.preview !== undefined },
            ctx,
        );
        if (s.cluster.mode === "gke" && !s.gcp.project) {
            ctx.addIssue({
                code: "custom",
                path: ["gcp", "project"],
                input: undefined,
                message: "is required when cluster.mode is gke (set gcp:project)",
            });
        }
        checkApps(s, (path, input, message) => ctx.addIssue({ code: "custom", path, input, message }));
        const db = s.monitoring.enabled ? s.monitoring.grafana.database : undefined;
        if (db && db.host === undefined && s.cluster.mode !== "gke") {
            ctx.addIssue({
                code: "custom",
                path: ["monitoring", "grafana", "database", "host"],
                input: undefined,
                message: `is required when cluster.mode is ${s.cluster.mode}: the stack creates Cloud SQL for Grafana only in gke stacks (give an existing PostgreSQL's host)`,
            });
        }
        if (s.ci.enabled && s.ci.previewer && s.environment === "prd" && !s.ci.previewerReviewers) {
            ctx.addIssue({
                code: "custom",
                path: ["ci", "previewerReviewers"],
                input: undefined,
                message:
                    "is required on prd when ci.previewer is true: a pull request's preview decrypts prd's secrets, so it runs only after a reviewer approves it (users and/or teams: GitHub ids), or set ci.previewer: false",
            });
        }
        if (s.ci.previewerReviewers && !(s.ci.enabled && s.ci.previewer)) {
            ctx.addIssue({
                code: "custom",
                path: ["ci", "previewerReviewers"],
                input: s.ci.previewerReviewers,
                message: "is set but there is no previewer (ci.enabled and ci.previewer must both be true); remove it",
            });
        }
        if (s.ci.enabled && !s.gcp.project) {
            ctx.addIssue({
                code: "custom",
                path: ["ci", "enabled"],
                input: true,
                message: "needs gcp:project (the pool and deployer accounts live in a GCP project)",
            });
        }
        const ranges: [string, string][] = [
            ["network.subnetCidr", s.network.subnetCidr],
            ["network.podsCidr", s.network.podsCidr],
            ["network.servicesCidr", s.network.servicesCidr],
            ["cluster.masterCidr", s.cluster.masterCidr],
        ];
        for (let i = 0; i < ranges.length; i++) {
            for (let j = i + 1; j < ranges.length; j++) {
                const [ka, va] = ranges[i]!;
                const [kb, vb] = ranges[j]!;
                const a = parseCidr(va);
                const b = parseCidr(vb);
                if (a && b && overlaps(a, b)) {
                    ctx.addIssue({
                        code: "custom",
                        path: kb.split("."),
                        input: vb,
                        message: `overlaps ${ka} ${va}; the ranges must be disjoint`,
                    });
                }
            }
        }
        // On-prem sites are routed to from the VPC: a range the VPC already holds could not be.
        for (const site of siteRanges(s.onprem.sites)) {
            const c = parseCidr(site.range);
            for (const [key, value] of ranges) {
                const r = parseCidr(value);
                if (!c || !r || !overlaps(c, r)) continue;
                ctx.addIssue({
                    code: "custom",
                    path: ["onprem", ...site.path],
                    input: site.range,
                    message: `overlaps ${key} ${value}; a site's ranges must be disjoint from the VPC's`,
                });
            }
        }
    });

/** The stack file as validated; an app container's image may still be in the image file. */
export type ParsedStack = z.output<typeof stackSchema>;

/** The whole stack config with every app image resolved (config/images.ts `withImages`). */
export type StackConfig = Omit<ParsedStack, "apps"> & { readonly apps: AppsConfig };

type AddIssue = (path: (string | number)[], input: unknown, message: string) => void;

/** Apps and preview checks that need the stack around them (domain, environment, app names). */
function checkApps(
    s: {
        environment: Environment;
        cluster: { mode: string };
        dns: { domain: string };
        apps: Record<string, StackApp>;
        preview?: PreviewConfig;
    },
    add: AddIssue,
): void {
    const env = { environment: s.environment, domain: s.dns.domain };
    for (const [name, app] of Object.entries(s.apps)) {
        checkApp(name, app, env, (path, input, message) => add(["apps", name, ...path], input, message));
        // Workload Identity and the backup bucket are Google Cloud: an existing cluster has neither.
        if (s.cluster.mode !== "gke" && app.google)
            add(["apps", name, "google"], app.google, `needs cluster.mode gke (Workload Identity) for app ${name}`);
        if (s.cluster.mode !== "gke" && app.mysql?.backup)
            add(
                ["apps", name, "mysql", "backup"],
                app.mysql.backup,
                `needs cluster.mode gke (the dump bucket) for app ${name}`,
            );
    }
    const p = s.preview;
    if (!p) return;
    const app = s.apps[p.app];
    if (!app) {
        add(["preview", "app"], p.app, `is not an app of this stack (apps: ${Object.keys(s.apps).join(", ")})`);
        return;
    }
    try {
        branchLabel(p.branch, 63 - p.app.length - 4);
    } catch (e) {
        add(["preview", "branch"], p.branch, `cannot name a preview: ${(e as Error).message}`);
    }
    if (s.environment !== "dev") add(["environment"], s.environment, "must be dev for a branch preview stack");
    for (const [container, image] of Object.entries(p.images)) {
        if (!app.containers.some((c) => c.name === container))
            add(["preview", "images", container], container, `is not a container of app ${p.app}`);
        else if (!parseImage(image))
            add(["preview", "images", container], image, `is not an image reference <registry>/<path>:<tag>`);
    }
}
