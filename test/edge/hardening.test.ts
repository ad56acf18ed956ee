import { AUTH_ANNOTATION, PUBLIC } from "../../contract/annotations";
import { KubeObject } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { renderStack, RenderResult } from "../../render/render";
import { rendered } from "../rendered";
import { branchPreviewStackFile } from "../stack-files";

/**
 * Headers oauth2-proxy sets towards an upstream (its docs: `set-xauthrequest`, `pass-access-token`,
 * `pass-user-headers`, and `GAP-Auth` in proxy mode). Any of them arriving from a client is forged.
 */
const OAUTH2_PROXY_IDENTITY_HEADERS = [
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Auth-Request-Preferred-Username",
    "X-Auth-Request-Groups",
    "X-Auth-Request-Access-Token",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Preferred-Username",
    "X-Forwarded-Groups",
    "X-Forwarded-Access-Token",
    "GAP-Auth",
];

type Ref = { name: string; namespace?: string };
type Route = { match: string; middlewares?: Ref[]; services: { name: string }[] };

function traefikValues(r: RenderResult): Record<string, any> {
    const chart = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "traefik",
    )!;
    return unwrapSecrets(chart.inputs.values) as Record<string, any>;
}

/** The Middleware an entrypoint reference `<namespace>-<name>@kubernetescrd` points at. */
function entrypointMiddleware(r: RenderResult, ref: string): KubeObject | undefined {
    const m = /^(.+)@kubernetescrd$/.exec(ref);
    if (!m) return undefined;
    return r.objects.find((o) => o.kind === "Middleware" && `${o.metadata.namespace}-${o.metadata.name}` === m[1]);
}

function middlewareOf(r: RenderResult, ref: Ref, routeNamespace: string): KubeObject | undefined {
    const ns = ref.namespace ?? routeNamespace;
    return r.objects.find(
        (o) => o.kind === "Middleware" && o.metadata.name === ref.name && o.metadata.namespace === ns,
    );
}

function isRateLimited(r: RenderResult, route: Route, ns: string): boolean {
    return (route.middlewares ?? []).some((m) => (middlewareOf(r, m, ns)?.spec as any)?.rateLimit?.average > 0);
}

function routesOf(r: RenderResult): { route: Route; ns: string; public: boolean }[] {
    return r.objects
        .filter((o) => o.kind === "IngressRoute")
        .flatMap((o) =>
            ((o.spec as { routes: Route[] }).routes ?? []).map((route) => ({
                route,
                ns: o.metadata.namespace!,
                public: (o.metadata.annotations as Record<string, string> | undefined)?.[AUTH_ANNOTATION] === PUBLIC,
            })),
        );
}

describe.each(["dev", "prd"] as const)("the %s stack's entrypoints", (stack) => {
    let r: RenderResult;
    beforeAll(async () => {
        r = await rendered(stack);
    });

    it("delete every identity header oauth2-proxy sets, on both entrypoints, before any route", () => {
        const forwardAuthHeaders = r.objects
            .filter((o) => o.kind === "Middleware" && (o.spec as any).forwardAuth)
            .flatMap((o) => ((o.spec as any).forwardAuth.authResponseHeaders ?? []) as string[]);
        expect(forwardAuthHeaders.length).toBeGreaterThan(0);
        const ports = traefikValues(r).ports;
        for (const entrypoint of ["web", "websecure"]) {
            const refs = (ports[entrypoint].http.middlewares ?? []) as string[];
            const deleted = refs
                .map((ref) => entrypointMiddleware(r, ref))
                .flatMap((m) =>
                    Object.entries(((m?.spec as any)?.headers?.customRequestHeaders ?? {}) as Record<string, string>),
                )
                .filter(([, value]) => value === "")
                .map(([name]) => name.toLowerCase());
            for (const header of [...OAUTH2_PROXY_IDENTITY_HEADERS, ...forwardAuthHeaders]) {
                expect({ entrypoint, header, deleted: deleted.includes(header.toLowerCase()) }).toEqual({
                    entrypoint,
                    header,
                    deleted: true,
                });
            }
        }
    });

    it("send HSTS for at least six months on every HTTPS response", () => {
        const refs = (traefikValues(r).ports.websecure.http.middlewares ?? []) as string[];
        const sts = refs.map((ref) => (entrypointMiddleware(r, ref)?.spec as any)?.headers?.stsSeconds ?? 0);
        expect(Math.max(0, ...sts)).toBeGreaterThanOrEqual(180 * 24 * 3600);
    });

    it("default to TLS 1.2 or later with forward-secret AEAD suites only", () => {
        const options = r.objects.filter((o) => o.kind === "TLSOption" && o.metadata.name === "default");
        expect(options).toHaveLength(1);
        const spec = options[0]!.spec as { minVersion?: string; cipherSuites?: string[] };
        expect(["VersionTLS12", "VersionTLS13"]).toContain(spec.minVersion);
        expect(spec.cipherSuites?.length).toBeGreaterThan(0);
        for (const suite of spec.cipherSuites ?? [])
            expect(suite).toMatch(/^TLS_ECDHE_.*_(GCM_SHA\d+|POLY1305(_SHA256)?)$/);
    });

    it("rate-limit every public route and every sign-in route", () => {
        const routes = routesOf(r);
        const login = routes.filter(({ route }) => route.services.some((s) => /oauth2-proxy/.test(s.name)));
        const open = routes.filter((x) => x.public);
        expect(login.length).toBeGreaterThan(0);
        expect(open.length).toBeGreaterThan(0);
        for (const x of [...login, ...open]) {
            expect({ route: x.route.match, limited: isRateLimited(r, x.route, x.ns) }).toEqual({
                route: x.route.match,
                limited: true,
            });
        }
    });
});

describe("the public zone", () => {
    it("lets only Let's Encrypt, the issuer in use, issue for the domain (CAA)", async () => {
        const r = await rendered("prd");
        const issuer = r.objects.find((o) => o.kind === "ClusterIssuer" && (o.spec as any).acme);
        expect(String((issuer!.spec as any).acme.server)).toMatch(/letsencrypt\.org/);
        const caa = r.resources
            .filter((x) => x.type === "gcp:dns/recordSet:RecordSet")
            .map((x) => unwrapSecrets(x.inputs) as { name: string; type: string; rrdatas: string[] })
            .filter((x) => x.type === "CAA");
        expect(caa.map((x) => x.name)).toEqual([`${r.outputs.domain}.`]);
        expect([...caa[0]!.rrdatas].sort()).toEqual(['0 issue "letsencrypt.org"', '0 issuewild "letsencrypt.org"']);
    });
});

describe("a branch preview's routes", () => {
    it("rate-limit the sign-in route the preview's host carries", async () => {
        const r = await renderStack({ stack: "dev-br-x", stackFile: branchPreviewStackFile() });
        const login = routesOf(r).filter(({ route }) => route.services.some((s) => /oauth2-proxy/.test(s.name)));
        expect(login.length).toBeGreaterThan(0);
        // The Middlewares it names live in the dev stack's edge: look them up in dev's render.
        const devRender = await rendered("dev");
        for (const x of login) expect(isRateLimited(devRender, x.route, x.ns)).toBe(true);
    });
});
