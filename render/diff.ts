import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";

/**
 * Compares two render output directories (`<dir>/<stack>/...` as `npm run render` writes them)
 * and summarises what a change does: resources added, changed and removed, output changes, and
 * unified diffs of the manifests and chart values. It reads only what render wrote, in which
 * secrets are already `[secret]`, so the summary cannot hold one either.
 */

interface ResourceRecord {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly parent?: string;
    readonly provider?: string;
    readonly dependsOn?: readonly string[];
    readonly protect?: boolean;
    readonly retainOnDelete?: boolean;
    readonly inputs?: unknown;
}

export interface ResourceChange {
    readonly type: string;
    readonly name: string;
    /** Changed paths, e.g. `inputs.spec.replicas`, `dependsOn`. */
    readonly fields: string[];
}

export interface FileChange {
    /** Path inside the stack directory, e.g. `manifests/vote/Deployment-api.yaml`. */
    readonly path: string;
    readonly status: "added" | "removed" | "changed";
    /** Unified diff of the file. */
    readonly diff: string;
}

export interface StackDiff {
    readonly stack: string;
    /** Why a side could not be read (it did not render), if so. */
    readonly baseMissing: boolean;
    readonly headMissing: boolean;
    readonly added: ResourceRecord[];
    readonly removed: ResourceRecord[];
    readonly changed: ResourceChange[];
    /** `name: old -> new` lines for stack outputs (secret ones compare as `[secret]`). */
    readonly outputs: string[];
    readonly files: FileChange[];
}

function readJson(file: string): unknown {
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as unknown) : undefined;
}

/** Files under `root/sub`, recursively, as sorted paths relative to `root` (posix separators). */
export function listFiles(root: string, sub: string): string[] {
    const dir = path.join(root, sub);
    if (!existsSync(dir)) return [];
    const out: string[] = [];
    const walk = (rel: string) => {
        for (const entry of readdirSync(path.join(root, rel)).sort()) {
            const r = path.posix.join(rel, entry);
            if (statSync(path.join(root, r)).isDirectory()) walk(r);
            else out.push(r);
        }
    };
    walk(sub);
    return out;
}

/** Leaf paths where two JSON values differ (at most `limit`). */
export function changedPaths(a: unknown, b: unknown, prefix = "", limit = 20): string[] {
    const out: string[] = [];
    const visit = (x: unknown, y: unknown, p: string) => {
        if (out.length >= limit) return;
        const xo = typeof x === "object" && x !== null;
        const yo = typeof y === "object" && y !== null;
        if (xo && yo && Array.isArray(x) === Array.isArray(y)) {
            const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
            for (const k of keys) {
                const key = Array.isArray(x) ? `${p}[${k}]` : p ? `${p}.${k}` : k;
                visit((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], key);
            }
            return;
        }
        if (JSON.stringify(x) !== JSON.stringify(y)) out.push(p || "(value)");
    };
    visit(a, b, prefix);
    return out;
}

type Op = { kind: " " | "-" | "+"; line: string };

/** Line operations turning `a` into `b` (longest common subsequence). */
function lineOps(a: string[], b: string[]): Op[] {
    // Trim the common head and tail first; what is left is usually small.
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) start++;
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA--;
        endB--;
    }
    const head: Op[] = a.slice(0, start).map((line) => ({ kind: " ", line }));
    const tail: Op[] = a.slice(endA).map((line) => ({ kind: " ", line }));
    const x = a.slice(start, endA);
    const y = b.slice(start, endB);
    const mid: Op[] = [];
    if (x.length * y.length > 4_000_000) {
        // Too large to align: show it as replaced.
        mid.push(...x.map((line): Op => ({ kind: "-", line })), ...y.map((line): Op => ({ kind: "+", line })));
    } else {
        const n = x.length;
        const m = y.length;
        const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
        for (let i = n - 1; i >= 0; i--)
            for (let j = m - 1; j >= 0; j--)
                lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
        let i = 0;
        let j = 0;
        while (i < n && j < m) {
            if (x[i] === y[j]) {
                mid.push({ kind: " ", line: x[i]! });
                i++;
                j++;
            } else if (lcs[i + 1]![j]! >= lcs[i]![j + 1]!) mid.push({ kind: "-", line: x[i++]! });
            else mid.push({ kind: "+", line: y[j++]! });
        }
        while (i < n) mid.push({ kind: "-", line: x[i++]! });
        while (j < m) mid.push({ kind: "+", line: y[j++]! });
    }
    return [...head, ...mid, ...tail];
}

function splitLines(text: string): string[] {
    if (text === "") return [];
    const lines = text.split("\n");
    if (lines[lines.length - 1] === "") lines.pop();
    return lines;
}

/** A unified diff (`@@ -a,b +c,d @@` hunks with `context` lines around each change). */
export function unifiedDiff(before: string, after: string, context = 3): string {
    const ops = lineOps(splitLines(before), splitLines(after));
    const changes = ops.map((o, i) => (o.kind === " " ? -1 : i)).filter((i) => i >= 0);
    if (changes.length === 0) return "";
    const hunks: [number, number][] = [];
    for (const i of changes) {
        const lo = Math.max(0, i - context);
        const hi = Math.min(ops.length, i + context + 1);
        const last = hunks[hunks.length - 1];
        if (last && lo <= last[1]) last[1] = Math.max(last[1], hi);
        else hunks.push([lo, hi]);
    }
    const out: string[] = [];
    for (const [lo, hi] of hunks) {
        let aLine = 1;
        let bLine = 1;
        for (let k = 0; k < lo; k++) {
            if (ops[k]!.kind !== "+") aLine++;
            if (ops[k]!.kind !== "-") bLine++;
        }
        const slice = ops.slice(lo, hi);
        const aCount = slice.filter((o) => o.kind !== "+").length;
        const bCount = slice.filter((o) => o.kind !== "-").length;
        out.push(`@@ -${aCount === 0 ? aLine - 1 : aLine},${aCount} +${bCount === 0 ? bLine - 1 : bLine},${bCount} @@`);
        for (const o of slice) out.push(`${o.kind}${o.line}`);
    }
    return `${out.join("\n")}\n`;
}

/** Compares one stack's render in `baseRoot/<stack>` and `headRoot/<stack>`. */
export function diffStack(baseRoot: string, headRoot: string, stack: string): StackDiff {
    const base = path.join(baseRoot, stack);
    const head = path.join(headRoot, stack);
    const baseMissing = !existsSync(path.join(base, "resources.json"));
    const headMissing = !existsSync(path.join(head, "resources.json"));

    const load = (dir: string) =>
        new Map(((readJson(path.join(dir, "resources.json")) ?? []) as ResourceRecord[]).map((r) => [r.urn, r]));
    const before = load(base);
    const after = load(head);
    const skip = (r: ResourceRecord) => r.type === "pulumi:pulumi:Stack";
    const added = [...after.values()].filter((r) => !skip(r) && !before.has(r.urn));
    const removed = [...before.values()].filter((r) => !skip(r) && !after.has(r.urn));
    const changed: ResourceChange[] = [];
    for (const [urn, r] of after) {
        const old = before.get(urn);
        if (!old || skip(r)) continue;
        const fields = changedPaths(old.inputs ?? {}, r.inputs ?? {}, "inputs");
        for (const k of ["parent", "provider", "dependsOn", "protect", "retainOnDelete"] as const) {
            if (JSON.stringify(old[k] ?? null) !== JSON.stringify(r[k] ?? null)) fields.push(k);
        }
        if (fields.length > 0) changed.push({ type: r.type, name: r.name, fields });
    }

    type Outputs = { outputs?: Record<string, unknown>; secret?: Record<string, boolean> };
    const oa = (readJson(path.join(base, "outputs.json")) ?? {}) as Outputs;
    const ob = (readJson(path.join(head, "outputs.json")) ?? {}) as Outputs;
    const outputs: string[] = [];
    const show = (v: unknown) => (v === undefined ? "(none)" : JSON.stringify(v));
    for (const k of [...new Set([...Object.keys(oa.outputs ?? {}), ...Object.keys(ob.outputs ?? {})])].sort()) {
        const va = oa.outputs?.[k];
        const vb = ob.outputs?.[k];
        const sa = oa.secret?.[k] ?? false;
        const sb = ob.secret?.[k] ?? false;
        if (JSON.stringify(va) !== JSON.stringify(vb) || sa !== sb) {
            const secretness = sa !== sb ? ` (secret: ${sa} -> ${sb})` : "";
            outputs.push(`${k}: ${show(va)} -> ${show(vb)}${secretness}`);
        }
    }

    const files: FileChange[] = [];
    const names = (dir: string) => new Set([...listFiles(dir, "manifests"), ...listFiles(dir, "helm")]);
    const fa = names(base);
    const fb = names(head);
    for (const f of [...new Set([...fa, ...fb])].sort()) {
        const ta = fa.has(f) ? readFileSync(path.join(base, f), "utf8") : "";
        const tb = fb.has(f) ? readFileSync(path.join(head, f), "utf8") : "";
        if (ta === tb) continue;
        const status = !fa.has(f) ? "added" : !fb.has(f) ? "removed" : "changed";
        files.push({ path: f, status, diff: unifiedDiff(ta, tb) });
    }
    return { stack, baseMissing, headMissing, added, removed, changed, outputs, files };
}

/** Marker the comment is found and updated by. */
export const COMMENT_MARKER = "<!-- platform:render-diff -->";

export interface FormatOptions {
    /** Heading line. @default "Offline render: base → pull request" */
    readonly title?: string;
    /** Size budget of the whole text (GitHub comments hold 65536 characters). @default 60000 */
    readonly maxChars?: number;
    /** Lines kept per file diff. @default 150 */
    readonly maxLinesPerFile?: number;
}

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
    return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
    const ticks = "`".repeat(Math.max(1, ...[...text.matchAll(/`+/g)].map((m) => m[0].length + 1)));
    return `${ticks}${ticks.length > 1 ? " " : ""}${cell(text)}${ticks.length > 1 ? " " : ""}${ticks}`;
}

/** A fence longer than any backtick run inside, so manifest text cannot close it. */
function fenced(lang: string, text: string): string {
    const longest = Math.max(0, ...[...text.matchAll(/`{3,}/g)].map((m) => m[0].length));
    const fence = "`".repeat(Math.max(3, longest + 1));
    return `${fence}${lang}\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
}

function counts(d: StackDiff): string {
    return `${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`;
}

/** The Markdown summary posted to the pull request. */
export function formatMarkdown(diffs: readonly StackDiff[], opts: FormatOptions = {}): string {
    const maxChars = opts.maxChars ?? 60000;
    const maxLines = opts.maxLinesPerFile ?? 150;
    const head: string[] = [
        COMMENT_MARKER,
        `### ${opts.title ?? "Offline render: base → pull request"}`,
        "",
        "| stack | added | changed | removed | outputs | manifests and charts |",
        "|---|---:|---:|---:|---:|---:|",
    ];
    for (const d of diffs) {
        head.push(
            `| \`${d.stack}\` | ${d.added.length} | ${d.changed.length} | ${d.removed.length} | ${d.outputs.length} | ${d.files.length} |`,
        );
    }
    head.push("", "Secrets are never rendered; they show as `[secret]`.");

    // Per stack: a summary part that always fits, then file diffs as long as the budget lasts.
    const parts: string[] = [];
    const diffsToAdd: { stack: number; file: FileChange }[] = [];
    const stackBodies: string[][] = diffs.map((d, si) => {
        const lines: string[] = [];
        lines.push(
            "",
            `<details${diffs.length === 1 ? " open" : ""}><summary><b>${d.stack}</b>: ${counts(d)}</summary>`,
            "",
        );
        if (d.baseMissing) lines.push("> The base branch did not render this stack; everything shows as added.", "");
        if (d.headMissing) lines.push("> **The pull request did not render this stack**; see the workflow log.", "");
        const rows: string[] = [];
        const row = (mark: string, type: string, name: string, what: string) =>
            rows.push(`| ${mark} | ${code(type)} | ${code(name)} | ${what} |`);
        for (const r of d.added) row("➕ added", r.type, r.name, "");
        for (const r of d.changed) row("✏️ changed", r.type, r.name, r.fields.map(code).join(", "));
        for (const r of d.removed) row("➖ removed", r.type, r.name, "");
        const MAX_ROWS = 80;
        if (rows.length > MAX_ROWS) {
            const more = rows.length - MAX_ROWS;
            rows.splice(MAX_ROWS, more, `| | ... and ${more} more | | (full list in the render-diff artifact) |`);
        }
        if (rows.length > 0) lines.push("| | type | name | what changed |", "|---|---|---|---|", ...rows, "");
        else lines.push("No resource changes.", "");
        if (d.outputs.length > 0) lines.push("**Stack outputs**", "", fenced("", d.outputs.join("\n")), "");
        for (const f of d.files) diffsToAdd.push({ stack: si, file: f });
        return lines;
    });

    const fileBlocks: string[][] = diffs.map(() => []);
    const omitted: string[][] = diffs.map(() => []);
    let used = [...head, ...stackBodies.flat()].join("\n").length + diffs.length * 40 + 400;
    for (const { stack, file } of diffsToAdd) {
        let lines = file.diff.split("\n");
        if (lines[lines.length - 1] === "") lines.pop();
        const cut = lines.length > maxLines;
        if (cut) lines = lines.slice(0, maxLines);
        const block = [
            `<details><summary>${code(file.path)} (${file.status})</summary>`,
            "",
            fenced("diff", `${lines.join("\n")}\n${cut ? "... (diff cut; see the render-diff artifact)\n" : ""}`),
            "",
            "</details>",
        ].join("\n");
        if (used + block.length > maxChars) {
            omitted[stack]!.push(`${file.path} (${file.status})`);
            used += file.path.length + 20;
            continue;
        }
        used += block.length + 1;
        fileBlocks[stack]!.push(block);
    }
    diffs.forEach((_d, i) => {
        const body = [...stackBodies[i]!];
        if (fileBlocks[i]!.length > 0 || omitted[i]!.length > 0) body.push("**Manifests and charts**", "");
        body.push(...fileBlocks[i]!);
        if (omitted[i]!.length > 0) {
            body.push("", "Not shown (comment size limit; the full diff is in the run's render-diff artifact):", "");
            body.push(...omitted[i]!.slice(0, 100).map((p) => `- ${code(p)}`));
            if (omitted[i]!.length > 100) body.push(`- ... and ${omitted[i]!.length - 100} more`);
        }
        body.push("", "</details>");
        parts.push(body.join("\n"));
    });
    return `${[...head, ...parts].join("\n")}\n`;
}
