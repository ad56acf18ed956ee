// The loss budgets in docs/operations.md ("Data: loss budgets") held against prd's render: each row
// of the table says what prd declares, and a change to either side fails here until both agree.
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { DATA_STORAGE_CLASS, PD_CSI_DRIVER } from "../../components/cluster/data-storage-class";
import { KubeObject } from "../../render/objects";
import { RecordedResource } from "../../render/recorder";
import { unwrapSecrets } from "../../render/redact";
import { rendered, SharedRender } from "../rendered";

const doc = readFileSync(path.resolve(__dirname, "../../docs/operations.md"), "utf8");
const section = doc.slice(doc.indexOf("## Data: loss budgets"));
const rows = new Map(
    section
        .split("\n")
        .filter((l) => l.startsWith("| ") && !l.startsWith("| Store") && !l.startsWith("| ---"))
        .map((l) => {
            const cells = l.split(" | ").map((c) => c.replace(/^\|\s*|\s*\|$/g, "").trim());
            return [cells[0]!, cells.join(" | ")] as const;
        }),
);
function row(store: string): string {
    const r = rows.get(store);
    if (!r) throw new Error(`docs/operations.md's loss budget table has no row "${store}"`);
    return r;
}

const obj = (r: SharedRender, kind: string, ns: string | undefined, name: string): any => {
    const o = r.objects.find((x) => x.kind === kind && x.metadata.namespace === ns && x.metadata.name === name);
    if (!o) throw new Error(`prd declares no ${kind} ${ns ?? ""}/${name}`);
    return o;
};
const resourceOf = (r: SharedRender, o: KubeObject): RecordedResource =>
    r.resources.find((x) => {
        const i = unwrapSecrets(x.inputs) as any;
        return (
            i?.kind === o.kind &&
            i?.metadata?.name === o.metadata.name &&
            i?.metadata?.namespace === o.metadata.namespace
        );
    })!;
const chartValues = (r: SharedRender, chart: string): any => {
    const c = r.resources.find((x) => x.type.startsWith("kubernetes:helm.sh") && (x.inputs as any).chart === chart);
    if (!c) throw new Error(`prd has no chart ${chart}`);
    return (unwrapSecrets(c.inputs) as any).values;
};

/** `0 18 * * *` -> `daily at 18:00 UTC`; anything else is for the table's author to word. */
function cronInWords(schedule: string): string {
    const m = /^(\d+) (\d+) \* \* \*$/.exec(schedule);
    if (!m) throw new Error(`schedule ${schedule}: word it in the table and teach this test`);
    return `daily at ${m[2]!.padStart(2, "0")}:${m[1]!.padStart(2, "0")} UTC`;
}

/** A PVC that outlives a config change: protect, retainOnDelete and the Retain class. */
function expectKept(r: SharedRender, ns: string, name: string): string {
    const pvc = obj(r, "PersistentVolumeClaim", ns, name);
    const res = resourceOf(r, pvc);
    expect([name, res.protect, res.retainOnDelete, pvc.spec.storageClassName]).toEqual([
        name,
        true,
        true,
        DATA_STORAGE_CLASS,
    ]);
    return pvc.spec.resources.requests.storage;
}

describe("prd's loss budgets (docs/operations.md)", () => {
    let prd: SharedRender;
    beforeAll(async () => {
        prd = await rendered("prd");
    });

    it("declares the data StorageClass: pd-balanced, Retain, expandable; dev has none", async () => {
        const sc = obj(prd, "StorageClass", undefined, DATA_STORAGE_CLASS);
        expect([sc.provisioner, sc.reclaimPolicy, sc.allowVolumeExpansion, sc.parameters]).toEqual([
            PD_CSI_DRIVER,
            "Retain",
            true,
            { type: "pd-balanced" },
        ]);
        const dev = await rendered("dev");
        expect(dev.objects.filter((o) => o.kind === "StorageClass")).toEqual([]);
        expect(section).toContain(`\`${DATA_STORAGE_CLASS}\``);
    });

    it("Uploader MySQL: the dump's schedule, bucket, retention and volume are the row's", () => {
        const text = row("Uploader MySQL");
        const cron = obj(prd, "CronJob", "uploader", "uploader-backup");
        expect(text).toContain(cronInWords(cron.spec.schedule));
        const bucket = prd.resources.find((x) => x.type === "gcp:storage/bucket:Bucket")!;
        const b = unwrapSecrets(bucket.inputs) as any;
        expect([bucket.protect, b.versioning.enabled, b.forceDestroy]).toEqual([true, true, false]);
        expect(text).toContain(`gs://${b.name}/uploader/`);
        const [age, noncurrent] = b.lifecycleRules.map((l: any) => l.condition);
        expect(text).toContain(`dumps kept ${age.age} days`);
        expect(text).toContain(`noncurrent versions ${noncurrent.daysSinceNoncurrentTime} days`);
        expect(text).toContain(`\`uploader-mysql-data\` ${expectKept(prd, "uploader", "uploader-mysql-data")}`);
        expect(resourceOf(prd, obj(prd, "StatefulSet", "uploader", "uploader-mysql")).protect).toBe(true);
        expect(text).toMatch(/no PITR/);
        expect(text).toContain("up to 24 h");
    });

    it("Vote Redis: the append-only file on a kept volume, as the row says", async () => {
        const text = row("Vote Redis");
        const args: string[] = obj(prd, "Deployment", "vote", "vote-redis").spec.template.spec.containers[0].args;
        const arg = (k: string) => args[args.indexOf(k) + 1];
        expect([arg("--appendonly"), arg("--appendfsync")]).toEqual(["yes", "everysec"]);
        expect(text).toContain("`appendonly yes`, `appendfsync everysec`");
        expect(text).toContain(`\`vote-redis-data\` ${expectKept(prd, "vote", "vote-redis-data")}`);
        // dev keeps nothing on disk: the difference is deliberate.
        const dev = await rendered("dev");
        const devArgs: string[] = obj(dev, "Deployment", "vote", "vote-redis").spec.template.spec.containers[0].args;
        expect(devArgs[devArgs.indexOf("--appendonly") + 1]).toBe("no");
        expect(dev.objects.some((o) => o.kind === "PersistentVolumeClaim" && o.metadata.namespace === "vote")).toBe(
            false,
        );
    });

    it("Zabbix PostgreSQL: the chart's volume size and class are the row's", () => {
        const text = row("Zabbix PostgreSQL");
        const p = chartValues(prd, "zabbix").postgresql.persistence;
        expect([p.enabled, p.storageClass]).toEqual([true, DATA_STORAGE_CLASS]);
        expect(text).toContain(`\`postgresql-data\` ${p.storageSize} on \`${DATA_STORAGE_CLASS}\``);
        expect(text).toContain("rebuildable from code");
    });

    it("Grafana database: the Cloud SQL instance the row names, with its backups, PITR and protection", () => {
        const text = row("Grafana database");
        expect(chartValues(prd, "kube-prometheus-stack").grafana["grafana.ini"].database.type).toBe("postgres");
        const instances = prd.resources.filter((x) => x.type === "gcp:sql/databaseInstance:DatabaseInstance");
        expect(instances).toHaveLength(1);
        const i = instances[0]!;
        const s = (unwrapSecrets(i.inputs) as any).settings;
        const b = s.backupConfiguration;
        expect([i.protect, s.deletionProtectionEnabled, b.enabled, b.pointInTimeRecoveryEnabled]).toEqual([
            true,
            true,
            true,
            true,
        ]);
        expect(text).toContain(`${b.backupRetentionSettings.retainedBackups} kept`);
        expect(text).toContain(`transaction logs ${b.transactionLogRetentionDays} days`);
        expect(text).toContain(s.availabilityType === "REGIONAL" ? "regional" : "zonal");
        const db = prd.resources.find((x) => x.type === "gcp:sql/database:Database");
        expect(db?.protect).toBe(true);
    });

    it("Prometheus TSDB: retention, size cap and volume are the row's", () => {
        const text = row("Prometheus TSDB");
        const spec = chartValues(prd, "kube-prometheus-stack").prometheus.prometheusSpec;
        const claim = spec.storageSpec.volumeClaimTemplate.spec;
        expect(claim.storageClassName).toBe(DATA_STORAGE_CLASS);
        expect(text).toContain(`${spec.retention} / ${spec.retentionSize}`);
        expect(text).toContain(`volume ${claim.resources.requests.storage} on \`${DATA_STORAGE_CLASS}\``);
    });

    it("puts every claim prd declares on the data class", () => {
        const claims = prd.objects.filter((o) => o.kind === "PersistentVolumeClaim");
        expect(claims.length).toBeGreaterThanOrEqual(2);
        for (const c of claims)
            expect([c.metadata.name, (c as any).spec.storageClassName]).toEqual([c.metadata.name, DATA_STORAGE_CLASS]);
    });
});
