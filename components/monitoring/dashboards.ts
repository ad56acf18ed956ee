import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/** Where the platform's Grafana dashboards live, one JSON file each. */
export const DASHBOARD_DIR = path.join(__dirname, "dashboards");

/** The API server refuses a ConfigMap whose data exceeds 1 MiB. */
export const CONFIGMAP_LIMIT_BYTES = 1024 * 1024;

/** The label the Grafana dashboard sidecar watches (kube-prometheus-stack's default). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;

export interface DashboardFile {
    /** File name, e.g. `cluster.json`; also the ConfigMap key. */
    readonly file: string;
    /** Name of the ConfigMap holding it. */
    readonly configMapName: string;
    /** The JSON text as committed. */
    readonly text: string;
    readonly uid: string;
    readonly title: string;
}

export class DashboardError extends Error {
    constructor(file: string, problem: string) {
        super(`dashboard ${file}: ${problem}`);
        this.name = "DashboardError";
    }
}

/** Bytes a ConfigMap's data takes for one key and value. */
export function configMapDataBytes(key: string, value: string): number {
    return Buffer.byteLength(key, "utf8") + Buffer.byteLength(value, "utf8");
}

/** Checks one dashboard: valid JSON, has uid and title, fits in its own ConfigMap. */
export function checkDashboard(file: string, text: string, limit = CONFIGMAP_LIMIT_BYTES): DashboardFile {
    const bytes = configMapDataBytes(file, text);
    if (bytes > limit) {
        throw new DashboardError(file, `is ${bytes} bytes, over the ConfigMap limit of ${limit} bytes; split it`);
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new DashboardError(file, `is not valid JSON (${(e as Error).message})`);
    }
    const d = parsed as { uid?: unknown; title?: unknown; panels?: unknown };
    if (typeof d !== "object" || d === null || typeof d.uid !== "string" || typeof d.title !== "string") {
        throw new DashboardError(file, "needs a string uid and title");
    }
    if (!Array.isArray(d.panels)) throw new DashboardError(file, "has no panels array");
    const base = file.replace(/\.json$/, "");
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(base)) {
        throw new DashboardError(file, "name must be a DNS label followed by .json (it names the ConfigMap)");
    }
    return { file, configMapName: `grafana-dashboard-${base}`, text, uid: d.uid, title: d.title };
}

/** Every dashboard in `dir`, checked; throws on the first that is broken or too big, or a repeated uid. */
export function loadDashboards(dir = DASHBOARD_DIR): DashboardFile[] {
    const files = readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .sort();
    const out = files.map((f) => checkDashboard(f, readFileSync(path.join(dir, f), "utf8")));
    const seen = new Map<string, string>();
    for (const d of out) {
        const other = seen.get(d.uid);
        if (other) throw new DashboardError(d.file, `repeats uid ${d.uid} of ${other}`);
        seen.set(d.uid, d.file);
    }
    return out;
}

export interface DashboardsArgs {
    /** Namespace of the ConfigMaps: Grafana's (its sidecar reads ConfigMaps of its own namespace only). */
    readonly namespace: pulumi.Input<string>;
    /** Folder of JSON dashboards. @default components/monitoring/dashboards */
    readonly dir?: string;
}

/** One labelled ConfigMap per dashboard file, for Grafana's dashboard sidecar to load. */
export class Dashboards extends pulumi.ComponentResource {
    readonly configMaps: k8s.core.v1.ConfigMap[];

    constructor(name: string, args: DashboardsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:Dashboards", name, {}, opts);
        this.configMaps = loadDashboards(args.dir).map(
            (d) =>
                new k8s.core.v1.ConfigMap(
                    `${name}-${d.configMapName}`,
                    {
                        metadata: {
                            name: d.configMapName,
                            namespace: args.namespace,
                            labels: { ...DASHBOARD_LABEL, "app.kubernetes.io/part-of": "platform-monitoring" },
                            annotations: { "platform/dashboard-uid": d.uid },
                        },
                        data: { [d.file]: d.text },
                    },
                    { parent: this },
                ),
        );
        this.registerOutputs({ count: this.configMaps.length });
    }
}
