import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { SECRET_KEYS } from "../../config/secrets";
import { OUTPUTS, OUTPUTS_VERSION, outputPresent } from "../../contract/outputs";
import { parseOrThrow } from "../../config/errors";
import { rawConfig } from "../../config/load";
import { stackSchema } from "../../config/schema";
import { RenderResult, ROOT } from "../../render/render";
import { filesUnder, rendered } from "../rendered";

const run = promisify(execFile);

function tempOut(): string {
    return mkdtempSync(path.join(tmpdir(), "platform-render-"));
}

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    try {
        const { stdout, stderr } = await run(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/render.ts", ...args], {
            cwd: ROOT,
        });
        return { code: 0, stdout, stderr };
    } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
}

describe("render", () => {
    it.each(["dev", "prd"] as const)(
        "writes every file of the contract for %s, with no schema errors",
        async (stack) => {
            const result = await rendered(stack);
            expect(result.errors).toEqual([]);
            for (const f of ["resources.json", "outputs.json", "quota.json", "manifests", "helm"]) {
                expect(existsSync(path.join(result.dir, f))).toBe(true);
            }
            const resources = JSON.parse(readFileSync(path.join(result.dir, "resources.json"), "utf8"));
            expect(resources.length).toBe(result.resources.length);
            expect(resources.map((r: { type: string }) => r.type)).toContain("gcp:container/cluster:Cluster");
        },
    );

    it.each(["dev", "prd", "local"] as const)(
        "never writes a secret value it was given, whatever the key (%s)",
        async (stack) => {
            const { dir, secrets, input } = await rendered(stack);
            expect(Object.keys(secrets).sort()).toEqual(Object.keys(SECRET_KEYS).sort());
            // The program really received them.
            expect(input.config["platform:githubOAuthClientSecret"]).toBe(secrets.githubOAuthClientSecret);
            for (const file of filesUnder(dir)) {
                expect(readFileSync(file, "utf8")).not.toContain("SENTINEL-");
            }
        },
    );

    it("writes outputs with secrets as [secret] and records which are secret", async () => {
        const { dir } = await rendered("dev");
        const written = JSON.parse(readFileSync(path.join(dir, "outputs.json"), "utf8"));
        expect(written.outputs.kubeconfig).toBe("[secret]");
        expect(written.secret.kubeconfig).toBe(true);
        expect(written.outputs.domain).toBe("dev.example.org");
    });

    it("hardens prd where dev stays disposable", async () => {
        const dev = await rendered("dev");
        const prd = await rendered("prd");
        const cluster = (r: RenderResult) => r.resources.find((x) => x.type === "gcp:container/cluster:Cluster")!;
        const address = (r: RenderResult) =>
            r.resources.find((x) => x.type === "gcp:compute/address:Address" && x.name === "ingress-ip")!;
        expect(cluster(prd).inputs.deletionProtection).toBe(true);
        expect(cluster(prd).protect).toBe(true);
        expect(address(prd).protect).toBe(true);
        const zone = (r: RenderResult) => r.resources.find((x) => x.type === "gcp:dns/managedZone:ManagedZone")!;
        expect(zone(prd).protect).toBe(true);
        expect(zone(dev).protect).toBe(false);
        expect(cluster(dev).inputs.deletionProtection).toBe(false);
        expect(cluster(dev).protect).toBe(false);
        expect(address(dev).protect).toBe(false);
        // prd's control plane is regional (three zones); dev's is one zone.
        expect(cluster(prd).inputs.location).toBe("asia-northeast1");
        expect(cluster(dev).inputs.location).toBe("asia-northeast1-a");
    });

    it("renders a local stack on an existing cluster without any GCP resource", async () => {
        const result = await rendered("local");
        expect(result.resources.filter((r) => r.type.startsWith("gcp:"))).toEqual([]);
        const provider = result.resources.find((r) => r.type === "pulumi:providers:kubernetes")!;
        expect(provider.inputs.context).toBe("kind-platform");
    });
});

describe("render command", () => {
    it("exits 0 and keeps a --secret value out of every file", async () => {
        const out = tempOut();
        const { code, stdout } = await cli(
            "--stack",
            "dev",
            "--out",
            out,
            "--secret",
            "platform:githubOAuthClientSecret=CLI-SENTINEL-77",
        );
        expect(code).toBe(0);
        expect(stdout).toMatch(/render dev: \d+ resources/);
        const files = filesUnder(path.join(out, "dev"));
        expect(files.map((f) => path.basename(f))).toEqual(expect.arrayContaining(["resources.json", "outputs.json"]));
        for (const file of files) expect(readFileSync(file, "utf8")).not.toContain("CLI-SENTINEL-77");
        // A whole render in a fresh process: ~40 s on a loaded 2-core machine, past jest's 60 s once.
    }, 180_000);
});

describe("stack outputs contract", () => {
    it.each(["dev", "prd", "local"] as const)(
        "%s exports exactly the contract's outputs for its config, with their secretness",
        async (stack) => {
            const result = await rendered(stack);
            const config = parseOrThrow(stackSchema, rawConfig(result.input.config));
            const expected = Object.fromEntries(
                Object.entries(OUTPUTS)
                    .filter(([, spec]) => outputPresent(spec, config))
                    .map(([k, v]) => [k, v.secret]),
            );
            expect(result.outputSecrets).toEqual(expected);
            expect(result.outputs.outputsVersion).toBe(OUTPUTS_VERSION);
        },
    );

    it("covers outputs that only some stacks have: local lacks the GKE ones", async () => {
        const result = await rendered("local");
        expect(Object.keys(result.outputSecrets)).not.toContain("kubeconfig");
        expect(Object.keys(result.outputSecrets)).toContain("domain");
    });

    it("is documented in the README, one row per output with its secretness and presence", () => {
        const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
        const rows = readme
            .split("\n")
            .filter((l) => l.startsWith("|"))
            .map((l) => l.split(/(?<!\\)\|/).map((c) => c.trim()));
        for (const [name, spec] of Object.entries(OUTPUTS)) {
            const row = rows.find((cells) => cells[1] === `\`${name}\``);
            expect(row).toBeDefined();
            expect(row![3]).toBe(spec.secret ? "yes" : "no");
            expect(row![4]).toBe(spec.when);
        }
        expect(readme).toContain(`## Stack outputs (contract v${OUTPUTS_VERSION})`);
    });
});
