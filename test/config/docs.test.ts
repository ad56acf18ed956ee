import * as path from "node:path";
import { z } from "zod";
import { blockIds, DocFile, fillBlocks, regenerateAll } from "../../scripts/docs/blocks";
import { configTable, jsonSchemaOf, tableRows } from "../../scripts/docs/config-tables";
import { CONFIG_TABLES, GENERATORS } from "../../scripts/docs/tables";
import { stackSchema } from "../../config/schema";

const ROOT = path.resolve(__dirname, "../..");

/** The first line where the committed file and the generated one part, for the failure message. */
function firstDifference(f: DocFile): string {
    const a = f.committed.split("\n");
    const b = f.generated.split("\n");
    const i = a.findIndex((line, n) => line !== b[n]);
    const at = i < 0 ? a.length : i;
    return `${f.file}:${at + 1}\n  committed: ${a[at] ?? "(end of file)"}\n  generated: ${b[at] ?? "(end of file)"}`;
}

describe("generated docs", () => {
    it("README.md and docs/*.md hold the tables npm run docs:config generates from the schema, secrets and outputs", async () => {
        const stale = (await regenerateAll(ROOT, GENERATORS)).filter((f) => f.generated !== f.committed);
        if (stale.length > 0) {
            throw new Error(
                `${stale.map((f) => f.file).join(", ")} ${stale.length === 1 ? "differs" : "differ"} from what the ` +
                    `code generates: run npm run docs:config and commit the result.\n` +
                    stale.map(firstDifference).join("\n"),
            );
        }
    });
});

describe("config tables", () => {
    it("cover every key of the stack schema: each section, and each collapsed key in a table of its own", () => {
        const specs = Object.values(CONFIG_TABLES).flat();
        const roots = specs.map((s) => s.path[0]);
        expect(Object.keys(stackSchema.shape).filter((k) => !roots.includes(k))).toEqual([]);
        for (const s of specs) {
            for (const key of s.collapse ?? []) {
                const under = [...s.path, key];
                expect(specs.some((o) => under.every((part, i) => o.path[i] === part))).toBe(true);
            }
        }
    });

    const sample = z.object({
        mode: z.enum(["a", "b"]).default("a").meta({ description: "The mode." }),
        name: z.string().max(12).meta({ description: "A name." }),
        size: z.number().int().min(1).max(9).optional().meta({ description: "Size. Unset: 1 on dev, 2 on prd." }),
        pools: z
            .array(z.object({ id: z.string().meta({ description: "Pool ID." }) }))
            .default([])
            .meta({ description: "Pools." }),
        hosts: z
            .record(z.string(), z.object({ port: z.number().default(80).meta({ description: "Port." }) }))
            .default({})
            .meta({ description: "Hosts by name." }),
        probe: z
            .discriminatedUnion("kind", [
                z.object({ kind: z.literal("icmp").meta({ description: "Probe kind." }) }),
                z.object({ kind: z.literal("http"), path: z.string().default("/").meta({ description: "Path." }) }),
            ])
            .optional()
            .meta({ description: "A probe." }),
    });
    const root = jsonSchemaOf(z.object({ section: sample }));

    it("takes defaults, enum values and required keys from the schema, with nested keys dotted", () => {
        const { rows } = tableRows(root, { path: ["section"], key: "" });
        expect(rows.map((r) => [r.key, r.type, r.default])).toEqual([
            ["`mode`", "`a` | `b`", "`a`"],
            ["`name`", "string (max 12)", "required"],
            ["`size`", "integer 1-9", "—"],
            ["`pools`", "object[]", "`[]`"],
            ["`pools[].id`", "string", "required"],
            ["`hosts`", "map of object", "`{}`"],
            ["`hosts.<name>.port`", "number", "`80`"],
            ["`probe`", "object", "—"],
            ["`probe.kind`", "`icmp` | `http`", "required"],
            ["`probe.path`", "string", "`/`"],
        ]);
        expect(rows.find((r) => r.key === "`probe.path`")!.meaning).toBe("With `kind: http`: path.");
    });

    it("refuses a field without a description, naming it", () => {
        const bare = jsonSchemaOf(
            z.object({ s: z.object({ ok: z.string().meta({ description: "Yes." }), bad: z.string() }) }),
        );
        expect(() => tableRows(bare, { path: ["s"], key: "platform:s" })).toThrow(
            /no description for platform:s\.bad; add \.meta\(\{ description/,
        );
    });

    it("escapes the pipes of enum types so the table keeps its columns", () => {
        const table = configTable(root, [{ path: ["section", "mode"], key: "platform:mode" }]);
        expect(table.split("\n")[2]).toBe("| `platform:mode` | `a` \\| `b` | `a` | The mode. |");
    });
});

describe("generated blocks", () => {
    it("replaces a block's body and leaves the rest of the file alone", () => {
        const text =
            "intro\n<!-- begin generated one (npm run docs:config) -->\nold\n<!-- end generated one -->\nend\n";
        expect(fillBlocks(text, { one: "| a |\n| - |" }, "x.md")).toBe(
            "intro\n<!-- begin generated one (npm run docs:config) -->\n\n| a |\n| - |\n\n<!-- end generated one -->\nend\n",
        );
    });

    it("refuses an unknown block and an unmatched marker", () => {
        expect(() => fillBlocks("<!-- begin generated two (x) -->\n<!-- end generated two -->", {}, "x.md")).toThrow(
            /x\.md: no generator for block two/,
        );
        expect(() => blockIds("<!-- begin generated one (x) -->\n", "x.md")).toThrow(
            /x\.md: unmatched "begin generated one" marker/,
        );
    });
});
