import { RecordedResource } from "./recorder";

/**
 * Typical creation times in seconds, by resource type (or type prefix), for estimating a
 * `pulumi up` from zero. Sources: GKE and Cloud DNS documentation and the times the reference
 * deployments' own `pulumi up` logs showed; they are estimates, not measurements of this program.
 */
export const CREATION_SECONDS: readonly [RegExp, number, string][] = [
    [/^gcp:container\/cluster:Cluster$/, 480, "GKE cluster (private, regional or zonal)"],
    [/^gcp:container\/nodePool:NodePool$/, 240, "GKE node pool"],
    [/^gcp:compute\/routerNat:RouterNat$/, 30, "Cloud NAT"],
    [/^gcp:compute\/(network|subnetwork):/, 25, "VPC network or subnet"],
    [/^gcp:compute\/(router|firewall|address|globalAddress):/, 12, "router, firewall rule or address"],
    [/^gcp:dns\/managedZone:/, 8, "Cloud DNS zone"],
    [/^gcp:dns\/recordSet:/, 5, "DNS record"],
    [/^gcp:artifactregistry\/repository:/, 10, "Artifact Registry repository"],
    [/^gcp:storage\/bucket:/, 5, "Cloud Storage bucket"],
    [/^gcp:serviceaccount\/account:/, 5, "service account"],
    [/^gcp:(projects|serviceaccount|artifactregistry|storage)\/\w*[iI]am\w*:/, 8, "IAM binding"],
    [/^gcp:iam\/workloadIdentityPool/, 10, "Workload Identity pool or provider"],
    [/^gcp:/, 10, "other Google Cloud resource"],
    [/^kubernetes:helm\.sh\/v[34]:(Chart|Release)$/, 90, "Helm chart (install and wait for readiness)"],
    [/^kubernetes:cert-manager\.io\/v1:Certificate$/, 90, "certificate (DNS-01 challenge and issuance)"],
    [/^kubernetes:(apps\/v1|batch\/v1):/, 30, "workload (rollout until ready)"],
    [/^kubernetes:core\/v1:PersistentVolumeClaim$/, 15, "volume"],
    [/^kubernetes:/, 2, "other Kubernetes object"],
    [/^(random|tls):/, 0, "generated locally"],
    [/^pulumi:providers:/, 0, "provider configuration"],
    [/^github:/, 3, "GitHub API object"],
];

export function creationSeconds(type: string): number {
    return CREATION_SECONDS.find(([re]) => re.test(type))?.[1] ?? 5;
}

export interface PathStep {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly seconds: number;
}

export interface CriticalPath {
    /** The longest chain of resources that must be created one after another. */
    readonly chain: readonly PathStep[];
    /** Estimated wall time of a `pulumi up` from zero with unlimited parallelism. */
    readonly seconds: number;
    /** What creating every resource one by one would take. */
    readonly serialSeconds: number;
}

/** A node of the deployment graph: what the engine creates (custom resources and remote components). */
function isNode(r: RecordedResource): boolean {
    return r.custom || r.remote;
}

/**
 * The deployment graph: each created resource waits for its explicit and input dependencies
 * (a dependency on a component means all of that component's resources) and its provider.
 */
export function dependencyGraph(resources: readonly RecordedResource[]): Map<string, Set<string>> {
    const children = new Map<string, string[]>();
    for (const r of resources) {
        if (r.parent) children.set(r.parent, [...(children.get(r.parent) ?? []), r.urn]);
    }
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const expanded = new Map<string, string[]>();
    const expand = (urn: string): string[] => {
        const cached = expanded.get(urn);
        if (cached) return cached;
        const r = byUrn.get(urn);
        let out: string[];
        if (!r) out = [];
        else if (isNode(r)) out = [urn];
        else out = (children.get(urn) ?? []).flatMap(expand);
        expanded.set(urn, out);
        return out;
    };
    const graph = new Map<string, Set<string>>();
    for (const r of resources.filter(isNode)) {
        const deps = new Set<string>();
        for (const d of r.dependsOn) for (const x of expand(d)) deps.add(x);
        if (r.provider) {
            const providerUrn = r.provider.split("::").slice(0, -1).join("::");
            if (byUrn.has(providerUrn)) deps.add(providerUrn);
        }
        deps.delete(r.urn);
        graph.set(r.urn, deps);
    }
    return graph;
}

/** The longest weighted chain through the deployment graph. */
export function criticalPath(resources: readonly RecordedResource[]): CriticalPath {
    const graph = dependencyGraph(resources);
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const finish = new Map<string, { at: number; via?: string }>();
    const visiting = new Set<string>();
    const finishOf = (urn: string): number => {
        const known = finish.get(urn);
        if (known) return known.at;
        if (visiting.has(urn)) throw new Error(`dependency cycle through ${urn}`);
        visiting.add(urn);
        let start = 0;
        let via: string | undefined;
        for (const d of graph.get(urn) ?? []) {
            const f = finishOf(d);
            if (via === undefined || f > start) {
                start = f;
                via = d;
            }
        }
        visiting.delete(urn);
        const at = start + creationSeconds(byUrn.get(urn)!.type);
        finish.set(urn, { at, via });
        return at;
    };
    let end: string | undefined;
    let seconds = 0;
    for (const urn of graph.keys()) {
        const f = finishOf(urn);
        if (end === undefined || f > seconds) {
            end = urn;
            seconds = f;
        }
    }
    const chain: PathStep[] = [];
    for (let at = end; at !== undefined; at = finish.get(at)?.via) {
        const r = byUrn.get(at)!;
        chain.unshift({ urn: at, type: r.type, name: r.name, seconds: creationSeconds(r.type) });
    }
    const serialSeconds = [...graph.keys()].reduce((sum, urn) => sum + creationSeconds(byUrn.get(urn)!.type), 0);
    return { chain, seconds, serialSeconds };
}

/** Everything `urn` waits for, directly or through others. */
export function waitsFor(graph: Map<string, Set<string>>, urn: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(graph.get(urn) ?? [])];
    while (stack.length > 0) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(graph.get(next) ?? []));
    }
    return seen;
}

/** API groups whose kinds are CRDs, and the chart (by chart name) that installs them. */
export const CRD_CHARTS: readonly [RegExp, string][] = [
    [/^traefik\.io$/, "traefik"],
    [/(^|\.)cert-manager\.io$/, "cert-manager"],
    [/^monitoring\.coreos\.com$/, "kube-prometheus-stack"],
    [/\.toolkit\.fluxcd\.io$/, "flux2"],
];

/** `kubernetes:traefik.io/v1alpha1:IngressRoute` -> `traefik.io`; undefined for non-Kubernetes types. */
export function apiGroup(type: string): string | undefined {
    const m = /^kubernetes:([^:]+)\/[^/:]+:[A-Za-z]+$/.exec(type);
    if (!m) return undefined;
    return m[1]!.includes(".") ? m[1] : "";
}
