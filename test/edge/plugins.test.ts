import { PLUGINS_WITHOUT_CHECKSUM, TRAEFIK_PLUGINS } from "../../components/versions";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { rendered } from "../rendered";

type Plugins = Record<string, { moduleName: string; version: string }>;

function experimental(r: RenderResult): { plugins?: Plugins; localPlugins?: Record<string, unknown> } {
    const chart = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "traefik",
    )!;
    return ((unwrapSecrets(chart.inputs.values) as Record<string, any>).experimental ?? {}) as ReturnType<
        typeof experimental
    >;
}

const pinned = Object.values(TRAEFIK_PLUGINS).map((p) => `${p.moduleName}@${p.version}`);

describe("plugins Traefik downloads at start", () => {
    const renders: Partial<Record<"dev" | "prd", RenderResult>> = {};
    // The shared renders may still be in another worker's hands on a busy machine.
    beforeAll(async () => {
        [renders.dev, renders.prd] = await Promise.all([rendered("dev"), rendered("prd")]);
    }, 240_000);

    it("prd's Traefik downloads none: nothing fetched at run time sits in prd's request path", () => {
        expect(Object.keys(experimental(renders.prd!).plugins ?? {})).toEqual([]);
    });

    // prd loads none (above); dev loads Sablier's (edge.sablier), so this cannot pass on an empty list.
    it("dev: each one is pinned to an exact version and listed, with its reason, as having no checksum", () => {
        const plugins = Object.values(experimental(renders.dev!).plugins ?? {});
        expect(plugins.length).toBeGreaterThan(0);
        for (const p of plugins) {
            const id = `${p.moduleName}@${p.version}`;
            expect(p.version).toMatch(/^v\d+\.\d+\.\d+$/);
            expect(pinned).toContain(id);
            expect({ id, reason: PLUGINS_WITHOUT_CHECKSUM[id] }).toEqual({ id, reason: expect.any(String) });
        }
    });

    it("lists no plugin without a checksum that no stack loads any more", () => {
        const loaded = [renders.dev!, renders.prd!].flatMap((r) =>
            Object.values(experimental(r).plugins ?? {}).map((p) => `${p.moduleName}@${p.version}`),
        );
        for (const id of Object.keys(PLUGINS_WITHOUT_CHECKSUM)) expect(loaded).toContain(id);
    });
});
