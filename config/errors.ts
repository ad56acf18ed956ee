import { z } from "zod";
import { firstEntryPath, repeatParams } from "./unique";

/** A stack config problem: every message names the key path, the value given and what is allowed. */
export class ConfigError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(`invalid stack config:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/** `cluster.nodePools[1].maxCount` from `["cluster", "nodePools", 1, "maxCount"]`. */
export function keyPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const part of path) {
        if (typeof part === "number") out += `[${part}]`;
        else out += out === "" ? String(part) : `.${String(part)}`;
    }
    return out === "" ? "(stack config)" : out;
}

/** A short, single-line rendering of the value a user wrote. */
export function show(value: unknown): string {
    if (value === undefined) return "(missing)";
    const text = JSON.stringify(value);
    if (text === undefined) return String(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

type AnySchema = z.core.$ZodType;

/** The schema that governs `path` inside `root`, unwrapping defaults, optionals and pipes. */
function schemaAt(root: AnySchema, path: readonly PropertyKey[]): AnySchema | undefined {
    let current: AnySchema | undefined = unwrap(root);
    for (const part of path) {
        if (!current) return undefined;
        const def = current._zod.def as unknown as Record<string, unknown>;
        if (def.type === "object") current = (def.shape as Record<string, AnySchema>)[String(part)];
        else if (def.type === "array") current = def.element as AnySchema;
        else if (def.type === "record") current = def.valueType as AnySchema;
        else return undefined;
        current = current ? unwrap(current) : undefined;
    }
    return current;
}

function unwrap(schema: AnySchema): AnySchema {
    let current = schema;
    for (;;) {
        const def = current._zod.def as unknown as Record<string, unknown>;
        if (["default", "optional", "nullable", "prefault", "readonly"].includes(def.type as string)) {
            current = def.innerType as AnySchema;
        } else if (def.type === "pipe") {
            current = def.in as AnySchema;
        } else {
            return current;
        }
    }
}

function allowedKeys(root: AnySchema, path: readonly PropertyKey[]): string {
    const schema = schemaAt(root, path);
    const def = schema?._zod.def as unknown as Record<string, unknown> | undefined;
    if (def?.type !== "object") return "";
    return ` (allowed: ${Object.keys(def.shape as object).join(", ")})`;
}

/** One line per zod issue, in the project's `key: value problem` form. */
export function describeIssue(issue: z.core.$ZodIssue, root: AnySchema): string {
    const key = keyPath(issue.path);
    const given = show((issue as { input?: unknown }).input);
    switch (issue.code) {
        case "unrecognized_keys":
            return issue.keys
                .map((k) => `${keyPath([...issue.path, k])}: unknown key${allowedKeys(root, issue.path)}`)
                .join("\n");
        case "invalid_type":
            if ((issue as { input?: unknown }).input === undefined) {
                return `${key}: is required (expected ${issue.expected})`;
            }
            return `${key}: ${given} is not ${article(issue.expected)}`;
        case "too_small":
            return `${key}: ${given} ${bound(issue.origin, "fewer", issue.minimum)}`;
        case "too_big":
            return `${key}: ${given} ${bound(issue.origin, "more", issue.maximum)}`;
        case "invalid_value":
            return `${key}: ${given} is not one of ${issue.values.map((v) => show(v)).join(", ")}`;
        case "invalid_union":
            return `${key}: ${given} ${issue.message}`;
        case "custom": {
            const repeat = repeatParams(issue);
            if (repeat) return `${key}: ${given} repeats ${keyPath(firstEntryPath(issue.path, repeat))}`;
            return `${key}: ${given} ${issue.message}`;
        }
        default:
            return `${key}: ${given} ${issue.message}`;
    }
}

function article(expected: string): string {
    return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function bound(origin: string, side: "fewer" | "more", limit: number | bigint): string {
    const n = String(limit);
    if (origin === "string")
        return side === "fewer" ? `is shorter than ${n} characters` : `is longer than ${n} characters`;
    if (origin === "array" || origin === "set")
        return `has ${side} than ${side === "fewer" ? "the minimum" : "the maximum"} ${n} items`;
    return side === "fewer" ? `is below the minimum ${n}` : `is above the maximum ${n}`;
}
/** Throws a ConfigError listing every issue; returns the parsed value when there is none. */
export function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
    const result = schema.safeParse(raw, { reportInput: true });
    if (result.success) return result.data;
    throw new ConfigError(result.error.issues.map((i) => describeIssue(i, schema)));
}
