import { KubeObject } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { RecordedResource } from "../../render/recorder";
import { renderStack, RenderResult } from "../../render/render";
import { rendered } from "../rendered";
import { branchPreviewStackFile } from "../stack-files";

type Ref = { name: string; namespace?: string };
type Route = { match: string; middlewares?: Ref[]; services: { name: string; namespace?: string }[] };

interface Proxy {
    chart: RecordedResource;
    values: { config: { existingSecret: string; cookieName: string }; extraArgs: Record<string, string> };
    release: string;
}

/** Every oauth2-proxy release of a render, with its values. */
function proxies(r: RenderResult): Proxy[] {
    return r.resources
        .filter((x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "oauth2-proxy")
        .map((chart) => ({
            chart,
            values: unwrapSecrets(chart.inputs.values) as Proxy["values"],
            release: unwrapSecrets(chart.inputs.name) as string,
        }));
}

/** The generated resource a proxy's cookie secret comes from (the Secret named by existingSecret). */
function cookieSecretSource(r: RenderResult, p: Proxy): string[] {
    const secret = r.resources.find(
        (x) =>
            x.type === "kubernetes:core/v1:Secret" &&
            (unwrapSecrets(x.inputs.metadata) as { name: string }).name === p.values.config.existingSecret,
    );
    expect(secret).toBeDefined();
    return (secret!.inputDependsOn?.stringData ?? []).filter((u) => u.includes("RandomPassword"));
}

/** The forwardAuth Middlewares of a render whose address is `release`'s Service. */
function forwardAuthOf(r: RenderResult, release: string): KubeObject[] {
    return r.objects.filter(
        (o) =>
            o.kind === "Middleware" &&
            new RegExp(`^http://${release}\\.`).test(String((o.spec as any).forwardAuth?.address ?? "")),
    );
}

function routes(r: RenderResult): { route: Route; ns: string }[] {
    return r.objects
        .filter((o) => o.kind === "IngressRoute")
        .flatMap((o) =>
            ((o.spec as { routes: Route[] }).routes ?? []).map((route) => ({ route, ns: o.metadata.namespace! })),
        );
}

/** A `dev-br-x` branch preview of the committed dev stack file, rendered by the real program. */
async function branchPreview(): Promise<RenderResult> {
    return renderStack({ stack: "dev-br-x", stackFile: branchPreviewStackFile() });
}

describe("branch previews sign in with an oauth2-proxy of their own", () => {
    let dev: RenderResult;
    let preview: RenderResult;
    let stackProxy: Proxy;
    let previewProxy: Proxy;
    beforeAll(async () => {
        dev = await rendered("dev");
        preview = await branchPreview();
        // Which release serves previews is read from the preview stack's own sign-in route.
        const signIn = routes(preview).filter(({ route }) => /PathPrefix\(`\/oauth2\/`\)/.test(route.match));
        expect(signIn.length).toBeGreaterThan(0);
        const releases = new Set(signIn.flatMap(({ route }) => route.services.map((s) => s.name)));
        expect(releases.size).toBe(1);
        const all = proxies(dev);
        previewProxy = all.find((p) => releases.has(p.release))!;
        stackProxy = all.find((p) => !releases.has(p.release))!;
    });

    it("the dev stack runs two proxies: one for its hosts, one for previews", () => {
        expect(proxies(dev)).toHaveLength(2);
        expect(previewProxy).toBeDefined();
        expect(stackProxy).toBeDefined();
        // Grafana, the apps and the sign-in host use the stack's proxy.
        const stackRoutes = routes(dev).filter(({ route }) =>
            route.services.some((s) => s.name === stackProxy.release),
        );
        expect(stackRoutes.length).toBeGreaterThan(0);
    });

    it("with different cookie secrets, Secrets and cookie names, both host-only", () => {
        expect(previewProxy.values.config.existingSecret).not.toBe(stackProxy.values.config.existingSecret);
        expect(previewProxy.values.config.cookieName).not.toBe(stackProxy.values.config.cookieName);
        const stackSecret = cookieSecretSource(dev, stackProxy);
        const previewSecret = cookieSecretSource(dev, previewProxy);
        expect(stackSecret).toHaveLength(1);
        expect(previewSecret).toHaveLength(1);
        expect(previewSecret).not.toEqual(stackSecret);
        for (const p of [stackProxy, previewProxy]) {
            expect(p.values.extraArgs["cookie-domain"]).toBeUndefined();
            expect(p.values.extraArgs["whitelist-domain"]).toBeUndefined();
        }
    });

    it("every preview route goes through the previews' middlewares and never the stack's", () => {
        const previewAuth = forwardAuthOf(dev, previewProxy.release).map((m) => m.metadata.name);
        const stackAuth = forwardAuthOf(dev, stackProxy.release).map((m) => m.metadata.name);
        expect(previewAuth).toHaveLength(1);
        expect(stackAuth).toHaveLength(1);
        const previewRoutes = routes(preview);
        expect(previewRoutes.length).toBeGreaterThan(0);
        for (const { route } of previewRoutes) {
            const names = (route.middlewares ?? []).map((m) => m.name);
            const services = route.services.map((s) => s.name);
            expect({ match: route.match, stackAuth: names.filter((n) => stackAuth.includes(n)) }).toEqual({
                match: route.match,
                stackAuth: [],
            });
            expect(services).not.toContain(stackProxy.release);
            const signIn = /PathPrefix\(`\/oauth2\/`\)/.test(route.match);
            if (!signIn)
                expect({ match: route.match, names }).toEqual({
                    match: route.match,
                    names: expect.arrayContaining(previewAuth),
                });
        }
    });

    it("no route of the dev stack itself uses the previews' proxy", () => {
        const previewAuth = forwardAuthOf(dev, previewProxy.release).map((m) => m.metadata.name);
        for (const { route } of routes(dev)) {
            expect((route.middlewares ?? []).map((m) => m.name).filter((n) => previewAuth.includes(n))).toEqual([]);
            expect(route.services.map((s) => s.name)).not.toContain(previewProxy.release);
        }
    });
});
