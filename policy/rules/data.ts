import { unwrapSecrets } from "../../render/redact";
import { isHelm, Json, kubeObject, Obj, objectsOf, podTemplate } from "../k8s";
import { PRD_ONLY, RecordedResource, Rule, RuleContext } from "../types";
import { MANAGED_ZONE } from "./gke";

export const BUCKET = "gcp:storage/bucket:Bucket";
export const DATABASE_INSTANCE = "gcp:sql/databaseInstance:DatabaseInstance";

/** The claims of a PVC-backed object: its own spec (a PVC) or its volumeClaimTemplates (a StatefulSet). */
function claims(o: Obj): { where: string; spec: Json }[] {
    if (o.kind === "PersistentVolumeClaim") return [{ where: "spec", spec: o.spec ?? {} }];
    if (o.kind === "StatefulSet")
        return ((o.spec?.volumeClaimTemplates ?? []) as Json[]).map((t, i) => ({
            where: `spec.volumeClaimTemplates[${i}].spec`,
            spec: t?.spec ?? {},
        }));
    return [];
}

/** A StatefulSet that keeps data: volumeClaimTemplates, or a pod volume naming a PVC. */
function pvcBacked(o: Obj): boolean {
    if (o.kind !== "StatefulSet") return false;
    if ((o.spec?.volumeClaimTemplates ?? []).length > 0) return true;
    return ((podTemplate(o)?.spec?.volumes ?? []) as Json[]).some((v) => v?.persistentVolumeClaim);
}

/** What a deletion would lose, in words; undefined when the resource holds no data of its own. */
function stateful(r: RecordedResource): string | undefined {
    if (r.type === BUCKET) return "a bucket";
    if (r.type === DATABASE_INSTANCE) return "a database instance";
    // A private zone is delegated from nowhere; the program rebuilds its records as they were.
    if (r.type === MANAGED_ZONE)
        return (r.inputs as { visibility?: unknown }).visibility === "private"
            ? undefined
            : "a DNS zone (its name servers change when recreated)";
    const o = kubeObject(r);
    if (o?.kind === "PersistentVolumeClaim") return "a volume claim";
    if (o && pvcBacked(o)) return "a StatefulSet on persistent volumes";
    return undefined;
}

/** Every storage class name the program's volumes (and the charts' values it sets) ask for. */
function chartClaims(r: RecordedResource): { where: string; storageClass: unknown }[] {
    const inputs = unwrapSecrets(r.inputs) as { chart?: unknown; values?: Json };
    const chart = typeof inputs.chart === "string" ? (inputs.chart.split("/").pop() ?? "") : "";
    const v = inputs.values ?? {};
    if (chart === "kube-prometheus-stack") {
        const out = [
            {
                where: "values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName",
                storageClass: v.prometheus?.prometheusSpec?.storageSpec?.volumeClaimTemplate?.spec?.storageClassName,
            },
            {
                where: "values.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName",
                storageClass: v.alertmanager?.alertmanagerSpec?.storage?.volumeClaimTemplate?.spec?.storageClassName,
            },
        ];
        if (v.grafana?.persistence?.enabled === true)
            out.push({
                where: "values.grafana.persistence.storageClassName",
                storageClass: v.grafana.persistence.storageClassName,
            });
        return out;
    }
    if (chart === "zabbix" && v.postgresql?.enabled !== false && v.postgresql?.persistence?.enabled === true)
        return [
            {
                where: "values.postgresql.persistence.storageClass",
                storageClass: v.postgresql.persistence.storageClass,
            },
        ];
    return [];
}

/** StorageClasses the program declares, by name, with their reclaim policy. */
function declaredClasses(ctx: RuleContext): Map<string, string> {
    const out = new Map<string, string>();
    for (const { o } of objectsOf(ctx.resources))
        if (o.kind === "StorageClass" && o.metadata.name) out.set(o.metadata.name, String(o.reclaimPolicy ?? "Delete"));
    return out;
}

export const dataRules: Rule[] = [
    {
        id: "stateful-protected",
        description:
            "On prd every bucket, database instance, DNS zone, PersistentVolumeClaim and PVC-backed StatefulSet the program declares has Pulumi `protect` or `retainOnDelete`; buckets do not force-destroy, database instances keep deletion protection.",
        benchmark:
            "Rationale: a config change (a renamed app, a key removed) must never delete data; Pulumi refuses to delete a protected resource, and leaves a retained one in place (docs/operations.md, loss budgets)",
        enforcement: PRD_ONLY,
        check(r) {
            const what = stateful(r);
            if (!what) return [];
            const out: string[] = [];
            if (!r.protect && !r.retainOnDelete)
                out.push(
                    `${what}, neither protected nor retained on delete (resource option protect or retainOnDelete)`,
                );
            const p = unwrapSecrets(r.inputs) as Record<string, Json>;
            if (r.type === BUCKET && p.forceDestroy === true)
                out.push("forceDestroy is true: deleting the bucket would delete every object in it");
            if (r.type === DATABASE_INSTANCE && p.deletionProtection === false) out.push("deletionProtection is false");
            return out;
        },
    },
    {
        id: "data-volume-retain",
        description:
            "On prd every volume the program claims (a PVC, a StatefulSet's volumeClaimTemplates, the Prometheus, Alertmanager, Grafana and Zabbix PostgreSQL volumes in chart values) names a StorageClass the program declares with reclaimPolicy Retain.",
        benchmark:
            "Rationale: with GKE's default classes (reclaimPolicy Delete) deleting a claim deletes its disk; with Retain the disk outlives it and can be bound again",
        enforcement: PRD_ONLY,
        crossResource: true,
        check(r, ctx) {
            const o = kubeObject(r);
            const found = o
                ? claims(o).map((c) => ({
                      where: `${c.where}.storageClassName`,
                      storageClass: c.spec.storageClassName,
                  }))
                : [];
            if (isHelm(r)) found.push(...chartClaims(r));
            if (found.length === 0) return [];
            const classes = declaredClasses(ctx);
            return found.flatMap(({ where, storageClass }) => {
                if (typeof storageClass !== "string" || storageClass === "")
                    return [`${where} is not set: the cluster's default class deletes the disk with its claim`];
                const policy = classes.get(storageClass);
                if (policy === undefined)
                    return [`${where} names StorageClass ${storageClass}, which the program does not declare`];
                return policy === "Retain"
                    ? []
                    : [`${where} names StorageClass ${storageClass}, whose reclaimPolicy is ${policy}, not Retain`];
            });
        },
    },
];
