import { readFileSync } from "node:fs";
import * as path from "node:path";
import { SECRET_KEYS } from "../../config/secrets";
import { filesUnder, rendered, SharedRender } from "../rendered";
import { EXEMPTIONS } from "../../policy/exemptions";
import { RULES } from "../../policy/rules";
import { formatViolation, runRules, withOutputs } from "../../policy/run";

/** The planted values to look for: each secret, and each leaf of the JSON-shaped ones. */
function plantedValues(secrets: Record<string, string>): [string, string][] {
    return Object.entries(secrets).flatMap(([key, value]): [string, string][] => {
        if (!value.startsWith("{")) return [[key, value]];
        // onpremCredentials maps names to objects of values; onpremVpnSecrets maps names to values.
        const leaves = Object.values(JSON.parse(value) as Record<string, Record<string, string> | string>).flatMap(
            (e) => (typeof e === "string" ? [e] : Object.values(e)),
        );
        return leaves.map((leaf) => [key, leaf]);
    });
}

describe.each(["dev", "prd"] as const)("whole program, stack %s", (stack) => {
    let result: SharedRender;

    beforeAll(async () => {
        result = await rendered(stack);
    });

    it("renders without schema errors", () => {
        expect(result.errors).toEqual([]);
        expect(result.resources.length).toBeGreaterThan(0);
    });

    it("breaks no rule outside the commented exemption list", () => {
        const { violations } = runRules(withOutputs(result.resources, result.recording.outputs), {
            environment: stack,
        });
        expect(violations.map(formatViolation)).toEqual([]);
    });

    it("has no exemption that matches nothing (stale entries are removed with their reason)", () => {
        const { exempted } = runRules(withOutputs(result.resources, result.recording.outputs), {
            environment: stack,
        });
        const used = new Set(exempted.map((e) => e.exemption));
        const stale = EXEMPTIONS.filter((e) => (e.environments ?? ["dev", "prd"]).includes(stack) && !used.has(e));
        expect(stale.map((e) => `${e.rule} ${String(e.resource)}`)).toEqual([]);
    });

    it("would catch a planted violation on the real resources (the rules see what render records)", () => {
        const planted = result.resources.map((r) =>
            r.type === "gcp:container/cluster:Cluster" ? { ...r, inputs: { ...r.inputs, enableLegacyAbac: true } } : r,
        );
        const { violations } = runRules(planted, { environment: stack });
        expect(violations.map((v) => v.rule)).toEqual(["gke-no-legacy-abac"]);
    });

    it("runs every rule against this stack (each rule is enabled in some environment)", () => {
        for (const rule of RULES) expect(Object.values(rule.enforcement)).not.toEqual(["disabled", "disabled"]);
    });

    it("writes no planted secret value into any file", () => {
        const files = filesUnder(result.dir);
        expect(files.some((f) => f.endsWith("resources.json"))).toBe(true);
        const leaks: string[] = [];
        for (const f of files) {
            const text = readFileSync(f, "utf8");
            for (const [key, value] of plantedValues(result.secrets)) {
                if (text.includes(value)) leaks.push(`${path.relative(result.dir, f)} holds ${key}`);
                // base64 of the value, as a Secret's data would carry it
                if (text.includes(Buffer.from(value).toString("base64")))
                    leaks.push(`${path.relative(result.dir, f)} holds ${key} (base64)`);
            }
        }
        expect(leaks).toEqual([]);
    });

    it("really planted the sentinels (the program received them as secret config)", () => {
        for (const key of Object.keys(SECRET_KEYS)) {
            expect(result.input.config[`platform:${key}`]).toBe(result.secrets[key]);
            expect(result.input.secretKeys).toContain(`platform:${key}`);
        }
    });
});
