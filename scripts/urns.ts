import { existsSync } from "node:fs";
import { parseArgs } from "node:util";
import { renderStack } from "../render/render";
import { compareUrns, readSnapshot, snapshotFile, writeSnapshot } from "../render/urns";
import { sentinelSecrets } from "../test/stack-files";

const USAGE =
    "usage: npm run urns -- [--update] [--allow-delete URN ...] [--stack dev --stack prd ...]\n" +
    "Compares each stack's resource URNs with test/urns/<stack>.txt; --update rewrites the files.";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", multiple: true, default: ["dev", "prd", "local"] },
            update: { type: "boolean", default: false },
            "allow-delete": { type: "string", multiple: true, default: [] },
            help: { type: "boolean", default: false },
        },
        strict: true,
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    let refused = 0;
    for (const stack of values.stack!) {
        const { resources } = await renderStack({ stack, secrets: sentinelSecrets(stack) });
        const change = compareUrns(existsSync(snapshotFile(stack)) ? readSnapshot(stack) : [], resources);
        for (const u of change.added) console.log(`${stack}: + ${u}`);
        for (const m of change.moved) console.log(`${stack}: ~ ${m.from} -> ${m.to} (alias)`);
        const undeclared = change.deleted.filter((u) => !values["allow-delete"]!.includes(u));
        for (const u of change.deleted) console.log(`${stack}: - ${u}${undeclared.includes(u) ? "" : " (allowed)"}`);
        if (!values.update) continue;
        if (undeclared.length > 0) {
            console.error(
                `${stack}: not rewritten: ${undeclared.length} resource(s) would be deleted by the engine. Give the ` +
                    `new resource an alias to the old URN, or name each with --allow-delete "<urn>".`,
            );
            refused++;
            continue;
        }
        writeSnapshot(stack, resources);
        console.log(`${stack}: ${snapshotFile(stack)} rewritten`);
    }
    return refused > 0 ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        console.error(err);
        console.error(USAGE);
        process.exit(1);
    },
);
