import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { EdgePublisher, NoEdgePublisher } from "../../components/edge/publisher";
import { RouteSpec } from "../../components/edge/types";
import { recordResources } from "../harness";

class Owner extends pulumi.ComponentResource {
    constructor(name: string) {
        super("test:index:Owner", name, {});
    }
}

function publisher(withDns: boolean): EdgePublisher {
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    return new EdgePublisher({
        provider,
        domain: "dev.example.org",
        authMiddlewares: [
            { name: "mw-errors", namespace: "edge" },
            { name: "mw-auth", namespace: "edge" },
        ],
        authService: { name: "oauth2-proxy", namespace: "edge", port: 80 },
        dependsOn: [],
        dns: withDns
            ? {
                  zone: { domain: "dev.example.org", zoneName: pulumi.output("dev-example-org"), ttl: 300 },
                  address: "35.1.2.3",
              }
            : undefined,
    });
}

const grafana: RouteSpec = {
    host: "grafana.dev.example.org",
    namespace: "monitoring",
    service: "grafana",
    port: 3000,
    auth: "github",
};

type Route = { match: string; middlewares?: { name: string; namespace: string }[]; services: unknown[] };

function routesOf(spec: Record<string, unknown>): Route[] {
    return (spec.spec as { routes: Route[] }).routes;
}

describe("EdgePublisher", () => {
    it("puts errors then forwardAuth in front of a private host, before any extra middleware", async () => {
        const h = await recordResources(() => {
            publisher(true).route(new Owner("mon"), "grafana", {
                ...grafana,
                middlewares: [{ name: "headers", namespace: "monitoring" }],
            });
        });
        const ir = h.object("IngressRoute", "grafana");
        expect(ir.metadata.namespace).toBe("monitoring");
        expect(ir.spec).toMatchObject({ entryPoints: ["websecure"], tls: {} });
        const app = routesOf(ir).find((r) => !r.match.includes("/oauth2/"))!;
        expect(app.match).toBe("Host(`grafana.dev.example.org`)");
        expect(app.middlewares).toEqual([
            { name: "mw-errors", namespace: "edge" },
            { name: "mw-auth", namespace: "edge" },
            { name: "headers", namespace: "monitoring" },
        ]);
        expect(app.services).toEqual([{ name: "grafana", namespace: "monitoring", port: 3000 }]);
    });

    it("routes /oauth2/ on a private host to oauth2-proxy without the auth middlewares", async () => {
        const h = await recordResources(() => publisher(false).route(new Owner("mon"), "grafana", grafana));
        const signIn = routesOf(h.object("IngressRoute", "grafana")).filter((r) => r.match.includes("/oauth2/"));
        expect(signIn).toHaveLength(1);
        expect(signIn[0]!.match).toContain("Host(`grafana.dev.example.org`)");
        expect(signIn[0]!.middlewares ?? []).toEqual([]);
        expect(signIn[0]!.services).toEqual([{ name: "oauth2-proxy", namespace: "edge", port: 80 }]);
    });

    it("gives a public host no auth middleware and no /oauth2/ route", async () => {
        const h = await recordResources(() =>
            publisher(false).route(new Owner("vote"), "vote", {
                ...grafana,
                host: "vote.dev.example.org",
                auth: "public",
            }),
        );
        const routes = routesOf(h.object("IngressRoute", "vote"));
        expect(routes).toHaveLength(1);
        expect(routes[0]!.middlewares ?? []).toEqual([]);
    });

    it("limits a route to its path prefixes", async () => {
        const h = await recordResources(() =>
            publisher(false).route(new Owner("up"), "api", {
                ...grafana,
                host: "up.dev.example.org",
                paths: ["/graphql", "/upload"],
            }),
        );
        const app = routesOf(h.object("IngressRoute", "api")).find((r) => !r.match.includes("/oauth2/"))!;
        expect(app.match).toBe("Host(`up.dev.example.org`) && (PathPrefix(`/graphql`) || PathPrefix(`/upload`))");
    });

    it("adds an A record for the host to the ingress IP, owned by the caller", async () => {
        const h = await recordResources(() => publisher(true).route(new Owner("mon"), "grafana", grafana));
        const record = h.one("gcp:dns/recordSet:RecordSet");
        expect(h.inputs(record)).toMatchObject({
            name: "grafana.dev.example.org.",
            type: "A",
            rrdatas: ["35.1.2.3"],
            managedZone: "dev-example-org",
        });
        expect(record.parent).toContain("test:index:Owner::mon");
        expect(h.ofType("kubernetes:traefik.io/v1alpha1:IngressRoute")[0]!.parent).toContain("Owner::mon");
    });

    it("adds no DNS record without a zone (cluster outside GCP)", async () => {
        const h = await recordResources(() => publisher(false).route(new Owner("mon"), "grafana", grafana));
        expect(h.ofType("gcp:dns/recordSet:RecordSet")).toEqual([]);
    });

    /** Runs `declare` under the recorder and returns what it threw. */
    async function thrown(declare: () => void): Promise<string> {
        let message = "(nothing thrown)";
        await recordResources(() => {
            try {
                declare();
            } catch (e) {
                message = (e as Error).message;
            }
        });
        return message;
    }

    it("refuses a host outside the domain, naming the route and the domain", async () => {
        const message = await thrown(() =>
            publisher(false).route(new Owner("x"), "shop", { ...grafana, host: "shop.example.com" }),
        );
        expect(message).toMatch(/route shop: host shop\.example\.com is outside the stack's domain dev\.example\.org/);
    });

    it("refuses a host published twice, naming the first route", async () => {
        const message = await thrown(() => {
            const p = publisher(false);
            p.route(new Owner("a"), "grafana", grafana);
            p.route(new Owner("b"), "grafana-2", grafana);
        });
        expect(message).toMatch(
            /route grafana-2: host grafana\.dev\.example\.org is already published by route grafana/,
        );
    });

    it("refuses every route when the edge is off", async () => {
        const message = await thrown(() =>
            new NoEdgePublisher("dev.example.org").route(new Owner("a"), "grafana", grafana),
        );
        expect(message).toMatch(/cannot publish grafana\.dev\.example\.org: the edge is off/);
    });
});
