import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
    noticeText,
    parseEvents,
    revertBranch,
    revertUrl,
    summarize,
    webhookBody,
} from "../../scripts/delivery/deploy-notice";
import { ROOT } from "../../render/render";

// Engine events written by hand in the shape `pulumi up --json` streams (apitype.EngineEvent, one
// JSON object per line): a dev update that bumps plarail's image and creates a ConfigMap, and a
// prd update whose Deployment never became ready.
const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");
const COMMIT = "4b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c";
const ctx = {
    stack: "dev",
    repository: "example-club/platform",
    commit: COMMIT,
    title: "Image updates (dev) (#42)",
    mergedBy: "octo-reviewer",
    runUrl: "https://github.com/example-club/platform/actions/runs/99",
    outcome: "success" as const,
};

describe("the deploy notice, from pulumi up --json's engine events", () => {
    it("summarises a successful update: counts, changed resources, and the image that changed", () => {
        const s = summarize(parseEvents(fixture("up-dev-image-bump.jsonl")));
        expect(s.completed).toBe(true);
        expect(s.counts).toEqual({ create: 1, same: 411, update: 1 });
        expect(s.changes).toEqual([
            { op: "update", type: "Deployment", name: "app-plarail-workload" },
            { op: "create", type: "ConfigMap", name: "app-uploader-files" },
        ]);
        expect(s.images).toEqual([
            {
                resource: "Deployment app-plarail-workload",
                container: "server",
                from: "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail:3f2a9c1-20211120093000",
                to: "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail:8d41e07-20261130120000",
            },
        ]);
        expect(s.failures).toEqual([]);
    });

    it("writes stack, commit, who merged, resources and images; no revert link when it went well", () => {
        const text = noticeText(summarize(parseEvents(fixture("up-dev-image-bump.jsonl"))), ctx);
        expect(text.split("\n")).toEqual([
            ":white_check_mark: platform/dev deployed",
            `commit 4b1d2c3 Image updates (dev) (#42) (https://github.com/example-club/platform/commit/${COMMIT}), merged by octo-reviewer`,
            "resources: 1 created, 1 updated",
            "- update Deployment app-plarail-workload",
            "- create ConfigMap app-uploader-files",
            "images:",
            "- Deployment app-plarail-workload server: asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail:3f2a9c1-20211120093000 -> asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail:8d41e07-20261130120000",
            "log: https://github.com/example-club/platform/actions/runs/99",
        ]);
    });

    it("names the failing resource with the engine's error, and links a revert pull request", () => {
        const s = summarize(parseEvents(fixture("up-prd-failed.jsonl")));
        expect(s.failures).toEqual([
            {
                resource: "app-vote-workload",
                type: "Deployment",
                message: expect.stringContaining("Minimum number of live Pods was not attained"),
            },
            { resource: "platform-prd", message: "update failed" },
        ]);
        const text = noticeText(s, { ...ctx, stack: "prd", outcome: "failure" });
        expect(text).toMatch(/^:x: platform\/prd deploy failed\n/);
        expect(text).toContain("resources: no changes");
        expect(text).toContain("failed:\n- Deployment app-vote-workload: kubernetes:apps/v1:Deployment resource");
        expect(text).toContain(
            `revert: https://github.com/example-club/platform/compare/main...revert/${COMMIT.slice(0, 12)}?expand=1`,
        );
        expect(revertBranch(COMMIT)).toBe("revert/4b1d2c3e4f5a");
        expect(revertUrl({ ...ctx, serverUrl: "https://ghe.example.org" })).toMatch(/^https:\/\/ghe\.example\.org\//);
    });

    it("says so when the update never reached its summary (killed, or no events at all)", () => {
        const cut = fixture("up-dev-image-bump.jsonl").split("\n").slice(0, 4).join("\n") + '\n{"sequence": 5, "resO';
        const s = summarize(parseEvents(cut));
        expect(s.completed).toBe(false);
        expect(noticeText(s, { ...ctx, outcome: "failure" })).toContain("resources: the update did not finish");
        expect(noticeText(summarize([]), { ...ctx, outcome: "cancelled" })).toMatch(/deploy cancelled/);
    });

    it("shapes the body for Slack and for Discord, whose messages stop at 2000 characters", () => {
        expect(JSON.parse(webhookBody("slack", "hi"))).toEqual({ text: "hi" });
        const long = JSON.parse(webhookBody("discord", "x".repeat(5000)));
        expect(long.content.length).toBeLessThanOrEqual(2000);
        expect(long.allowed_mentions).toEqual({ parse: [] });
    });

    it("runs as the deploy workflow calls it, printing the webhook body", () => {
        const out = execFileSync(
            path.join(ROOT, "node_modules", ".bin", "tsx"),
            [
                "scripts/deploy-notice.ts",
                "--events",
                path.join(__dirname, "fixtures", "up-prd-failed.jsonl"),
                "--stack",
                "prd",
                "--repository",
                "example-club/platform",
                "--commit",
                COMMIT,
                "--merged-by",
                "octo-reviewer",
                "--run-url",
                "https://github.com/example-club/platform/actions/runs/100",
                "--outcome",
                "failure",
                "--chat",
                "discord",
            ],
            { cwd: ROOT, encoding: "utf8" },
        );
        expect(JSON.parse(out).content).toMatch(/^:x: platform\/prd deploy failed/);
        expect(() =>
            execFileSync(
                path.join(ROOT, "node_modules", ".bin", "tsx"),
                ["scripts/deploy-notice.ts", "--stack", "dev"],
                {
                    cwd: ROOT,
                    stdio: "pipe",
                },
            ),
        ).toThrow(/missing --events/);
    });
});
