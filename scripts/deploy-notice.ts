import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { noticeText, parseEvents, summarize, webhookBody } from "./delivery/deploy-notice";

const USAGE =
    "usage: tsx scripts/deploy-notice.ts --events FILE --stack NAME --repository OWNER/NAME --commit SHA --merged-by LOGIN --run-url URL --outcome success|failure|cancelled [--title TEXT] [--server-url URL] [--chat slack|discord]";

/**
 * Prints the webhook body of the deploy notice (deploy.yml posts it): stack, commit, who merged,
 * resources changed and images that changed from `pulumi up --json`'s events, and on failure the
 * failing resources and a link that opens the revert pull request. A missing events file (the up
 * step never ran) gives a notice saying so. Exit code 2 on a usage error.
 */
function main(argv: string[]): number {
    const { values: v } = parseArgs({
        args: argv,
        options: {
            events: { type: "string" },
            stack: { type: "string" },
            repository: { type: "string" },
            commit: { type: "string" },
            title: { type: "string" },
            "merged-by": { type: "string" },
            "run-url": { type: "string" },
            "server-url": { type: "string" },
            outcome: { type: "string" },
            chat: { type: "string", default: "slack" },
        },
        strict: true,
    });
    const required = ["events", "stack", "repository", "commit", "merged-by", "run-url", "outcome"] as const;
    const missing = required.filter((k) => !v[k]);
    const outcome = v.outcome;
    if (missing.length > 0 || !["success", "failure", "cancelled"].includes(outcome ?? "")) {
        console.error(missing.length > 0 ? `missing --${missing.join(", --")}` : `bad --outcome ${outcome}`);
        console.error(USAGE);
        return 2;
    }
    if (v.chat !== "slack" && v.chat !== "discord") {
        console.error(`bad --chat ${v.chat}\n${USAGE}`);
        return 2;
    }
    let text = "";
    try {
        text = readFileSync(v.events!, "utf8");
    } catch {
        // the up step did not run far enough to write any event
    }
    const notice = noticeText(summarize(parseEvents(text)), {
        stack: v.stack!,
        repository: v.repository!,
        commit: v.commit!,
        title: v.title,
        mergedBy: v["merged-by"]!,
        runUrl: v["run-url"]!,
        serverUrl: v["server-url"],
        outcome: outcome as "success" | "failure" | "cancelled",
    });
    console.log(webhookBody(v.chat, notice));
    return 0;
}

process.exit(main(process.argv.slice(2)));
