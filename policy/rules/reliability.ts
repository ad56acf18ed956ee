import { isHelm, Json, kubeObject, Obj, objectsOf, podTemplate, selects } from "../k8s";
import { ALWAYS, PRD_ONLY, RecordedResource, Rule, RuleContext } from "../types";
import { unwrapSecrets } from "../../render/redact";
import { SINGLE_REPLICA_ANNOTATION } from "../../contract/annotations";

const SCALED = ["Deployment", "StatefulSet", "ReplicaSet"];
const SELECTED = ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"];

/** The least number of replicas a workload runs: an HPA's minReplicas when one targets it, else spec.replicas. */
export function minReplicas(o: Obj, ctx: RuleContext): number {
    const hpa = objectsOf(ctx.resources).find(
        ({ o: h }) =>
            h.kind === "HorizontalPodAutoscaler" &&
            h.metadata.namespace === o.metadata.namespace &&
            h.spec?.scaleTargetRef?.kind === o.kind &&
            h.spec?.scaleTargetRef?.name === o.metadata.name,
    );
    if (hpa) return typeof hpa.o.spec?.minReplicas === "number" ? hpa.o.spec.minReplicas : 1;
    return typeof o.spec?.replicas === "number" ? o.spec.replicas : 1;
}

/** Scaled to zero by design (branch previews woken by Sablier on the first request). */
function scaleToZero(o: Obj): boolean {
    const labels = { ...(o.metadata.labels ?? {}), ...(podTemplate(o)?.metadata.labels ?? {}) };
    return labels["sablier.enable"] === "true";
}

/** Services an IngressRoute sends traffic to, as `namespace/name`. */
function routedServices(ctx: RuleContext): Set<string> {
    const out = new Set<string>();
    for (const { o } of objectsOf(ctx.resources)) {
        if (o.kind !== "IngressRoute") continue;
        for (const route of (o.spec?.routes ?? []) as {
            services?: { name?: string; namespace?: string; kind?: string }[];
        }[])
            for (const s of route.services ?? [])
                if ((s.kind ?? "Service") === "Service" && s.name)
                    out.add(`${s.namespace ?? o.metadata.namespace}/${s.name}`);
    }
    return out;
}

/** True when a Service some IngressRoute routes to selects this workload's pods: it is public entry or an app. */
function isRouted(o: Obj, ctx: RuleContext): boolean {
    const routed = routedServices(ctx);
    const labels = podTemplate(o)?.metadata.labels;
    return objectsOf(ctx.resources).some(
        ({ o: s }) =>
            s.kind === "Service" &&
            s.metadata.namespace === o.metadata.namespace &&
            routed.has(`${s.metadata.namespace}/${s.metadata.name}`) &&
            s.spec?.selector &&
            Object.keys(s.spec.selector).length > 0 &&
            selects({ matchLabels: s.spec.selector }, labels),
    );
}

function chartName(r: RecordedResource): string {
    const chart = (unwrapSecrets(r.inputs) as { chart?: unknown }).chart;
    return typeof chart === "string" ? (chart.split("/").pop() ?? "") : "";
}

export const reliabilityRules: Rule[] = [
    {
        id: "workload-selector-matches",
        description: "A workload's spec.selector is set and selects its own pod template's labels.",
        benchmark:
            "Rationale: a selector that misses the template is rejected by the API server, and one broader than the template adopts other workloads' pods",
        enforcement: ALWAYS,
        check(r) {
            const o = kubeObject(r);
            if (!o || !SELECTED.includes(o.kind)) return [];
            const sel = o.spec?.selector;
            const labels = podTemplate(o)?.metadata.labels ?? {};
            if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0))
                return ["spec.selector is empty; it must select the pod template's labels"];
            if (!selects(sel, labels))
                return [
                    `spec.selector ${JSON.stringify(sel)} does not match spec.template.metadata.labels ${JSON.stringify(labels)}`,
                ];
            return [];
        },
    },
    {
        id: "workload-pdb",
        description: "On prd every workload running 2 or more replicas has a PodDisruptionBudget selecting its pods.",
        benchmark:
            "Rationale: node auto-upgrade and auto-repair (CIS GKE 5.5.2, 5.5.3) drain nodes; without a PDB a drain can stop every replica at once",
        enforcement: PRD_ONLY,
        crossResource: true,
        check(r, ctx) {
            const o = kubeObject(r);
            if (!o || !SCALED.includes(o.kind) || minReplicas(o, ctx) < 2) return [];
            const labels = podTemplate(o)?.metadata.labels;
            const covered = objectsOf(ctx.resources).some(
                ({ o: pdb }) =>
                    pdb.kind === "PodDisruptionBudget" &&
                    pdb.metadata.namespace === o.metadata.namespace &&
                    selects(pdb.spec?.selector, labels),
            );
            return covered
                ? []
                : [`runs ${minReplicas(o, ctx)} replicas but no PodDisruptionBudget in its namespace selects its pods`];
        },
    },
    {
        id: "workload-replicas",
        description: `On prd every workload behind an IngressRoute (the apps) runs at least 2 replicas, or an HPA with minReplicas >= 2, unless annotated \`${SINGLE_REPLICA_ANNOTATION}: <reason>\`.`,
        benchmark: "Rationale: one replica means every rollout, node upgrade or crash is an outage of a public host",
        enforcement: PRD_ONLY,
        crossResource: true,
        check(r, ctx) {
            const o = kubeObject(r);
            if (!o || !SCALED.includes(o.kind) || scaleToZero(o)) return [];
            if (o.metadata.annotations?.[SINGLE_REPLICA_ANNOTATION]) return [];
            if (!isRouted(o, ctx)) return [];
            const n = minReplicas(o, ctx);
            return n >= 2
                ? []
                : [
                      `serves an IngressRoute with ${n} replica(s); prd needs replicas >= 2 or an HPA with minReplicas >= 2 (or annotation ${SINGLE_REPLICA_ANNOTATION}: <reason>)`,
                  ];
        },
    },
    {
        id: "entry-replicas",
        description:
            "On prd the public entry (the Traefik chart) runs at least 2 replicas (deployment.replicas, or autoscaling.minReplicas) and has a PodDisruptionBudget.",
        benchmark: "Rationale: every public host goes through Traefik; one replica makes each node upgrade an outage",
        enforcement: PRD_ONLY,
        check(r) {
            if (!isHelm(r) || chartName(r) !== "traefik") return [];
            const v = ((unwrapSecrets(r.inputs) as { values?: Record<string, Json> }).values ?? {}) as Record<
                string,
                Json
            >;
            const replicas = v.autoscaling?.enabled === true ? v.autoscaling?.minReplicas : v.deployment?.replicas;
            const out: string[] = [];
            if (typeof replicas !== "number" || replicas < 2)
                out.push(
                    `chart traefik runs ${String(replicas ?? 1)} replica(s); set values.deployment.replicas (or autoscaling.minReplicas) >= 2`,
                );
            if (v.podDisruptionBudget?.enabled !== true)
                out.push("chart traefik has no PodDisruptionBudget (values.podDisruptionBudget.enabled)");
            return out;
        },
    },
];
