import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { SECRET_KEYS } from "../config/secrets";
import { cliConfigError, ConfigDeclaration, qualify as qualifyKey, StackValue } from "./cli-config";

/** What the CLI would hand the program for a stack, with every secret replaced by something safe. */
export interface StackInput {
    readonly project: string;
    readonly stack: string;
    readonly config: Record<string, string>;
    readonly secretKeys: string[];
}

export class StackFileError extends Error {
    constructor(file: string, message: string) {
        super(`${file}: ${message}`);
        this.name = "StackFileError";
    }
}

function isMapping(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isSecure(v: unknown): boolean {
    return isMapping(v) && Object.keys(v).length === 1 && typeof v.secure === "string";
}

/** Replaces `secure:` leaves inside a structured value; reports whether it found any. */
function replaceSecure(v: unknown, placeholder: string): { value: unknown; secret: boolean } {
    if (isSecure(v)) return { value: placeholder, secret: true };
    if (Array.isArray(v)) {
        const parts = v.map((x) => replaceSecure(x, placeholder));
        return { value: parts.map((p) => p.value), secret: parts.some((p) => p.secret) };
    }
    if (isMapping(v)) {
        let secret = false;
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v)) {
            const r = replaceSecure(x, placeholder);
            out[k] = r.value;
            secret ||= r.secret;
        }
        return { value: out, secret };
    }
    return { value: v, secret: false };
}

function readYaml(file: string): unknown {
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch (e) {
        throw new StackFileError(file, `cannot be read (${(e as Error).message})`);
    }
    try {
        return parse(text);
    } catch (e) {
        throw new StackFileError(file, `is not valid YAML (${(e as Error).message.split("\n")[0]})`);
    }
}

/** The placeholder a secret gets when render has no value for it. */
export function placeholder(key: string): string {
    return `render-placeholder-${key.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/**
 * Reads Pulumi.yaml and a stack file into the config the CLI would pass. The CLI's own check of the
 * stack against the project's declarations runs first (render/cli-config.ts): a stack the CLI would
 * refuse fails here with the CLI's message, placeholders never stand in for a key it demands.
 * `secure:` values cannot be decrypted offline and become placeholders; a secret the program reads
 * that the file lacks (undeclared, so the CLI does not demand it; the program's own check in
 * config/required-secrets.ts says whether the stack needs it) gets one too; `overrides` (from
 * `--secret`, standing for `pulumi config set --secret`) set secret values.
 */
export function readStack(opts: {
    readonly root: string;
    readonly stack: string;
    readonly stackFile?: string;
    readonly overrides?: Readonly<Record<string, string>>;
}): StackInput {
    const projectFile = path.join(opts.root, "Pulumi.yaml");
    const project = readYaml(projectFile);
    if (!isMapping(project) || typeof project.name !== "string")
        throw new StackFileError(projectFile, "has no project name");
    const ns = project.name;
    const declared = isMapping(project.config) ? project.config : {};

    const stackFile = opts.stackFile ?? path.join(opts.root, `Pulumi.${opts.stack}.yaml`);
    const doc = readYaml(stackFile);
    if (!isMapping(doc)) throw new StackFileError(stackFile, "is not a mapping (expected `config:` at the top)");
    const unknownTop = Object.keys(doc).filter(
        (k) => !["config", "secretsprovider", "encryptionsalt", "encryptedkey", "environment"].includes(k),
    );
    if (unknownTop.length > 0)
        throw new StackFileError(
            stackFile,
            `unknown top-level key ${unknownTop[0]} (allowed: config, secretsprovider, encryptionsalt, encryptedkey, environment)`,
        );
    const raw = doc.config ?? {};
    if (!isMapping(raw)) throw new StackFileError(stackFile, "config: is not a mapping of keys to values");

    const config: Record<string, string> = {};
    const secretKeys = new Set<string>();
    const qualify = (k: string) => qualifyKey(ns, k);

    const held: Record<string, StackValue> = Object.fromEntries(
        Object.entries(raw).map(([k, v]) => [qualify(k), { value: v, secure: isSecure(v) }]),
    );
    for (const k of Object.keys(opts.overrides ?? {})) held[qualify(k)] = { value: "", secure: true };
    const refused = cliConfigError(ns, opts.stack, declared as Record<string, ConfigDeclaration>, held);
    if (refused)
        throw new StackFileError(stackFile, `the Pulumi CLI refuses this stack before the program runs: ${refused}`);

    for (const [key, decl] of Object.entries(declared)) {
        if (isMapping(decl) && decl.default !== undefined) config[qualify(key)] = encode(decl.default);
    }
    for (const [rawKey, value] of Object.entries(raw)) {
        const key = qualify(rawKey);
        const r = replaceSecure(value, placeholder(key));
        config[key] = encode(r.value);
        if (r.secret) secretKeys.add(key);
    }
    for (const key of Object.keys(SECRET_KEYS).map(qualify)) {
        if (config[key] !== undefined) continue;
        config[key] = placeholder(key);
        secretKeys.add(key);
    }
    for (const [rawKey, value] of Object.entries(opts.overrides ?? {})) {
        const key = qualify(rawKey);
        config[key] = value;
        secretKeys.add(key);
    }
    return { project: ns, stack: opts.stack, config, secretKeys: [...secretKeys].sort() };
}

function encode(v: unknown): string {
    if (typeof v === "string") return v;
    return JSON.stringify(v);
}
