import { CommittedStack, rendered } from "../rendered";
import { find, objectsIn, podSpecs, revealedObjects, stackApps, writtenImage } from "./fixtures";
import { mysqlBackupScript } from "../../components/apps/backup-steps";

describe.each(["dev", "prd"] as const)("%s workloads", (stack) => {
    it("runs every container and init container non-root, read-only, without capabilities, with resources", async () => {
        const r = await rendered(stack);
        const pods = podSpecs(r.objects);
        // four apps, two data stores, one backup job and (dev) the Sablier server
        expect(pods.length).toBeGreaterThanOrEqual(7);
        for (const { owner, spec } of pods) {
            expect([owner, spec.securityContext.runAsNonRoot]).toEqual([owner, true]);
            expect(spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
            for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                const where = `${owner} container ${c.name}`;
                const sc = c.securityContext;
                expect([where, sc.runAsNonRoot, sc.readOnlyRootFilesystem, sc.allowPrivilegeEscalation]).toEqual([
                    where,
                    true,
                    true,
                    false,
                ]);
                expect([where, sc.runAsUser > 0]).toEqual([where, true]);
                expect([where, sc.capabilities]).toEqual([where, { drop: ["ALL"] }]);
                expect([where, Object.keys(c.resources.requests).sort()]).toEqual([where, ["cpu", "memory"]]);
                expect([where, Object.keys(c.resources.limits).sort()]).toEqual([where, ["cpu", "memory"]]);
                expect(c.image).toMatch(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/);
            }
            const isJob = owner.startsWith("CronJob");
            if (!isJob)
                for (const c of spec.containers) {
                    expect([owner, c.name, c.readinessProbe !== undefined]).toEqual([owner, c.name, true]);
                    expect([owner, c.name, c.livenessProbe !== undefined]).toEqual([owner, c.name, true]);
                }
        }
    });

    it("names each app's images in its kubernetes.io/change-cause annotation", async () => {
        const r = await rendered(stack);
        for (const [app, spec] of Object.entries(stackApps(stack))) {
            const [d] = find(objectsIn(r, app), "Deployment", app);
            const cause = (d!.metadata.annotations as Record<string, string>)["kubernetes.io/change-cause"]!;
            for (const c of spec.containers) expect(cause).toContain(`${c.name}=${writtenImage(stack, app, c)}`);
        }
    });

    it("keeps every secret out of ConfigMaps and plain env values", async () => {
        const r = await rendered(stack);
        const objects = revealedObjects(r);
        // The mock gives generated passwords a recognisable value; find where they ended up.
        const secrets = objects.filter((o) => o.kind === "Secret");
        const generated = secrets.flatMap((s: any) =>
            Object.values(s.stringData ?? {}).filter(
                (v): v is string => typeof v === "string" && v.includes("render-generated"),
            ),
        );
        expect(generated.length).toBeGreaterThanOrEqual(3);
        const leak = (text: string) => /render-generated|render-placeholder/.test(text);
        for (const cm of objects.filter((o) => o.kind === "ConfigMap")) expect(leak(JSON.stringify(cm))).toBe(false);
        for (const { owner, spec } of podSpecs(objects))
            for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
                for (const e of c.env ?? [])
                    if (e.value !== undefined) expect([owner, e.name, leak(e.value)]).toEqual([owner, e.name, false]);
                for (const a of [...(c.args ?? []), ...(c.command ?? [])]) expect(leak(a)).toBe(false);
            }
        // The Secrets themselves are marked secret all the way: render writes none of it.
        expect(JSON.stringify(r.objects)).not.toMatch(/render-generated/);
    });

    it("composes uploader's DB URL from Secret parts with $(VAR) expansion, parts first", async () => {
        const [d] = find(objectsIn(await rendered(stack), "uploader"), "Deployment", "uploader") as any[];
        const api = d.spec.template.spec.containers.find((c: any) => c.name === "api");
        const names = api.env.map((e: any) => e.name);
        const url = api.env.find((e: any) => e.name === "DATABASE_URL");
        expect(url.value).toMatch(/^mysql\+pymysql:\/\/\$\(DB_USER\):\$\(DB_PASSWORD\)@/);
        for (const ref of url.value.match(/\$\(([A-Z_]+)\)/g).map((m: string) => m.slice(2, -1)))
            expect(names.indexOf(ref)).toBeLessThan(names.indexOf("DATABASE_URL"));
        const pw = api.env.find((e: any) => e.name === "DB_PASSWORD");
        expect(pw.valueFrom.secretKeyRef).toEqual({ name: "uploader-mysql", key: "password" });
        const frontend = d.spec.template.spec.containers.find((c: any) => c.name === "frontend");
        expect((frontend.env ?? []).map((e: any) => e.name)).not.toContain("DB_PASSWORD");
    });

    it("gives vote Redis reached through REDIS_URL and spreads its pods with a disruption budget", async () => {
        const objs = objectsIn(await rendered(stack), "vote");
        const [d] = find(objs, "Deployment", "vote") as any[];
        const env = d.spec.template.spec.containers[0].env;
        expect(env.find((e: any) => e.name === "REDIS_URL").value).toContain("$(REDIS_PASSWORD)@vote-redis:6379");
        expect(find(objs, "Deployment", "vote-redis")).toHaveLength(1);
        expect(d.spec.template.spec.topologySpreadConstraints.map((t: any) => t.topologyKey)).toContain(
            "kubernetes.io/hostname",
        );
        expect(find(objs, "PodDisruptionBudget", "vote")).toHaveLength(1);
        const ready = d.spec.template.spec.containers[0].readinessProbe;
        expect(ready.httpGet.path).toBe("/health");
    });

    it("scrapes plarail through a ServiceMonitor on its metrics port", async () => {
        const objs = objectsIn(await rendered(stack), "plarail");
        const [sm] = find(objs, "ServiceMonitor", "plarail") as any[];
        const [svc] = find(objs, "Service", "plarail") as any[];
        const port = svc.spec.ports.find((p: any) => p.name === sm.spec.endpoints[0].port);
        expect(port.port).toBe(stackApps(stack).plarail.containers[0].metricsPort);
        expect(sm.spec.endpoints[0].path).toBe("/metrics");
    });
});

describe("prd availability", () => {
    it("runs every published app on two pods or more, or says why one is enough", async () => {
        const r = await rendered("prd");
        for (const [app, spec] of Object.entries(stackApps("prd"))) {
            if ((spec.hosts ?? []).length === 0) continue;
            const [d] = find(objectsIn(r, app), "Deployment", app) as any[];
            const [hpa] = find(objectsIn(r, app), "HorizontalPodAutoscaler", app) as any[];
            const min = hpa ? hpa.spec.minReplicas : d.spec.replicas;
            const reason = d.metadata.annotations["platform/single-replica"];
            expect([app, min >= 2 || (typeof reason === "string" && reason.length > 0)]).toEqual([app, true]);
            if (min >= 2) expect(find(objectsIn(r, app), "PodDisruptionBudget", app)).toHaveLength(1);
        }
    });
});

describe("uploader's MySQL and nightly backup", () => {
    it("dumps on the configured schedule into a versioned bucket with a retention rule", async () => {
        for (const stack of ["dev", "prd"] as const) {
            const r = await rendered(stack);
            const backup = stackApps(stack).uploader.mysql.backup;
            const [cron] = find(objectsIn(r, "uploader"), "CronJob", "uploader-backup") as any[];
            expect(cron.spec.schedule).toBe(backup.schedule);
            expect(cron.spec.concurrencyPolicy).toBe("Forbid");
            const pod = cron.spec.jobTemplate.spec.template.spec;
            // The script file the data tests run (test/data/), mounted from a ConfigMap named by its hash.
            expect(pod.initContainers[0].command).toEqual(["sh", "/opt/mysql-backup/mysql-backup.sh", "dump"]);
            expect(pod.containers[0].command).toEqual(["sh", "/opt/mysql-backup/mysql-backup.sh", "upload"]);
            const scriptVolume = pod.volumes.find((v: any) => v.name === "script");
            const [configMap] = find(objectsIn(r, "uploader"), "ConfigMap", scriptVolume.configMap.name) as any[];
            expect(configMap.data["mysql-backup.sh"]).toBe(mysqlBackupScript());
            expect(configMap.data["mysql-backup.sh"]).toContain("--single-transaction");
            const bucket = r.resources.find((x) => x.type === "gcp:storage/bucket:Bucket")!;
            const inputs = bucket.inputs as any;
            expect(inputs.versioning).toEqual({ enabled: true });
            expect(inputs.publicAccessPrevention).toBe("enforced");
            expect(inputs.lifecycleRules[0].condition.age).toBe(backup.retentionDays);
            const env = Object.fromEntries(pod.containers[0].env.map((e: any) => [e.name, e.value]));
            expect([env.BUCKET, env.PREFIX, env.DATABASE]).toEqual([inputs.name, "uploader", "uploader"]);
            expect(pod.serviceAccountName).toBe("uploader-backup");
            const member = r.resources.find(
                (x) =>
                    x.type === "gcp:serviceaccount/iAMMember:IAMMember" &&
                    (x.inputs as any).member.includes("uploader-backup"),
            )!;
            expect((member.inputs as any).member).toBe(
                `serviceAccount:${stack === "prd" ? "clubplatform-prd" : "clubplatform-dev"}.svc.id.goog[uploader/uploader-backup]`,
            );
            const writer = r.resources.find((x) => x.name === "app-uploader-backup-writer")!;
            expect((writer.inputs as any).role).toBe("roles/storage.objectCreator");
        }
    });

    it("declares the restore as a suspended template running the same script, with read-only access", async () => {
        for (const stack of ["dev", "prd"] as const) {
            const r = await rendered(stack);
            const [backup] = find(objectsIn(r, "uploader"), "CronJob", "uploader-backup") as any[];
            const [restore] = find(objectsIn(r, "uploader"), "CronJob", "uploader-mysql-restore") as any[];
            expect([restore.spec.suspend, restore.spec.schedule]).toEqual([true, "0 0 30 2 *"]);
            const pod = restore.spec.jobTemplate.spec.template.spec;
            const backupPod = backup.spec.jobTemplate.spec.template.spec;
            expect(pod.initContainers.map((c: any) => c.command.at(-1))).toEqual(["fetch"]);
            expect(pod.containers.map((c: any) => c.command.at(-1))).toEqual(["apply"]);
            // The backup's script ConfigMap, MySQL client file and network identity (component label).
            expect(pod.volumes.find((v: any) => v.name === "script")).toEqual(
                backupPod.volumes.find((v: any) => v.name === "script"),
            );
            expect(pod.volumes.find((v: any) => v.name === "client")).toEqual(
                backupPod.volumes.find((v: any) => v.name === "client"),
            );
            expect(restore.spec.jobTemplate.spec.template.metadata.labels["app.kubernetes.io/component"]).toBe(
                "backup",
            );
            // scripts/restore-mysql.sh sets OBJECT on the fetch container; empty means the newest dump.
            expect(pod.initContainers[0].env).toEqual(expect.arrayContaining([{ name: "OBJECT", value: "" }]));
            expect(pod.serviceAccountName).toBe("uploader-restore");
            const roles = r.resources
                .filter((x) => x.type === "gcp:storage/bucketIAMMember:BucketIAMMember")
                .map((x) => [x.name, (x.inputs as any).role]);
            expect(roles).toEqual([
                ["app-uploader-backup-writer", "roles/storage.objectCreator"],
                ["app-uploader-restore-reader", "roles/storage.objectViewer"],
            ]);
        }
    });

    it("protects and retains the volume, the credentials and the bucket on prd only", async () => {
        const protectedOn = async (stack: CommittedStack) =>
            (await rendered(stack)).resources.filter((x) => x.protect).map((x) => x.type);
        const prd = await protectedOn("prd");
        expect(prd).toEqual(
            expect.arrayContaining([
                "kubernetes:core/v1:PersistentVolumeClaim",
                "gcp:storage/bucket:Bucket",
                "random:index/randomPassword:RandomPassword",
            ]),
        );
        const dev = await protectedOn("dev");
        expect(dev).not.toContain("kubernetes:core/v1:PersistentVolumeClaim");
        expect(dev).not.toContain("gcp:storage/bucket:Bucket");
    });
});
