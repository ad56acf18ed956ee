import { readFileSync } from "node:fs";
import { parseOrThrow } from "../../config/errors";
import { requiredSecrets } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { unwrapSecrets } from "../../render/redact";
import { filesUnder, rendered } from "../rendered";
import { stackConfig, stackProblems } from "../stack-files";

const ENVIRONMENT = "github:index/repositoryEnvironment:RepositoryEnvironment";

/** A minimal stack with keyless CI; `ci` is merged over it. */
function stack(ci: Record<string, unknown>, environment = "prd") {
    return {
        environment,
        cluster: { mode: "existing", context: "kind-platform" },
        dns: { domain: environment === "prd" ? "example.org" : "dev.example.org" },
        gcp: { project: "clubplatform-x" },
        ci: {
            enabled: true,
            repository: "example-club/platform",
            repositoryId: 612340000,
            repositoryOwnerId: 90123456,
            secretsKey: "projects/clubplatform-x/locations/global/keyRings/pulumi/cryptoKeys/x",
            ...ci,
        },
    };
}

function problems(raw: Record<string, unknown>): string[] {
    return stackProblems(raw);
}

describe("the prd previewer's GitHub environment", () => {
    it("is declared by the program with the stack file's reviewers; no self-review, no admin bypass", async () => {
        const r = await rendered("prd");
        const ci = stackConfig("prd")["platform:ci"] as { previewerReviewers: { teams?: number[]; users?: number[] } };
        const envs = r.resources.filter((x) => x.type === ENVIRONMENT).map((x) => unwrapSecrets(x.inputs) as any);
        expect(envs).toHaveLength(1);
        const env = envs[0];
        // The environment the provider admits pull-request tokens from (the previewer's clause).
        const provider = r.resources.find(
            (x) =>
                x.type === "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider" &&
                /pull_request/.test(String(x.inputs.attributeCondition)),
        );
        const previewClause = /assertion\.environment == "([^"]+)" && assertion\.event_name == "pull_request"/.exec(
            String(provider!.inputs.attributeCondition),
        );
        expect(env.environment).toBe(previewClause![1]);
        expect(env.repository).toBe("platform");
        expect(env.reviewers).toEqual([
            { users: ci.previewerReviewers.users ?? [], teams: ci.previewerReviewers.teams ?? [] },
        ]);
        expect(env.reviewers[0].users.length + env.reviewers[0].teams.length).toBeGreaterThan(0);
        expect(env.preventSelfReview).toBe(true);
        expect(env.canAdminsBypass).toBe(false);
    });

    it("is created with the ciGithubToken, which nothing render writes holds", async () => {
        const r = await rendered("prd");
        const provider = r.resources.find((x) => x.type === "pulumi:providers:github" && x.name === "ci-github");
        expect(provider).toBeDefined();
        // The planted token did reach the provider (revealed here only) ...
        expect(unwrapSecrets(provider!.inputs.token)).toBe(r.secrets.ciGithubToken);
        // ... and is in no file render wrote.
        for (const f of filesUnder(r.dir)) expect(readFileSync(f, "utf8")).not.toContain(r.secrets.ciGithubToken);
    });
});

describe("ci.previewerReviewers", () => {
    it("is required on prd while the previewer is on, naming the key", () => {
        expect(problems(stack({}))).toEqual([expect.stringMatching(/^ci\.previewerReviewers: .*is required on prd/)]);
        expect(problems(stack({ previewer: false }))).toEqual([]);
        expect(problems(stack({}, "dev"))).toEqual([]);
    });

    it("accepts users and teams, and then needs the ciGithubToken secret", () => {
        const raw = stack({ previewerReviewers: { users: [1001], teams: [2002] } });
        expect(problems(raw)).toEqual([]);
        const needs = requiredSecrets(parseOrThrow(stackSchema, raw)).map((n) => n.key);
        expect(needs).toContain("ciGithubToken");
        expect(requiredSecrets(parseOrThrow(stackSchema, stack({ previewer: false }))).map((n) => n.key)).not.toContain(
            "ciGithubToken",
        );
    });

    it("refuses an empty list, more than six reviewers, and ids that are not positive integers (a team slug)", () => {
        expect(problems(stack({ previewerReviewers: {} }))).toEqual([
            expect.stringMatching(/^ci\.previewerReviewers: .*lists no reviewer/),
        ]);
        const seven = { users: [1, 2, 3, 4], teams: [5, 6, 7] };
        expect(problems(stack({ previewerReviewers: seven }))).toEqual([
            expect.stringMatching(/^ci\.previewerReviewers: .*lists 7 reviewers .*at most 6/),
        ]);
        expect(problems(stack({ previewerReviewers: { users: [-3] } }))).toEqual([
            expect.stringMatching(/^ci\.previewerReviewers\.users\[0\]: -3 is below the minimum 1/),
        ]);
        expect(problems(stack({ previewerReviewers: { teams: ["prd-approvers"] } }))).toEqual([
            expect.stringMatching(/^ci\.previewerReviewers\.teams\[0\]: "prd-approvers" is not a number/),
        ]);
    });

    it("is refused where there is no previewer to protect", () => {
        expect(problems(stack({ previewer: false, previewerReviewers: { teams: [2002] } }))).toEqual([
            expect.stringMatching(/^ci\.previewerReviewers: .*there is no previewer/),
        ]);
    });
});
