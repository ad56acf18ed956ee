import { BUCKET, DATABASE_INSTANCE, dataRules } from "../../../policy/rules/data";
import { MANAGED_ZONE } from "../../../policy/rules/gke";
import { k8s, res, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(dataRules, id);
const pvc = (storageClassName?: string) => ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "db-data", namespace: "uploader" },
    spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
        ...(storageClassName ? { storageClassName } : {}),
    },
});
const storageClass = (name: string, reclaimPolicy?: string) =>
    k8s({
        apiVersion: "storage.k8s.io/v1",
        kind: "StorageClass",
        metadata: { name },
        provisioner: "pd.csi.storage.gke.io",
        ...(reclaimPolicy ? { reclaimPolicy } : {}),
    });
const statefulSet = (spec: Record<string, unknown>) => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db", namespace: "uploader" },
    spec: {
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: { containers: [{ name: "db", image: "db:1" }] } },
        ...spec,
    },
});
const chart = (chartName: string, values: Record<string, unknown>) =>
    res("kubernetes:helm.sh/v4:Chart", `c-${chartName}`, { chart: chartName, version: "1.0.0", values });

describe("stateful-protected", () => {
    const r = rule("stateful-protected");
    it.each([
        ["a bucket", res(BUCKET, "backup", { name: "b" })],
        ["a database instance", res(DATABASE_INSTANCE, "grafana-db", { databaseVersion: "POSTGRES_16" })],
        ["a DNS zone (its name servers change when recreated)", res(MANAGED_ZONE, "zone", { dnsName: "example.org." })],
        ["a volume claim", k8s(pvc("data-retain"))],
        [
            "a StatefulSet on persistent volumes",
            k8s(statefulSet({ volumeClaimTemplates: [{ metadata: { name: "d" }, spec: {} }] })),
        ],
    ])("refuses %s that is neither protected nor retained on prd, and passes it with either", (what, resource) => {
        expect(violations(r, [resource])).toEqual([expect.stringContaining(`${what}, neither protected nor retained`)]);
        expect(violations(r, [{ ...resource, protect: true }])).toEqual([]);
        expect(violations(r, [{ ...resource, retainOnDelete: true }])).toEqual([]);
        expect(violations(r, [resource], "dev")).toEqual([]);
    });
    it("counts a StatefulSet mounting a PVC as stateful, one without volumes not", () => {
        const mounted = statefulSet({});
        (mounted.spec.template.spec as Record<string, unknown>).volumes = [
            { name: "data", persistentVolumeClaim: { claimName: "db-data" } },
        ];
        expect(violations(r, [k8s(mounted)])).toHaveLength(1);
        expect(violations(r, [k8s(statefulSet({}))])).toEqual([]);
    });
    it("refuses a force-destroying bucket and a database without deletion protection even when protected", () => {
        expect(violations(r, [res(BUCKET, "b", { forceDestroy: true }, { protect: true })])).toEqual([
            expect.stringContaining("forceDestroy is true"),
        ]);
        expect(violations(r, [res(DATABASE_INSTANCE, "d", { deletionProtection: false }, { protect: true })])).toEqual([
            expect.stringContaining("deletionProtection is false"),
        ]);
    });
    it("leaves a private zone alone: nothing is delegated to it, its records come from code", () => {
        const zone = (visibility: string) => res(MANAGED_ZONE, "z", { dnsName: "hw.example.org.", visibility });
        expect(violations(r, [zone("private")])).toEqual([]);
        expect(violations(r, [zone("public")])).toHaveLength(1);
    });
    it("leaves stateless objects alone", () => {
        expect(
            violations(r, [k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "a" } })]),
        ).toEqual([]);
    });
});

describe("data-volume-retain", () => {
    const r = rule("data-volume-retain");
    it("passes a claim naming a declared Retain class", () => {
        expect(violations(r, [k8s(pvc("data-retain")), storageClass("data-retain", "Retain")])).toEqual([]);
    });
    it("refuses a claim on the default class, an undeclared class, or a Delete class", () => {
        expect(violations(r, [k8s(pvc())])).toEqual([expect.stringContaining("spec.storageClassName is not set")]);
        expect(violations(r, [k8s(pvc("premium-rwo"))])).toEqual([
            expect.stringContaining("names StorageClass premium-rwo, which the program does not declare"),
        ]);
        // A StorageClass without reclaimPolicy deletes (the Kubernetes default).
        expect(violations(r, [k8s(pvc("fast")), storageClass("fast")])).toEqual([
            expect.stringContaining("whose reclaimPolicy is Delete, not Retain"),
        ]);
        expect(violations(r, [k8s(pvc())], "dev")).toEqual([]);
    });
    it("checks a StatefulSet's volumeClaimTemplates", () => {
        const sts = statefulSet({
            volumeClaimTemplates: [{ metadata: { name: "d" }, spec: { storageClassName: "std" } }],
        });
        expect(violations(r, [k8s(sts), storageClass("std", "Delete")])).toEqual([
            expect.stringContaining("spec.volumeClaimTemplates[0].spec.storageClassName names StorageClass std"),
        ]);
    });
    it("checks the volumes the charts' values claim", () => {
        const claim = (storageClassName?: string) => ({
            volumeClaimTemplate: { spec: storageClassName ? { storageClassName } : {} },
        });
        const stack = (sc?: string) =>
            chart("kube-prometheus-stack", {
                prometheus: { prometheusSpec: { storageSpec: claim(sc) } },
                alertmanager: { alertmanagerSpec: { storage: claim(sc) } },
                grafana: { persistence: { enabled: true, ...(sc ? { storageClassName: sc } : {}) } },
            });
        const zabbix = (sc?: string) =>
            chart("zabbix", { postgresql: { persistence: { enabled: true, ...(sc ? { storageClass: sc } : {}) } } });
        const keep = storageClass("data-retain", "Retain");
        expect(violations(r, [stack("data-retain"), zabbix("data-retain"), keep])).toEqual([]);
        const found = violations(r, [stack(), zabbix(), keep]);
        expect(found).toHaveLength(4);
        expect(found.join("\n")).toContain("values.postgresql.persistence.storageClass is not set");
        expect(found.join("\n")).toContain("values.grafana.persistence.storageClassName is not set");
    });
});
