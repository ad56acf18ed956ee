import { isSecretWrapper, unwrapSecrets } from "../render/redact";
import type { RecordedResource } from "./types";

/** Parsed, schemaless JSON: what a rule reads from inputs before it checks the shape itself. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

/** A Kubernetes object as a rule sees it: plain values, secrets unwrapped. */
export interface Obj {
    readonly apiVersion: string;
    readonly kind: string;
    readonly metadata: {
        readonly name?: string;
        readonly namespace?: string;
        readonly labels?: Record<string, string>;
        readonly annotations?: Record<string, string>;
    };
    readonly spec?: Json;
    readonly [field: string]: unknown;
}

const HELM = /^kubernetes:helm\.sh\/v[34]:(Chart|Release)$/;

export function isHelm(r: RecordedResource): boolean {
    return HELM.test(r.type);
}

/**
 * True for an object a Helm chart renders (a child of a v4 Chart in a real preview). The rules cover
 * what the program itself declares; chart objects are the chart's, reviewed when the pin is bumped.
 */
export function isChartChild(r: RecordedResource): boolean {
    const types = r.urn.split("::")[2] ?? "";
    return types
        .split("$")
        .slice(0, -1)
        .some((t) => HELM.test(t));
}

/** The Kubernetes object `r` declares, or undefined when it is not one (charts, GCP, components). */
export function kubeObject(r: RecordedResource): Obj | undefined {
    // Rules look objects up once per resource they check: unwrapping every time made a render
    // quadratic in its size. A recorded resource does not change once recorded.
    const cached = objectCache.get(r);
    if (cached !== undefined && cached.inputs === r.inputs) return cached.o;
    const o = toObject(r);
    objectCache.set(r, { inputs: r.inputs, o });
    return o;
}

const objectCache = new WeakMap<RecordedResource, { inputs: unknown; o: Obj | undefined }>();

function toObject(r: RecordedResource): Obj | undefined {
    // A patch (DeploymentPatch, ...) holds a few fields of an object declared elsewhere, not an object.
    if (!r.type.startsWith("kubernetes:") || isHelm(r) || isChartChild(r) || /Patch$/.test(r.type)) return undefined;
    const o = unwrapSecrets(r.inputs) as Record<string, unknown>;
    if (typeof o.kind !== "string" || typeof o.apiVersion !== "string") return undefined;
    const metadata = (o.metadata ?? {}) as Obj["metadata"];
    return { ...o, metadata: { ...metadata, name: metadata.name ?? r.name } } as Obj;
}

/** `Deployment vote/api`, or the resource name for anything that is not a Kubernetes object. */
export function describe(r: RecordedResource): string {
    const o = kubeObject(r);
    if (!o) return r.name;
    return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`;
}

export const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"];
/** Kinds whose containers run until stopped, so they need probes. */
export const LONG_RUNNING_KINDS = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"];

export interface PodTemplate {
    /** Pod-level labels and annotations (the template's metadata). */
    readonly metadata: Obj["metadata"];
    readonly spec: Record<string, Json>;
    /** Where the pod spec sits, for messages: `spec.template.spec`. */
    readonly path: string;
}

/** The pod template of a workload object, or undefined when it has none. */
export function podTemplate(o: Obj): PodTemplate | undefined {
    if (!WORKLOAD_KINDS.includes(o.kind)) return undefined;
    if (o.kind === "Pod") return { metadata: o.metadata, spec: o.spec ?? {}, path: "spec" };
    if (o.kind === "CronJob") {
        const t = o.spec?.jobTemplate?.spec?.template ?? {};
        return { metadata: t.metadata ?? {}, spec: t.spec ?? {}, path: "spec.jobTemplate.spec.template.spec" };
    }
    const t = o.spec?.template ?? {};
    return { metadata: t.metadata ?? {}, spec: t.spec ?? {}, path: "spec.template.spec" };
}

export interface ContainerRef {
    readonly c: Record<string, Json>;
    readonly name: string;
    readonly init: boolean;
    /** `spec.template.spec.containers[web]` */
    readonly path: string;
}

/** Every container and init container of a pod spec. */
export function containers(t: PodTemplate): ContainerRef[] {
    const out: ContainerRef[] = [];
    for (const [field, init] of [
        ["initContainers", true],
        ["containers", false],
    ] as const) {
        const list = Array.isArray(t.spec[field]) ? (t.spec[field] as Record<string, unknown>[]) : [];
        list.forEach((c, i) => {
            const name = typeof c.name === "string" ? c.name : String(i);
            out.push({ c, name, init, path: `${t.path}.${field}[${name}]` });
        });
    }
    return out;
}

/** A raw (secret-wrapped) container and whether a secret wrapper enclosed all of it. */
export interface RawContainer {
    readonly c: Record<string, unknown>;
    /** The container, or the list holding it, was one secret: every literal inside it is secret. */
    readonly secret: boolean;
}

function unwrapOnce(v: unknown): { value: unknown; secret: boolean } {
    return isSecretWrapper(v) ? { value: v.value, secret: true } : { value: v, secret: false };
}

/** The raw (secret-wrapped) containers of a workload, for rules that must see secret wrappers. */
export function rawContainers(r: RecordedResource, o: Obj): RawContainer[] {
    const raw = r.inputs as Record<string, Json>;
    const path =
        o.kind === "Pod"
            ? ["spec"]
            : o.kind === "CronJob"
              ? ["spec", "jobTemplate", "spec", "template", "spec"]
              : ["spec", "template", "spec"];
    let node: { value: unknown; secret: boolean } = { value: raw, secret: false };
    for (const key of path) {
        const next = unwrapOnce((node.value as Record<string, unknown> | undefined)?.[key]);
        node = { value: next.value, secret: node.secret || next.secret };
    }
    const spec = (node.value ?? {}) as Record<string, unknown>;
    const out: RawContainer[] = [];
    for (const field of ["initContainers", "containers"]) {
        const list = unwrapOnce(spec[field]);
        for (const item of Array.isArray(list.value) ? list.value : []) {
            const c = unwrapOnce(item);
            if (c.value && typeof c.value === "object")
                out.push({ c: c.value as Record<string, unknown>, secret: node.secret || list.secret || c.secret });
        }
    }
    return out;
}

/** Kinds that live outside namespaces (an object of any other kind needs an explicit namespace). */
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "Node",
    "PersistentVolume",
    "StorageClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "PriorityClass",
    "RuntimeClass",
    "IngressClass",
    "CustomResourceDefinition",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
]);

export function isClusterScoped(kind: string): boolean {
    // ClusterRole, ClusterRoleBinding, ClusterIssuer, ClusterSecretStore, ...
    return CLUSTER_SCOPED.has(kind) || kind.startsWith("Cluster");
}

/** All program-declared Kubernetes objects of the stack, with their resources. */
export function objectsOf(resources: readonly RecordedResource[]): { r: RecordedResource; o: Obj }[] {
    const cached = listCache.get(resources);
    if (cached && cached.length === resources.length) return cached.objects;
    const objects: { r: RecordedResource; o: Obj }[] = [];
    for (const r of resources) {
        const o = kubeObject(r);
        if (o) objects.push({ r, o });
    }
    listCache.set(resources, { length: resources.length, objects });
    return objects;
}

const listCache = new WeakMap<
    readonly RecordedResource[],
    { length: number; objects: { r: RecordedResource; o: Obj }[] }
>();

/** True when every `matchLabels` pair (and `In`/`Exists` expression) of `selector` holds for `labels`. */
export function selects(selector: unknown, labels: Record<string, string> | undefined): boolean {
    if (!selector || typeof selector !== "object") return false;
    const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
    const l = labels ?? {};
    const ml = Object.entries(s.matchLabels ?? {});
    const me = (s.matchExpressions ?? []) as { key: string; operator: string; values?: string[] }[];
    if (ml.length === 0 && me.length === 0) return true;
    for (const [k, v] of ml) if (l[k] !== v) return false;
    for (const e of me) {
        const has = Object.prototype.hasOwnProperty.call(l, e.key);
        if (e.operator === "In" && !(has && (e.values ?? []).includes(l[e.key]!))) return false;
        if (e.operator === "NotIn" && has && (e.values ?? []).includes(l[e.key]!)) return false;
        if (e.operator === "Exists" && !has) return false;
        if (e.operator === "DoesNotExist" && has) return false;
    }
    return true;
}
