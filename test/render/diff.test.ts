import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { changedPaths, COMMENT_MARKER, diffStack, formatMarkdown, unifiedDiff } from "../../render/diff";
import { renderStack, ROOT } from "../../render/render";
import { rendered } from "../rendered";

function tmp(prefix: string): string {
    return mkdtempSync(path.join(tmpdir(), prefix));
}

/** Writes a fake render of one stack. */
function fakeRender(
    root: string,
    stack: string,
    resources: object[],
    files: Record<string, string>,
    outputs: { outputs: object; secret: object },
): void {
    const dir = path.join(root, stack);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "resources.json"), JSON.stringify(resources));
    writeFileSync(path.join(dir, "outputs.json"), JSON.stringify(outputs));
    for (const [f, text] of Object.entries(files)) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        writeFileSync(path.join(dir, f), text);
    }
}

const r = (name: string, inputs: object, more: object = {}) => ({
    urn: `urn:pulumi:dev::platform::test:index:Thing::${name}`,
    type: "test:index:Thing",
    name,
    parent: "",
    provider: "",
    dependsOn: [],
    protect: false,
    inputs,
    ...more,
});

describe("unifiedDiff", () => {
    it("shows changed lines with context and hunk headers", () => {
        const a = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].join("\n") + "\n";
        const b = ["a", "b", "c", "d", "E", "f", "g", "h", "i", "j", "k"].join("\n") + "\n";
        // The change at line 5 and the addition after line 10 are within 2 x 3 context lines: one hunk.
        expect(unifiedDiff(a, b)).toBe("@@ -2,9 +2,10 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n i\n j\n+k\n");
        const far = Array.from({ length: 20 }, (_, i) => `l${i}`);
        const farB = far.map((l) => (l === "l2" || l === "l17" ? `${l}!` : l));
        expect(unifiedDiff(far.join("\n"), farB.join("\n"))).toBe(
            "@@ -1,6 +1,6 @@\n l0\n l1\n-l2\n+l2!\n l3\n l4\n l5\n@@ -15,6 +15,6 @@\n l14\n l15\n l16\n-l17\n+l17!\n l18\n l19\n",
        );
    });

    it("is empty for equal texts and all additions for a new file", () => {
        expect(unifiedDiff("x\n", "x\n")).toBe("");
        expect(unifiedDiff("", "one\ntwo\n")).toBe("@@ -0,0 +1,2 @@\n+one\n+two\n");
    });
});

describe("changedPaths", () => {
    it("names the leaves that differ", () => {
        expect(
            changedPaths({ spec: { replicas: 1, ports: [80, 443] } }, { spec: { replicas: 3, ports: [80] } }, "inputs"),
        ).toEqual(["inputs.spec.ports[1]", "inputs.spec.replicas"]);
    });
});

describe("diffStack", () => {
    const base = tmp("rd-base-");
    const head = tmp("rd-head-");
    fakeRender(
        base,
        "dev",
        [
            r("kept", { a: 1 }),
            r("tuned", { spec: { replicas: 1 } }),
            r("gone", {}),
            r("moved", {}, { dependsOn: ["x"] }),
        ],
        {
            "manifests/vote/Deployment-api.yaml": "kind: Deployment\nspec:\n  replicas: 1\n",
            "helm/old.yaml": "chart: old\n",
        },
        { outputs: { domain: "a.example.org", token: "[secret]" }, secret: { domain: false, token: true } },
    );
    fakeRender(
        head,
        "dev",
        [
            r("kept", { a: 1 }),
            r("tuned", { spec: { replicas: 3 } }),
            r("new", {}),
            r("moved", {}, { dependsOn: ["y"] }),
        ],
        {
            "manifests/vote/Deployment-api.yaml": "kind: Deployment\nspec:\n  replicas: 3\n",
            "manifests/vote/Service-api.yaml": "kind: Service\n",
        },
        { outputs: { domain: "b.example.org", token: "[secret]" }, secret: { domain: false, token: false } },
    );
    const d = diffStack(base, head, "dev");

    it("sorts resources into added, changed (with what changed) and removed", () => {
        expect(d.added.map((x) => x.name)).toEqual(["new"]);
        expect(d.removed.map((x) => x.name)).toEqual(["gone"]);
        expect(d.changed).toEqual([
            { type: "test:index:Thing", name: "tuned", fields: ["inputs.spec.replicas"] },
            { type: "test:index:Thing", name: "moved", fields: ["dependsOn"] },
        ]);
    });

    it("reports output value and secretness changes", () => {
        expect(d.outputs).toEqual([
            'domain: "a.example.org" -> "b.example.org"',
            'token: "[secret]" -> "[secret]" (secret: true -> false)',
        ]);
    });

    it("diffs manifests and chart files", () => {
        expect(d.files.map((f) => `${f.status} ${f.path}`)).toEqual([
            "removed helm/old.yaml",
            "changed manifests/vote/Deployment-api.yaml",
            "added manifests/vote/Service-api.yaml",
        ]);
        expect(d.files[1]!.diff).toContain("-  replicas: 1\n+  replicas: 3\n");
    });

    it("treats a stack the base did not render as all added", () => {
        const x = diffStack(tmp("rd-empty-"), head, "dev");
        expect(x.baseMissing).toBe(true);
        expect(x.added).toHaveLength(4);
        expect(formatMarkdown([x])).toContain("The base branch did not render this stack");
    });

    it("formats one Markdown comment with the marker, a summary table and the diffs", () => {
        const md = formatMarkdown([d]);
        expect(md.startsWith(COMMENT_MARKER)).toBe(true);
        expect(md).toContain("| `dev` | 1 | 2 | 1 | 2 | 3 |");
        expect(md).toContain("| ✏️ changed | `test:index:Thing` | `tuned` | `inputs.spec.replicas` |");
        expect(md).toContain(
            "```diff\n@@ -1,3 +1,3 @@\n kind: Deployment\n spec:\n-  replicas: 1\n+  replicas: 3\n```",
        );
    });

    it("keeps within the size budget and lists what it left out", () => {
        const md = formatMarkdown([d], { maxChars: 1500 });
        expect(md.length).toBeLessThanOrEqual(1500);
        expect(md).toContain("Not shown (comment size limit");
    });

    it("fences manifest text so backticks inside cannot close the block", () => {
        const b2 = tmp("rd-b2-");
        const h2 = tmp("rd-h2-");
        const empty = { outputs: {}, secret: {} };
        fakeRender(b2, "dev", [], {}, empty);
        fakeRender(h2, "dev", [], { "manifests/x/ConfigMap-c.yaml": "data: |\n  ```\n  @everyone\n" }, empty);
        const md = formatMarkdown([diffStack(b2, h2, "dev")]);
        expect(md).toContain("````diff\n");
        expect(md).toContain("\n````\n");
    });
});

describe("render-diff over real renders", () => {
    it("shows a stack-file change and never the secret values it was given", async () => {
        // The shared render of dev (sentinel secrets) is the base; the head gets other secret values.
        const base = path.dirname((await rendered("dev")).dir);
        const head = tmp("rd-real-head-");
        const secret = "s3cret-value-that-must-not-leak";
        const text = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace("maxCount: 3", "maxCount: 5");
        const stackFile = path.join(tmp("rd-stack-"), "Pulumi.dev.yaml");
        writeFileSync(stackFile, text);
        await renderStack({
            stack: "dev",
            out: head,
            stackFile,
            secrets: { githubOAuthClientSecret: secret, githubOAuthClientId: secret },
        });
        const d = diffStack(base, head, "dev");
        expect(d.added).toEqual([]);
        expect(d.removed).toEqual([]);
        // The pool's autoscaling bound changes; the secrets given must not surface as a change anywhere.
        expect(d.changed.map((c) => `${c.name} ${c.fields.join(",")}`)).toContain(
            "gke-pool-general inputs.autoscaling.totalMaxNodeCount",
        );
        expect(formatMarkdown([d])).not.toContain(secret);
    });
});

describe("scripts/render-diff.ts", () => {
    it("writes the Markdown for every stack found on either side", () => {
        const base = tmp("rd-cli-base-");
        const head = tmp("rd-cli-head-");
        const empty = { outputs: {}, secret: {} };
        fakeRender(base, "dev", [r("a", {})], {}, empty);
        fakeRender(head, "dev", [r("a", {}), r("b", {})], {}, empty);
        fakeRender(head, "prd", [r("c", {})], {}, empty);
        const out = path.join(tmp("rd-cli-out-"), "summary.md");
        execFileSync(
            path.join(ROOT, "node_modules/.bin/tsx"),
            [path.join(ROOT, "scripts/render-diff.ts"), "--base", base, "--head", head, "--out", out],
            { stdio: "pipe" },
        );
        const md = readFileSync(out, "utf8");
        expect(md).toContain("| `dev` | 1 | 0 | 0 | 0 | 0 |");
        expect(md).toContain("| `prd` | 1 | 0 | 0 | 0 | 0 |");
    });

    it("fails with usage when a directory is missing", () => {
        expect(() =>
            execFileSync(
                path.join(ROOT, "node_modules/.bin/tsx"),
                [path.join(ROOT, "scripts/render-diff.ts"), "--base", "x"],
                {
                    stdio: "pipe",
                },
            ),
        ).toThrow(/usage: tsx scripts\/render-diff\.ts/);
    });
});

describe("--full", () => {
    it("keeps every line that the comment would cut", () => {
        const base = tmp("rd-full-base-");
        const head = tmp("rd-full-head-");
        const empty = { outputs: {}, secret: {} };
        const big = Array.from({ length: 400 }, (_, i) => `line-${i}`).join("\n") + "\n";
        fakeRender(base, "dev", [], {}, empty);
        fakeRender(head, "dev", [], { "helm/big.yaml": big }, empty);
        const run = (extra: string[]) => {
            const out = path.join(tmp("rd-full-out-"), "x.md");
            execFileSync(
                path.join(ROOT, "node_modules/.bin/tsx"),
                [path.join(ROOT, "scripts/render-diff.ts"), "--base", base, "--head", head, "--out", out, ...extra],
                { stdio: "pipe" },
            );
            return readFileSync(out, "utf8");
        };
        expect(run([])).not.toContain("+line-399");
        expect(run(["--full"])).toContain("+line-399");
    });
});
