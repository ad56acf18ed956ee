// Configuration tables from the stack schema: one row per documented key with its type (allowed
// values from enums and literals), its default (the schema's own `.default(...)`) and its meaning
// (the field's `.meta({ description })`). Read through zod's JSON Schema export, so what a row says
// is what the schema validates.
import { isDeepStrictEqual } from "node:util";
import { stringify } from "yaml";
import { z } from "zod";

/** The subset of JSON Schema that `z.toJSONSchema` writes for the stack schema. */
export interface JsonSchema {
    readonly type?: string;
    readonly description?: string;
    readonly default?: unknown;
    readonly enum?: readonly unknown[];
    readonly const?: unknown;
    readonly format?: string;
    readonly minimum?: number;
    readonly maximum?: number;
    readonly exclusiveMinimum?: number;
    readonly maxLength?: number;
    readonly properties?: Readonly<Record<string, JsonSchema>>;
    readonly required?: readonly string[];
    readonly items?: JsonSchema;
    readonly additionalProperties?: JsonSchema | boolean;
    readonly anyOf?: readonly JsonSchema[];
    readonly oneOf?: readonly JsonSchema[];
}

export interface Row {
    readonly key: string;
    readonly type: string;
    readonly default: string;
    readonly meaning: string;
}

/** Which part of the schema a table shows, and how its keys are written. */
export interface TableSpec {
    /**
     * Path from the schema's root: property names, `[]` for an array's items, `*` for a map's
     * values (e.g. `["apps", "*", "containers", "[]"]`).
     */
    readonly path: readonly string[];
    /** How the node's own key is written (`platform:cluster`); "" writes its fields' keys bare. */
    readonly key: string;
    /** Between `key` and a field name. @default "." */
    readonly separator?: string;
    /** Keys (as written) shown as one row, their fields left to another table. @default [] */
    readonly collapse?: readonly string[];
}

/** Defaults longer than this go below the table instead of into it. */
const LONG_DEFAULT = 48;

export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
    return z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
}

function at(root: JsonSchema, spec: TableSpec): JsonSchema {
    let node = root;
    for (const part of spec.path) {
        const next =
            part === "[]"
                ? node.items
                : part === "*"
                  ? typeof node.additionalProperties === "object"
                      ? node.additionalProperties
                      : undefined
                  : node.properties?.[part];
        if (!next) throw new Error(`config docs: the schema has no ${spec.path.join(".")} (stops at ${part})`);
        node = next;
    }
    return node;
}

/** A value as it is written in a stack file (YAML flow style), e.g. `{ cpu: 100m, memory: 128Mi }`. */
export function yamlValue(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(yamlValue).join(", ")}]`;
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value);
        return entries.length === 0 ? "{}" : `{ ${entries.map(([k, v]) => `${k}: ${yamlValue(v)}`).join(", ")} }`;
    }
    return stringify(value, { lineWidth: 0 }).trim();
}

const code = (text: string) => `\`${text}\``;

function isRecord(node: JsonSchema): node is JsonSchema & { additionalProperties: JsonSchema } {
    return node.type === "object" && typeof node.additionalProperties === "object";
}

/** The property every member of a `oneOf` fixes with a `const`: the union's discriminator. */
function discriminator(node: JsonSchema): string | undefined {
    const members = node.oneOf ?? [];
    const first = members[0]?.properties ?? {};
    return Object.keys(first).find((k) => members.every((m) => m.properties?.[k]?.const !== undefined));
}

/**
 * The fields of an object, or of every member of a discriminated union merged: a field only some
 * members have says which in `only`.
 */
function fieldsOf(
    node: JsonSchema,
): { name: string; schema: JsonSchema; required: boolean; only?: string }[] | undefined {
    if (node.properties) {
        return Object.entries(node.properties).map(([name, schema]) => ({
            name,
            schema,
            required: node.required?.includes(name) ?? false,
        }));
    }
    const d = discriminator(node);
    if (!d) return undefined;
    const members = node.oneOf!;
    const names = [...new Set(members.flatMap((m) => Object.keys(m.properties ?? {})))];
    return names.map((name) => {
        const having = members.filter((m) => m.properties?.[name] !== undefined);
        const schemas = having.map((m) => m.properties![name]!);
        const schema: JsonSchema =
            name === d
                ? { description: schemas.find((s) => s.description)?.description, enum: schemas.map((s) => s.const) }
                : { ...schemas[0], description: schemas.find((s) => s.description)?.description };
        const values = having.map((m) => code(`${d}: ${yamlValue(m.properties![d]!.const)}`));
        return {
            name,
            schema,
            required: having.every((m) => m.required?.includes(name)),
            only: having.length < members.length ? `With ${values.join(" or ")}: ` : undefined,
        };
    });
}

/** Whether the node's fields get rows of their own (they do when any of them is documented). */
function expands(node: JsonSchema): boolean {
    return (fieldsOf(node) ?? []).some((f) => documented(f.schema));
}

function documented(node: JsonSchema): boolean {
    if (node.description) return true;
    const inner = node.items ?? (isRecord(node) ? node.additionalProperties : undefined);
    return inner ? documented(inner) : expands(node);
}

/** How a type reads in the table: `integer 1-10`, `` `gke` \| `existing` ``, `{ cpu, memory }`, `string[]`. */
export function typeOf(node: JsonSchema): string {
    if (node.enum) return node.enum.map((v) => code(yamlValue(v))).join(" | ");
    if (node.const !== undefined) return code(yamlValue(node.const));
    if (node.anyOf ?? node.oneOf) return (node.anyOf ?? node.oneOf)!.map(typeOf).join(" | ");
    if (node.type === "array") {
        // An item's bounds are left to the description: `integer >= 1[]` reads badly.
        const items = node.items ?? {};
        const item = items.type && !items.enum ? items.type : typeOf(items);
        return item.includes(" | ") ? `(${item})[]` : `${item}[]`;
    }
    if (isRecord(node)) {
        const value = typeOf(node.additionalProperties);
        return `map of ${value.includes(" | ") ? `(${value})` : value}`;
    }
    if (node.type === "object") {
        const fields = Object.keys(node.properties ?? {}).map((k) => (node.required?.includes(k) ? k : `${k}?`));
        return fields.length > 0 && fields.length <= 3 ? `{ ${fields.join(", ")} }` : "object";
    }
    if (node.type === "integer" || node.type === "number") {
        const min = node.minimum ?? (node.exclusiveMinimum !== undefined ? node.exclusiveMinimum + 1 : undefined);
        const max = node.maximum === Number.MAX_SAFE_INTEGER ? undefined : node.maximum;
        if (min !== undefined && max !== undefined) return `${node.type} ${min}-${max}`;
        if (min !== undefined) return `${node.type} >= ${min}`;
        return node.type;
    }
    if (node.type === "string" && node.format === "email") return "email";
    if (node.type === "string" && node.maxLength !== undefined) return `string (max ${node.maxLength})`;
    return node.type ?? "any";
}

/** The default of an object whose fields all have their own: `{}` when omitting it gives exactly those. */
function objectDefault(node: JsonSchema, value: unknown): string {
    const implied = Object.fromEntries(
        Object.entries(node.properties ?? {})
            .filter(([, s]) => s.default !== undefined)
            .map(([k, s]) => [k, s.default]),
    );
    return isDeepStrictEqual(implied, value) ? "{}" : yamlValue(value);
}

export interface Table {
    readonly rows: readonly Row[];
    /** Defaults too long for a cell, by key. */
    readonly longDefaults: readonly { key: string; value: string }[];
}

/** The rows of one table; throws naming every key that has no description. */
export function tableRows(root: JsonSchema, spec: TableSpec): Table {
    const rows: Row[] = [];
    const longDefaults: { key: string; value: string }[] = [];
    const undocumented: string[] = [];
    const sep = spec.separator ?? ".";
    const join = (base: string, name: string, s = ".") => (base === "" ? name : `${base}${s}${name}`);

    const row = (key: string, node: JsonSchema, required: boolean, only = "", shape?: string) => {
        if (!node.description) {
            undocumented.push(key);
            return;
        }
        let value =
            node.default === undefined
                ? required
                    ? "required"
                    : "—"
                : code(shape === "object" ? objectDefault(node, node.default) : yamlValue(node.default));
        if (value.length > LONG_DEFAULT) {
            longDefaults.push({ key, value: defaultList(node.default) });
            value = "see below";
        }
        rows.push({
            key: code(key),
            type: shape ?? typeOf(node),
            default: value,
            meaning: qualified(only, node.description),
        });
    };

    // Arrays and maps of objects get a row and then their items' fields (`key[].field`,
    // `key.<name>.field`); an object gets a row when it is documented itself, then its fields.
    const walk = (key: string, node: JsonSchema, required: boolean, only?: string): void => {
        const open = !(spec.collapse?.includes(key) ?? false);
        if (node.type === "array" && node.items && expands(node.items)) {
            row(key, node, required, only, "object[]");
            if (open) children(`${key}[]`, node.items);
        } else if (isRecord(node) && expands(node.additionalProperties)) {
            row(key, node, required, only, "map of object");
            if (open) children(`${key}.<name>`, node.additionalProperties);
        } else if (open && (node.properties || node.oneOf) && expands(node)) {
            if (node.description) row(key, node, required, only, "object");
            children(key, node);
        } else {
            row(key, node, required, only);
        }
    };
    const children = (key: string, node: JsonSchema, s = "."): void => {
        for (const f of fieldsOf(node) ?? []) walk(join(key, f.name, s), f.schema, f.required, f.only);
    };

    const node = at(root, spec);
    // A scalar straight under the root (e.g. platform:environment) is required when the root says so.
    const required = spec.path.length === 1 ? (root.required?.includes(spec.path[0]!) ?? false) : true;
    if (fieldsOf(node)) children(spec.key, node, sep);
    else walk(spec.key, node, required);
    if (undocumented.length > 0) {
        throw new Error(
            `config docs: no description for ${undocumented.join(", ")}; add .meta({ description: "..." }) to the field in config/`,
        );
    }
    return { rows, longDefaults };
}

/** A description after a qualifier such as "With `module: http`: ", its first word lower-cased. */
function qualified(only: string, description: string): string {
    return only === "" ? description : only + description.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
}

/** A long default spelled out: list items one by one, anything else as YAML. */
function defaultList(value: unknown): string {
    return Array.isArray(value) && value.every((v) => typeof v !== "object")
        ? value.map((v) => code(yamlValue(v))).join(", ")
        : code(yamlValue(value));
}

/** Escapes what would end a table cell. */
export function cell(text: string): string {
    return text.replace(/\r?\n/g, " ").replace(/(?<!\\)\|/g, "\\|");
}

/** A Markdown table; Prettier aligns it afterwards. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
    const line = (cells: readonly string[]) => `| ${cells.map(cell).join(" | ")} |`;
    return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** One table of the specs' rows in order, with the long defaults listed under it. */
export function configTable(root: JsonSchema, specs: readonly TableSpec[]): string {
    const tables = specs.map((s) => tableRows(root, s));
    const table = markdownTable(
        ["key", "type", "default", "meaning"],
        tables.flatMap((t) => t.rows).map((r) => [r.key, r.type, r.default, r.meaning]),
    );
    const notes = tables.flatMap((t) => t.longDefaults).map((d) => `- ${code(d.key)}: ${d.value}`);
    return notes.length === 0 ? table : `${table}\n\nDefaults too long for the table:\n\n${notes.join("\n")}`;
}
