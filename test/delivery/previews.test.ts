import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
    COMMENT_MARKER,
    decide,
    destroyPreview,
    DevSettings,
    devSettings,
    previewComment,
    previewStack,
    Runner,
    sweep,
    upPreview,
} from "../../scripts/delivery/previews";
import { ROOT } from "../../render/render";

/** A Pulumi CLI stand-in: records every command, answers `stack ls` from a list it keeps up to date. */
function fakePulumi(stacks: string[], branches: Record<string, string> = {}) {
    const calls: string[] = [];
    const run: Runner = (args) => {
        calls.push(args.join(" "));
        if (args[0] === "stack" && args[1] === "ls")
            return JSON.stringify(stacks.map((s) => ({ name: `clubplatform/platform/${s}` })));
        if (args[0] === "stack" && args[1] === "init") stacks.push(args[2]!);
        if (args[0] === "stack" && args[1] === "rm") stacks.splice(stacks.indexOf(args[2]!), 1);
        if (args[0] === "config" && args[1] === "get") {
            const b = branches[args[3]!];
            if (b === undefined) throw new Error("no such key");
            return `${b}\n`;
        }
        return "";
    };
    return { run, calls, stacks };
}

const DEV: DevSettings = { domain: "dev.example.org", maxLive: 2, apps: ["vote", "plarail"] };
const pr = (action: string, ref: string, labels: string[] = [], number = 7) => ({
    action,
    pull_request: { number, head: { ref }, labels: labels.map((name) => ({ name })) },
});

describe("which events ask for a preview", () => {
    it("a push to preview/<app>/<name> creates or updates it; deleting that branch destroys it", () => {
        expect(decide("push", { ref: "refs/heads/preview/vote/new-ui" })).toEqual({
            action: "up",
            app: "vote",
            branch: "preview/vote/new-ui",
        });
        expect(decide("push", { ref: "refs/heads/preview/vote/new-ui", deleted: true })).toEqual({
            action: "destroy",
            branch: "preview/vote/new-ui",
        });
        expect(decide("delete", { ref: "preview/vote/new-ui", ref_type: "branch" })).toEqual({
            action: "destroy",
            branch: "preview/vote/new-ui",
        });
        expect(decide("push", { ref: "refs/heads/feature/x" }).action).toBe("none");
        expect(decide("delete", { ref: "v1.0.0", ref_type: "tag" }).action).toBe("none");
    });

    it("a pull request labelled preview:<app> gets one on every push; closing it destroys it", () => {
        expect(decide("pull_request", pr("labeled", "feature/x", ["preview:plarail"]))).toEqual({
            action: "up",
            app: "plarail",
            branch: "feature/x",
            pr: 7,
        });
        expect(decide("pull_request", pr("synchronize", "feature/x", ["preview:plarail"])).action).toBe("up");
        expect(decide("pull_request", pr("closed", "feature/x", ["preview:plarail"])).action).toBe("destroy");
        expect(decide("pull_request", pr("unlabeled", "feature/x", []))).toEqual({
            action: "destroy",
            branch: "feature/x",
            pr: 7,
        });
        expect(decide("pull_request", pr("opened", "feature/x", ["bug"])).action).toBe("none");
    });

    it("a dispatch names the app, branch and action; other events ask nothing", () => {
        expect(decide("workflow_dispatch", { inputs: { app: "vote", branch: "b", action: "up" } }).action).toBe("up");
        expect(decide("workflow_dispatch", { inputs: { branch: "b", action: "destroy" } }).action).toBe("destroy");
        expect(decide("issues", {}).action).toBe("none");
    });

    it("names the stack after the branch's DNS label", () => {
        expect(previewStack("preview/vote/New_UI")).toBe("dev-br-preview-vote-new-ui");
    });
});

describe("creating, updating and destroying a preview", () => {
    it("creates the stack from dev's config with the preview keys, runs up, and reports the host", () => {
        const p = fakePulumi(["dev"]);
        const r = upPreview(p.run, {
            app: "vote",
            branch: "preview/vote/new-ui",
            devStack: "clubplatform/platform/dev",
            dev: DEV,
        });
        expect(r).toEqual({
            stack: "dev-br-preview-vote-new-ui",
            host: "preview-vote-new-ui--g.dev.example.org",
            created: true,
        });
        expect(p.calls).toEqual([
            "stack ls --json",
            "stack init dev-br-preview-vote-new-ui",
            "config cp --stack dev --dest dev-br-preview-vote-new-ui",
            "config set --stack dev-br-preview-vote-new-ui --path platform:preview.app vote",
            "config set --stack dev-br-preview-vote-new-ui --path platform:preview.branch preview/vote/new-ui",
            "config set --stack dev-br-preview-vote-new-ui --path platform:preview.devStack clubplatform/platform/dev",
            "up --stack dev-br-preview-vote-new-ui --yes --skip-preview --suppress-outputs",
        ]);
    });

    it("refuses a new preview at the cap, but still updates a live one", () => {
        const p = fakePulumi(["dev", "dev-br-a", "dev-br-b"]);
        expect(() => upPreview(p.run, { app: "vote", branch: "c", devStack: "o/platform/dev", dev: DEV })).toThrow(
            /2 previews are live, the cap \(platform:previews\.maxLive\) is 2/,
        );
        expect(p.calls).not.toContainEqual(expect.stringMatching(/^stack init/));
        const r = upPreview(p.run, { app: "vote", branch: "a", devStack: "o/platform/dev", dev: DEV });
        expect(r.created).toBe(false);
        expect(p.calls.at(-1)).toBe("up --stack dev-br-a --yes --skip-preview --suppress-outputs");
    });

    it("refuses an app the dev stack does not have", () => {
        expect(() =>
            upPreview(fakePulumi([]).run, { app: "nope", branch: "b", devStack: "o/p/dev", dev: DEV }),
        ).toThrow(/app nope is not an app of the dev stack/);
    });

    it("sets the branch build's image when one is given", () => {
        const p = fakePulumi([]);
        upPreview(p.run, {
            app: "vote",
            branch: "b",
            devStack: "o/p/dev",
            dev: DEV,
            image: "r/vote:abc1234-20261130000000",
        });
        expect(p.calls).toContain(
            "config set --stack dev-br-b --path platform:preview.images.web r/vote:abc1234-20261130000000",
        );
    });

    it("destroys and removes the stack, and does nothing for a branch without one", () => {
        const p = fakePulumi(["dev", "dev-br-b"]);
        expect(destroyPreview(p.run, "b")).toEqual({ stack: "dev-br-b", existed: true });
        expect(p.calls).toEqual([
            "stack ls --json",
            "destroy --stack dev-br-b --yes --skip-preview",
            "stack rm dev-br-b --yes",
        ]);
        expect(destroyPreview(p.run, "b")).toEqual({ stack: "dev-br-b", existed: false });
    });

    it("sweeps the previews whose branch is gone, one at a time, and keeps the rest", () => {
        const p = fakePulumi(["dev", "dev-br-alive", "dev-br-gone", "dev-br-broken"], {
            "dev-br-alive": "alive",
            "dev-br-gone": "gone",
        });
        expect(sweep(p.run, ["main", "alive"])).toEqual({
            destroyed: ["dev-br-gone", "dev-br-broken"],
            kept: ["dev-br-alive"],
        });
        expect(p.calls.filter((c) => c.startsWith("destroy"))).toEqual([
            "destroy --stack dev-br-gone --yes --skip-preview",
            "destroy --stack dev-br-broken --yes --skip-preview",
        ]);
        expect(p.stacks).toEqual(["dev", "dev-br-alive"]);
        // An empty or failed branch listing destroys nothing.
        expect(() => sweep(fakePulumi(["dev-br-alive"]).run, [])).toThrow(/refusing to sweep/);
    });

    it("comments the <branch>--g.<domain> link, marked so the workflow edits one comment", () => {
        const text = previewComment({ stack: "dev-br-b", host: "b--g.dev.example.org", app: "vote" });
        expect(text.startsWith(COMMENT_MARKER)).toBe(true);
        expect(text).toContain("https://b--g.dev.example.org");
        expect(previewComment({ stack: "dev-br-b", destroyed: true })).toContain("destroyed");
    });

    it("reads the cap, domain and apps from Pulumi.dev.yaml", () => {
        const dev = devSettings(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
        expect(dev.domain).toBe("dev.example.org");
        expect(dev.maxLive).toBeGreaterThanOrEqual(1);
        expect(dev.apps).toEqual(["plarail", "vote", "uploader", "scoreserver"]);
    });
});
