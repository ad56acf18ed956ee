import { describeObject, KubeObject } from "./objects";

/** Where each API group's generated models live (ESM-only packages, hence dynamic import). */
const SOURCES: readonly [RegExp, (group: string, version: string) => string][] = [
    [/^$/, (_g, v) => `kubernetes-models/${v}`],
    [/^[a-z]+$|\.k8s\.io$/, (g, v) => `kubernetes-models/${g}/${v}`],
    [/\.toolkit\.fluxcd\.io$/, (g, v) => `@kubernetes-models/flux-cd/${g}/${v}`],
    [/^traefik\.io$/, (g, v) => `@kubernetes-models/traefik/${g}/${v}`],
    [/cert-manager\.io$/, (g, v) => `@kubernetes-models/cert-manager/${g}/${v}`],
    [/^monitoring\.coreos\.com$/, (g, v) => `@kubernetes-models/prometheus-operator/${g}/${v}`],
];

type Model = new (data: unknown) => { validate(): void };
const modules = new Map<string, Promise<Record<string, unknown> | undefined>>();

function loadModule(spec: string): Promise<Record<string, unknown> | undefined> {
    let m = modules.get(spec);
    if (!m) {
        m = import(spec).then(
            (mod: Record<string, unknown>) => mod,
            () => undefined,
        );
        modules.set(spec, m);
    }
    return m;
}

/** The generated model class for an apiVersion and kind, or undefined when no schema is known. */
export async function modelFor(apiVersion: string, kind: string): Promise<Model | undefined> {
    const slash = apiVersion.lastIndexOf("/");
    const group = slash < 0 ? "" : apiVersion.slice(0, slash);
    const version = apiVersion.slice(slash + 1);
    const source = SOURCES.find(([re]) => re.test(group));
    if (!source) return undefined;
    // One kind's module, not the whole version's index: loading every model of a version on first
    // use was most of a first render's validation time.
    const base = source[1](group, version);
    const mod = (await loadModule(`${base}/${kind}`)) ?? (await loadModule(base));
    const model = mod?.[kind];
    return typeof model === "function" ? (model as Model) : undefined;
}

/** `data/spec/replicas must be integer` -> `spec.replicas must be integer`. */
function fieldMessage(message: string): string {
    return message
        .split(/,\s*(?=data)/)
        .map((m) =>
            m
                .replace(/^data\/?/, "")
                .replace(/\//g, ".")
                .replace(/^(\S*) /, (_, p: string) => `${p === "" ? "(object)" : p} `),
        )
        .join("; ");
}

/**
 * Validates each object against its Kubernetes OpenAPI or CRD schema. Returns one message per
 * invalid object, naming it and the field; an object with no known schema is itself an error.
 */
export async function validateObjects(objects: readonly KubeObject[]): Promise<string[]> {
    const errors: string[] = [];
    for (const obj of objects) {
        const model = await modelFor(obj.apiVersion, obj.kind);
        if (!model) {
            errors.push(`${describeObject(obj)}: no schema known for ${obj.apiVersion} ${obj.kind}`);
            continue;
        }
        try {
            new model(obj).validate();
        } catch (e) {
            errors.push(`${describeObject(obj)}: ${fieldMessage((e as Error).message)}`);
        }
    }
    return errors;
}
