import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { unwrapSecrets } from "../../render/redact";
import { renderStack, ROOT } from "../../render/render";
import { rendered, SharedRender } from "../rendered";

// The boundaries of docs/security.md between pull requests, forks, dev, prd and branch previews,
// checked where they are enforced: the Workload Identity provider's attribute condition and the
// IAM bindings each stack renders, against the GitHub jobs the workflows actually run.

const PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const SA_BINDING = "gcp:serviceaccount/iAMMember:IAMMember";
const KEY_BINDING = "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember";
const PROJECT_BINDING = "gcp:projects/iAMMember:IAMMember";
const STACKS = ["dev", "prd"] as const;
type Stack = (typeof STACKS)[number];
type Claims = Readonly<Record<string, string>>;

const stackCi = (stack: Stack) =>
    (parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> }).config[
        "platform:ci"
    ];

/** The claims of a token GitHub issues to a job of the platform repository (ids from the stack file). */
function token(claims: Claims): Claims {
    const ci = stackCi("prd");
    return {
        repository: ci.repository,
        repository_id: String(ci.repositoryId),
        repository_owner_id: String(ci.repositoryOwnerId),
        ...claims,
    };
}

/**
 * Evaluates a provider condition for a token. The program writes them with `==`, `&&`, `||`,
 * parentheses and string literals only (checked here), where CEL and JavaScript agree, so the
 * condition itself is run; a claim the token lacks compares unequal, as CEL refuses it.
 */
function admits(condition: string, claims: Claims): boolean {
    const bare = condition.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect(bare).toMatch(/^(\s|assertion\.[a-z_]+|==|&&|\|\||\(|\)|"")*$/);
    return (new Function("assertion", `return (${condition});`) as (a: Claims) => unknown)(claims) === true;
}

const platformProvider = (r: SharedRender) =>
    unwrapSecrets(
        r.resources.find((x) => x.type === PROVIDER && x.inputs.workloadIdentityPoolProviderId === "github-actions")!
            .inputs,
    ) as Record<string, any>;

/** The service accounts a token may act as: bindings whose principal set its mapped attributes match. */
function reach(r: SharedRender, claims: Claims): string[] {
    const provider = platformProvider(r);
    if (!admits(String(provider.attributeCondition), claims)) return [];
    const attributes: Record<string, string | undefined> = {};
    for (const [to, from] of Object.entries(provider.attributeMapping as Record<string, string>)) {
        attributes[to] = claims[from.replace(/^assertion\./, "")];
    }
    return r.resources
        .filter((x) => x.type === SA_BINDING && String(x.inputs.member).startsWith("principalSet://"))
        .filter((x) => {
            const [, attribute, value] = /\/attribute\.([a-z_]+)\/(.+)$/.exec(String(x.inputs.member)) ?? [];
            return attribute !== undefined && attributes[`attribute.${attribute}`] === value;
        })
        .map((x) => String(x.inputs.serviceAccountId).split("/").pop()!)
        .sort();
}

interface AuthJob {
    readonly label: string;
    readonly claims: Claims;
}

/** Every job of the platform's workflows that signs in to Google, with the claims of its token. */
function authJobs(): AuthJob[] {
    const dir = path.join(ROOT, ".github", "workflows");
    const out: AuthJob[] = [];
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".yml"))) {
        const w = parse(readFileSync(path.join(dir, file), "utf8")) as {
            on: Record<string, any>;
            jobs: Record<string, any>;
        };
        // app-image.yml runs in app repositories, through their own provider (github-oidc.test.ts).
        if (Object.keys(w.on).every((e) => e === "workflow_call")) continue;
        for (const [name, job] of Object.entries(w.jobs)) {
            const signsIn = (job.steps as { uses?: string }[]).some((s) =>
                s.uses?.startsWith("google-github-actions/auth@"),
            );
            if (!signsIn) continue;
            const env = typeof job.environment === "string" ? job.environment : job.environment?.name;
            const stacks = (job.strategy?.matrix?.include as { stack: string }[] | undefined)?.map((m) => m.stack);
            const environments = env?.includes("${{ matrix.stack }}")
                ? stacks!.map((s) => env.replace("${{ matrix.stack }}", s))
                : [env];
            for (const environment of environments) {
                for (const event of Object.keys(w.on)) {
                    const branch = (w.on[event]?.branches as string[] | undefined)?.[0];
                    const ref =
                        event === "pull_request"
                            ? "refs/pull/7/merge"
                            : event === "push" && branch && branch !== "main"
                              ? `refs/heads/${branch.replace(/\*+/g, "vote/x")}`
                              : "refs/heads/main";
                    const claims: Record<string, string> = { event_name: event, ref };
                    if (environment) claims.environment = environment;
                    out.push({ label: `${file} ${name} (${environment ?? "no environment"}, ${event})`, claims });
                }
            }
        }
    }
    return out;
}

const stackOf = (environment: string | undefined): Stack => (environment?.startsWith("prd") ? "prd" : "dev");

describe("which GitHub jobs get Google credentials", () => {
    const jobs = authJobs();

    it("finds the jobs: deploys, both stacks' previews, the branch previews", () => {
        const labels = jobs.map((j) => j.label);
        expect(labels).toEqual(
            expect.arrayContaining([
                "deploy.yml dev (dev, push)",
                "deploy.yml prd (prd, push)",
                "preview.yml preview (dev-preview, pull_request)",
                "preview.yml preview (prd-preview, pull_request)",
                "previews.yml apply (previews, pull_request)",
            ]),
        );
    });

    it.each(jobs.map((j) => [j.label, j] as const))(
        "%s: its stack's provider admits it, the other's does not",
        async (_l, job) => {
            const own = stackOf(job.claims.environment);
            for (const stack of STACKS) {
                const r = await rendered(stack);
                expect({ stack, admitted: admits(platformProvider(r).attributeCondition, token(job.claims)) }).toEqual({
                    stack,
                    admitted: stack === own,
                });
            }
        },
    );
});

describe("tokens the providers refuse", () => {
    const refused: [string, Claims][] = [
        [
            "a pull request's job without an environment",
            token({ event_name: "pull_request", ref: "refs/pull/7/merge" }),
        ],
        ["a push's job without an environment", token({ event_name: "push", ref: "refs/heads/main" })],
        [
            "a pull request's job that names the prd environment",
            token({ environment: "prd", event_name: "pull_request", ref: "refs/pull/7/merge" }),
        ],
        [
            "a job in prd from another branch",
            token({ environment: "prd", event_name: "push", ref: "refs/heads/feature" }),
        ],
        ["a job in dev from another branch", token({ environment: "dev", event_name: "push", ref: "refs/heads/x" })],
        [
            "a prd job on another event (workflow_dispatch)",
            token({ environment: "prd", event_name: "workflow_dispatch", ref: "refs/heads/main" }),
        ],
        [
            "pull_request_target in the preview environment (base code with a write token)",
            token({ environment: "prd-preview", event_name: "pull_request_target", ref: "refs/heads/main" }),
        ],
        [
            "a fork's pull request (another repository and owner)",
            {
                repository: "someone/platform",
                repository_id: "777",
                repository_owner_id: "888",
                environment: "prd-preview",
                event_name: "pull_request",
                ref: "refs/pull/7/merge",
            },
        ],
        [
            "a new repository under the old name",
            {
                ...token({ environment: "prd", event_name: "push", ref: "refs/heads/main" }),
                repository_id: "999999999",
            },
        ],
        [
            "the repository after a transfer to another owner",
            {
                ...token({ environment: "prd", event_name: "push", ref: "refs/heads/main" }),
                repository_owner_id: "1",
            },
        ],
    ];

    it.each(refused)("%s: no stack admits it", async (_label, claims) => {
        for (const stack of STACKS) {
            const r = await rendered(stack);
            expect({ stack, admitted: admits(platformProvider(r).attributeCondition, claims) }).toEqual({
                stack,
                admitted: false,
            });
        }
    });
});

describe("which service account each job may act as", () => {
    const at = async (stack: Stack, claims: Claims) => reach(await rendered(stack), token(claims));
    const pr = (environment: string) => ({ environment, event_name: "pull_request", ref: "refs/pull/7/merge" });

    it("a prd pull request reaches prd's previewer only, through prd-preview", async () => {
        expect(await at("prd", pr("prd-preview"))).toEqual(["ci-previewer"]);
        expect(await at("dev", pr("prd-preview"))).toEqual([]);
        expect(await at("prd", pr("dev-preview"))).toEqual([]);
    });

    it("the deploy jobs reach their own stack's deployer only", async () => {
        const push = (environment: string) => ({ environment, event_name: "push", ref: "refs/heads/main" });
        expect(await at("prd", push("prd"))).toEqual(["ci-prd-deployer"]);
        expect(await at("dev", push("dev"))).toEqual(["ci-dev-deployer"]);
        expect(await at("dev", push("prd"))).toEqual([]);
        expect(await at("prd", push("dev"))).toEqual([]);
    });

    it("a branch preview's job reaches dev's previews deployer and nothing of prd", async () => {
        const preview = { environment: "previews", event_name: "push", ref: "refs/heads/preview/vote/x" };
        expect(await at("dev", preview)).toEqual(["ci-previews-deployer"]);
        expect(await at("prd", preview)).toEqual([]);
    });

    it.each(STACKS)("%s binds every GitHub identity to an environment, none to the repository name", async (stack) => {
        const members = (await rendered(stack)).resources
            .filter((x) => x.type === SA_BINDING && String(x.inputs.member).startsWith("principalSet://"))
            .map((x) => String(x.inputs.member));
        expect(members.length).toBeGreaterThan(0);
        for (const m of members) expect(m).toMatch(/\/attribute\.environment\/[a-z0-9-]+$/);
    });
});

describe("what a deployer may grant", () => {
    it.each(STACKS)(
        "%s: exactly the project roles the program grants to what it runs, none of CI's own",
        async (stack) => {
            const r = await rendered(stack);
            const grants = r.resources
                .filter((x) => x.type === PROJECT_BINDING)
                .map((x) => unwrapSecrets(x.inputs) as Record<string, any>);
            const admin = grants.find(
                (g) =>
                    g.role === "roles/resourcemanager.projectIamAdmin" &&
                    String(g.member).includes(`ci-${stack}-deployer@`),
            )!;
            const expression = String(admin.condition?.expression ?? "");
            const grantable = [...(/hasOnly\(\[([^\]]*)\]\)/.exec(expression)?.[1] ?? "").matchAll(/"([^"]+)"/g)].map(
                (m) => m[1]!,
            );
            // What a deploy must be able to (re)grant: every project role of an account CI did not create.
            const needed = [
                ...new Set(grants.filter((g) => !String(g.member).startsWith("serviceAccount:ci-")).map((g) => g.role)),
            ].sort();
            expect(needed.length).toBeGreaterThan(0);
            expect(grantable).toEqual(needed);
            const own = grants.filter((g) => String(g.member).startsWith("serviceAccount:ci-")).map((g) => g.role);
            for (const role of own) expect(grantable).not.toContain(role);
        },
    );
});

describe("each stack's secrets: one KMS key per stack, bound per key", () => {
    it.each(STACKS)("%s binds only its own key, and no KMS crypto role on the project", async (stack) => {
        const r = await rendered(stack);
        const key = stackCi(stack).secretsKey as string;
        const keys = r.resources.filter((x) => x.type === KEY_BINDING && String(x.inputs.member).includes("ci-"));
        expect(keys.length).toBeGreaterThan(0);
        for (const k of keys) expect(k.inputs.cryptoKeyId).toBe(key);
        const previewer = keys.filter((k) => String(k.inputs.member).includes("ci-previewer@"));
        expect(previewer.map((k) => k.inputs.role)).toEqual(["roles/cloudkms.cryptoKeyDecrypter"]);
        const projectKms = r.resources
            .filter((x) => x.type === PROJECT_BINDING && /^roles\/cloudkms\.crypto/.test(String(x.inputs.role)))
            .map((x) => `${x.inputs.member} ${x.inputs.role}`);
        expect(projectKms).toEqual([]);
    });

    it("dev and prd name different keys", () => {
        expect(stackCi("dev").secretsKey).not.toBe(stackCi("prd").secretsKey);
    });
});

describe("a branch preview (dev-br-<branch>)", () => {
    it("declares nothing in Google Cloud: no identity, no grant, no key", async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "boundary-")), "Pulumi.dev-br-x.yaml");
        writeFileSync(
            file,
            `${readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")}  platform:preview:\n    app: vote\n    branch: feature/x\n    devStack: organization/platform/dev\n`,
        );
        const r = await renderStack({ stack: "dev-br-x", stackFile: file });
        expect(r.errors).toEqual([]);
        expect(r.resources.filter((x) => x.type.startsWith("gcp:")).map((x) => x.type)).toEqual([]);
    });
});
