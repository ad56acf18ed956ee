import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "./recorder";

/**
 * The resource identities of a stack, pinned. Pulumi identifies a resource by its URN (type chain
 * and name); a rename without an alias is a delete and a create, which for a cluster, a zone or
 * a database is an outage. `test/urns/<stack>.txt` lists every URN a stack declares; a change
 * fails the tests until the list is rewritten (`npm run urns -- --update`), which refuses to drop
 * a URN that no resource carries as an alias unless the removal is named.
 */
export const URN_DIR = path.resolve(__dirname, "..", "test", "urns");

/** `<type chain>::<name>`: the URN without the stack and project, which differ per stack only. */
export function shortUrn(urn: string): string {
    return urn.split("::").slice(2).join("::");
}

export function snapshotFile(stack: string): string {
    return path.join(URN_DIR, `${stack}.txt`);
}

export function readSnapshot(stack: string): string[] {
    return readFileSync(snapshotFile(stack), "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"));
}

export interface UrnChange {
    /** Declared now, not in the snapshot. */
    readonly added: string[];
    /** In the snapshot, declared now under another URN that carries it as an alias. */
    readonly moved: { readonly from: string; readonly to: string }[];
    /** In the snapshot, gone, and no resource carries it as an alias: the engine would delete it. */
    readonly deleted: string[];
}

/** How the resources' URNs differ from a snapshot. */
export function compareUrns(snapshot: readonly string[], resources: readonly RecordedResource[]): UrnChange {
    const now = new Set(resources.map((r) => shortUrn(r.engineUrn)));
    const aliasOf = new Map<string, string>();
    for (const r of resources) for (const a of r.aliases ?? []) aliasOf.set(shortUrn(a), shortUrn(r.engineUrn));
    const before = new Set(snapshot);
    const added = [...now].filter((u) => !before.has(u)).sort();
    const moved: UrnChange["moved"] = [];
    const deleted: string[] = [];
    for (const u of snapshot) {
        if (now.has(u)) continue;
        const to = aliasOf.get(u);
        if (to) moved.push({ from: u, to });
        else deleted.push(u);
    }
    return { added, moved, deleted };
}

export function writeSnapshot(stack: string, resources: readonly RecordedResource[]): void {
    const lines = [...new Set(resources.map((r) => shortUrn(r.engineUrn)))].sort();
    const head = `# Every resource URN of stack ${stack} (type chain::name). Rewritten by \`npm run urns -- --update\`; see render/urns.ts.`;
    writeFileSync(snapshotFile(stack), `${head}\n${lines.join("\n")}\n`);
}
