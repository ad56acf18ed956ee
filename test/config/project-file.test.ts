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

    it("declares every secret key the program reads, marked secret", () => {
        for (const key of Object.keys(SECRET_KEYS)) {
            expect(declared[`platform:${key}`]).toMatchObject({ type: "string", secret: true });
        }
    });

    // The docs' secrets table and the schema's descriptions are the same text (npm run docs:config).
    it("describes each key in the words of the code: the secrets' and the schema's descriptions", () => {
        for (const [key, description] of Object.entries(SECRET_KEYS)) {
            expect(declared[`platform:${key}`]?.description).toBe(description);
        }
        expect(declared["platform:environment"]?.description).toBe(stackSchema.shape.environment.description);
    });

    it("marks no key secret that the program does not treat as one", () => {
        const secretDeclared = Object.entries(declared)
            .filter(([, d]) => d.secret === true)
            .map(([k]) => k.replace(/^platform:/, ""));
        expect(secretDeclared.sort()).toEqual(Object.keys(SECRET_KEYS).sort());
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
