import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { stackSchema } from "../../config/schema";
import { SECRET_KEYS } from "../../config/secrets";
import { ROOT } from "../../render/render";

const project = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
const declared: Record<string, Record<string, unknown>> = project.config;

describe("Pulumi.yaml", () => {
    it("is the nodejs project 'platform'", () => {
        expect(project.name).toBe("platform");
        expect(project.runtime.name).toBe("nodejs");
    });

    // The CLI demands every declared key without a default of every stack (test/config/cli-rule.test.ts):
    // the secrets, each needed only by some stacks, are the program's to demand (config/required-secrets.ts).
    it("declares no secret: each is needed by some stacks only, and the program demands those", () => {
        for (const key of Object.keys(SECRET_KEYS)) expect(declared[`platform:${key}`]).toBeUndefined();
        expect(Object.values(declared).filter((d) => d.secret === true)).toEqual([]);
    });

    // The docs' tables and the schema's descriptions are the same text (npm run docs:config).
    it("describes each key in the words of the code: the schema's descriptions", () => {
        expect(declared["platform:environment"]?.description).toBe(stackSchema.shape.environment.description);
    });

    // The CLI refuses a project file that breaks these rules; no mock run would notice.
    it("uses only declaration fields and types the Pulumi CLI accepts", () => {
        for (const [key, decl] of Object.entries(declared)) {
            expect(["string", "integer", "boolean", "array"]).toContain(decl.type);
            for (const field of Object.keys(decl)) {
                expect([
                    `${key}:type`,
                    `${key}:items`,
                    `${key}:description`,
                    `${key}:secret`,
                    `${key}:default`,
                ]).toContain(`${key}:${field}`);
            }
            if (decl.type === "array") expect(decl.items).toBeDefined();
        }
    });
});
