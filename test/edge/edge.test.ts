import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Edge, EdgeArgs } from "../../components/edge/edge";
import { oauth2ProxyValues } from "../../components/edge/oauth2-proxy";
import { unwrapSecrets } from "../../render/redact";
import { validateObjects } from "../../render/validate";
import { kubeObjects } from "../../render/objects";
import { Harness, recordResources } from "../harness";

class App extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:App", name, {});
    }
}

function args(gcp: boolean): EdgeArgs {
    return {
        provider: new k8s.Provider("k8s", { kubeconfig: "{}" }),
        namespace: "edge",
        domain: "dev.example.org",
        githubOrg: "example-club",
        githubTeams: ["infra"],
        clientId: pulumi.secret("id-value-0000"),
        clientSecret: pulumi.secret("secret-value-1111"),
        issuer: "staging",
        replicas: 1,
        authReplicas: 1,
        highAvailability: false,
        apiServer: [{ cidr: "172.16.0.0/28", port: 443 }],
        gcp: gcp
            ? {
                  project: "clubplatform-dev",
                  zone: { domain: "dev.example.org", zoneName: pulumi.output("dev-example-org"), ttl: 300 },
                  ingressIp: pulumi.output("35.9.9.9"),
                  workloadIdentityPool: pulumi.output("clubplatform-dev.svc.id.goog"),
              }
            : undefined,
    };
}

/** The real Edge, plus a private Grafana and a public voting page published through it. */
async function edgeWithApps(gcp: boolean): Promise<Harness> {
    return recordResources(() => {
        const edge = new Edge("edge", args(gcp));
        edge.publisher.route(new App("grafana"), "grafana", {
            host: "grafana.dev.example.org",
            namespace: "monitoring",
            service: "grafana",
            port: 80,
            auth: "github",
        });
        edge.publisher.route(new App("vote"), "vote", {
            host: "vote.dev.example.org",
            namespace: "vote",
            service: "vote",
            port: 8080,
            auth: "public",
        });
        edge.sealRoutes();
    });
}

type Route = { match: string; middlewares?: { name: string; namespace: string }[] };

describe("Edge", () => {
    it("protects the private host with the edge's own errors and forwardAuth middlewares, in order", async () => {
        const h = await edgeWithApps(true);
        const mws = h.objects().filter((o) => o.kind === "Middleware");
        const errors = mws.find((m) => (m.spec as any).errors)!;
        const forwardAuth = mws.find((m) => (m.spec as any).forwardAuth)!;
        const app = (h.object("IngressRoute", "grafana").spec as { routes: Route[] }).routes.find(
            (r) => !r.match.includes("/oauth2/"),
        )!;
        expect(app.middlewares).toEqual([
            { name: errors.metadata.name, namespace: errors.metadata.namespace },
            { name: forwardAuth.metadata.name, namespace: forwardAuth.metadata.namespace },
        ]);
        const vote = (h.object("IngressRoute", "vote").spec as { routes: Route[] }).routes;
        const names = vote.flatMap((r) => r.middlewares ?? []).map((m) => m.name);
        expect(names).not.toContain(errors.metadata.name);
        expect(names).not.toContain(forwardAuth.metadata.name);
    });

    it("sends the sign-in page and /oauth2/ to the oauth2-proxy Service the chart creates", async () => {
        const h = await edgeWithApps(true);
        const chart = h.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "oauth2-proxy")!;
        const errors = h.objects().find((o) => o.kind === "Middleware" && (o.spec as any).errors)!;
        // The chart names its Service after the release.
        expect((errors.spec as any).errors.service.name).toBe(chart.inputs.name);
        expect(errors.metadata.namespace).toBe(chart.inputs.namespace);
        const signIn = (h.object("IngressRoute", "grafana").spec as any).routes.find((r: Route) =>
            r.match.includes("/oauth2/"),
        );
        expect(signIn.services[0]).toMatchObject({ name: chart.inputs.name, namespace: chart.inputs.namespace });
    });

    it("declares only objects that validate against their schemas", async () => {
        const h = await edgeWithApps(true);
        expect(await validateObjects(kubeObjects(h.resources, true))).toEqual([]);
    });

    it("makes every route wait for Traefik and the middlewares", async () => {
        const h = await edgeWithApps(true);
        const traefik = h.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "traefik")!;
        const mwUrns = h.ofType("kubernetes:traefik.io/v1alpha1:Middleware").map((m) => m.urn);
        for (const ir of h.ofType("kubernetes:traefik.io/v1alpha1:IngressRoute")) {
            expect(ir.dependsOn).toEqual(expect.arrayContaining([traefik.urn, ...mwUrns]));
        }
    });

    it("records a DNS A record per published host, all pointing at the ingress IP", async () => {
        const h = await edgeWithApps(true);
        const records = h.ofType("gcp:dns/recordSet:RecordSet").map((r) => h.inputs(r));
        expect(records.map((r) => r.name).sort()).toEqual([
            "auth.dev.example.org.",
            "grafana.dev.example.org.",
            "vote.dev.example.org.",
        ]);
        for (const r of records) expect(r.rrdatas).toEqual(["35.9.9.9"]);
    });

    it("passes the GitHub credentials only through the existingSecret", async () => {
        const h = await edgeWithApps(false);
        const chart = h.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "oauth2-proxy")!;
        const text = JSON.stringify(unwrapSecrets(chart.inputs));
        expect(text).not.toContain("id-value-0000");
        expect(text).not.toContain("secret-value-1111");
        const values = h.inputs(chart).values;
        const secret = h.inputs(h.one("kubernetes:core/v1:Secret"));
        expect(secret.metadata.name).toBe(values.config.existingSecret);
        expect(secret.metadata.namespace).toBe(chart.inputs.namespace);
        expect(Object.keys(secret.stringData).sort()).toEqual(["client-id", "client-secret", "cookie-secret"]);
        expect(secret.stringData["client-id"]).toBe("id-value-0000");
        expect(values.extraArgs["github-team"]).toBe("infra");
    });

    it("restarts oauth2-proxy when a credential changes, through a digest that reveals none", async () => {
        const digest = async (clientSecret: string) => {
            const h = await recordResources(() =>
                new Edge("edge", { ...args(false), clientSecret: pulumi.secret(clientSecret) }).sealRoutes(),
            );
            const chart = h.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "oauth2-proxy")!;
            expect(JSON.stringify(chart.inputs.values)).not.toContain(clientSecret);
            return chart.inputs.values as any;
        };
        const a = await digest("secret-value-1111");
        const b = await digest("secret-value-2222");
        // Plain, so Helm values carry no secret; different, so the pods roll.
        expect(a.podAnnotations["platform/credentials-hash"]).toMatch(/^[0-9a-f]{16}$/);
        expect(a.podAnnotations["platform/credentials-hash"]).not.toBe(b.podAnnotations["platform/credentials-hash"]);
    });

    it("names the session cookie per domain, so prd's cookie on the parent domain never shadows dev's", () => {
        const base = { namespace: "edge", githubOrg: "example-club" };
        const dev = oauth2ProxyValues({ ...base, domain: "dev.example.org" }) as any;
        const prd = oauth2ProxyValues({ ...base, domain: "example.org" }) as any;
        // A stack that shares its cookie over its domain (edge.cookieDomain) still has its own cookie name.
        const shared = oauth2ProxyValues({ ...base, domain: "example.org", cookieDomain: "example.org" }) as any;
        expect(shared.extraArgs["cookie-domain"]).toBe(".example.org");
        expect(prd.extraArgs["cookie-domain"]).toBeUndefined();
        expect(dev.config.cookieName).not.toBe(prd.config.cookieName);
        // A cookie name is an RFC 6265 token.
        for (const name of [dev.config.cookieName, prd.config.cookieName]) expect(name).toMatch(/^[A-Za-z0-9_-]+$/);
    });

    it("denies ingress and egress by default in its namespaces and lets only Traefik reach oauth2-proxy", async () => {
        const h = await edgeWithApps(false);
        const policies = h.objects().filter((o) => o.kind === "NetworkPolicy");
        for (const ns of ["edge", "cert-manager"]) {
            expect(policies).toContainEqual(
                expect.objectContaining({
                    metadata: expect.objectContaining({ namespace: ns }),
                    spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
                }),
            );
        }
        const traefik = h.ofType("kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "traefik")!;
        const traefikPods = {
            "app.kubernetes.io/name": "traefik",
            "app.kubernetes.io/instance": `${String(traefik.inputs.name)}-${String(traefik.inputs.namespace)}`,
        };
        const toProxy = policies.filter(
            (p) =>
                (p.spec as any).podSelector.matchLabels?.["app.kubernetes.io/name"] === "oauth2-proxy" &&
                (p.spec as any).policyTypes.includes("Ingress") &&
                JSON.stringify(p.spec).includes('"port":4180'),
        );
        expect(toProxy).toHaveLength(1);
        expect((toProxy[0]!.spec as any).ingress).toEqual([
            { from: [{ podSelector: { matchLabels: traefikPods } }], ports: [{ protocol: "TCP", port: 4180 }] },
        ]);
        const entry = policies.find((p) => JSON.stringify(p.spec).includes("8443"))!;
        expect((entry.spec as any).podSelector.matchLabels).toEqual(traefikPods);
    });
});
