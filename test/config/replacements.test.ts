import { REPLACEMENTS, Replacement } from "../../config/replacements";
import { RecordedResource } from "../../render/recorder";
import { unwrapSecrets } from "../../render/redact";
import { renderStack } from "../../render/render";
import { rendered } from "../rendered";
import { devWith, sentinelSecrets, writeStackFile } from "../stack-files";

/** The value at a dotted path (`a.b.c`) of a resource's inputs. */
function at(r: RecordedResource | undefined, path: string): unknown {
    let v: unknown = r ? unwrapSecrets(r.inputs) : undefined;
    for (const part of path.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    return v;
}

function find(resources: readonly RecordedResource[], reaches: Replacement["reaches"]): RecordedResource | undefined {
    return resources.find((r) => r.type === reaches.type && r.name === reaches.name);
}

/** Dev's stack file with the change applied. */
function changed(row: Replacement): string {
    return writeStackFile(
        devWith((c) => {
            for (const change of row.change) {
                let target = c[change.key] as Record<string | number, unknown>;
                for (const p of change.path.slice(0, -1)) target = target[p] as Record<string | number, unknown>;
                target[change.path[change.path.length - 1]!] = change.value;
            }
        }),
    );
}

// docs/operations.md's table (generated from config/replacements.ts) claims each change reaches an
// input that forces a replacement: render dev with the change and see that input change.
describe("what a config change replaces (docs/operations.md)", () => {
    it.each(REPLACEMENTS.map((r) => [r.config, r] as const))("%s", async (_config, row) => {
        const before = find((await rendered("dev")).resources, row.reaches);
        expect(before).toBeDefined();
        const after = await renderStack({ stack: "dev", stackFile: changed(row), secrets: sentinelSecrets("dev") });
        expect(after.errors).toEqual([]);
        // The same resource, or the one that succeeds it under a new name.
        const successor = find(after.resources, { ...row.reaches, name: row.reaches.nameAfter ?? row.reaches.name });
        expect(successor).toBeDefined();
        expect(at(successor, row.reaches.input)).not.toEqual(at(before, row.reaches.input));
    });
});
