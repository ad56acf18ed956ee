import { CHARTS } from "../../components/versions";
import { rendered } from "../rendered";
import { CHART_HOOKS } from "./hooks";

/** Every leaf of a values tree as a dotted path (`cli.resources.limits.cpu`); a list is one leaf. */
function leafPaths(values: unknown, prefix = ""): string[] {
    if (values === null || typeof values !== "object" || Array.isArray(values)) return prefix ? [prefix] : [];
    const entries = Object.entries(values as Record<string, unknown>);
    if (entries.length === 0) return prefix ? [prefix] : [];
    return entries.flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** Each hook-only path of a chart and its subcharts, as a path in the chart's own values. */
function hookOnlyPaths(chartAtVersion: string): { path: string; chart: string }[] {
    const entry = CHART_HOOKS[chartAtVersion];
    if (!entry) throw new Error(`no hook entry for ${chartAtVersion} in test/charts/hooks.ts`);
    return [
        ...entry.hookOnlyValues.map((path) => ({ path, chart: chartAtVersion })),
        ...Object.entries(entry.subcharts ?? {}).flatMap(([key, sub]) =>
            hookOnlyPaths(sub).map((h) => ({ path: `${key}.${h.path}`, chart: h.chart })),
        ),
    ];
}

/** The values a chart is given that only its hooks read: `<value path> (<chart@version> hook value <path>)`. */
function hookOnlyValuesSet(chartAtVersion: string, values: unknown): string[] {
    const hookOnly = hookOnlyPaths(chartAtVersion);
    return leafPaths(values).flatMap((leaf) =>
        hookOnly
            .filter((h) => leaf === h.path || leaf.startsWith(`${h.path}.`))
            .map((h) => `${leaf} (${h.chart} hook value ${h.path})`),
    );
}

describe("Helm hooks (helm.v4.Chart never runs them)", () => {
    it("every pinned chart's hooks were read at the pinned version", () => {
        const pinned = Object.values(CHARTS).map((p) => `${p.chart}@${p.version}`);
        const subcharts = pinned.flatMap((c) => Object.values(CHART_HOOKS[c]?.subcharts ?? {}));
        expect(pinned.filter((c) => !(c in CHART_HOOKS))).toEqual([]);
        // And nothing stale: every entry is a pinned chart or one of their subcharts.
        expect(Object.keys(CHART_HOOKS).filter((c) => ![...pinned, ...subcharts].includes(c))).toEqual([]);
    });

    it("finds a hook-only value, in a chart and in a subchart", () => {
        expect(hookOnlyValuesSet("flux2@2.18.3", { cli: { resources: { limits: { cpu: "1" } } } })).toEqual([
            "cli.resources.limits.cpu (flux2@2.18.3 hook value cli)",
        ]);
        expect(
            hookOnlyValuesSet("kube-prometheus-stack@88.5.3", {
                grafana: { testFramework: { enabled: false }, replicas: 2 },
                prometheusOperator: { admissionWebhooks: { enabled: false, patch: { enabled: false } } },
            }),
        ).toEqual(["grafana.testFramework.enabled (grafana@12.11.1 hook value grafana.testFramework)"]);
    });

    it.each(["dev", "prd", "local"] as const)("%s gives no chart a value only its hooks read", async (stack) => {
        const r = await rendered(stack);
        expect(r.charts.length).toBeGreaterThan(0);
        const dead = r.charts.flatMap((c) =>
            hookOnlyValuesSet(`${String(c.chart)}@${String(c.version)}`, c.values).map((v) => `${c.name}: ${v}`),
        );
        expect(dead).toEqual([]);
    });
});
