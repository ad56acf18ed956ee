import { reliabilityRules } from "../../../policy/rules/reliability";
import { goodDeployment, k8s, res, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(reliabilityRules, id);
const pdb = (labels: Record<string, string>, ns = "vote") =>
    k8s({
        apiVersion: "policy/v1",
        kind: "PodDisruptionBudget",
        metadata: { name: "web", namespace: ns },
        spec: { minAvailable: 1, selector: { matchLabels: labels } },
    });
const hpa = (min: number | undefined) =>
    k8s({
        apiVersion: "autoscaling/v2",
        kind: "HorizontalPodAutoscaler",
        metadata: { name: "web", namespace: "vote" },
        spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
            minReplicas: min,
            maxReplicas: 5,
        },
    });
const service = k8s({
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "vote" },
    spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
});
const route = k8s({
    apiVersion: "traefik.io/v1alpha1",
    kind: "IngressRoute",
    metadata: { name: "web", namespace: "vote" },
    spec: { routes: [{ match: "Host(`vote.example.org`)", kind: "Rule", services: [{ name: "web", port: 80 }] }] },
});

describe("workload-selector-matches", () => {
    it("passes a selector that selects the template", () => {
        expect(violations(rule("workload-selector-matches"), [k8s(goodDeployment())])).toEqual([]);
    });
    it("rejects a selector the template labels do not satisfy", () => {
        const d = goodDeployment((x) => (x.spec.selector.matchLabels = { app: "api" }));
        expect(violations(rule("workload-selector-matches"), [k8s(d)], "dev")[0]).toMatch(
            /spec.selector .* does not match spec.template.metadata.labels/,
        );
    });
    it("rejects an empty selector and handles matchExpressions", () => {
        const empty = goodDeployment((x) => (x.spec.selector = {}));
        expect(violations(rule("workload-selector-matches"), [k8s(empty)])[0]).toMatch(/spec.selector is empty/);
        const expr = goodDeployment(
            (x) => (x.spec.selector = { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] }),
        );
        expect(violations(rule("workload-selector-matches"), [k8s(expr)])).toEqual([]);
        const exprBad = goodDeployment(
            (x) => (x.spec.selector = { matchExpressions: [{ key: "tier", operator: "Exists" }] }),
        );
        expect(violations(rule("workload-selector-matches"), [k8s(exprBad)])).toHaveLength(1);
    });
});

describe("workload-pdb", () => {
    it("asks a two-replica Deployment on prd for a PDB that selects its pods", () => {
        expect(violations(rule("workload-pdb"), [k8s(goodDeployment())])[0]).toMatch(
            /runs 2 replicas but no PodDisruptionBudget/,
        );
        expect(violations(rule("workload-pdb"), [k8s(goodDeployment()), pdb({ app: "web" })])).toEqual([]);
        // a PDB for other pods, or in another namespace, does not count
        expect(violations(rule("workload-pdb"), [k8s(goodDeployment()), pdb({ app: "api" })])).toHaveLength(1);
        expect(violations(rule("workload-pdb"), [k8s(goodDeployment()), pdb({ app: "web" }, "other")])).toHaveLength(1);
    });
    it("is off on dev and for single replicas, and counts an HPA's minimum", () => {
        expect(violations(rule("workload-pdb"), [k8s(goodDeployment())], "dev")).toEqual([]);
        const one = goodDeployment((x) => (x.spec.replicas = 1));
        expect(violations(rule("workload-pdb"), [k8s(one)])).toEqual([]);
        expect(violations(rule("workload-pdb"), [k8s(one), hpa(3)])).toHaveLength(1);
    });
});

describe("workload-replicas", () => {
    const single = goodDeployment((x) => (x.spec.replicas = 1));
    it("asks a routed single-replica Deployment on prd for 2 replicas", () => {
        expect(violations(rule("workload-replicas"), [k8s(single), service, route])[0]).toMatch(
            /serves an IngressRoute with 1 replica\(s\)/,
        );
        expect(violations(rule("workload-replicas"), [k8s(single), service, route], "dev")).toEqual([]);
    });
    it("accepts 2 replicas, an HPA minimum of 2, or a written reason", () => {
        expect(violations(rule("workload-replicas"), [k8s(goodDeployment()), service, route])).toEqual([]);
        expect(violations(rule("workload-replicas"), [k8s(single), service, route, hpa(2)])).toEqual([]);
        expect(violations(rule("workload-replicas"), [k8s(single), service, route, hpa(1)])).toHaveLength(1);
        const reasoned = goodDeployment((x) => {
            x.spec.replicas = 1;
            x.metadata.annotations = { "platform/single-replica": "MySQL without replication" };
        });
        expect(violations(rule("workload-replicas"), [k8s(reasoned), service, route])).toEqual([]);
    });
    it("leaves workloads no IngressRoute reaches alone", () => {
        expect(violations(rule("workload-replicas"), [k8s(single), service])).toEqual([]);
    });
});

describe("entry-replicas", () => {
    const traefik = (values: Record<string, unknown>) =>
        res("kubernetes:helm.sh/v4:Chart", "edge-traefik", { chart: "traefik", version: "41.3.0", values });
    it("asks the Traefik chart on prd for 2 replicas and a PDB", () => {
        expect(violations(rule("entry-replicas"), [traefik({})])).toEqual([
            "edge-traefik: chart traefik runs 1 replica(s); set values.deployment.replicas (or autoscaling.minReplicas) >= 2",
            "edge-traefik: chart traefik has no PodDisruptionBudget (values.podDisruptionBudget.enabled)",
        ]);
        const ok = { deployment: { replicas: 2 }, podDisruptionBudget: { enabled: true, minAvailable: 1 } };
        expect(violations(rule("entry-replicas"), [traefik(ok)])).toEqual([]);
        const hpaOk = { autoscaling: { enabled: true, minReplicas: 3 }, podDisruptionBudget: { enabled: true } };
        expect(violations(rule("entry-replicas"), [traefik(hpaOk)])).toEqual([]);
        expect(violations(rule("entry-replicas"), [traefik({})], "dev")).toEqual([]);
    });
});
