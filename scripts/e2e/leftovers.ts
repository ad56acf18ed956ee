import { run, RunOptions } from "./cli";

/** A Kubernetes object the stack owned, as its state recorded it. */
export interface Owned {
    readonly apiVersion: string;
    readonly kind: string;
    readonly name: string;
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
 * destroy (a namespaced object goes with its namespace, which is checked).
 */
export function ownedObjects(exported: string): Owned[] {
    let resources: StateResource[] = [];
    try {
        resources =
            (JSON.parse(exported) as { deployment?: { resources?: StateResource[] } }).deployment?.resources ?? [];
    } catch {
        return [];
    }
    return resources
        .filter((r) => r.type.startsWith("kubernetes:") && r.custom !== false && !r.type.startsWith("pulumi:providers"))
        .map((r) => ({ o: r.outputs ?? {}, retained: r.retainOnDelete === true }))
        .filter(({ o }) => o.kind && o.apiVersion && o.metadata?.name && !o.metadata.namespace)
        .map(({ o, retained }) => ({ apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata!.name!, retained }));
}

/** `Kind.version.group` as kubectl takes it. */
function resourceArg(o: Owned): string {
    const [group, version] = o.apiVersion.includes("/") ? o.apiVersion.split("/") : ["", o.apiVersion];
    return group ? `${o.kind}.${version}.${group}` : `${o.kind}.${version}`;
}

/** The owned objects (not retained on purpose) still in the cluster, as `Kind/name`. */
export async function leftovers(owned: readonly Owned[], opts: RunOptions): Promise<string[]> {
    const left: string[] = [];
    for (const o of owned.filter((x) => !x.retained)) {
        const r = await run("kubectl", ["get", resourceArg(o), o.name, "--ignore-not-found", "-o", "name"], opts);
        if (r.code !== 0 || r.stdout.trim() !== "") left.push(`${o.kind}/${o.name}`);
    }
    return left;
}
