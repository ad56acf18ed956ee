import { RecordedResource } from "./recorder";
import { REDACTED, redact, unwrapSecrets } from "./redact";

/** A Kubernetes object as the program declared it, secrets shown as `[secret]`. */
export interface KubeObject {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: { name?: string; namespace?: string; [k: string]: unknown };
    readonly [field: string]: unknown;
}

export interface HelmChart {
    readonly name: string;
    readonly type: string;
    readonly chart: unknown;
    readonly version: unknown;
    readonly repo: unknown;
    readonly namespace: unknown;
    readonly values: unknown;
}

const HELM_TYPES = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);

export function isHelm(r: RecordedResource): boolean {
    return HELM_TYPES.has(r.type);
}

/**
 * A server-side-apply patch (`kubernetes:apps/v1:DeploymentPatch` and the like): a few fields of an
 * object someone else declares, not an object of its own, so it is neither validated against the
 * object's schema nor written as a manifest. resources.json still shows it.
 */
export function isPatch(type: string): boolean {
    return /^kubernetes:[^:]+:[A-Za-z]+Patch$/.test(type);
}

/**
 * Every plain Kubernetes object the program declares (not charts, not providers, not components),
 * secrets redacted. `reveal` keeps the (mock) secret values, for schema validation only.
 */
export function kubeObjects(resources: readonly RecordedResource[], reveal = false): KubeObject[] {
    return resources
        .filter(
            (r) =>
                r.custom &&
                r.type.startsWith("kubernetes:") &&
                !isHelm(r) &&
                !isPatch(r.type) &&
                typeof r.inputs.kind === "string",
        )
        .map((r) => {
            const obj = (reveal ? unwrapSecrets(r.inputs) : redact(r.inputs)) as Record<string, unknown>;
            // Secret payloads never leave the program, whatever the caller marked.
            if (obj.kind === "Secret" && !reveal) {
                for (const field of ["data", "stringData"]) {
                    const d = obj[field];
                    if (d && typeof d === "object")
                        obj[field] = Object.fromEntries(Object.keys(d).map((k) => [k, REDACTED]));
                }
            }
            const metadata = (obj.metadata ?? {}) as KubeObject["metadata"];
            return { ...obj, metadata: { ...metadata, name: metadata.name ?? r.name } } as KubeObject;
        });
}

export function helmCharts(resources: readonly RecordedResource[]): HelmChart[] {
    return resources.filter(isHelm).map((r) => {
        const i = redact(r.inputs) as Record<string, unknown>;
        const opts = (i.repositoryOpts ?? {}) as Record<string, unknown>;
        return {
            name: r.name,
            type: r.type,
            chart: i.chart,
            version: i.version,
            repo: opts.repo ?? i.repo,
            namespace: i.namespace,
            values: i.values ?? {},
        };
    });
}

/** `Deployment vote/api` style label for messages. */
export function describeObject(o: KubeObject): string {
    return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name ?? "(unnamed)"}`;
}
