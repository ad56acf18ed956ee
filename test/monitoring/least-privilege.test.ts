import { KubeObject } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { rendered } from "../rendered";

function grafanaValues(r: RenderResult): { values: Record<string, any>; namespace: string } {
    const chart = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "kube-prometheus-stack",
    )!;
    const inputs = unwrapSecrets(chart.inputs) as { values: Record<string, any>; namespace: string };
    return { values: inputs.values.grafana, namespace: inputs.namespace };
}

describe.each(["dev", "prd"] as const)("the %s stack's Grafana", (stack) => {
    let r: RenderResult;
    beforeAll(async () => {
        r = await rendered(stack);
    });

    it("gives its sidecars a namespaced Role that reads ConfigMaps and no Secrets", () => {
        const { values, namespace } = grafanaValues(r);
        // The grafana chart (12.x) makes a ClusterRole unless rbac.namespaced, and its own Role lists
        // Secrets too: only a Role the program declares (rbac.useExistingRole) can leave them out.
        expect(values.rbac?.namespaced).toBe(true);
        const roleName = values.rbac?.useExistingRole as string | undefined;
        expect(roleName).toBeDefined();
        const role = r.objects.find(
            (o: KubeObject) => o.kind === "Role" && o.metadata.name === roleName && o.metadata.namespace === namespace,
        );
        expect(role).toBeDefined();
        const rules = (role as unknown as { rules: { resources: string[]; verbs: string[] }[] }).rules;
        expect(rules.flatMap((x) => x.resources)).toEqual(["configmaps"]);
        expect(rules.flatMap((x) => x.verbs).every((v) => ["get", "list", "watch"].includes(v))).toBe(true);
    });

    it("has every sidecar look at ConfigMaps only (the chart's default is both) in its own namespace", () => {
        const sidecar = grafanaValues(r).values.sidecar as Record<
            string,
            { resource?: string; searchNamespace?: string }
        >;
        for (const kind of ["dashboards", "datasources"]) {
            expect({ kind, resource: sidecar[kind]?.resource }).toEqual({ kind, resource: "configmap" });
            expect(sidecar[kind]?.searchNamespace ?? null).toBeNull();
        }
    });

    it("installs only plugins pinned to an exact version", () => {
        const plugins = (grafanaValues(r).values.plugins ?? []) as string[];
        for (const p of plugins) expect(p).toMatch(/^[a-z0-9-]+@\d+\.\d+\.\d+(@https:\/\/\S+)?$/);
    });
});

describe.each(["dev", "prd"] as const)("the %s stack's pods that never call the Kubernetes API", (stack) => {
    let r: RenderResult;
    beforeAll(async () => {
        r = await rendered(stack);
    });
    const values = (chart: string) =>
        unwrapSecrets(
            r.resources.find(
                (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === chart,
            )!.inputs.values,
        ) as Record<string, any>;

    it("mount no service-account token: oauth2-proxy, Alertmanager, the blackbox exporter", () => {
        // Chart defaults (oauth2-proxy 10.7, kube-prometheus-stack 88.5) mount one; blackbox 11.17 does not.
        expect(values("oauth2-proxy").serviceAccount?.automountServiceAccountToken).toBe(false);
        const am = values("kube-prometheus-stack").alertmanager;
        expect(am.serviceAccount?.automountServiceAccountToken).toBe(false);
        expect(am.alertmanagerSpec?.automountServiceAccountToken).toBe(false);
        expect(values("prometheus-blackbox-exporter").automountServiceAccountToken ?? false).toBe(false);
    });
});
