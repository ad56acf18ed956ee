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
import { RenderResult, ROOT } from "../../render/render";
import { rendered } from "../rendered";

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

    it("takes every setting the previews' Middleware gives it (components/apps/preview.ts), and the manifest's test data", () => {
        const go = pluginFile("wake.go");
        const tags = new Set([...go.matchAll(/json:"(\w+)/g)].map((m) => m[1]));
        const preview = readFileSync(path.join(ROOT, "components/apps/preview.ts"), "utf8");
        const block = /sablier: \{([\s\S]*?)\n {24}\},/.exec(preview)?.[1] ?? "";
        const keys = [...block.matchAll(/^\s*(\w+):/gm)].map((m) => m[1]);
        expect(keys.length).toBeGreaterThan(4);
        for (const k of keys) expect({ k, known: tags.has(k) }).toEqual({ k, known: true });
        const testData = (parse(pluginFile(".traefik.yml")) as { testData: Record<string, unknown> }).testData;
        const testKeys = Object.entries(testData).flatMap(([k, v]) =>
            v && typeof v === "object" ? [k, ...Object.keys(v)] : [k],
        );
        for (const k of testKeys) expect({ k, known: tags.has(k) }).toEqual({ k, known: true });
    });
});
