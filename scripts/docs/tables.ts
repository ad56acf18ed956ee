// Every generated block of the docs, by id (the id in its markers, see blocks.ts): the config
// tables from the stack schema, the secrets tables, and the stack outputs contract.
import { SECRET_NEEDED_WHEN } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { imageFileSchema } from "../../config/sections/image-file";
import { SECRET_KEYS, SecretKey } from "../../config/secrets";
import { IN_PLACE, REPLACEMENTS } from "../../config/replacements";
import { OUTPUTS } from "../../contract/outputs";
import { Generators } from "./blocks";
import { configTable, JsonSchema, jsonSchemaOf, markdownTable, TableSpec } from "./config-tables";

/** Every key of the stack schema is in one of these (test/config/docs.test.ts checks). */
export const CONFIG_TABLES: Readonly<Record<string, readonly TableSpec[]>> = {
    // README: the keys outside the layers' sections.
    "config:core": [
        { path: ["gcp"], key: "gcp", separator: ":" },
        { path: ["environment"], key: "platform:environment" },
        { path: ["bootstrap"], key: "platform:bootstrap" },
        { path: ["cluster"], key: "platform:cluster" },
        { path: ["network"], key: "platform:network" },
        { path: ["dns"], key: "platform:dns" },
        { path: ["registry"], key: "platform:registry" },
        { path: ["charts"], key: "platform:charts" },
        { path: ["imageFile"], key: "platform:imageFile" },
    ],
    "config:edge": [{ path: ["edge"], key: "" }],
    "config:gitops": [{ path: ["gitops"], key: "" }],
    "config:monitoring": [{ path: ["monitoring"], key: "" }],
    "config:apps": [{ path: ["apps", "*"], key: "", collapse: ["containers"] }],
    "config:apps.containers": [{ path: ["apps", "*", "containers", "[]"], key: "" }],
    "config:previews": [{ path: ["previews"], key: "" }],
    "config:preview": [{ path: ["preview"], key: "" }],
    "config:onprem": [{ path: ["onprem"], key: "", collapse: ["hosts"] }],
    "config:onprem.hosts": [{ path: ["onprem", "hosts", "*"], key: "" }],
    "config:ci": [{ path: ["ci"], key: "" }],
};

/** The secrets of one layer's page; the README lists them all. */
const SECRET_TABLES: Readonly<Record<string, readonly SecretKey[]>> = {
    secrets: Object.keys(SECRET_KEYS) as SecretKey[],
    "secrets:gitops": ["gitopsGithubToken", "gitopsWebhookUrl", "gitopsGhcrToken"],
    "secrets:monitoring": [
        "grafanaOAuthClientId",
        "grafanaOAuthClientSecret",
        "alertmanagerWebhookUrl",
        "grafanaDatabasePassword",
    ],
};

let stackJsonSchema: JsonSchema | undefined;

function configBlock(specs: readonly TableSpec[]): string {
    stackJsonSchema ??= jsonSchemaOf(stackSchema);
    return configTable(stackJsonSchema, specs);
}

function secretsBlock(keys: readonly SecretKey[]): string {
    return markdownTable(
        ["key", "needed when", "meaning"],
        keys.map((k) => [`\`${k}\``, SECRET_NEEDED_WHEN[k], SECRET_KEYS[k]]),
    );
}

/** The stack outputs contract (contract/outputs.ts), for the README. */
function outputsBlock(): string {
    return markdownTable(
        ["output", "type", "secret", "present", "example", "meaning"],
        Object.entries(OUTPUTS).map(([name, o]) => [
            `\`${name}\``,
            o.type,
            o.secret ? "yes" : "no",
            o.when,
            `\`${o.example}\``,
            o.description,
        ]),
    );
}

/** The image file's fields (`platform:imageFile`), for docs/gitops.md. */
function imageFileBlock(): string {
    return configTable(jsonSchemaOf(imageFileSchema), [{ path: [], key: "" }]);
}

/** docs/operations.md: which config changes replace what (config/replacements.ts). */
function replacementsBlock(): string {
    return markdownTable(
        ["change", "replaces", "guarded by"],
        REPLACEMENTS.map((r) => [r.config, r.replaces, r.guard]),
    );
}

function inPlaceBlock(): string {
    return markdownTable(
        ["change", "updated in place"],
        IN_PLACE.map((r) => [r.config, r.what]),
    );
}

export const GENERATORS: Generators = {
    outputs: outputsBlock,
    "image-file": imageFileBlock,
    replacements: replacementsBlock,
    "replacements:in-place": inPlaceBlock,
    ...Object.fromEntries(Object.entries(CONFIG_TABLES).map(([id, specs]) => [id, () => configBlock(specs)])),
    ...Object.fromEntries(Object.entries(SECRET_TABLES).map(([id, keys]) => [id, () => secretsBlock(keys)])),
};
