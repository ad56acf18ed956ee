import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { renderStack } from "../../render/render";
import { readStack } from "../../render/stack-file";
import { rendered } from "../rendered";
import { baseStack, CASES, HostileCase } from "./cases";

const ROOT = path.resolve(__dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "guardrails-hostile-"));

function write(c: { name: string; text: string }): string {
    const file = path.join(dir, `${c.name.replace(/[^a-z0-9]+/gi, "-")}.yaml`);
    writeFileSync(file, c.text);
    return file;
}

/** Runs the render CLI as a user would; resolves with its exit code and output. */
function renderCli(stackFile: string, out: string): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
        const child = spawn(
            path.join(ROOT, "node_modules/.bin/tsx"),
            ["scripts/render.ts", "--stack", "dev", "--stack-file", stackFile, "--out", out],
            {
                cwd: ROOT,
                env: { ...process.env, NO_COLOR: "1" },
            },
        );
        let output = "";
        child.stdout.on("data", (d) => (output += String(d)));
        child.stderr.on("data", (d) => (output += String(d)));
        child.on("close", (code) => resolve({ code, output }));
    });
}

describe("hostile stack files", () => {
    it("has at least 40 distinct cases", () => {
        expect(CASES.length).toBeGreaterThanOrEqual(40);
        expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
        expect(new Set(CASES.map((c) => c.text)).size).toBe(CASES.length);
    });

    it("starts from a base that renders (so each case fails for its planted key alone)", async () => {
        // Re-written unchanged, the base hands the program exactly dev's config, which renders.
        const base = readStack({
            root: ROOT,
            stack: "dev",
            stackFile: write({ name: "base", text: stringify(baseStack()) }),
        });
        expect(base.config).toEqual(readStack({ root: ROOT, stack: "dev" }).config);
        const dev = await rendered("dev");
        expect(dev.errors).toEqual([]);
        expect(existsSync(path.join(dev.dir, "manifests"))).toBe(true);
    });

    it.each(CASES.map((c) => [c.name, c] as [string, HostileCase]))(
        "%s: render refuses it, naming the key",
        async (_n, c) => {
            const out = mkdtempSync(path.join(tmpdir(), "guardrails-hostile-out-"));
            let message = "";
            await renderStack({ stack: "dev", stackFile: write(c), out }).then(
                () => {
                    message = "(render succeeded)";
                },
                (e: Error) => {
                    message = e.message;
                },
            );
            expect(message).toContain(c.expect);
            expect(message).not.toBe("(render succeeded)");
            expect(existsSync(path.join(out, "dev"))).toBe(false);
        },
    );

    // The CLI itself, once for each kind of refusal it reports (a config error and a stack file
    // that is not a mapping): exit code, message, nothing written. Each spawn costs seconds; the
    // in-process cases above cover every key, and test/render/render.test.ts the CLI's happy path.
    const sample = ["minCount is text", "YAML that is a list"];
    it("the render CLI exits non-zero, names the key and writes no manifests", async () => {
        const cases = sample.map((n) => CASES.find((c) => c.name === n)!);
        expect(cases.every(Boolean)).toBe(true);
        const runs = await Promise.all(
            cases.map(async (c) => {
                const out = mkdtempSync(path.join(tmpdir(), "guardrails-hostile-cli-"));
                return { c, out, ...(await renderCli(write(c), out)) };
            }),
        );
        for (const { c, out, code, output } of runs) {
            expect({ name: c.name, code }).toEqual({ name: c.name, code: 1 });
            expect(output).toContain(c.expect);
            expect(existsSync(path.join(out, "dev", "manifests"))).toBe(false);
        }
    }, 180000);
});
