import { parseArgs } from "node:util";
import { ConfigError } from "../config/errors";
import { renderStack } from "../render/render";
import { StackFileError } from "../render/stack-file";

const USAGE =
    "usage: npm run render -- --stack <name> [--stack-file PATH] [--out DIR] [--secret KEY=VALUE ...] [--preview]\n" +
    "  --preview  run as the first `pulumi preview` (computed outputs unknown) into <out>/preview/<stack>/, and fail\n" +
    "             on what a preview cannot show: a chart with unknown values, a provider with unknown config";

async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            stack: { type: "string", default: "dev" },
            "stack-file": { type: "string" },
            out: { type: "string", default: "out/render" },
            secret: { type: "string", multiple: true, default: [] },
            preview: { type: "boolean", default: false },
            help: { type: "boolean", default: false },
        },
        strict: true,
    });
    if (values.help) {
        console.log(USAGE);
        return 0;
    }
    const secrets: Record<string, string> = {};
    for (const pair of values.secret ?? []) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--secret ${pair}: expected KEY=VALUE`);
        secrets[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    const result = await renderStack({
        stack: values.stack!,
        stackFile: values["stack-file"],
        out: values.out,
        secrets,
        preview: values.preview,
    });
    for (const w of result.warnings) console.error(`  warning: ${w}`);
    if (result.errors.length > 0) {
        console.error(
            `render ${values.stack}: ${result.errors.length} error(s) (invalid objects, mandatory policy violations):`,
        );
        for (const e of result.errors) console.error(`  - ${e}`);
        return 1;
    }
    console.log(
        `render ${values.stack}${values.preview ? " (preview)" : ""}: ${result.resources.length} resources, ${result.objects.length} Kubernetes objects, ${result.charts.length} charts -> ${result.dir}`,
    );
    return 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        if (err instanceof ConfigError || err instanceof StackFileError) console.error(err.message);
        else if (err instanceof Error && /duplicate resource URN|Unknown option|expected KEY=VALUE/.test(err.message))
            console.error(err.message);
        else console.error(err);
        console.error(USAGE);
        process.exit(1);
    },
);
