/**
 * The Pulumi CLI's own check of a stack's config against the project's declarations, run before
 * any program: pulumi/pulumi `sdk/go/common/workspace/config.go` `mergeConfig` (3.x), rule by rule.
 *
 * 1. A key declared in the project's namespace with neither `default` nor `value` that the stack
 *    lacks is missing: `Stack 'dev' is missing configuration value 'platform:x'` (several: sorted,
 *    `'a', 'b' and 'c'`). A conditional requirement can therefore not be declared: the CLI refuses
 *    every stack without the key, whether it needs it or not.
 * 2. Otherwise the default is filled in, then every explicitly typed declaration is checked:
 *    a `secret: true` key whose value is not `secure:` (a default included) fails with
 *    `Stack 'dev' with configuration key 'platform:x' must be encrypted as it's secret`;
 *    a value not of the declared type fails with `... must be of type 'string'`.
 */

export interface ConfigDeclaration {
    readonly type?: string;
    readonly items?: { readonly type: string };
    readonly secret?: boolean;
    readonly default?: unknown;
    readonly value?: unknown;
}

/** One stack value as the stack file holds it. */
export interface StackValue {
    readonly value: unknown;
    /** Written `secure: ...` (encrypted). */
    readonly secure: boolean;
}

/** The key as the CLI parses it: `ns:key`, or the project's namespace when there is none. */
export function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/** The first error the CLI stops at for this stack, or undefined when it would run the program. */
export function cliConfigError(
    project: string,
    stack: string,
    declared: Readonly<Record<string, ConfigDeclaration>>,
    values: Readonly<Record<string, StackValue>>,
): string | undefined {
    const merged = new Map(Object.entries(values).map(([k, v]) => [qualify(project, k), v]));
    const keys = Object.keys(declared).sort();
    const missing: string[] = [];
    for (const key of keys) {
        const decl = declared[key]!;
        const q = qualify(project, key);
        const hasDefault = decl.default !== undefined && decl.default !== null;
        const hasValue = decl.value !== undefined && decl.value !== null;
        if (!merged.has(q) && !hasDefault && !hasValue && q.startsWith(`${project}:`)) {
            missing.push(key);
            continue;
        }
        if (!merged.has(q)) merged.set(q, { value: hasDefault ? decl.default : decl.value, secure: false });
    }
    if (missing.length > 0) {
        return `Stack '${stack}' is missing configuration ${missing.length > 1 ? "values" : "value"} ${formatKeys(missing)}`;
    }
    for (const key of keys) {
        const decl = declared[key]!;
        if (decl.type === undefined) continue;
        const v = merged.get(qualify(project, key));
        if (!v) continue;
        if (decl.secret === true && !v.secure)
            return `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`;
        // The CLI keeps a scalar as its text and an object as JSON; a secure value is checked once
        // decrypted, which render cannot do.
        const content = typeof v.value === "object" && v.value !== null ? v.value : String(v.value);
        if (!v.secure && !ofType(decl.type, decl.items?.type, content)) {
            const type = decl.items ? `array<${decl.items.type}>` : decl.type;
            return `Stack '${stack}' with configuration key '${key}' must be of type '${type}'`;
        }
    }
    return undefined;
}

/** `'a'`, or `'a' and 'b'`, or `'a', 'b' and 'c'`, sorted: the CLI's wording. */
function formatKeys(keys: string[]): string {
    if (keys.length === 1) return `'${keys[0]}'`;
    const sorted = [...keys].sort();
    return `${sorted
        .slice(0, -1)
        .map((k) => `'${k}'`)
        .join(", ")} and '${sorted[sorted.length - 1]}'`;
}

function ofType(type: string, items: string | undefined, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return (
                (typeof value === "number" && Number.isInteger(value)) ||
                (typeof value === "string" && /^[+-]?\d+$/.test(value))
            );
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "array":
            return Array.isArray(value) && items !== undefined && value.every((x) => ofType(items, undefined, x));
        default:
            return false;
    }
}
