import { z } from "zod";

/**
 * What identifies an entry of a list: a field of the entry (`"name"`), a function of the entry with
 * the field the error points at (`{ field: "port", key: (p) => `${p.port}/${p.protocol}` }`), or,
 * for a list of plain values, `{ key }` alone (the value, normalised, e.g. lower-cased).
 */
export type ListKey<T> =
    | (T extends object ? keyof T & string : never)
    | { readonly field?: T extends object ? keyof T & string : never; readonly key: (entry: T) => string };

/** What a repeated entry's issue carries, so the message can name the first entry's full key path. */
export interface RepeatParams {
    /** Index of the entry that came first. */
    readonly repeats: number;
    /** Path segments after the index (`["name"]`, or `[]` for a plain value). */
    readonly field: readonly string[];
}

/** Marker on the check `uniqueList` adds; the schema walk in the tests looks for it. */
const UNIQUE = "platform.uniqueList";

/**
 * A list whose entries are keyed (by name, address, ...): an entry whose key an earlier entry
 * already has is refused, naming both. With no key, the entries themselves must be distinct.
 * config/errors.ts words the issue as `cluster.nodePools[2].name: "burst" repeats cluster.nodePools[0].name`.
 */
export function uniqueList<S extends z.ZodType>(element: S, ...keys: ListKey<z.output<S>>[]) {
    type T = z.output<S>;
    const rules = (keys.length > 0 ? keys : [{ key: (v: T) => JSON.stringify(v) }]).map((k) =>
        typeof k === "string"
            ? { field: [k as string], key: (v: T) => JSON.stringify((v as Record<string, unknown>)[k]) }
            : { field: k.field ? [k.field as string] : [], key: k.key },
    );
    const list = z.array(element).superRefine((entries, ctx) => {
        for (const rule of rules) {
            const seen = new Map<string, number>();
            entries.forEach((entry, i) => {
                const key = rule.key(entry);
                const first = seen.get(key);
                if (first === undefined) {
                    seen.set(key, i);
                    return;
                }
                const input = rule.field.reduce<unknown>((v, f) => (v as Record<string, unknown>)?.[f], entry);
                const params: RepeatParams = { repeats: first, field: rule.field };
                ctx.addIssue({
                    code: "custom",
                    path: [i, ...rule.field],
                    input,
                    params,
                    // describeIssue replaces this with the first entry's full key path.
                    message: `repeats entry [${first}]${rule.field.map((f) => `.${f}`).join("")}`,
                });
            });
        }
    });
    const check = list._zod.def.checks?.at(-1);
    if (check) (check._zod.def as unknown as Record<string, unknown>)[UNIQUE] = rules.map((r) => r.field.join("."));
    return list;
}

/** The keys a list schema refuses repeats of (`""` for the value itself); undefined when it checks none. */
export function uniqueKeysOf(schema: z.core.$ZodType): readonly string[] | undefined {
    const checks = (schema._zod.def as { checks?: z.core.$ZodCheck[] }).checks ?? [];
    for (const c of checks) {
        const keys = (c._zod.def as unknown as Record<string, unknown>)[UNIQUE];
        if (Array.isArray(keys)) return keys as string[];
    }
    return undefined;
}

/** The key path of the entry a repeat issue points back at, from the repeat's own path. */
export function firstEntryPath(path: readonly PropertyKey[], params: RepeatParams): PropertyKey[] {
    const at = path.length - params.field.length - 1;
    return [...path.slice(0, at), params.repeats, ...path.slice(at + 1)];
}

/** Whether a zod issue is a repeated entry of a `uniqueList`. */
export function repeatParams(issue: z.core.$ZodIssue): RepeatParams | undefined {
    if (issue.code !== "custom") return undefined;
    const p = (issue as { params?: Partial<RepeatParams> }).params;
    return p && typeof p.repeats === "number" && Array.isArray(p.field) ? (p as RepeatParams) : undefined;
}
