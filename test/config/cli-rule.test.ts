import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError } from "../../config/errors";
import { cliConfigError, ConfigDeclaration, StackValue } from "../../render/cli-config";
import { renderStack, ROOT } from "../../render/render";
import { readStack, StackFileError } from "../../render/stack-file";
import { stackConfig, writeStackFile } from "../stack-files";

type Doc = { name: string; config?: Record<string, ConfigDeclaration> };
const read = (file: string) => parse(readFileSync(file, "utf8")) as Record<string, any>;
const isSecure = (v: unknown) => typeof v === "object" && v !== null && Object.keys(v).join() === "secure";
const held = (config: Record<string, unknown>): Record<string, StackValue> =>
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v, secure: isSecure(v) }]));

/** Every stack file we ship, with the project file the CLI reads it against. */
function shippedStacks(): { project: string; file: string; stack: string }[] {
    const out: { project: string; file: string; stack: string }[] = [];
    for (const dir of [ROOT, path.join(ROOT, "examples", "consumer")]) {
        for (const f of readdirSync(dir).filter((n) => /^Pulumi\..+\.yaml$/.test(n)))
            out.push({ project: path.join(dir, "Pulumi.yaml"), file: path.join(dir, f), stack: f.slice(7, -5) });
    }
    return out;
}

/** A dev-br-<branch> stack as docs/apps.md makes it: `pulumi config cp` of dev plus the preview keys. */
function branchStackConfig(): Record<string, unknown> {
    return {
        ...stackConfig("dev"),
        "platform:preview": { app: "vote", branch: "feature/x", devStack: "organization/platform/dev" },
    };
}

describe("the Pulumi CLI's config rule (render/cli-config.ts)", () => {
    const decl: Record<string, ConfigDeclaration> = {
        "p:a": { type: "string" },
        b: { type: "string" },
        "p:s": { type: "string", secret: true },
        "p:d": { type: "integer", default: 2 },
        "gcp:region": { value: "x" },
    };

    it("calls a declared key without a default missing, in the CLI's words", () => {
        expect(cliConfigError("p", "dev", decl, held({ "p:a": "x", "p:s": { secure: "v1:..." } }))).toBe(
            "Stack 'dev' is missing configuration value 'b'",
        );
        expect(cliConfigError("p", "dev", decl, {})).toBe(
            "Stack 'dev' is missing configuration values 'b', 'p:a' and 'p:s'",
        );
    });

    it("wants a secret key encrypted, and values of the declared type", () => {
        const ok = { "p:a": "x", "p:b": "y", "p:s": { secure: "v1:..." } };
        expect(cliConfigError("p", "dev", decl, held(ok))).toBeUndefined();
        expect(cliConfigError("p", "dev", decl, held({ ...ok, "p:s": "plain" }))).toBe(
            "Stack 'dev' with configuration key 'p:s' must be encrypted as it's secret",
        );
        expect(cliConfigError("p", "dev", decl, held({ ...ok, "p:d": "two" }))).toBe(
            "Stack 'dev' with configuration key 'p:d' must be of type 'integer'",
        );
        expect(cliConfigError("p", "dev", decl, held({ ...ok, "p:a": { x: 1 } }))).toBe(
            "Stack 'dev' with configuration key 'p:a' must be of type 'string'",
        );
    });
});

describe("every stack we ship passes the CLI's config rule against its Pulumi.yaml", () => {
    it.each(shippedStacks().map((s) => [path.relative(ROOT, s.file), s] as const))("%s", (_name, s) => {
        const project = read(s.project) as Doc;
        const stack = read(s.file);
        expect(cliConfigError(project.name, s.stack, project.config ?? {}, held(stack.config ?? {}))).toBeUndefined();
    });

    it("and so does a dev-br-<branch> preview stack", () => {
        const project = read(path.join(ROOT, "Pulumi.yaml")) as Doc;
        expect(cliConfigError("platform", "dev-br-x", project.config ?? {}, held(branchStackConfig()))).toBeUndefined();
    });

    it("covers dev, prd and local", () => {
        expect(shippedStacks().map((s) => path.relative(ROOT, s.file))).toEqual(
            expect.arrayContaining(["Pulumi.dev.yaml", "Pulumi.prd.yaml", "Pulumi.local.yaml"]),
        );
    });
});

describe("render and the CLI's rule", () => {
    /** A project that declares a secret key without a default, and a stack that lacks it. */
    function projectWithDeclaredSecret(): string {
        const root = mkdtempSync(path.join(tmpdir(), "cli-rule-"));
        const project = read(path.join(ROOT, "Pulumi.yaml"));
        project.config["platform:githubOAuthClientSecret"] = { type: "string", secret: true };
        writeFileSync(path.join(root, "Pulumi.yaml"), stringify(project));
        writeFileSync(path.join(root, "Pulumi.local.yaml"), readFileSync(path.join(ROOT, "Pulumi.local.yaml")));
        return root;
    }

    it("fails where the CLI would, with its message, instead of filling a placeholder", () => {
        const root = projectWithDeclaredSecret();
        expect(() => readStack({ root, stack: "local" })).toThrow(StackFileError);
        expect(() => readStack({ root, stack: "local" })).toThrow(
            /the Pulumi CLI refuses this stack before the program runs: Stack 'local' is missing configuration value 'platform:githubOAuthClientSecret'$/,
        );
    });

    it("fills placeholders only for secrets the CLI does not demand; the program says which the stack needs", () => {
        const input = readStack({ root: ROOT, stack: "local" });
        expect(input.config["platform:githubOAuthClientSecret"]).toMatch(/^render-placeholder-/);
        expect(input.secretKeys).toContain("platform:githubOAuthClientSecret");
    });

    it("refuses a secret stored in plain text, as the CLI did while the key was declared secret", async () => {
        const file = writeStackFile({ ...stackConfig("local"), "platform:githubOAuthClientSecret": "in-clear" });
        const err = await renderStack({ stack: "local", stackFile: file }).catch((e: Error) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems).toContainEqual(
            expect.stringMatching(/^platform:githubOAuthClientSecret: is stored in plain text/),
        );
    });
});
