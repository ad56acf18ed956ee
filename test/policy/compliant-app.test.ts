import { runRules, formatViolation } from "../../policy/run";
import { goodDeployment, k8s, res } from "./fixtures";

/**
 * A whole app envelope written the way the docs ask (namespace with Pod Security labels, quota,
 * limits, default deny; a hardened two-replica Deployment with a PDB; a Service; a private and a
 * public IngressRoute; the oauth2-proxy forwardAuth middleware). Every rule at once must accept it
 * on prd: the rules do not contradict each other, and this is the shape layers can copy.
 */
function envelope() {
    const ns = "vote";
    return [
        k8s({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        }),
        k8s({
            apiVersion: "v1",
            kind: "ResourceQuota",
            metadata: { name: "quota", namespace: ns },
            spec: {
                hard: { "requests.cpu": "4", "requests.memory": "8Gi", "limits.cpu": "8", "limits.memory": "16Gi" },
            },
        }),
        k8s({
            apiVersion: "v1",
            kind: "LimitRange",
            metadata: { name: "limits", namespace: ns },
            spec: { limits: [{ type: "Container", default: { cpu: "500m", memory: "256Mi" } }] },
        }),
        k8s({
            apiVersion: "networking.k8s.io/v1",
            kind: "NetworkPolicy",
            metadata: { name: "default-deny", namespace: ns },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        }),
        k8s(goodDeployment()),
        k8s({
            apiVersion: "policy/v1",
            kind: "PodDisruptionBudget",
            metadata: { name: "web", namespace: ns },
            spec: { maxUnavailable: 1, selector: { matchLabels: { app: "web" } } },
        }),
        k8s({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: ns },
            spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
        }),
        k8s({
            apiVersion: "traefik.io/v1alpha1",
            kind: "Middleware",
            metadata: { name: "oauth2-proxy", namespace: "edge" },
            spec: { forwardAuth: { address: "http://oauth2-proxy.edge.svc/oauth2/auth", trustForwardHeader: true } },
        }),
        k8s({
            apiVersion: "traefik.io/v1alpha1",
            kind: "IngressRoute",
            metadata: { name: "web", namespace: ns, annotations: { "platform/auth": "github" } },
            spec: {
                entryPoints: ["websecure"],
                tls: { secretName: "web-tls" },
                routes: [
                    {
                        match: "Host(`vote.example.org`)",
                        kind: "Rule",
                        middlewares: [{ name: "oauth2-proxy", namespace: "edge" }],
                        services: [{ name: "web", port: 80 }],
                    },
                ],
            },
        }),
        k8s({
            apiVersion: "traefik.io/v1alpha1",
            kind: "IngressRoute",
            metadata: { name: "web-public", namespace: ns, annotations: { "platform/auth": "public" } },
            spec: {
                entryPoints: ["websecure"],
                tls: { secretName: "web-tls" },
                routes: [
                    {
                        match: "Host(`vote.example.org`) && PathPrefix(`/vote`)",
                        kind: "Rule",
                        services: [{ name: "web", port: 80 }],
                    },
                ],
            },
        }),
        res("kubernetes:helm.sh/v4:Chart", "edge-traefik", {
            chart: "traefik",
            version: "41.3.0",
            namespace: "edge",
            values: { deployment: { replicas: 2 }, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } },
        }),
    ];
}

describe("a compliant app envelope", () => {
    it.each(["dev", "prd"] as const)("passes every rule on %s", (environment) => {
        expect(runRules(envelope(), { environment }).violations.map(formatViolation)).toEqual([]);
    });

    it("fails on prd as soon as one piece is missing", () => {
        const withoutPdb = envelope().filter((r) => !r.type.endsWith(":PodDisruptionBudget"));
        expect(runRules(withoutPdb, { environment: "prd" }).violations.map((v) => v.rule)).toEqual(["workload-pdb"]);
        const withoutQuota = envelope().filter((r) => !r.type.endsWith(":ResourceQuota"));
        expect(runRules(withoutQuota, { environment: "prd" }).violations.map((v) => v.rule)).toEqual([
            "namespace-resource-quota",
        ]);
    });
});
