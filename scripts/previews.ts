import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
    decide,
    destroyPreview,
    devSettings,
    previewComment,
    previewStack,
    Runner,
    sweep,
    upPreview,
} from "./delivery/previews";

const USAGE = `usage: tsx scripts/previews.ts <command> [options]
  decide --event-name NAME --event FILE       what the event asks for, as JSON (action, app, branch, pr, stack)
  up --app APP --branch BRANCH --dev-stack ORG/PROJECT/dev [--image REF --container NAME] [--comment FILE]
  destroy --branch BRANCH [--comment FILE]
  sweep --branches FILE                        destroy previews whose branch is not in FILE (one per line)`;

const ROOT = path.resolve(__dirname, "..");
const pulumi: Runner = (args) =>
    execFileSync("pulumi", [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

function main(argv: string[]): number {
    const [command, ...rest] = argv;
    const { values: v } = parseArgs({
        args: rest,
        options: {
            "event-name": { type: "string" },
            event: { type: "string" },
            app: { type: "string" },
            branch: { type: "string" },
            "dev-stack": { type: "string" },
            image: { type: "string" },
            container: { type: "string" },
            comment: { type: "string" },
            branches: { type: "string" },
        },
        strict: true,
    });
    const need = (...keys: (keyof typeof v)[]) => {
        const missing = keys.filter((k) => !v[k]);
        if (missing.length > 0) throw new UsageError(`${command}: missing --${missing.join(", --")}`);
    };
    switch (command) {
        case "decide": {
            need("event-name", "event");
            const d = decide(v["event-name"]!, JSON.parse(readFileSync(v.event!, "utf8")));
            console.log(JSON.stringify(d.action === "none" ? d : { ...d, stack: previewStack(d.branch) }));
            return 0;
        }
        case "up": {
            need("app", "branch", "dev-stack");
            const dev = devSettings(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
            const r = upPreview(pulumi, {
                app: v.app!,
                branch: v.branch!,
                devStack: v["dev-stack"]!,
                dev,
                image: v.image,
                container: v.container,
            });
            if (v.comment) writeFileSync(v.comment, previewComment({ ...r, app: v.app }));
            console.log(JSON.stringify(r));
            return 0;
        }
        case "destroy": {
            need("branch");
            const r = destroyPreview(pulumi, v.branch!);
            if (v.comment) writeFileSync(v.comment, previewComment({ stack: r.stack, destroyed: true }));
            console.log(JSON.stringify(r));
            return 0;
        }
        case "sweep": {
            need("branches");
            const branches = readFileSync(v.branches!, "utf8")
                .split("\n")
                .map((b) => b.trim())
                .filter(Boolean);
            console.log(JSON.stringify(sweep(pulumi, branches)));
            return 0;
        }
        default:
            throw new UsageError(`unknown command ${command ?? "(none)"}`);
    }
}

class UsageError extends Error {}

try {
    process.exit(main(process.argv.slice(2)));
} catch (e) {
    console.error(e instanceof Error ? e.message : e);
    if (e instanceof UsageError) console.error(USAGE);
    process.exit(e instanceof UsageError ? 2 : 1);
}
