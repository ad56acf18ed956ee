import { isSecretWrapper } from "../../render/redact";
import { isReference, namesSecret, SECRET_TEXT } from "../secret-names";
import {
    containers,
    ContainerRef,
    kubeObject,
    LONG_RUNNING_KINDS,
    Obj,
    podTemplate,
    PodTemplate,
    rawContainers,
} from "../k8s";
import type { Environment } from "../../contract/environment";
import { ALWAYS, Enforcement, PRD_MANDATORY, RecordedResource, Rule, RuleContext } from "../types";

interface Pod {
    readonly r: RecordedResource;
    readonly o: Obj;
    readonly t: PodTemplate;
    readonly cs: ContainerRef[];
    readonly ctx: RuleContext;
}

/** A rule over every pod template the program declares (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod). */
function podRule(
    id: string,
    description: string,
    benchmark: string,
    enforcement: Readonly<Record<Environment, Enforcement>>,
    check: (p: Pod) => string[],
): Rule {
    return {
        id,
        description,
        benchmark,
        enforcement,
        check(r, ctx) {
            const o = kubeObject(r);
            const t = o && podTemplate(o);
            if (!o || !t) return [];
            return check({ r, o, t, cs: containers(t), ctx });
        },
    };
}

/** A container's effective value: its own securityContext, else the pod's. */
function effective(p: Pod, c: ContainerRef, field: string): unknown {
    const own = c.c.securityContext?.[field];
    return own !== undefined ? own : p.t.spec.securityContext?.[field];
}

/**
 * Capabilities a container may add without saying why. NET_BIND_SERVICE is the only one the
 * Pod Security "restricted" profile allows.
 */
export const ALLOWED_ADDED_CAPABILITIES: readonly string[] = ["NET_BIND_SERVICE"];

/**
 * Pod-template annotation that justifies added capabilities, one per container:
 * `capabilities.platform/<container>: "NET_RAW: ICMP probes need raw sockets"`.
 */
export const CAPABILITY_ANNOTATION_PREFIX = "capabilities.platform/";

/** Capabilities justified for a container by its annotation (`CAP[,CAP]: reason`, reason required). */
export function justifiedCapabilities(t: PodTemplate, container: string): string[] {
    const v = t.metadata.annotations?.[`${CAPABILITY_ANNOTATION_PREFIX}${container}`];
    if (typeof v !== "string") return [];
    const m = /^([A-Z_, ]+):\s*(\S.*)$/.exec(v);
    if (!m) return [];
    return m[1]!
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
}

export const podRules: Rule[] = [
    podRule(
        "pod-host-namespaces",
        "Pods do not share the node's network, PID or IPC namespace.",
        "CIS GKE 4.2.1 (Pod Security baseline); CIS Kubernetes 5.2.3, 5.2.4, 5.2.5",
        ALWAYS,
        (p) =>
            (["hostNetwork", "hostPID", "hostIPC"] as const)
                .filter((f) => p.t.spec[f] === true)
                .map((f) => `${p.t.path}.${f} is true; pods must not share the node's namespaces`),
    ),
    podRule("pod-privileged", "No container runs privileged.", "CIS GKE 4.2.1; CIS Kubernetes 5.2.2", ALWAYS, (p) =>
        p.cs
            .filter((c) => c.c.securityContext?.privileged === true)
            .map((c) => `${c.path}.securityContext.privileged is true`),
    ),
    podRule(
        "pod-privilege-escalation",
        "Every container sets allowPrivilegeEscalation: false.",
        "CIS GKE 4.2.1 (restricted); CIS Kubernetes 5.2.6",
        PRD_MANDATORY,
        (p) =>
            p.cs
                .filter((c) => c.c.securityContext?.allowPrivilegeEscalation !== false)
                .map((c) => `${c.path}.securityContext.allowPrivilegeEscalation must be false`),
    ),
    podRule(
        "pod-run-as-non-root",
        "Every container runs as non-root (runAsNonRoot: true, runAsUser not 0), set on the pod or container.",
        "CIS GKE 4.2.1 (restricted); CIS Kubernetes 5.2.7",
        PRD_MANDATORY,
        (p) =>
            p.cs.flatMap((c) => {
                const out: string[] = [];
                if (effective(p, c, "runAsNonRoot") !== true)
                    out.push(`${c.path}: runAsNonRoot is not true (set it on the pod or the container)`);
                if (effective(p, c, "runAsUser") === 0) out.push(`${c.path}: runAsUser is 0 (root)`);
                return out;
            }),
    ),
    podRule(
        "pod-read-only-root-fs",
        "Every container has a read-only root filesystem (writable paths are emptyDir or volume mounts).",
        "CIS GKE 4.6.3 (apply security context); NSA/CISA Kubernetes Hardening Guide (immutable containers)",
        PRD_MANDATORY,
        (p) =>
            p.cs
                .filter((c) => c.c.securityContext?.readOnlyRootFilesystem !== true)
                .map((c) => `${c.path}.securityContext.readOnlyRootFilesystem must be true`),
    ),
    podRule(
        "pod-capabilities",
        `Every container drops ALL capabilities; it adds back only ${ALLOWED_ADDED_CAPABILITIES.join(", ")} or what a \`${CAPABILITY_ANNOTATION_PREFIX}<container>\` annotation justifies.`,
        "CIS GKE 4.2.1 (restricted); CIS Kubernetes 5.2.8, 5.2.9, 5.2.10",
        PRD_MANDATORY,
        (p) =>
            p.cs.flatMap((c) => {
                const caps = c.c.securityContext?.capabilities ?? {};
                const out: string[] = [];
                const drop = Array.isArray(caps.drop) ? (caps.drop as string[]) : [];
                if (!drop.includes("ALL")) out.push(`${c.path}.securityContext.capabilities.drop must include ALL`);
                const justified = justifiedCapabilities(p.t, c.name);
                const add = Array.isArray(caps.add) ? (caps.add as string[]) : [];
                for (const cap of add) {
                    if (!ALLOWED_ADDED_CAPABILITIES.includes(cap) && !justified.includes(cap)) {
                        out.push(
                            `${c.path} adds capability ${cap} without a justification (annotation ${CAPABILITY_ANNOTATION_PREFIX}${c.name}: "${cap}: <why>" on the pod template)`,
                        );
                    }
                }
                return out;
            }),
    ),
    podRule(
        "pod-seccomp",
        "Every container runs under the RuntimeDefault (or a Localhost) seccomp profile, set on the pod or container.",
        "CIS GKE 4.6.2; CIS Kubernetes 5.7.2",
        PRD_MANDATORY,
        (p) =>
            p.cs
                .filter((c) => {
                    const profile = effective(p, c, "seccompProfile") as { type?: string } | undefined;
                    return !["RuntimeDefault", "Localhost"].includes(String(profile?.type));
                })
                .map((c) => `${c.path}: seccompProfile.type must be RuntimeDefault (on the pod or the container)`),
    ),
    podRule(
        "pod-no-host-path",
        "No hostPath volumes.",
        "CIS GKE 4.2.1 (baseline); CIS Kubernetes 5.2.12",
        ALWAYS,
        (p) =>
            ((p.t.spec.volumes ?? []) as { name?: string; hostPath?: unknown }[])
                .filter((v) => v.hostPath !== undefined)
                .map((v) => `${p.t.path}.volumes[${v.name}] is a hostPath volume`),
    ),
    podRule(
        "pod-image-pinned",
        "Every image names a tag other than `latest`, or a digest.",
        "Rationale: an unpinned image changes under a running Deployment; Flux image automation bumps tags in the image file so every change is a reviewed preview (related: CIS GKE 5.1.4, approved registries only)",
        PRD_MANDATORY,
        (p) =>
            p.cs.flatMap((c) => {
                const image = c.c.image;
                if (typeof image !== "string" || image === "") return [`${c.path}.image is missing`];
                if (/@sha256:[0-9a-f]{64}$/.test(image)) return [];
                const lastPart = image.slice(image.lastIndexOf("/") + 1);
                const colon = lastPart.lastIndexOf(":");
                const tag = colon < 0 ? "" : lastPart.slice(colon + 1);
                if (tag === "") return [`${c.path}.image ${image} has no tag or digest`];
                if (tag === "latest") return [`${c.path}.image ${image} uses the tag latest`];
                return [];
            }),
    ),
    podRule(
        "pod-resources",
        "Every container requests and limits CPU and memory.",
        "Rationale: the live-voting load test without requests and limits took whole nodes down; the scheduler and the namespace quota need them (NSA/CISA Kubernetes Hardening Guide, resource policies)",
        PRD_MANDATORY,
        (p) =>
            p.cs.flatMap((c) => {
                const res = c.c.resources ?? {};
                const missing: string[] = [];
                for (const kind of ["requests", "limits"])
                    for (const r of ["cpu", "memory"])
                        if (res[kind]?.[r] === undefined || res[kind]?.[r] === "") missing.push(`${kind}.${r}`);
                return missing.length ? [`${c.path}.resources lacks ${missing.join(", ")}`] : [];
            }),
    ),
    podRule(
        "pod-probes",
        "Every long-running container (Deployment, StatefulSet, DaemonSet) has a readiness and a liveness probe.",
        "Rationale: without readiness a rollout sends traffic to pods that are not serving; without liveness a hung process is never restarted",
        PRD_MANDATORY,
        (p) =>
            LONG_RUNNING_KINDS.includes(p.o.kind)
                ? p.cs
                      .filter((c) => !c.init)
                      .flatMap((c) =>
                          (["readinessProbe", "livenessProbe"] as const)
                              .filter((probe) => !c.c[probe])
                              .map((probe) => `${c.path} has no ${probe}`),
                      )
                : [],
    ),
    podRule(
        "pod-env-no-secret-literal",
        "No env value holds a secret literally: secrets come from a Secret through valueFrom.secretKeyRef (or a mounted file).",
        "Rationale: a literal lands in the workload spec, which anyone who can read workloads sees (related: CIS GKE 4.4.1, secrets as files rather than env; a secretKeyRef is the accepted middle ground)",
        ALWAYS,
        (p) => {
            const out: string[] = [];
            for (const { c: raw, secret } of rawContainers(p.r, p.o)) {
                const name = typeof raw.name === "string" ? raw.name : "?";
                const env = isSecretWrapper(raw.env) ? raw.env.value : raw.env;
                const enclosed = secret || isSecretWrapper(raw.env);
                for (const e of (Array.isArray(env) ? env : []) as Record<string, unknown>[]) {
                    const where = `container ${name} env ${String(e.name)}`;
                    const literal = typeof e.value === "string" && e.value !== "";
                    if (isSecretWrapper(e) || isSecretWrapper(e.value) || (enclosed && literal)) {
                        out.push(`${where} holds a secret value literally; use valueFrom.secretKeyRef`);
                        continue;
                    }
                    const v = e.value;
                    if (typeof v !== "string" || v === "") continue;
                    if (SECRET_TEXT.test(v)) out.push(`${where} holds what looks like a key or token`);
                    else if (namesSecret(String(e.name)) && !isReference(v))
                        out.push(
                            `${where} is set literally though its name says it is a secret; use valueFrom.secretKeyRef`,
                        );
                }
            }
            return out;
        },
    ),
];
