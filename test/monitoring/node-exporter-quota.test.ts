import { cpuCores, memoryBytes } from "../../config/sections/apps";
import { nodePoolSchema } from "../../config/sections/cluster";
import { unwrapSecrets } from "../../render/redact";
import { rendered } from "../rendered";
import { stackConfig } from "../stack-files";

type Resources = { requests: { cpu: string; memory: string }; limits: { cpu: string; memory: string } };

describe.each(["dev", "prd"] as const)("the %s stack's node-exporter namespace", (stack) => {
    it("has a quota that admits one node-exporter pod on every node the node pools can grow to", async () => {
        const r = await rendered(stack);
        const chart = r.resources.find(
            (x) =>
                x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "kube-prometheus-stack",
        )!;
        const values = (unwrapSecrets(chart.inputs) as { values: Record<string, any> }).values[
            "prometheus-node-exporter"
        ] as { namespaceOverride: string; resources: Resources };
        const quota = r.objects.find(
            (o) => o.kind === "ResourceQuota" && o.metadata.namespace === values.namespaceOverride,
        ) as unknown as { spec: { hard: Record<string, string> } } | undefined;
        expect(quota).toBeDefined();
        const hard = quota!.spec.hard;
        const pods = Number(hard.pods);

        // The DaemonSet puts one pod on each node: the pod budget is the node budget.
        const pools = (stackConfig(stack)["platform:cluster"] as { nodePools?: unknown[] }).nodePools ?? [];
        const maxNodes = pools.reduce<number>((n, p) => n + nodePoolSchema.parse(p).maxCount, 0);
        expect(maxNodes).toBeGreaterThan(0);
        expect(pods).toBeGreaterThanOrEqual(maxNodes);

        // And that many pods fit the quota's CPU and memory, requests and limits.
        const { requests, limits } = values.resources;
        expect(pods * cpuCores(requests.cpu)).toBeLessThanOrEqual(cpuCores(hard["requests.cpu"]!));
        expect(pods * memoryBytes(requests.memory)).toBeLessThanOrEqual(memoryBytes(hard["requests.memory"]!));
        expect(pods * cpuCores(limits.cpu)).toBeLessThanOrEqual(cpuCores(hard["limits.cpu"]!));
        expect(pods * memoryBytes(limits.memory)).toBeLessThanOrEqual(memoryBytes(hard["limits.memory"]!));
    });
});
