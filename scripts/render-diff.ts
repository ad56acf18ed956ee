import { existsSync, readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { diffStack, formatMarkdown } from "../render/diff";

const USAGE =
    "usage: tsx scripts/render-diff.ts --base DIR --head DIR [--stack NAME ...] [--title TEXT] [--out FILE] [--max-chars N | --full]";

/** Stacks rendered on either side: the subdirectories holding a resources.json. */
function stacksIn(...roots: string[]): string[] {
    const found = new Set<string>();
    for (const root of roots) {
        if (!existsSync(root)) continue;
        for (const d of readdirSync(root)) if (existsSync(path.join(root, d, "resources.json"))) found.add(d);
    }
    return [...found].sort();
}

/**
 * Summarises what changes between two render outputs (`npm run render -- --out DIR`), as
 * Markdown for a pull request comment. Exit code 0 whatever the diff; 2 on a usage error.
 */
function main(argv: string[]): number {
    const { values } = parseArgs({
        args: argv,
        options: {
            base: { type: "string" },
            head: { type: "string" },
            stack: { type: "string", multiple: true, default: [] },
            title: { type: "string" },
            out: { type: "string" },
            "max-chars": { type: "string" },
            full: { type: "boolean", default: false },
            help: { type: "boolean", default: false },
        },
        strict: true,
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    if (!values.base || !values.head) {
        console.error(USAGE);
        return 2;
    }
    const stacks = values.stack!.length > 0 ? values.stack! : stacksIn(values.base, values.head);
    const diffs = stacks.map((s) => diffStack(values.base!, values.head!, s));
    // --full: no size budget and no per-file cut, for the artifact rather than the comment.
    const maxChars = values.full ? Infinity : values["max-chars"] ? Number(values["max-chars"]) : undefined;
    const maxLinesPerFile = values.full ? Infinity : undefined;
    const text = formatMarkdown(diffs, { title: values.title, maxChars, maxLinesPerFile });
    if (values.out) writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
}

try {
    process.exitCode = main(process.argv.slice(2));
} catch (e) {
    console.error((e as Error).message);
    console.error(USAGE);
    process.exitCode = 2;
}
