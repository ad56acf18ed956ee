import { run, RunOptions } from "./cli";

/** A Kubernetes object the stack owned, as its state recorded it. */
export interface Owned {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
    /** Its namespace, for an object in a namespace the stack keeps; absent for the rest. */
    readonly namespace?: string;
    /** Pulumi leaves it on purpose (retainOnDelete). */
    readonly retained: boolean;
}

type StateResource = {
    type: string;
    custom?: boolean;
    retainOnDelete?: boolean;
    outputs?: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
};

/**
 * The namespaces and cluster-scoped objects in a `pulumi stack export`: what must be gone after a
 * destroy. A namespaced object goes with its namespace, which is checked, unless the namespace is
 * retained (it holds data): then the objects in it are listed too, since nothing else removes them.
 */
export function ownedObjects(exported: string): Owned[] {
    let resources: StateResource[] = [];
    try {
        resources =
            (JSON.parse(exported) as { deployment?: { resources?: StateResource[] } }).deployment?.resources ?? [];
    } catch {
        return [];
    }
    const objects = resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.custom !== false && !r.type.startsWith("pulumi:providers"))
        .map((r) => ({ o: r.outputs ?? {}, retained: r.retainOnDelete === true }))
        .filter(({ o }) => o.kind && o.apiVersion && o.metadata?.name);
    const keptNamespaces = new Set(
        objects.filter(({ o, retained }) => retained && o.kind === "Namespace").map(({ o }) => o.metadata!.name!),
    );
    return objects
        .filter(({ o }) => !o.metadata!.namespace || keptNamespaces.has(o.metadata!.namespace))
        .map(({ o, retained }) => ({
            apiVersion: o.apiVersion!,
            kind: o.kind!,
            name: o.metadata!.name!,
            ...(o.metadata!.namespace ? { namespace: o.metadata!.namespace } : {}),
            retained,
        }));
}

/** The object's type as kubectl takes it: `kind` for the core group, `Kind.group` for the others. */
export function resourceArg(o: Pick<Owned, "apiVersion" | "kind">): string {
    const group = o.apiVersion.includes("/") ? o.apiVersion.split("/")[0] : "";
    return group ? `${o.kind}.${group}` : o.kind.toLowerCase();
}

/** One `kubectl get` per type and namespace: the objects to look for, as kubectl's arguments. */
export function lookups(owned: readonly Owned[]): { readonly objects: Owned[]; readonly args: string[] }[] {
    const groups = new Map<string, Owned[]>();
    for (const o of owned.filter((x) => !x.retained)) {
        const key = `${resourceArg(o)} ${o.namespace ?? ""}`;
        groups.set(key, [...(groups.get(key) ?? []), o]);
    }
    return [...groups.values()].map((objects) => {
        const { namespace } = objects[0]!;
        return {
            objects,
            args: [
                "get",
                resourceArg(objects[0]!),
                ...objects.map((o) => o.name),
                ...(namespace ? ["-n", namespace] : []),
                "--ignore-not-found",
                "-o",
                "name",
            ],
        };
    });
}

/** The names `kubectl get -o name` printed (`type/name` lines). */
export function namesPrinted(stdout: string): Set<string> {
    return new Set(
        stdout
            .split("\n")
            .map((l) => l.trim())
            .filter((l) => l.includes("/"))
            .map((l) => l.slice(l.indexOf("/") + 1)),
    );
}

/** The owned objects (not retained on purpose) still in the cluster, as `Kind/name` (`Kind/namespace/name`). */
export async function leftovers(owned: readonly Owned[], opts: RunOptions): Promise<string[]> {
    const left: Owned[] = [];
    for (const { objects, args } of lookups(owned)) {
        const r = await run("kubectl", args, opts);
        // A type the API server no longer serves (its CRD went with the chart) has no objects left.
        if (r.code !== 0 && /doesn't have a resource type/.test(r.stderr)) continue;
        // Any other failure proves nothing gone: every object of the lookup counts as left.
        const found = r.code === 0 ? namesPrinted(r.stdout) : undefined;
        left.push(...objects.filter((o) => !found || found.has(o.name)));
    }
    return left.map((o) => `${o.kind}/${o.namespace ? `${o.namespace}/` : ""}${o.name}`);
}
