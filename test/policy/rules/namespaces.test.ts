import { namespaceRules } from "../../../policy/rules/namespaces";
import { goodDeployment, k8s, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(namespaceRules, id);
const ns = (
    labels: Record<string, string> = { "pod-security.kubernetes.io/enforce": "restricted" },
    annotations = {},
) => k8s({ apiVersion: "v1", kind: "Namespace", metadata: { name: "vote", labels, annotations } });
const obj = (kind: string, apiVersion: string, spec: Record<string, unknown>, namespace = "vote") =>
    k8s({ apiVersion, kind, metadata: { name: `vote-${kind.toLowerCase()}`, namespace }, spec });
const quota = obj("ResourceQuota", "v1", { hard: { "requests.cpu": "4" } });
const limits = obj("LimitRange", "v1", { limits: [{ type: "Container", default: { cpu: "500m" } }] });
const deny = obj("NetworkPolicy", "networking.k8s.io/v1", { podSelector: {}, policyTypes: ["Ingress", "Egress"] });

describe("namespace rules", () => {
    it("pass a namespace with PSS labels, quota, limits and a default deny", () => {
        for (const r of namespaceRules) expect(violations(r, [ns(), quota, limits, deny])).toEqual([]);
    });

    it("namespace-pod-security wants baseline or restricted, or privileged with a reason", () => {
        expect(violations(rule("namespace-pod-security"), [ns({})])).toEqual([
            "Namespace vote: has no pod-security.kubernetes.io/enforce label",
        ]);
        const priv = { "pod-security.kubernetes.io/enforce": "privileged" };
        expect(violations(rule("namespace-pod-security"), [ns(priv)])[0]).toMatch(/enforce is "privileged"/);
        expect(
            violations(rule("namespace-pod-security"), [
                ns(priv, { "platform/pod-security-justification": "node-exporter needs host namespaces" }),
            ]),
        ).toEqual([]);
        expect(
            violations(rule("namespace-pod-security"), [ns({ "pod-security.kubernetes.io/enforce": "baseline" })]),
        ).toEqual([]);
    });

    it("namespace-resource-quota and namespace-limit-range look in the namespace itself", () => {
        const elsewhere = obj("ResourceQuota", "v1", { hard: {} }, "other");
        expect(violations(rule("namespace-resource-quota"), [ns(), elsewhere])).toEqual([
            "Namespace vote: has no ResourceQuota",
        ]);
        expect(violations(rule("namespace-limit-range"), [ns(), quota])).toEqual(["Namespace vote: has no LimitRange"]);
    });

    it("namespace-default-deny does not accept a policy that selects some pods or admits traffic", () => {
        const some = obj("NetworkPolicy", "networking.k8s.io/v1", {
            podSelector: { matchLabels: { app: "web" } },
            policyTypes: ["Ingress"],
        });
        const allows = obj("NetworkPolicy", "networking.k8s.io/v1", {
            podSelector: {},
            policyTypes: ["Ingress"],
            ingress: [{ from: [{ namespaceSelector: {} }] }],
        });
        const egressOnly = obj("NetworkPolicy", "networking.k8s.io/v1", { podSelector: {}, policyTypes: ["Egress"] });
        for (const p of [some, allows, egressOnly])
            expect(violations(rule("namespace-default-deny"), [ns(), p])[0]).toMatch(/no default-deny NetworkPolicy/);
        const implicit = obj("NetworkPolicy", "networking.k8s.io/v1", { podSelector: {} });
        expect(violations(rule("namespace-default-deny"), [ns(), implicit])).toEqual([]);
    });

    it("are advisory on dev", () => {
        expect(rule("namespace-resource-quota").enforcement).toEqual({ dev: "advisory", prd: "mandatory" });
        expect(violations(rule("namespace-resource-quota"), [ns()], "dev")).toHaveLength(1);
    });

    it("no-default-namespace rejects default and a missing namespace, not cluster-scoped kinds", () => {
        const inDefault = goodDeployment((x) => (x.metadata.namespace = "default"));
        expect(violations(rule("no-default-namespace"), [k8s(inDefault)])).toEqual([
            "Deployment default/web: is in the default namespace",
        ]);
        const unset = goodDeployment((x) => delete x.metadata.namespace);
        expect(violations(rule("no-default-namespace"), [k8s(unset)])).toEqual([
            "Deployment web: metadata.namespace is not set",
        ]);
        const clusterRole = k8s({
            apiVersion: "rbac.authorization.k8s.io/v1",
            kind: "ClusterRole",
            metadata: { name: "x" },
            rules: [],
        });
        expect(violations(rule("no-default-namespace"), [clusterRole, ns()])).toEqual([]);
    });
});
