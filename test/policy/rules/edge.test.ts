import { edgeRules } from "../../../policy/rules/edge";
import { k8s, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(edgeRules, id);
const ingressRoute = (spec: Record<string, unknown>, annotations?: Record<string, string>) =>
    k8s({
        apiVersion: "traefik.io/v1alpha1",
        kind: "IngressRoute",
        metadata: { name: "vote", namespace: "vote", annotations },
        spec: { entryPoints: ["websecure"], tls: { secretName: "vote-tls" }, ...spec },
    });
const host = "Host(`vote.example.org`)";
const withMw = (middlewares: { name: string; namespace?: string }[]) => ({
    routes: [{ match: host, kind: "Rule", middlewares, services: [{ name: "vote", port: 80 }] }],
});
const middleware = (name: string, spec: Record<string, unknown>) =>
    k8s({ apiVersion: "traefik.io/v1alpha1", kind: "Middleware", metadata: { name, namespace: "edge" }, spec });

describe("ingressroute-tls", () => {
    it("rejects a route without tls and accepts a resolver or the default store", () => {
        expect(violations(rule("ingressroute-tls"), [ingressRoute({ tls: undefined })])).toEqual([
            "IngressRoute vote/vote: has no spec.tls; every host is served over TLS",
        ]);
        expect(violations(rule("ingressroute-tls"), [ingressRoute({ tls: { certResolver: "le" } })])).toEqual([]);
        expect(violations(rule("ingressroute-tls"), [ingressRoute({ tls: {} })])).toEqual([]);
    });
});

describe("ingressroute-auth", () => {
    it("rejects a route with no auth middleware", () => {
        expect(violations(rule("ingressroute-auth"), [ingressRoute(withMw([]))])[0]).toMatch(/has no auth middleware/);
        expect(violations(rule("ingressroute-auth"), [ingressRoute(withMw([{ name: "compress" }]))])).toHaveLength(1);
    });

    it("accepts a declared forwardAuth middleware, a chain holding one, or an undeclared one named auth", () => {
        const fa = middleware("sso", { forwardAuth: { address: "http://oauth2-proxy.edge/oauth2/auth" } });
        expect(
            violations(rule("ingressroute-auth"), [ingressRoute(withMw([{ name: "sso", namespace: "edge" }])), fa]),
        ).toEqual([]);
        const chain = middleware("private", { chain: { middlewares: [{ name: "errors" }, { name: "sso" }] } });
        expect(
            violations(rule("ingressroute-auth"), [
                ingressRoute(withMw([{ name: "private", namespace: "edge" }])),
                chain,
                fa,
            ]),
        ).toEqual([]);
        expect(
            violations(rule("ingressroute-auth"), [ingressRoute(withMw([{ name: "oauth2-auth", namespace: "edge" }]))]),
        ).toEqual([]);
    });

    it("does not take a declared middleware's name for auth when its spec is not", () => {
        const fake = middleware("auth-headers", { headers: { customRequestHeaders: {} } });
        expect(
            violations(rule("ingressroute-auth"), [
                ingressRoute(withMw([{ name: "auth-headers", namespace: "edge" }])),
                fake,
            ]),
        ).toHaveLength(1);
    });

    it("lets a host declared public through, and the /oauth2/ endpoint to oauth2-proxy", () => {
        expect(
            violations(rule("ingressroute-auth"), [ingressRoute(withMw([]), { "platform/auth": "public" })]),
        ).toEqual([]);
        expect(
            violations(rule("ingressroute-auth"), [ingressRoute(withMw([]), { "platform/auth": "github" })]),
        ).toHaveLength(1);
        const callback = {
            routes: [
                {
                    match: `${host} && PathPrefix(\`/oauth2/\`)`,
                    kind: "Rule",
                    services: [{ name: "oauth2-proxy", port: 80 }],
                },
            ],
        };
        expect(violations(rule("ingressroute-auth"), [ingressRoute(callback)])).toEqual([]);
    });
});
