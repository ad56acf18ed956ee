// npm run docs:config [-- --check]: rewrites the generated blocks of README.md and docs/*.md (the
// configuration tables from the stack schema, the secrets tables, the stack outputs table) from
// the code they document. --check only reports the files that differ, exiting 1 when any does;
// test/config/docs.test.ts runs the same check.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { regenerateAll } from "./docs/blocks";
import { GENERATORS } from "./docs/tables";

const ROOT = path.resolve(__dirname, "..");

async function main(): Promise<number> {
    const { values } = parseArgs({ options: { check: { type: "boolean", default: false } }, strict: true });
    const stale = (await regenerateAll(ROOT, GENERATORS)).filter((f) => f.generated !== f.committed);
    for (const f of stale) {
        if (values.check) console.log(`${f.file}: differs from what npm run docs:config generates`);
        else {
            writeFileSync(path.join(ROOT, f.file), f.generated);
            console.log(`${f.file}: rewritten`);
        }
    }
    if (stale.length === 0) console.log("docs: every generated block is current");
    return values.check && stale.length > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        console.error(e instanceof Error ? e.message : e);
        process.exit(1);
    },
);
