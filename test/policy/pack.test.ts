import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type {
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationPolicy,
} from "@pulumi/policy";
import { resolveEnvironment, stackOfUrn } from "../../policy/environment";
import { PackPolicy, policies } from "../../policy/pack";
import { RULES } from "../../policy/rules";
import { goodDeployment, k8s } from "./fixtures";

type Args = ResourceValidationArgs;

function resourceArgs(r: { urn: string; type: string; name: string; inputs: Record<string, unknown> }): Args {
    return {
        type: r.type,
        props: r.inputs,
        urn: r.urn,
        name: r.name,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        getConfig: () => ({}) as never,
        isType: () => false,
        asType: () => undefined,
    } as unknown as Args;
}

function policy(list: PackPolicy[], name: string): PackPolicy {
    const p = list.find((x) => x.name === name);
    if (!p) throw new Error(`no policy ${name} among ${list.map((x) => x.name).join(", ")}`);
    return p;
}

async function runResource(p: PackPolicy, args: Args): Promise<string[]> {
    const out: string[] = [];
    const validate = (p as ResourceValidationPolicy).validateResource;
    if (typeof validate !== "function") throw new Error(`${p.name} is not a resource policy`);
    await validate(args, (m: string) => out.push(m));
    return out;
}

describe("the CrossGuard pack", () => {
    const byStack = (urn: string) => (stackOfUrn(urn) === "prd" ? "prd" : "dev");
    const pack = policies({ environmentOf: byStack });

    it("has a policy for every rule, with CrossGuard-valid unique names", () => {
        const names = pack.map((p) => p.name);
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
        for (const rule of RULES) expect(names).toContain(rule.id);
    });

    it("splits a rule whose level depends on the environment into a mandatory and an advisory policy", () => {
        expect(policy(pack, "pod-read-only-root-fs").enforcementLevel).toBe("mandatory");
        expect(policy(pack, "pod-read-only-root-fs-advisory").enforcementLevel).toBe("advisory");
        expect(pack.find((p) => p.name === "pod-privileged-advisory")).toBeUndefined();
        expect(pack.find((p) => p.name === "workload-pdb-advisory")).toBeUndefined();
    });

    it("reports a violation from the mandatory policy on prd and from the advisory one on dev", async () => {
        const bad = goodDeployment(
            (d) => (d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
        );
        const prd = k8s(bad, {});
        const prdArgs = resourceArgs({ ...prd, urn: prd.urn.replace("urn:pulumi:test::", "urn:pulumi:prd::") });
        const devArgs = resourceArgs({ ...prd, urn: prd.urn.replace("urn:pulumi:test::", "urn:pulumi:dev::") });
        const mandatory = policy(pack, "pod-read-only-root-fs");
        const advisory = policy(pack, "pod-read-only-root-fs-advisory");
        expect(await runResource(mandatory, prdArgs)).toEqual([
            "Deployment vote/web: spec.template.spec.containers[web].securityContext.readOnlyRootFilesystem must be true",
        ]);
        expect(await runResource(advisory, prdArgs)).toEqual([]);
        expect(await runResource(mandatory, devArgs)).toEqual([]);
        expect(await runResource(advisory, devArgs)).toHaveLength(1);
        expect(await runResource(mandatory, resourceArgs({ ...k8s(goodDeployment()), urn: prdArgs.urn }))).toEqual([]);
    });

    it("skips objects a Helm chart renders (children of a v4 Chart)", async () => {
        const bad = k8s(goodDeployment((d) => (d.spec.template.spec.hostNetwork = true)));
        const urn =
            "urn:pulumi:prd::platform::pulumi:pulumi:Stack$kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::edge-traefik:edge/traefik";
        expect(await runResource(policy(pack, "pod-host-namespaces"), resourceArgs({ ...bad, urn }))).toEqual([]);
        const own = bad.urn.replace("urn:pulumi:test::", "urn:pulumi:prd::");
        expect(await runResource(policy(pack, "pod-host-namespaces"), resourceArgs({ ...bad, urn: own }))).toHaveLength(
            1,
        );
    });

    it("runs cross-resource rules as stack validations over every resource", async () => {
        const ns = k8s({
            apiVersion: "v1",
            kind: "Namespace",
            metadata: { name: "vote", labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        });
        const urn = ns.urn.replace("urn:pulumi:test::", "urn:pulumi:prd::");
        const resource = {
            type: ns.type,
            name: ns.name,
            urn,
            props: ns.inputs,
            opts: { protect: false },
            dependencies: [],
            propertyDependencies: {},
        } as unknown as PolicyResource;
        const p = policy(pack, "namespace-resource-quota") as StackValidationPolicy;
        const out: string[] = [];
        await p.validateStack(
            { resources: [resource], stackTags: new Map(), getConfig: () => ({}) as never } as never,
            (m: string) => out.push(m),
        );
        expect(out).toEqual(["Namespace vote: has no ResourceQuota"]);
    });
});

describe("the pack's environment", () => {
    const urn = (stack: string) => `urn:pulumi:${stack}::platform::pulumi:pulumi:Stack::platform-${stack}`;
    const empty = mkdtempSync(path.join(tmpdir(), "guardrails-env-"));

    it("comes from PLATFORM_ENVIRONMENT first", () => {
        expect(resolveEnvironment(urn("prd"), { env: { PLATFORM_ENVIRONMENT: "dev" }, projectDir: empty })).toBe("dev");
    });

    it("then from platform:environment in the stack's file", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "guardrails-env-"));
        writeFileSync(path.join(dir, "Pulumi.staging.yaml"), "config:\n  platform:environment: dev\n");
        expect(resolveEnvironment(urn("staging"), { env: {}, projectDir: dir })).toBe("dev");
        // the project's own stack files say what they are
        expect(resolveEnvironment(urn("dev"), { env: {}, projectDir: path.resolve(__dirname, "../..") })).toBe("dev");
        expect(resolveEnvironment(urn("prd"), { env: {}, projectDir: path.resolve(__dirname, "../..") })).toBe("prd");
    });

    it("then from the stack name, else prd (the stricter one)", () => {
        expect(resolveEnvironment(urn("club-dev"), { env: {}, projectDir: empty })).toBe("dev");
        expect(resolveEnvironment(urn("experiment"), { env: {}, projectDir: empty })).toBe("prd");
        expect(resolveEnvironment("not-a-urn", { env: {}, projectDir: empty })).toBe("prd");
    });
});

describe("docs/policy.md", () => {
    const doc = readFileSync(path.resolve(__dirname, "../../docs/policy.md"), "utf8");
    it("lists every rule with its benchmark item or rationale", () => {
        const rows = doc
            .split("\n")
            .filter((l) => l.startsWith("| `"))
            .map((l) => l.split(" | ").map((c) => c.replace(/^\|\s*|\s*\|$/g, "").trim()));
        for (const rule of RULES) {
            const row = rows.find((r) => r[0] === `\`${rule.id}\``);
            expect({ id: rule.id, listed: row !== undefined }).toEqual({ id: rule.id, listed: true });
            expect(row![2]).toBe(rule.benchmark);
            expect(row!.slice(3)).toEqual([rule.enforcement.dev, rule.enforcement.prd]);
        }
    });
});
