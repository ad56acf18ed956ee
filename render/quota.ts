import { isRegion, REGIONAL_ZONES } from "../components/gcp/node-pool-layout";
import type { HelmChart, KubeObject } from "./objects";
import type { RecordedResource } from "./recorder";
import { unwrapSecrets } from "./redact";

/** Recorded inputs and manifests are untyped JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

/** One Compute Engine quota the stack draws on, at its smallest and at its largest. */
export interface QuotaNeed {
    /** The quota's metric, as `gcloud compute regions describe <region>` lists it. */
    readonly metric: string;
    /** `region` (the stack's region) or `global` (the project). */
    readonly scope: "region" | "global";
    /** What the stack uses once created: every pool at the size GKE creates it with. */
    readonly atStart: number;
    /** What it may use: every pool at its maximum plus its surge node during an upgrade. */
    readonly atMost: number;
    /** What draws on it, one line each. */
    readonly from: readonly string[];
}

export interface QuotaReport {
    readonly project?: string;
    readonly region?: string;
    readonly quotas: readonly QuotaNeed[];
    readonly notes: readonly string[];
}

const NOTES = [
    "Spot VMs draw on PREEMPTIBLE_CPUS when the project has that quota, on the family's CPU quota otherwise.",
    "Volumes use GKE's default StorageClass (pd-balanced), which counts as SSD_TOTAL_GB, as do pd-balanced and pd-ssd boot disks.",
    "Compare with: gcloud compute regions describe <region> --project <project> --format 'table(quotas.metric,quotas.limit,quotas.usage)'",
];

/** vCPUs of a machine type: the number after its class (`n1-highmem-16`), custom types' first number; shared-core types 2 (e2) or 1. */
export function machineVcpus(machineType: string): number {
    const custom = /^[a-z0-9]+-custom-(\d+)-\d+/.exec(machineType);
    if (custom) return Number(custom[1]);
    const sized = /^[a-z0-9]+-[a-z]+-(\d+)/.exec(machineType);
    if (sized) return Number(sized[1]);
    return machineType.startsWith("e2-") ? 2 : 1;
}

/** The regional CPU quota a machine family draws on: N1, E2 and the shared-core ones share CPUS. */
export function cpuMetric(machineType: string): string {
    const family = machineType.split("-")[0]!;
    return ["n1", "e2", "f1", "g1"].includes(family) ? "CPUS" : `${family.toUpperCase()}_CPUS`;
}

/** Gibibytes of a Kubernetes quantity (`20Gi`, `512Mi`, `1Ti`), rounded up; 0 when it is not one. */
export function quantityGb(q: unknown): number {
    const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(String(q));
    if (!m) return 0;
    const factor: Record<string, number> = {
        Ki: 1 / 1024 ** 2,
        Mi: 1 / 1024,
        Gi: 1,
        Ti: 1024,
        K: 1e3 / 1024 ** 3,
        M: 1e6 / 1024 ** 3,
        G: 1e9 / 1024 ** 3,
        T: 1e12 / 1024 ** 3,
    };
    return Math.ceil(Number(m[1]) * (m[2] ? factor[m[2]]! : 1 / 1024 ** 3));
}

/** Volume sizes a chart's values ask for: `storage` / `storageSize` / persistence `size` quantities. */
function chartVolumes(chart: HelmChart): { path: string; gb: number }[] {
    const out: { path: string; gb: number }[] = [];
    const walk = (v: unknown, at: string) => {
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`));
        else if (typeof v === "object" && v !== null) {
            const o = v as Record<string, unknown>;
            if (o.enabled === false) return;
            for (const [k, x] of Object.entries(o)) {
                const here = at ? `${at}.${k}` : k;
                const sizeKey = k === "storage" || k === "storageSize" || (k === "size" && /persistence/i.test(at));
                if (sizeKey && typeof x === "string" && quantityGb(x) > 0) out.push({ path: here, gb: quantityGb(x) });
                else walk(x, here);
            }
        }
    };
    walk(chart.values, "");
    return out;
}

/**
 * The Compute Engine quotas a stack needs, from what render recorded: node pools (vCPUs per
 * machine family, boot disks), volumes (claims, StatefulSet templates, charts' persistence),
 * static addresses and Cloud NAT, and load balancers (LoadBalancer Services).
 */
export function quotaReport(
    resources: readonly RecordedResource[],
    objects: readonly KubeObject[],
    charts: readonly HelmChart[],
): QuotaReport {
    const needs = new Map<string, { scope: "region" | "global"; atStart: number; atMost: number; from: string[] }>();
    const add = (metric: string, scope: "region" | "global", atStart: number, atMost: number, from: string) => {
        const n = needs.get(metric) ?? { scope, atStart: 0, atMost: 0, from: [] };
        n.atStart += atStart;
        n.atMost += atMost;
        n.from.push(from);
        needs.set(metric, n);
    };
    const inputs = (r: RecordedResource) => unwrapSecrets(r.inputs) as Record<string, Loose>;
    const cluster = resources.find((r) => r.type === "gcp:container/cluster:Cluster");
    if (!cluster) return { quotas: [], notes: ["No GKE cluster: the stack draws on no Compute Engine quota."] };
    const c = inputs(cluster);

    const regional = isRegion(String(c.location));
    for (const pool of resources.filter((r) => r.type === "gcp:container/nodePool:NodePool")) {
        const p = inputs(pool);
        const nc = p.nodeConfig ?? {};
        // What GKE creates: the initial count in each of the pool's zones.
        const zones = Array.isArray(p.nodeLocations) ? p.nodeLocations.length : regional ? REGIONAL_ZONES : 1;
        const min = Number(p.initialNodeCount ?? 0) * zones;
        const surge = Number(p.upgradeSettings?.maxSurge ?? 0);
        const max = Number(p.autoscaling?.totalMaxNodeCount ?? min) + surge;
        const vcpus = machineVcpus(String(nc.machineType));
        const nodes = `pool ${p.name}: ${min}..${max} nodes (max ${max - surge} + ${surge} surge)`;
        add(
            cpuMetric(String(nc.machineType)),
            "region",
            min * vcpus,
            max * vcpus,
            `${nodes} x ${nc.machineType} (${vcpus} vCPUs)${nc.spot ? ", spot" : ""}`,
        );
        add("CPUS_ALL_REGIONS", "global", min * vcpus, max * vcpus, `pool ${p.name}`);
        const disk = Number(nc.diskSizeGb ?? 100);
        const diskMetric = nc.diskType === "pd-standard" ? "DISKS_TOTAL_GB" : "SSD_TOTAL_GB";
        add(
            diskMetric,
            "region",
            min * disk,
            max * disk,
            `${nodes} x ${disk} GB ${nc.diskType ?? "pd-balanced"} boot disk`,
        );
        add("INSTANCES", "region", min, max, `pool ${p.name}`);
    }

    for (const o of objects) {
        const spec = (o.spec ?? {}) as Record<string, Loose>;
        const where = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
        if (o.kind === "PersistentVolumeClaim") {
            const gb = quantityGb(spec.resources?.requests?.storage);
            add("SSD_TOTAL_GB", "region", gb, gb, `${where}: ${gb} GB`);
        }
        if (o.kind === "StatefulSet") {
            const replicas = Number(spec.replicas ?? 1);
            for (const t of spec.volumeClaimTemplates ?? []) {
                const gb = quantityGb(t.spec?.resources?.requests?.storage) * replicas;
                add("SSD_TOTAL_GB", "region", gb, gb, `${where} (${replicas} replicas): ${gb} GB`);
            }
        }
        if (o.kind === "Service" && spec.type === "LoadBalancer") {
            add("FORWARDING_RULES", "global", 1, 1, `${where} (a network load balancer)`);
            // On a reserved address (counted below) or on an ephemeral one of its own.
            if (!spec.loadBalancerIP) add("IN_USE_ADDRESSES", "region", 1, 1, `${where} (an ephemeral address)`);
        }
    }
    for (const chart of charts) {
        for (const v of chartVolumes(chart))
            add("SSD_TOTAL_GB", "region", v.gb, v.gb, `chart ${chart.name}: ${v.path} ${v.gb} GB`);
    }

    for (const a of resources.filter((r) => r.type === "gcp:compute/address:Address")) {
        const i = inputs(a);
        if ((i.addressType ?? "EXTERNAL") !== "EXTERNAL") continue;
        add("STATIC_ADDRESSES", "region", 1, 1, `address ${i.name ?? a.name}`);
        add("IN_USE_ADDRESSES", "region", 1, 1, `address ${i.name ?? a.name} (in use by its load balancer)`);
    }
    for (const nat of resources.filter((r) => r.type === "gcp:compute/routerNat:RouterNat")) {
        if (inputs(nat).natIpAllocateOption === "AUTO_ONLY")
            add("IN_USE_ADDRESSES", "region", 1, 1, `Cloud NAT ${nat.name} (at least one address it allocates)`);
    }

    const order = (m: string) => (m.includes("CPUS") ? 0 : m.endsWith("_GB") ? 1 : 2);
    const quotas = [...needs.entries()]
        .map(([metric, n]) => ({ metric, ...n }))
        .sort((a, b) => order(a.metric) - order(b.metric) || a.metric.localeCompare(b.metric));
    return { project: c.project, region: String(c.location).replace(/-[a-z]$/, ""), quotas, notes: NOTES };
}
