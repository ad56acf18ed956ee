import { ConfigError, parseOrThrow } from "../../config/errors";
import { requiredSecrets } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { githubRepo } from "../../config/sections/gitops";

/** This layer's secret needs (other layers add their own for the same config). */
function ownSecrets(...args: Parameters<typeof requiredSecrets>) {
    const mine = ["gitopsGithubToken", "gitopsWebhookUrl", "gitopsGhcrToken"];
    return requiredSecrets(...args).filter((n) => mine.includes(n.key));
}

const BASE = {
    environment: "dev",
    gcp: { project: "clubplatform-dev" },
    cluster: { nodePools: [{ name: "general", machineType: "e2-standard-4", zones: ["asia-northeast1-a"] }] },
    dns: { domain: "dev.example.org" },
};
const REPO = { url: "ssh://git@github.com/example-club/platform" };

function parse(gitops: unknown) {
    return parseOrThrow(stackSchema, { ...BASE, gitops });
}

function problems(gitops: unknown): readonly string[] {
    try {
        parse(gitops);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    throw new Error("expected a ConfigError");
}

describe("platform:gitops", () => {
    it("is off unless asked for, so stacks without it are unchanged", () => {
        expect(parseOrThrow(stackSchema, BASE).gitops.enabled).toBe(false);
    });

    it("fills in the documented defaults", () => {
        const g = parse({ enabled: true, repository: REPO }).gitops;
        expect(g).toMatchObject({
            repository: { url: REPO.url, branch: "main" },
            interval: "5m",
            imageScanInterval: "5m",
            registerDeployKey: false,
        });
        // The plan hands Flux the monitoring layer's namespace (config/plan.ts), none when it is off.
        expect(g.metricsNamespace).toBeUndefined();
        expect(g.notifications).toBeUndefined();
        expect(g.ghcrUsername).toBeUndefined();
    });

    it("requires the repository when enabled", () => {
        expect(problems({ enabled: true })).toEqual([
            expect.stringMatching(/^gitops\.repository: \(missing\) is required when gitops\.enabled is true/),
        ]);
    });

    it.each([
        ["git@github.com:example-club/platform.git", "scp-like"],
        ["https://github.com/example-club/platform", "https"],
        ["ssh://git@gitlab.com/example-club/platform", "not GitHub"],
    ])("rejects %s (%s) naming the key, the value and the allowed form", (url) => {
        expect(problems({ enabled: true, repository: { url } })).toEqual([
            `gitops.repository.url: "${url}" is not a GitHub SSH URL of the form ssh://git@github.com/<owner>/<repo>`,
        ]);
    });

    it.each(["feature..x", "-main", "main/", "has space", "x.lock"])("rejects branch %s", (branch) => {
        expect(problems({ enabled: true, repository: { ...REPO, branch } })).toEqual([
            expect.stringMatching(
                new RegExp(`^gitops\\.repository\\.branch: "${branch.replace(/\./g, "\\.")}" is not a git branch name`),
            ),
        ]);
    });

    it("rejects durations Flux would not parse", () => {
        expect(problems({ enabled: true, repository: REPO, interval: "5 minutes" })).toEqual([
            'gitops.interval: "5 minutes" is not a duration (e.g. 30s, 5m, 1h30m)',
        ]);
        expect(parse({ enabled: true, repository: REPO, imageScanInterval: "1h30m" }).gitops.imageScanInterval).toBe(
            "1h30m",
        );
    });

    it("allows only slack or discord, and a channel only for slack", () => {
        expect(problems({ enabled: true, repository: REPO, notifications: { type: "teams" } })).toEqual([
            'gitops.notifications.type: "teams" is not one of "slack", "discord"',
        ]);
        expect(
            problems({ enabled: true, repository: REPO, notifications: { type: "discord", channel: "ops" } }),
        ).toEqual([expect.stringMatching(/^gitops\.notifications\.channel: "ops" only applies to slack/)]);
    });

    it("rejects unknown keys and lists the allowed ones", () => {
        expect(problems({ enabled: true, repository: REPO, pushBranch: "x" })[0]).toMatch(
            /^gitops\.pushBranch: unknown key \(allowed: enabled, repository, interval/,
        );
    });
});

describe("gitops secrets", () => {
    it("needs none for the default setup (the public key is an output instead)", () => {
        expect(ownSecrets(parse({ enabled: true, repository: REPO }))).toEqual([]);
    });

    it("needs the token, webhook and ghcr token exactly when their switches are on", () => {
        const needs = ownSecrets(
            parse({
                enabled: true,
                repository: REPO,
                registerDeployKey: true,
                notifications: { type: "slack" },
                ghcrUsername: "club-bot",
            }),
        );
        expect(needs.map((n) => n.key).sort()).toEqual(["gitopsGhcrToken", "gitopsGithubToken", "gitopsWebhookUrl"]);
        expect(needs.find((n) => n.key === "gitopsWebhookUrl")?.because).toContain("slack");
    });

    it("needs nothing while gitops is off, whatever else is set", () => {
        expect(ownSecrets(parse({ enabled: false, registerDeployKey: true }))).toEqual([]);
    });
});

describe("githubRepo", () => {
    it("splits owner and name and drops .git", () => {
        expect(githubRepo("ssh://git@github.com/example-club/platform.git")).toEqual({
            owner: "example-club",
            name: "platform",
        });
        expect(githubRepo("ssh://git@github.com/example-club")).toBeUndefined();
    });
});
