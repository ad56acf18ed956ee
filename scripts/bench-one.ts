// One measured render, in its own process so peak memory is this render's alone. Prints JSON.
import { parseArgs } from "node:util";
import { renderStack } from "../render/render";

async function main(): Promise<void> {
    const { values } = parseArgs({ options: { stack: { type: "string" }, "stack-file": { type: "string" } } });
    const start = performance.now();
    const result = await renderStack({ stack: values.stack!, stackFile: values["stack-file"] });
    const ms = performance.now() - start;
    const rssBytes = process.resourceUsage().maxRSS * 1024;
    console.log(JSON.stringify({ ms, resources: result.resources.length, errors: result.errors.length, rssBytes }));
}

main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
