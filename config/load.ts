import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseOrThrow } from "./errors";
import { stackSchema, StackConfig } from "./schema";
import { withImages } from "./images";
import { SECRET_KEYS, SecretKey } from "./secrets";
import { requiredSecrets } from "./required-secrets";

export const NAMESPACE = "platform";

// Whether the CLI handed a key over as a secret (it lists them in PULUMI_CONFIG_SECRET_KEYS):
// internal to the SDK, but it is how the SDK itself tells secret config apart.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { isConfigSecret } = require("@pulumi/pulumi/runtime/config") as { isConfigSecret(key: string): boolean };

/** The validated stack config plus its secrets, which only ever exist as secret Outputs. */
export interface LoadedConfig {
    readonly stack: StackConfig;
    readonly secrets: Readonly<Partial<Record<SecretKey, pulumi.Output<string>>>>;
    readonly stackName: string;
}

/** Structured keys arrive as JSON text; scalars as plain text, the boolean key (bootstrap) as `true`/`false`. */
function decode(text: string): unknown {
    const t = text.trim();
    if (t === "true" || t === "false") return t === "true";
    if (t.startsWith("{") || t.startsWith("[")) {
        try {
            return JSON.parse(t);
        } catch {
            return text;
        }
    }
    return text;
}

/** Every `platform:*` key except the secret ones, plus the gcp provider keys the program reads. */
export function rawConfig(all: Record<string, string>): Record<string, unknown> {
    const raw: Record<string, unknown> = {};
    const gcp: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        const [ns, name] = splitKey(key);
        if (ns === NAMESPACE && !(name in SECRET_KEYS)) raw[name] = decode(value);
        if (ns === "gcp" && (name === "project" || name === "region")) gcp[name] = value;
    }
    if (Object.keys(gcp).length > 0) raw.gcp = gcp;
    return raw;
}

function splitKey(key: string): [string, string] {
    const i = key.indexOf(":");
    return i < 0 ? ["", key] : [key.slice(0, i), key.slice(i + 1)];
}

/**
 * Reads and validates the whole stack config and the image file it names. Throws a ConfigError
 * naming every bad key (and every secret the config needs but the stack lacks) before the program
 * declares anything.
 */
export function loadConfig(): LoadedConfig {
    // The image file (platform:imageFile) is relative to the project folder, where Pulumi runs the program.
    const stack = withImages(parseOrThrow(stackSchema, rawConfig(pulumi.runtime.allConfig())), process.cwd());
    const cfg = new pulumi.Config(NAMESPACE);
    const secrets: Partial<Record<SecretKey, pulumi.Output<string>>> = {};
    // Pulumi.yaml declares none of them (the CLI would demand each of every stack), so the check
    // its `secret: true` made is made here: a secret stored in plain text is refused.
    const plain: string[] = [];
    for (const key of Object.keys(SECRET_KEYS) as SecretKey[]) {
        const value = cfg.getSecret(key);
        if (value === undefined) continue;
        secrets[key] = value;
        if (!isConfigSecret(`${NAMESPACE}:${key}`))
            plain.push(
                `${NAMESPACE}:${key}: is stored in plain text in the stack file; set it with pulumi config set --secret ${NAMESPACE}:${key} ...`,
            );
    }
    const missing = requiredSecrets(stack).filter((need) => secrets[need.key] === undefined);
    if (missing.length > 0 || plain.length > 0) {
        throw new ConfigError([
            ...plain,
            ...missing.map(
                (m) =>
                    `${NAMESPACE}:${m.key}: is required because ${m.because} (pulumi config set --secret ${NAMESPACE}:${m.key} ...)`,
            ),
        ]);
    }
    return { stack, secrets, stackName: pulumi.getStack() };
}
