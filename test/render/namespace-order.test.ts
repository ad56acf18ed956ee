import { isHelm } from "../../render/objects";
import { RecordedResource } from "../../render/recorder";
import { rendered } from "../rendered";

const NAMESPACE = "kubernetes:core/v1:Namespace";

/** The namespace an object or chart goes into, when it names one. */
function namespaceOf(r: RecordedResource): string | undefined {
    if (isHelm(r)) return typeof r.inputs.namespace === "string" ? r.inputs.namespace : undefined;
    const ns = (r.inputs.metadata as { namespace?: unknown } | undefined)?.namespace;
    return typeof ns === "string" ? ns : undefined;
}

/** Objects that do not wait for the Namespace they go into (transitively, by dependsOn or inputs). */
function notWaiting(resources: readonly RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const namespaces = new Map(
        resources
            .filter((r) => r.type === NAMESPACE)
            .map((r) => [(r.inputs.metadata as { name: string }).name, r.urn] as const),
    );
    const reaches = (from: string, target: string): boolean => {
        const seen = new Set<string>();
        const todo = [from];
        while (todo.length > 0) {
            const u = todo.pop()!;
            if (u === target) return true;
            if (seen.has(u)) continue;
            seen.add(u);
            todo.push(...(byUrn.get(u)?.dependsOn ?? []));
        }
        return false;
    };
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.type !== NAMESPACE)
        .flatMap((r) => {
            const ns = namespaceOf(r);
            const target = ns === undefined ? undefined : namespaces.get(ns);
            return target && !reaches(r.urn, target) ? [`${r.type} ${r.name} (namespace ${ns})`] : [];
        });
}

// dependsOn on a component does not reach its children in the Node SDK: an object whose namespace
// is a plain string waits for nothing unless it names its Namespace itself.
describe.each(["dev", "prd", "local"] as const)("%s", (stack) => {
    it("every namespaced object and chart waits for its Namespace", async () => {
        expect(notWaiting((await rendered(stack)).resources)).toEqual([]);
    });

    it("every namespaced object goes with its Namespace (deletedWith), unless that Namespace is kept", async () => {
        const { resources } = await rendered(stack);
        const namespaces = resources.filter((r) => r.type === NAMESPACE);
        const nsUrn = new Map(namespaces.map((r) => [(r.inputs.metadata as { name: string }).name, r.urn] as const));
        const kept = new Set(namespaces.filter((r) => r.retainOnDelete).map((r) => r.urn));
        // A kept namespace holding data is on every stack with MySQL or Redis volumes.
        if (stack !== "local") expect(kept.size).toBeGreaterThan(0);
        const wrong = resources
            .filter((r) => r.custom && r.type.startsWith("kubernetes:") && r.type !== NAMESPACE && !isHelm(r))
            .flatMap((r) => {
                const ns = (r.inputs.metadata as { namespace?: unknown } | undefined)?.namespace;
                const urn = typeof ns === "string" ? nsUrn.get(ns) : undefined;
                if (urn === undefined) return [];
                // Nothing deletes a kept namespace: an object "deleted with" it would run on, unmanaged.
                if (kept.has(urn))
                    return r.deletedWith === undefined ? [] : [`${r.name}: deletedWith a kept namespace`];
                return r.deletedWith === urn ? [] : [`${r.name}: not deletedWith its namespace`];
            });
        expect(wrong).toEqual([]);
    });
});
