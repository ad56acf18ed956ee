// Generated blocks in the Markdown docs: the text between
//   <!-- begin generated <id> (npm run docs:config) -->
//   <!-- end generated <id> -->
// is produced by the block's generator (scripts/docs/tables.ts) and formatted by Prettier as
// `prettier --check .` wants it; it is never edited by hand, and nothing outside the markers is
// touched. The CLI (scripts/config-docs.ts) writes the result; test/config/docs.test.ts
// regenerates it in memory and compares.
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import type { Options } from "prettier";
import * as prettier from "prettier/standalone";
import * as markdown from "prettier/plugins/markdown";

/** What a block holds, by id: a function of nothing but the code it documents. */
export type Generators = Readonly<Record<string, () => string>>;

const BLOCK = /<!-- begin generated (\S+) \(([^)]*)\) -->\n[\s\S]*?<!-- end generated (\S+) -->/g;
const MARKER = /<!-- (begin|end) generated (\S+)/g;

/** README.md and every page under docs/: where generated blocks may sit. */
export function markdownFiles(root: string): string[] {
    const docs = readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .sort()
        .map((f) => path.join("docs", f));
    return ["README.md", ...docs];
}

/** The ids of the file's blocks, in order; throws on a marker without its partner. */
export function blockIds(text: string, file: string): string[] {
    const ids = [...text.matchAll(BLOCK)].map((m) => {
        if (m[3] !== m[1]) throw new Error(`${file}: block ${m[1]} ends with the marker of ${m[3]}`);
        return m[1]!;
    });
    for (const m of text.matchAll(MARKER)) {
        if (!ids.includes(m[2]!)) throw new Error(`${file}: unmatched "${m[1]} generated ${m[2]}" marker`);
    }
    return ids;
}

/** Replaces each block's body with `bodies[id]`. */
export function fillBlocks(text: string, bodies: Readonly<Record<string, string>>, file: string): string {
    blockIds(text, file);
    return text.replace(BLOCK, (_all, id: string, note: string) => {
        const body = bodies[id];
        if (body === undefined) throw new Error(`${file}: no generator for block ${id}`);
        return `<!-- begin generated ${id} (${note}) -->\n\n${body.trim()}\n\n<!-- end generated ${id} -->`;
    });
}

/**
 * Formats generated Markdown with the options `prettier --check` applies to this repository's
 * Markdown files: the root .prettierrc.json plus its overrides for `*.md`. The standalone build
 * runs without importing ESM at run time, which jest's CommonJS runtime cannot do.
 */
async function formatMarkdown(root: string, text: string): Promise<string> {
    const rc = JSON.parse(readFileSync(path.join(root, ".prettierrc.json"), "utf8")) as Options & {
        overrides?: { files: string | string[]; options: Options }[];
    };
    const { overrides = [], ...base } = rc;
    const forMarkdown = overrides
        .filter((o) => [o.files].flat().includes("*.md"))
        .reduce((acc, o) => ({ ...acc, ...o.options }), {});
    return prettier.format(text, { ...base, ...forMarkdown, parser: "markdown", plugins: [markdown] });
}

/** The file with every block regenerated, and the ids of its blocks. */
export async function regenerate(
    root: string,
    file: string,
    text: string,
    generators: Generators,
): Promise<{ text: string; ids: string[] }> {
    const ids = blockIds(text, file);
    const bodies: Record<string, string> = {};
    for (const id of ids) {
        const generate = generators[id];
        if (!generate) throw new Error(`${file}: no generator for block ${id} (known: ${Object.keys(generators)})`);
        bodies[id] = await formatMarkdown(root, generate());
    }
    return { text: ids.length === 0 ? text : fillBlocks(text, bodies, file), ids };
}

export interface DocFile {
    readonly file: string;
    readonly committed: string;
    readonly generated: string;
}

/** Every Markdown file as committed and as generated; throws when a generator has no block anywhere. */
export async function regenerateAll(root: string, generators: Generators): Promise<DocFile[]> {
    const files: DocFile[] = [];
    const used = new Set<string>();
    for (const file of markdownFiles(root)) {
        const committed = readFileSync(path.join(root, file), "utf8");
        const { text, ids } = await regenerate(root, file, committed, generators);
        ids.forEach((id) => used.add(id));
        files.push({ file, committed, generated: text });
    }
    const unused = Object.keys(generators).filter((id) => !used.has(id));
    if (unused.length > 0) throw new Error(`generated blocks in no file: ${unused.join(", ")}`);
    return files;
}
