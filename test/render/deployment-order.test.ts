import { apiGroup, CRD_CHARTS, criticalPath, dependencyGraph, waitsFor } from "../../render/critical-path";
import { RenderResult } from "../../render/render";
import { rendered } from "../rendered";

const CHART = /^kubernetes:helm\.sh\/v[34]:(Chart|Release)$/;

describe.each(["dev", "prd"] as const)("deployment order of %s", (stack) => {
    let r: RenderResult;
    let graph: Map<string, Set<string>>;
    beforeAll(async () => {
        r = await rendered(stack);
        graph = dependencyGraph(r.resources);
    });

    it("makes every custom resource wait for the chart that installs its CRD", () => {
        const charts = r.resources.filter((x) => CHART.test(x.type));
        let checked = 0;
        const missing: string[] = [];
        for (const res of r.resources) {
            const group = apiGroup(res.type);
            const chartName = group ? CRD_CHARTS.find(([re]) => re.test(group))?.[1] : undefined;
            if (!chartName) continue;
            checked++;
            const chart = charts.find((c) => c.inputs.chart === chartName);
            if (!chart) {
                missing.push(`${res.type} ${res.name}: the stack installs no ${chartName} chart`);
            } else if (!waitsFor(graph, res.urn).has(chart.urn)) {
                missing.push(`${res.type} ${res.name} does not wait for the ${chartName} chart`);
            }
        }
        expect(missing).toEqual([]);
        expect(checked).toBeGreaterThan(10);
    });

    it("creates the zone, the address, the registry and buckets without waiting for the cluster", () => {
        const cluster = r.resources.find((x) => x.type === "gcp:container/cluster:Cluster")!;
        const independent = r.resources.filter((x) =>
            [
                "gcp:dns/managedZone:ManagedZone",
                "gcp:compute/address:Address",
                "gcp:artifactregistry/repository:Repository",
                "gcp:storage/bucket:Bucket",
            ].includes(x.type),
        );
        expect(independent.length).toBeGreaterThanOrEqual(3);
        for (const res of independent)
            expect([res.name, waitsFor(graph, res.urn).has(cluster.urn)]).toEqual([res.name, false]);
    });

    it("binds a Workload Identity member only after the cluster has created the pool it names", () => {
        const cluster = r.resources.find((x) => x.type === "gcp:container/cluster:Cluster")!;
        const bindings = r.resources.filter(
            (x) => x.type.startsWith("gcp:") && /\.svc\.id\.goog\[/.test(JSON.stringify(x.inputs)),
        );
        // cert-manager's DNS solver, Flux's image reflector, uploader's backup identity.
        expect(bindings.length).toBeGreaterThanOrEqual(3);
        for (const b of bindings) expect([b.name, waitsFor(graph, b.urn).has(cluster.urn)]).toEqual([b.name, true]);
    });

    it("installs charts that do not need each other side by side", () => {
        const charts = r.resources.filter((x) => CHART.test(x.type));
        const byName = (n: string) => charts.find((c) => c.inputs.chart === n);
        const independentPairs: [string, string][] = [
            ["traefik", "flux2"],
            ["cert-manager", "kube-prometheus-stack"],
            ["kube-prometheus-stack", "zabbix"],
            ["flux2", "kube-prometheus-stack"],
        ];
        for (const [a, b] of independentPairs) {
            const ca = byName(a);
            const cb = byName(b);
            if (!ca || !cb) continue;
            expect([a, b, waitsFor(graph, ca.urn).has(cb.urn) || waitsFor(graph, cb.urn).has(ca.urn)]).toEqual([
                a,
                b,
                false,
            ]);
        }
    });

    it("has a critical path of only what must be serial: network, cluster, pool, a chart and what it enables", () => {
        const cp = criticalPath(r.resources);
        const types = cp.chain.map((s) => s.type);
        expect(types.slice(0, 4)).toEqual([
            "gcp:compute/network:Network",
            "gcp:compute/subnetwork:Subnetwork",
            "gcp:container/cluster:Cluster",
            "gcp:container/nodePool:NodePool",
        ]);
        // After the nodes: at most one chart install and the objects it unlocks.
        expect(types.filter((t) => CHART.test(t)).length).toBeLessThanOrEqual(1);
        expect(cp.seconds).toBeLessThan(cp.serialSeconds / 2);
    });
});
