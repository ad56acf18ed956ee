import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { ROOT } from "../../render/render";
import { rendered } from "../rendered";
import { TIMESTAMP_TAG_REGEXP } from "../../components/gitops/image-policy";
import { COMMENT_MARKER } from "../../scripts/delivery/previews";
import { revertBranch } from "../../scripts/delivery/deploy-notice";

type Step = {
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    name?: string;
};
type Job = {
    if?: string;
    needs?: string | string[];
    permissions?: Record<string, string> | string;
    environment?: string | { name: string };
    concurrency?: { group: string; "cancel-in-progress"?: boolean | string };
    strategy?: { matrix?: { include?: Record<string, string>[] } };
    steps: Step[];
};
type Workflow = {
    name: string;
    on: Record<string, unknown>;
    permissions?: Record<string, string> | string;
    jobs: Record<string, Job>;
};

const DIR = path.join(ROOT, ".github", "workflows");
const files = readdirSync(DIR).filter((f) => f.endsWith(".yml") || f.endsWith(".yaml"));
const text = (f: string) => readFileSync(path.join(DIR, f), "utf8");
const load = (f: string) => parse(text(f)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const runs = (w: Workflow) =>
    steps(w)
        .map((s) => s.run ?? "")
        .join("\n");
const envName = (j: Job) => (typeof j.environment === "string" ? j.environment : j.environment?.name);
const writes = (p: Job["permissions"]) =>
    typeof p === "string"
        ? [p]
        : Object.entries(p ?? {})
              .filter(([, v]) => v === "write")
              .map(([k]) => k);

describe("every workflow", () => {
    it("exists: pull request, its comment, preview, deploy and Flux's image-update pull requests", () => {
        expect(files.sort()).toEqual([
            "app-image.yml",
            "deploy.yml",
            "image-updates.yml",
            "preview.yml",
            "previews.yml",
            "pull-request.yml",
            "render-diff-comment.yml",
        ]);
    });

    it.each(files)("%s pins every action to a full commit SHA with its version beside it", (f) => {
        const uses = [...text(f).matchAll(/^\s*(?:-\s+)?uses:\s*(.+)$/gm)].map((m) => m[1]!.trim());
        expect(uses.length).toBeGreaterThan(0);
        for (const u of uses) expect(u).toMatch(/^[A-Za-z0-9-]+\/[A-Za-z0-9._/-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    });

    it.each(files)("%s grants nothing beyond read at the top level and never write-all", (f) => {
        const w = load(f);
        expect(w.permissions).toBeDefined();
        expect(writes(w.permissions)).toEqual([]);
        for (const [name, j] of Object.entries(w.jobs)) {
            expect(j.permissions).not.toBe("write-all");
            // Contents are written in one place only: deploy.yml's revert job pushes revert/<sha>.
            const allowed = [
                "id-token",
                "pull-requests",
                ...(`${f}:${name}` === "deploy.yml:revert" ? ["contents"] : []),
                // Build provenance is written as an attestation of the app repository.
                ...(`${f}:${name}` === "app-image.yml:image" ? ["attestations"] : []),
            ];
            expect(writes(j.permissions).every((p) => allowed.includes(p))).toBe(true);
        }
    });

    it.each(files)("%s asks for an OIDC token only in jobs that authenticate to Google", (f) => {
        for (const j of Object.values(load(f).jobs)) {
            const auth = j.steps.some((s) => s.uses?.startsWith("google-github-actions/auth@"));
            expect(writes(j.permissions).includes("id-token")).toBe(auth);
            // Keyless only: no key file handed to the auth action.
            for (const s of j.steps) expect(s.with?.credentials_json).toBeUndefined();
        }
    });

    it.each(files)("%s never uses pull_request_target", (f) => {
        expect(Object.keys(load(f).on)).not.toContain("pull_request_target");
    });

    it("call only npm scripts that package.json defines", () => {
        const scripts = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: object })
            .scripts;
        const all = files.map((f) => runs(load(f))).join("\n");
        for (const m of all.matchAll(/npm run ([a-z:-]+)/g)) expect(Object.keys(scripts)).toContain(m[1]);
        expect(Object.keys(scripts)).toContain("test");
    });
});

describe("pull-request.yml", () => {
    const w = load("pull-request.yml");

    it("runs on pull requests only, with a read-only token and no secrets (safe for forks)", () => {
        expect(Object.keys(w.on)).toEqual(["pull_request"]);
        expect(w.permissions).toEqual({ contents: "read" });
        for (const j of Object.values(w.jobs)) expect(j.permissions).toBeUndefined();
        expect(text("pull-request.yml")).not.toMatch(/secrets\./);
    });

    it("runs the README's commands: npm ci, npm test, npm run render for dev and prd", () => {
        const r = runs(w);
        expect(r).toMatch(/^npm ci$/m);
        expect(r).toMatch(/^npm test$/m);
        expect(r).toContain("npm run render -- --stack dev");
        expect(r).toContain("npm run render -- --stack prd");
    });

    it("renders base and head and summarises them with scripts/render-diff.ts into an artifact", () => {
        const job = w.jobs["render-diff"]!;
        const checkouts = job.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
        expect(checkouts.map((s) => s.with?.ref ?? "(pull request)")).toEqual([
            "(pull request)",
            "${{ github.event.pull_request.base.sha }}",
        ]);
        expect(runs(w)).toMatch(/scripts\/render-diff\.ts --base \S+ --head \S+/);
        const upload = job.steps.find(
            (s) => s.uses?.startsWith("actions/upload-artifact@") && s.with?.name === "render-diff",
        );
        expect(upload).toBeDefined();
    });
});

describe("render-diff-comment.yml", () => {
    const w = load("render-diff-comment.yml");

    it("follows the pull request workflow by name", () => {
        expect(w.on.workflow_run).toEqual({ workflows: [load("pull-request.yml").name], types: ["completed"] });
    });

    it("may write pull request comments but never runs the pull request's code", () => {
        const job = w.jobs.comment!;
        expect(job.permissions).toEqual({ actions: "read", "pull-requests": "write" });
        expect(job.steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
        expect(job.steps.some((s) => s.run !== undefined)).toBe(false);
    });

    it("updates one marked comment and checks the rendered commit is the pull request's head", () => {
        const script = String(
            w.jobs.comment!.steps.find((s) => s.uses?.startsWith("actions/github-script@"))!.with!.script,
        );
        expect(script).toContain("<!-- platform:render-diff -->");
        expect(script).toContain("updateComment");
        expect(script).toMatch(/pr\.head\.sha !== headSha/);
    });
});

describe("preview.yml", () => {
    const w = load("preview.yml");
    const job = w.jobs.preview!;

    it("previews each stack, skipping forks that have no credentials", () => {
        expect(Object.keys(w.on)).toEqual(["pull_request"]);
        expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(job.strategy!.matrix!.include!.map((m) => m.stack)).toEqual(["dev", "prd"]);
    });

    it("posts one comment per stack through pulumi/actions, edited in place", () => {
        const p = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
        expect(p.with).toMatchObject({
            command: "preview",
            "stack-name": "${{ matrix.stack }}",
            "comment-on-pr": true,
            "edit-pr-comment": true,
        });
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
    });

    it("authenticates as the read-only previewer, not a deployer, in the stack's preview environment", () => {
        const auth = job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"))!;
        expect(String(auth.with!.service_account)).toContain("GCP_PREVIEWER_");
        // The previewer decrypts the stack's secrets: prd-preview has required reviewers.
        expect(job.environment).toBe("${{ matrix.stack }}-preview");
    });
});

describe("deploy.yml", () => {
    const w = load("deploy.yml");
    const stacks = ["dev", "prd"] as const;
    const step = (j: Job, id: string) => j.steps.find((s) => (s as { id?: string }).id === id || s.name === id)!;

    it("runs on pushes to main only", () => {
        expect(w.on).toEqual({ push: { branches: ["main"] } });
        expect(w.permissions).toEqual({});
    });

    it.each(stacks)("runs pulumi up on %s in its own environment, streaming the engine's JSON events", (stack) => {
        const j = w.jobs[stack]!;
        expect(envName(j)).toBe(stack);
        // The Pulumi action with no command only installs the CLI.
        expect(j.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))!.with).toBeUndefined();
        expect(step(j, "up").run).toMatch(
            new RegExp(`pulumi up --stack ${stack} --yes .*--json > "\\$RUNNER_TEMP/up\\.jsonl"`),
        );
    });

    it("runs prd only after dev, only in the protected prd environment", () => {
        expect([w.jobs.prd!.needs].flat()).toEqual(["dev"]);
    });

    it("never lets two deploys of one stack overlap", () => {
        for (const stack of stacks) {
            expect(w.jobs[stack]!.concurrency).toEqual({ group: `deploy-${stack}`, "cancel-in-progress": false });
        }
    });

    it("holds only what a deploy needs: read the code, get an OIDC token", () => {
        for (const stack of stacks)
            expect(w.jobs[stack]!.permissions).toEqual({ contents: "read", "id-token": "write" });
    });

    it.each(stacks)("posts a deploy notice after every up on %s, failed or not, from the up's events", (stack) => {
        const notice = step(w.jobs[stack]!, "Deploy notice") as Step & { if?: string };
        expect(notice.if).toBe("always()");
        expect(notice.run).toContain("npx tsx scripts/deploy-notice.ts");
        expect(notice.run).toContain(`--events "$RUNNER_TEMP/up.jsonl" --stack ${stack}`);
        expect(notice.run).toContain('--merged-by "$GITHUB_ACTOR"');
        expect(notice.run).toContain('--outcome "$OUTCOME"');
        expect(notice.env!.OUTCOME).toContain("steps.up.outcome == 'success'");
        // The webhook is a secret, read only by this step.
        expect(notice.env!.DEPLOY_WEBHOOK_URL).toBe("${{ secrets.DEPLOY_WEBHOOK_URL }}");
        expect(notice.run).toMatch(/curl -fsS -X POST .*--data-binary @"\$RUNNER_TEMP\/notice\.json"/s);
    });

    it("pushes the revert of the merge commit to the branch the notice links, only after a failed up", () => {
        const revert = w.jobs.revert!;
        expect([revert.needs].flat()).toEqual(["dev", "prd"]);
        expect(revert.if).toBe("always() && (needs.dev.result == 'failure' || needs.prd.result == 'failure')");
        expect(revert.permissions).toEqual({ contents: "write" });
        expect(envName(revert)).toBeUndefined();
        const run = revert.steps.map((s) => s.run ?? "").join("\n");
        expect(run).toContain('git revert --no-edit -m 1 "$GITHUB_SHA"');
        // The same branch as scripts/delivery/deploy-notice.ts's revertBranch(): revert/<12 hex>.
        expect(run).toContain('git push origin "HEAD:refs/heads/revert/${GITHUB_SHA::12}"');
        expect(revertBranch("0123456789abcdef0123")).toBe("revert/0123456789ab");
    });
});

describe("image-updates.yml", () => {
    const w = load("image-updates.yml");
    const job = w.jobs["pull-request"]!;
    const step = job.steps[0]!;

    /** A push-branch glob as GitHub matches it: `*` stops at a slash. */
    const matches = (glob: string, branch: string) =>
        new RegExp(
            `^${glob
                .split("*")
                .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
                .join("[^/]*")}$`,
        ).test(branch);

    it.each(["dev", "prd"] as const)(
        "runs on pushes to the branch %s's image automation pushes to, and opens against the branch it checks out",
        async (stack) => {
            const r = await rendered(stack);
            const automation = r.objects.find((o) => o.kind === "ImageUpdateAutomation")!;
            const git = (automation.spec as any).git;
            const globs = (w.on.push as { branches: string[] }).branches;
            expect(Object.keys(w.on)).toEqual(["push"]);
            expect(globs.some((g) => matches(g, git.push.branch))).toBe(true);
            expect(globs.some((g) => matches(g, git.checkout.ref.branch))).toBe(false);
            expect(step.env!.BASE).toBe(git.checkout.ref.branch);
            // The only file a bump branch may change, as the script names it.
            const file = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config[
                "platform:imageFile"
            ];
            expect(file).toBe(`images/${git.push.branch.slice("flux/image-updates-".length)}.yaml`);
            expect(String(step.with!.script)).toContain("const own = `images/${env}.yaml`;");
        },
        // It waits for the shared render, which a loaded machine has taken over a minute to make.
        240_000,
    );

    it("runs nothing from the branch and may write only pull requests", () => {
        expect(w.permissions).toEqual({});
        expect(job.permissions).toEqual({ contents: "read", "pull-requests": "write" });
        expect(job.steps).toHaveLength(1);
        expect(step.uses).toMatch(/^actions\/github-script@/);
        expect(job.steps.some((s) => s.run !== undefined || s.uses?.startsWith("actions/checkout@"))).toBe(false);
    });

    it("opens with FLUX_PR_TOKEN when the repository has one (so checks start), else GITHUB_TOKEN", () => {
        expect(step.with!["github-token"]).toBe("${{ secrets.FLUX_PR_TOKEN || github.token }}");
        expect(step.env!.OWN_TOKEN).toBe("${{ secrets.FLUX_PR_TOKEN == '' }}");
    });

    describe("its script, against a fake GitHub API", () => {
        type Call = [string, Record<string, unknown>];
        async function runScript(opts: { open?: number[]; ahead?: string[]; ownToken?: boolean; files?: string[] }) {
            const calls: Call[] = [];
            const logs: string[] = [];
            const github = {
                rest: {
                    pulls: {
                        list: async (a: Record<string, unknown>) => {
                            calls.push(["pulls.list", a]);
                            return { data: (opts.open ?? []).map((number) => ({ number })) };
                        },
                        create: async (a: Record<string, unknown>) => {
                            calls.push(["pulls.create", a]);
                            return { data: { number: 7, html_url: "https://github.com/example-club/platform/pull/7" } };
                        },
                    },
                    repos: {
                        compareCommits: async (a: Record<string, unknown>) => {
                            calls.push(["repos.compareCommits", a]);
                            const ahead = opts.ahead ?? [];
                            return {
                                data: {
                                    ahead_by: ahead.length,
                                    commits: ahead.map((message) => ({ commit: { message } })),
                                    files: (opts.files ?? (ahead.length ? ["images/prd.yaml"] : [])).map(
                                        (filename) => ({ filename }),
                                    ),
                                },
                            };
                        },
                    },
                },
            };
            const core = {
                info: (m: string) => logs.push(`info: ${m}`),
                warning: (m: string) => logs.push(`warning: ${m}`),
                setFailed: (m: string) => logs.push(`failed: ${m}`),
            };
            const context = {
                repo: { owner: "example-club", repo: "platform" },
                ref: "refs/heads/flux/image-updates-prd",
            };
            const env = { BASE: step.env!.BASE, OWN_TOKEN: opts.ownToken ? "true" : "false" };
            const AsyncFunction = Object.getPrototypeOf(async () => undefined).constructor as new (
                ...args: string[]
            ) => (...a: unknown[]) => Promise<unknown>;
            const script = new AsyncFunction("github", "context", "core", "process", String(step.with!.script));
            await script(github, context, core, { env });
            return { calls, logs };
        }

        it("opens one pull request from the Flux branch to main, listing the bump commits", async () => {
            const bump =
                "Update images\n\n- europe-docker.pkg.dev/x/apps/vote:abc-1 -> europe-docker.pkg.dev/x/apps/vote:def-2";
            const { calls, logs } = await runScript({ ahead: [bump] });
            const create = calls.find(([name]) => name === "pulls.create")![1];
            expect(create).toMatchObject({
                owner: "example-club",
                repo: "platform",
                base: "main",
                head: "flux/image-updates-prd",
                title: "Image updates (prd)",
            });
            expect(create.body).toContain("vote:abc-1 -> europe-docker.pkg.dev/x/apps/vote:def-2");
            expect(create.body).toContain("pulumi up --stack prd");
            expect(logs.some((l) => l.startsWith("warning:"))).toBe(false);
        });

        it("refuses a bump branch that changes more than its own image file, and fails the run", async () => {
            for (const files of [
                ["images/prd.yaml", ".github/workflows/preview.yml"],
                ["images/dev.yaml"],
                ["index.ts"],
            ]) {
                const { calls, logs } = await runScript({ ahead: ["bump"], files });
                expect(calls.map(([name]) => name)).toEqual(["repos.compareCommits"]);
                expect(logs.filter((l) => l.startsWith("failed:"))).toEqual([
                    expect.stringMatching(/an image bump changes images\/prd\.yaml only; no pull request/),
                ]);
            }
        });

        it("leaves an open pull request for the branch alone (the push already updated it)", async () => {
            const { calls } = await runScript({ open: [3], ahead: ["bump"] });
            expect(calls.map(([name]) => name)).toEqual(["repos.compareCommits", "pulls.list"]);
            expect(calls[1]![1]).toMatchObject({
                head: "example-club:flux/image-updates-prd",
                base: "main",
                state: "open",
            });
        });

        it("opens nothing when the branch has no commit main lacks", async () => {
            const { calls } = await runScript({ ahead: [] });
            expect(calls.map(([name]) => name)).not.toContain("pulls.create");
        });

        it("warns that checks wait for the next push when it had only GITHUB_TOKEN", async () => {
            const { logs } = await runScript({ ahead: ["bump"], ownToken: true });
            expect(logs.filter((l) => l.startsWith("warning:")).join()).toContain("FLUX_PR_TOKEN");
        });
    });
});

describe("app-image.yml (called by app repositories)", () => {
    const w = load("app-image.yml");
    const job = w.jobs.image!;
    const run = job.steps.map((s) => s.run ?? "").join("\n");

    it("is only a reusable workflow, with the image and the apps' provider as inputs", () => {
        expect(Object.keys(w.on)).toEqual(["workflow_call"]);
        const call = w.on.workflow_call as { inputs: Record<string, { required?: boolean }>; outputs: object };
        expect(call.inputs.image!.required).toBe(true);
        expect(call.inputs["workload-identity-provider"]!.required).toBe(true);
        expect(Object.keys(call.outputs).sort()).toEqual(["digest", "tag"]);
        expect(w.permissions).toEqual({});
    });

    it("authenticates keylessly with the caller's OIDC token, straight to the provider (no service account)", () => {
        expect(job.permissions).toEqual({ contents: "read", "id-token": "write", attestations: "write" });
        const auth = job.steps.find((s) => s.uses?.startsWith("google-github-actions/auth@"))!;
        expect(auth.with).toEqual({ workload_identity_provider: "${{ inputs.workload-identity-provider }}" });
    });

    it("pushes from main or a tag only, as the provider's attribute condition also demands", () => {
        expect(job.steps[0]!.run).toContain("refs/heads/main | refs/tags/*) ;;");
        expect(job.steps[0]!.run).toContain("exit 1");
    });

    it("tags {sha}-{YYYYMMDDHHmmss}, which the timestamp policy's filter accepts", () => {
        expect(run).toContain('echo "tag=${GITHUB_SHA::7}-$(date -u +%Y%m%d%H%M%S)" >> "$GITHUB_OUTPUT"');
        // What that line makes of a commit and a time, checked against Flux's filter.
        const tag = `${"3f2a9c1d8e0b".slice(0, 7)}-${"20261130120000"}`;
        expect(TIMESTAMP_TAG_REGEXP.exec(tag)?.groups?.ts).toBe("20261130120000");
    });

    it("records build provenance: BuildKit's with the image, and GitHub's attestation for the digest", () => {
        expect(run).toMatch(/docker buildx build .*--provenance=mode=max --sbom=true/s);
        const attest = job.steps.find((s) => s.uses?.startsWith("actions/attest-build-provenance@"))!;
        expect(attest.with).toEqual({
            "subject-name": "${{ inputs.image }}",
            "subject-digest": "${{ steps.push.outputs.digest }}",
            "push-to-registry": true,
        });
    });
});

describe("previews.yml (branch previews without hands)", () => {
    const w = load("previews.yml");
    const on = w.on as Record<string, any>;

    it("acts on preview/** pushes, branch deletion, pull request labels and closing, a schedule and by hand", () => {
        expect(on.push).toEqual({ branches: ["preview/**"] });
        expect(Object.keys(on)).toEqual(
            expect.arrayContaining(["push", "delete", "pull_request", "schedule", "workflow_dispatch"]),
        );
        expect(on.pull_request.types).toEqual(
            expect.arrayContaining(["opened", "synchronize", "labeled", "unlabeled", "closed"]),
        );
        expect(on.schedule[0].cron).toMatch(/^\d+ \d+ \* \* \*$/);
        expect(on.workflow_dispatch.inputs.action.options).toEqual(["up", "destroy", "sweep"]);
    });

    it("decides with the tested script and no credentials; forks get nothing", () => {
        const decide = w.jobs.decide!;
        expect(decide.permissions).toEqual({ contents: "read" });
        expect(decide.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
        expect(runs({ ...w, jobs: { decide } })).toContain(
            'npx tsx scripts/previews.ts decide --event-name "$GITHUB_EVENT_NAME" --event "$GITHUB_EVENT_PATH"',
        );
    });

    it("acts in the previews environment, one run per preview stack at a time, through the script", () => {
        const apply = w.jobs.apply!;
        expect(envName(apply)).toBe("previews");
        expect(apply.concurrency).toEqual({
            group: "preview-${{ needs.decide.outputs.stack }}",
            "cancel-in-progress": false,
        });
        expect(apply.permissions).toEqual({ contents: "read", "id-token": "write", "pull-requests": "write" });
        const text = runs({ ...w, jobs: { apply } });
        expect(text).toContain("npx tsx scripts/previews.ts up --app");
        expect(text).toContain("npx tsx scripts/previews.ts destroy --branch");
        // The comment is found by the script's marker and edited in place.
        expect(text).toContain(`startswith("${COMMENT_MARKER}")`);
    });

    it("sweeps on the schedule, alone, listing the branches that exist", () => {
        const sweep = w.jobs.sweep!;
        expect(sweep.if).toContain("github.event_name == 'schedule'");
        expect(sweep.concurrency).toEqual({ group: "previews-sweep", "cancel-in-progress": false });
        expect(envName(sweep)).toBe("previews");
        expect(runs({ ...w, jobs: { sweep } })).toContain("npx tsx scripts/previews.ts sweep --branches");
    });

    it("has a deployer the previews environment may impersonate, in dev's ci config", async () => {
        const r = await rendered("dev");
        const accounts = r.resources
            .filter((x) => x.type === "gcp:serviceaccount/account:Account")
            .map((x) => x.inputs.accountId);
        expect(accounts).toContain("ci-previews-deployer");
    });
});
