// Branch previews without hands: what .github/workflows/previews.yml runs (through
// scripts/previews.ts). A branch `preview/<app>/<name>` of the platform repository, or a pull
// request labelled `preview:<app>`, gets its own stack `dev-br-<branch label>` on the dev cluster
// at `https://<branch label>--g.<domain>`; deleting the branch or closing the pull request destroys
// it and removes the stack, and a scheduled sweep destroys previews whose branch is gone. Every
// Pulumi command goes through a Runner, so the tests can record them instead.
import { parse } from "yaml";
import { branchLabel, previewHost, previewsSchema } from "../../config/sections/preview";

/** The label that asks for a preview on a pull request: `preview:<app>`. */
export const PREVIEW_LABEL = /^preview:([a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;
/** The branch prefix that asks for one on push: `preview/<app>/<name>`. */
export const PREVIEW_BRANCH = /^preview\/([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/.+$/;
/** Marks the pull request comment the workflow edits in place. */
export const COMMENT_MARKER = "<!-- platform:branch-preview -->";

/** Stack of a branch's preview: `dev-br-<label>` (a stack name, at most 100 characters). */
export function previewStack(branch: string): string {
    return `dev-br-${branchLabel(branch, 60)}`;
}

export type Decision =
    | { readonly action: "up"; readonly app: string; readonly branch: string; readonly pr?: number }
    | { readonly action: "destroy"; readonly branch: string; readonly pr?: number }
    | { readonly action: "none"; readonly reason: string };

interface PullRequest {
    readonly number: number;
    readonly head: { readonly ref: string };
    readonly labels?: readonly { readonly name: string }[];
}

/** The app a pull request asks to preview: a `preview:<app>` label, or its `preview/<app>/` branch. */
function requestedApp(pr: PullRequest): string | undefined {
    for (const l of pr.labels ?? []) {
        const m = PREVIEW_LABEL.exec(l.name);
        if (m) return m[1];
    }
    return PREVIEW_BRANCH.exec(pr.head.ref)?.[1];
}

/**
 * What a GitHub event means for previews: `push`, `delete`, `pull_request` (opened, reopened,
 * synchronize, labeled, unlabeled, closed) and `workflow_dispatch` (inputs app, branch, action).
 */
/** A GitHub event payload, read loosely: only the fields used below. */
type EventPayload = Record<string, unknown> & {
    ref?: string;
    ref_type?: string;
    deleted?: boolean;
    action?: string;
    pull_request?: PullRequest;
    inputs?: Record<string, string>;
};

export function decide(eventName: string, event: EventPayload): Decision {
    switch (eventName) {
        case "push": {
            const branch = String(event.ref ?? "").replace(/^refs\/heads\//, "");
            const app = PREVIEW_BRANCH.exec(branch)?.[1];
            if (!app) return { action: "none", reason: `branch ${branch} has no preview/<app>/ prefix` };
            return event.deleted ? { action: "destroy", branch } : { action: "up", app, branch };
        }
        case "delete": {
            if (event.ref_type !== "branch") return { action: "none", reason: `a ${event.ref_type} was deleted` };
            const branch = String(event.ref);
            return PREVIEW_BRANCH.test(branch)
                ? { action: "destroy", branch }
                : { action: "none", reason: `branch ${branch} has no preview/<app>/ prefix` };
        }
        case "pull_request": {
            const pr = event.pull_request!;
            const branch = pr.head.ref;
            const app = requestedApp(pr);
            // The branch's own pushes drive a preview/<app>/ branch; the label drives any other.
            if (event.action === "closed") return { action: "destroy", branch, pr: pr.number };
            if (event.action === "unlabeled" && !app) return { action: "destroy", branch, pr: pr.number };
            if (!app) return { action: "none", reason: `pull request #${pr.number} asks for no preview` };
            if (["opened", "reopened", "synchronize", "labeled"].includes(event.action ?? ""))
                return { action: "up", app, branch, pr: pr.number };
            return { action: "none", reason: `pull request #${pr.number} ${event.action}` };
        }
        case "workflow_dispatch": {
            const { app, branch, action } = event.inputs ?? {};
            if (!branch) return { action: "none", reason: "no branch given" };
            if (action === "destroy") return { action: "destroy", branch };
            if (!app) return { action: "none", reason: "no app given" };
            return { action: "up", app, branch };
        }
        default:
            return { action: "none", reason: `event ${eventName} is not one previews act on` };
    }
}

/** Runs one Pulumi CLI command (`pulumi <args>`) and returns its stdout; throws on failure. */
export type Runner = (args: readonly string[]) => string;

/** What the previews need from the dev stack's file. */
export interface DevSettings {
    readonly domain: string;
    readonly maxLive: number;
    readonly apps: readonly string[];
}

/** Reads Pulumi.dev.yaml's domain, previews cap and app names. */
export function devSettings(stackFileText: string): DevSettings {
    const config = (parse(stackFileText) as { config: Record<string, Record<string, unknown> | undefined> }).config;
    return {
        domain: String(config["platform:dns"]?.domain ?? ""),
        maxLive: previewsSchema.parse(config["platform:previews"] ?? {}).maxLive,
        apps: Object.keys(config["platform:apps"] ?? {}),
    };
}

/** The preview stacks that exist (`pulumi stack ls --json`), by name. */
export function liveStacks(run: Runner): string[] {
    const stacks = JSON.parse(run(["stack", "ls", "--json"]) || "[]") as { name: string }[];
    return stacks.map((s) => s.name.split("/").pop()!).filter((n) => n.startsWith("dev-br-"));
}

export interface UpResult {
    readonly stack: string;
    readonly host: string;
    readonly created: boolean;
}

/**
 * Creates (within the cap) or updates the preview stack of `branch`: dev's config copied, the
 * preview keys set, `pulumi up`. `devStack` is `<org>/<project>/dev`.
 */
export function upPreview(
    run: Runner,
    opts: { app: string; branch: string; devStack: string; dev: DevSettings; image?: string; container?: string },
): UpResult {
    const { app, branch, devStack, dev } = opts;
    if (!dev.apps.includes(app)) throw new Error(`app ${app} is not an app of the dev stack (${dev.apps.join(", ")})`);
    const stack = previewStack(branch);
    const live = liveStacks(run);
    const created = !live.includes(stack);
    if (created && live.length >= dev.maxLive)
        throw new Error(
            `${live.length} previews are live, the cap (platform:previews.maxLive) is ${dev.maxLive}: destroy one first (${live.join(", ")})`,
        );
    if (created) run(["stack", "init", stack]);
    run(["config", "cp", "--stack", devStack.split("/").pop()!, "--dest", stack]);
    const set = (key: string, value: string) => run(["config", "set", "--stack", stack, "--path", key, value]);
    set("platform:preview.app", app);
    set("platform:preview.branch", branch);
    set("platform:preview.devStack", devStack);
    if (opts.image) set(`platform:preview.images.${opts.container ?? "web"}`, opts.image);
    run(["up", "--stack", stack, "--yes", "--skip-preview", "--suppress-outputs"]);
    return { stack, host: previewHost(branch, dev.domain), created };
}

/** Destroys the preview stack of `branch` and removes it; nothing to do when there is none. */
export function destroyPreview(run: Runner, branch: string): { stack: string; existed: boolean } {
    const stack = previewStack(branch);
    if (!liveStacks(run).includes(stack)) return { stack, existed: false };
    run(["destroy", "--stack", stack, "--yes", "--skip-preview"]);
    run(["stack", "rm", stack, "--yes"]);
    return { stack, existed: true };
}

/**
 * The scheduled sweep: destroys every preview whose branch no longer exists (`branches` is what
 * the repository has now, e.g. from `git ls-remote --heads`). One at a time, so a sweep never
 * runs more than one destroy against the cluster.
 */
export function sweep(run: Runner, branches: readonly string[]): { destroyed: string[]; kept: string[] } {
    // A failed or empty branch listing must not read as "every branch is gone".
    if (!branches.includes("main"))
        throw new Error(`the branch list has no main (${branches.length} branches): refusing to sweep`);
    const destroyed: string[] = [];
    const kept: string[] = [];
    const byStack = new Map(branches.map((b) => [previewStack(b), b]));
    for (const stack of liveStacks(run)) {
        let branch: string | undefined;
        try {
            branch = run(["config", "get", "--stack", stack, "--path", "platform:preview.branch"]).trim();
        } catch {
            branch = undefined;
        }
        if (branch && branches.includes(branch)) kept.push(stack);
        else if (!branch && byStack.has(stack)) kept.push(stack);
        else {
            run(["destroy", "--stack", stack, "--yes", "--skip-preview"]);
            run(["stack", "rm", stack, "--yes"]);
            destroyed.push(stack);
        }
    }
    return { destroyed, kept };
}

/** The pull request comment: where the preview lives, or that it is gone. */
export function previewComment(result: { stack: string; host?: string; app?: string; destroyed?: boolean }): string {
    return result.destroyed
        ? `${COMMENT_MARKER}\nBranch preview \`${result.stack}\` destroyed.`
        : `${COMMENT_MARKER}\nBranch preview of **${result.app}**: https://${result.host} (stack \`${result.stack}\`, behind GitHub login, scaled to zero when idle).`;
}
