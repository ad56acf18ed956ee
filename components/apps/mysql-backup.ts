import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_RESOURCES } from "./spec";
import { IMAGES } from "../versions";
import { accountIdFor, GcpContext, GoogleIdentity } from "./google-identity";
import { COMPONENTS } from "./network-policies";
import { appLabels, containerSecurityContext, podSecurityContext, writable } from "./pod";

export interface MysqlBackupArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The app whose database is dumped. */
    readonly app: string;
    /** Namespace of the app (an Output of the envelope). */
    readonly namespace: pulumi.Input<string>;
    /** Plain namespace name (for the Workload Identity member). */
    readonly namespaceName: string;
    /** Name of the MySQL Secret holding `backup.cnf`. */
    readonly mysqlSecret: string;
    /** Database to dump. */
    readonly database: string;
    /** Size of the data volume (the scratch space the dump may need). */
    readonly storage: string;
    /** Cron schedule, UTC. */
    readonly schedule: string;
    /** Days a dump (and an overwritten version) is kept. */
    readonly retentionDays: number;
    /** GCP project, region and Workload Identity pool. */
    readonly gcp: GcpContext;
    /** Pulumi `protect` on the bucket (prd). @default false */
    readonly protect?: boolean;
}

/** Bucket names are global: `<project>-backup-<app>`, at most 63 characters. */
export function backupBucketName(project: string, app: string): string {
    return `${project}-backup-${app}`.slice(0, 63).replace(/-+$/, "");
}

/**
 * A nightly `mysqldump` CronJob that gzips each dump into a versioned Cloud Storage bucket with a
 * retention rule. The job's service account may only create objects there (Workload Identity), so a
 * compromised job cannot delete earlier dumps.
 */
export class MysqlBackup extends pulumi.ComponentResource {
    readonly bucket: gcp.storage.Bucket;
    readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: MysqlBackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:MysqlBackup", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const ksaName = `${args.app}-backup`;
        this.bucket = new gcp.storage.Bucket(
            `${name}-bucket`,
            {
                project: args.gcp.project,
                name: backupBucketName(args.gcp.project, args.app),
                location: args.gcp.region,
                storageClass: "STANDARD",
                uniformBucketLevelAccess: true,
                publicAccessPrevention: "enforced",
                versioning: { enabled: true },
                forceDestroy: false,
                lifecycleRules: [
                    { action: { type: "Delete" }, condition: { age: args.retentionDays } },
                    {
                        action: { type: "Delete" },
                        condition: { daysSinceNoncurrentTime: args.retentionDays, withState: "ARCHIVED" },
                    },
                ],
                labels: { app: args.app, purpose: "mysql-backup" },
            },
            { parent: this, protect: args.protect === true },
        );
        const identity = new GoogleIdentity(
            `${name}-identity`,
            {
                project: args.gcp.project,
                workloadIdentityPool: args.gcp.workloadIdentityPool,
                accountId: accountIdFor(args.app, "backup"),
                namespace: args.namespaceName,
                kubernetesServiceAccount: ksaName,
                description: `mysqldump uploads of ${args.app}`,
            },
            { parent: this },
        );
        new gcp.storage.BucketIAMMember(
            `${name}-writer`,
            { bucket: this.bucket.name, role: "roles/storage.objectCreator", member: identity.member },
            { parent: this },
        );
        const ksa = new k8s.core.v1.ServiceAccount(
            `${name}-ksa`,
            {
                metadata: {
                    name: ksaName,
                    namespace: args.namespace,
                    annotations: { "iam.gke.io/gcp-service-account": identity.email },
                },
            },
            child,
        );
        const labels = appLabels(args.app, COMPONENTS.backup);
        const scratch = writable("backup", ["/tmp"]);
        const dumpCommand = [
            "mysqldump --defaults-extra-file=/etc/mysql-backup/backup.cnf",
            "--single-transaction --routines --events --triggers --set-gtid-purged=OFF",
            `--databases ${args.database} > /backup/dump.sql`,
        ].join(" ");
        // `$$(` is Kubernetes' escape for a literal `$(`: the shell, not the kubelet, runs `date`.
        const upload = pulumi.interpolate`set -eu; f=${args.database}-$$(date -u +%Y%m%dT%H%M%SZ).sql.gz; gzip -c /backup/dump.sql > /backup/$f; gcloud storage cp /backup/$f gs://${this.bucket.name}/${args.app}/$f; echo uploaded gs://${this.bucket.name}/${args.app}/$f`;
        this.cronJob = new k8s.batch.v1.CronJob(
            `${name}-cron`,
            {
                metadata: { name: ksaName, namespace: args.namespace, labels },
                spec: {
                    schedule: args.schedule,
                    timeZone: "Etc/UTC",
                    concurrencyPolicy: "Forbid",
                    successfulJobsHistoryLimit: 3,
                    failedJobsHistoryLimit: 3,
                    jobTemplate: {
                        spec: {
                            backoffLimit: 2,
                            activeDeadlineSeconds: 3600,
                            template: {
                                metadata: { labels },
                                spec: {
                                    serviceAccountName: ksaName,
                                    restartPolicy: "Never",
                                    securityContext: podSecurityContext(999),
                                    volumes: [
                                        {
                                            name: "client",
                                            secret: {
                                                secretName: args.mysqlSecret,
                                                items: [{ key: "backup.cnf", path: "backup.cnf" }],
                                                defaultMode: 0o440,
                                            },
                                        },
                                        { name: "dump", emptyDir: { sizeLimit: args.storage } },
                                        ...scratch.volumes,
                                    ],
                                    initContainers: [
                                        {
                                            name: "dump",
                                            image: IMAGES.mysql,
                                            command: ["sh", "-c", dumpCommand],
                                            resources: PLATFORM_RESOURCES.backup,
                                            securityContext: containerSecurityContext(999),
                                            volumeMounts: [
                                                { name: "client", mountPath: "/etc/mysql-backup", readOnly: true },
                                                { name: "dump", mountPath: "/backup" },
                                                ...scratch.mounts,
                                            ],
                                        },
                                    ],
                                    containers: [
                                        {
                                            name: "upload",
                                            image: IMAGES.cloudSdk,
                                            command: ["sh", "-c", upload],
                                            env: [
                                                { name: "HOME", value: "/tmp" },
                                                { name: "CLOUDSDK_CONFIG", value: "/tmp/gcloud" },
                                                // Parallel composite uploads (large dumps) delete their
                                                // temporary parts, which objectCreator may not do.
                                                {
                                                    name: "CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED",
                                                    value: "False",
                                                },
                                            ],
                                            resources: PLATFORM_RESOURCES.backup,
                                            securityContext: containerSecurityContext(999),
                                            volumeMounts: [{ name: "dump", mountPath: "/backup" }, ...scratch.mounts],
                                        },
                                    ],
                                },
                            },
                        },
                    },
                },
            },
            { ...child, dependsOn: [ksa] },
        );
        this.registerOutputs({ bucket: this.bucket.name });
    }
}
