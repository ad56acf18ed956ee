import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import {
    LOCAL_PLUGINS_ROOT,
    SABLIER_PLUGIN_DIR,
    SABLIER_PLUGIN_MODULE,
    sablierPluginFiles,
} from "../../components/edge/sablier-plugin";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult, renderStack } from "../../render/render";
import { rendered } from "../rendered";
import { branchPreviewStackFile } from "../stack-files";

type LocalPlugin = { type: string; moduleName: string; mountPath: string; source: Record<string, string> };

function experimental(r: RenderResult): {
    plugins?: Record<string, unknown>;
    localPlugins?: Record<string, LocalPlugin>;
} {
    const chart = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "traefik",
    )!;
    return ((unwrapSecrets(chart.inputs.values) as Record<string, any>).experimental ?? {}) as ReturnType<
        typeof experimental
    >;
}

function pluginFile(name: string): string {
    return readFileSync(path.join(SABLIER_PLUGIN_DIR, name), "utf8");
}

describe("Traefik's plugins", () => {
    const renders: Partial<Record<"dev" | "prd", RenderResult>> = {};
    // The shared renders may still be in another worker's hands on a busy machine.
    beforeAll(async () => {
        [renders.dev, renders.prd] = await Promise.all([rendered("dev"), rendered("prd")]);
    }, 240_000);

    it("are never downloaded at start, on any stack", () => {
        for (const r of [renders.dev!, renders.prd!]) expect(experimental(r).plugins ?? {}).toEqual({});
    });

    it("prd loads none: nothing but Traefik itself sits in prd's request path", () => {
        expect(experimental(renders.prd!).localPlugins ?? {}).toEqual({});
    });

    // dev hosts previews (edge.sablier), so this cannot pass on an empty list.
    it("dev loads Sablier's middleware from this repository's source, mounted where Traefik looks", () => {
        const sablier = experimental(renders.dev!).localPlugins?.sablier;
        expect(sablier).toBeDefined();
        expect(sablier!.type).toBe("inlinePlugin");
        expect(sablier!.mountPath).toBe(`${LOCAL_PLUGINS_ROOT}/${sablier!.moduleName}`);
        // What Traefik gets is exactly what the repository holds, test files left out.
        const names = Object.keys(sablier!.source).sort();
        expect(names).toEqual(expect.arrayContaining([".traefik.yml", "go.mod"]));
        expect(names.some((n) => n.endsWith("_test.go"))).toBe(false);
        for (const n of names) expect(sablier!.source[n]).toBe(pluginFile(n));
    });
});

describe("the Sablier middleware's source", () => {
    it("names one module in go.mod, the manifest's import and the program", () => {
        const goMod = /^module\s+(\S+)$/m.exec(pluginFile("go.mod"))?.[1];
        const manifest = parse(pluginFile(".traefik.yml")) as { import: string; type: string; testData: unknown };
        expect(goMod).toBe(SABLIER_PLUGIN_MODULE);
        expect(manifest.import).toBe(goMod);
        expect(manifest.type).toBe("middleware");
        expect(manifest.testData).toBeDefined();
    });

    it("is a package Traefik can call: named after the import path's last element", () => {
        // Traefik calls <package>.New and <package>.CreateConfig, the package being the import's base name.
        const base = SABLIER_PLUGIN_MODULE.split("/").pop()!.replace(/-/g, "_");
        for (const [name, text] of Object.entries(sablierPluginFiles()).filter(([n]) => n.endsWith(".go"))) {
            expect({ name, pkg: /^package\s+(\w+)/m.exec(text)?.[1] }).toEqual({ name, pkg: base });
        }
        const go = Object.values(sablierPluginFiles()).join("\n");
        expect(go).toMatch(/^func CreateConfig\(\) \*Config/m);
        expect(go).toMatch(
            /^func New\(_? ?\w* ?context\.Context, next http\.Handler, config \*Config, name string\) \(http\.Handler, error\)/m,
        );
    });

    it("takes every setting a branch preview's Middleware gives it, and the manifest's test data", async () => {
        const tags = new Set([...pluginFile("wake.go").matchAll(/json:"(\w+)/g)].map((m) => m[1]));
        const keysOf = (o: Record<string, unknown>): string[] =>
            Object.entries(o).flatMap(([k, v]) =>
                v && typeof v === "object" ? [k, ...keysOf(v as Record<string, unknown>)] : [k],
            );
        // A dev-br-x preview of the committed dev stack file, rendered by the real program.
        const preview = await renderStack({ stack: "dev-br-x", stackFile: branchPreviewStackFile() });
        const middleware = (preview.objects as any[]).find((o) => o.kind === "Middleware" && o.spec?.plugin?.sablier);
        const keys = keysOf(unwrapSecrets(middleware.spec.plugin.sablier) as Record<string, unknown>);
        expect(keys.length).toBeGreaterThan(4);
        for (const k of keys) expect({ k, known: tags.has(k) }).toEqual({ k, known: true });
        const testData = (parse(pluginFile(".traefik.yml")) as { testData: Record<string, unknown> }).testData;
        for (const k of keysOf(testData)) expect({ k, known: tags.has(k) }).toEqual({ k, known: true });
    }, 120_000);
});
