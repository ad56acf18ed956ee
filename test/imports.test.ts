import * as path from "node:path";
import { importCycles, importGraph, ImportGraph } from "./import-graph";

const ROOT = path.resolve(__dirname, "..");
/** Where the program, its tools and its rules start; everything they import is walked too. */
const ROOTS = ["index.ts", "scripts", "render", "policy", "components", "config", "contract"];

describe("the project's own modules", () => {
    const graph = importGraph(ROOT, ROOTS);

    it("are all walked (the walker follows relative imports into every layer)", () => {
        const files = [...graph.keys()];
        for (const dir of ["components/", "config/", "policy/", "render/", "scripts/", "contract/"])
            expect(files.some((f) => f.startsWith(dir))).toBe(true);
        expect(graph.get("index.ts")).toContain("config/load.ts");
    });

    it("import one another without cycles", () => {
        const cycles = importCycles(graph).map((c) => c.join(" -> "));
        expect(cycles).toEqual([]);
    });

    it.each([
        ["policy/", "shared names live in contract/"],
        ["config/", "config/ resolves the stack file into each layer's args (config/plan.ts); layers never read it"],
    ])("keep components/ independent of %s (%s)", (dir) => {
        const offending = [...graph]
            .filter(([file]) => file.startsWith("components/"))
            .flatMap(([file, targets]) => targets.filter((t) => t.startsWith(dir)).map((t) => `${file} -> ${t}`));
        expect(graph.size).toBeGreaterThan(50);
        expect(offending).toEqual([]);
    });
});

describe("importCycles", () => {
    const g = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));

    it("names each cycle as a path from its first file back to it", () => {
        const graph = g({
            "a.ts": ["b.ts"],
            "b.ts": ["c.ts", "d.ts"],
            "c.ts": ["a.ts"],
            "d.ts": [],
            "x.ts": ["y.ts"],
            "y.ts": ["x.ts"],
        });
        expect(importCycles(graph)).toEqual([
            ["a.ts", "b.ts", "c.ts", "a.ts"],
            ["x.ts", "y.ts", "x.ts"],
        ]);
    });

    it("finds a module importing itself and passes an acyclic graph", () => {
        expect(importCycles(g({ "a.ts": ["a.ts"] }))).toEqual([["a.ts", "a.ts"]]);
        expect(importCycles(g({ "a.ts": ["b.ts", "c.ts"], "b.ts": ["c.ts"], "c.ts": [] }))).toEqual([]);
    });
});
