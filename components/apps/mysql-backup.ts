import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../versions";
import { accountIdFor, GcpContext, GoogleIdentity } from "./google-identity";
import { COMPONENTS } from "./network-policies";
import { appLabels } from "./pod";
import { contentHash } from "../hash";
import { mysqlBackupScript, SCRIPT_FILE, stepsPod } from "./backup-steps";

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
 * A nightly CronJob running mysql-backup.sh beside this file: `dump` (mysqldump
 * --single-transaction, gzip, checked) then `upload` into a versioned Cloud Storage bucket whose
 * lifecycle deletes dumps after the retention. The job's service account may only create objects
 * there (Workload Identity), so a compromised job cannot delete or overwrite earlier dumps.
 */
export class MysqlBackup extends pulumi.ComponentResource {
    readonly bucket: gcp.storage.Bucket;
    readonly cronJob: k8s.batch.v1.CronJob;
    /** Name of the ConfigMap holding the script (the restore mounts it too). */
    readonly scriptConfigMap: string;

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
        const script = mysqlBackupScript();
        const hash = contentHash(script);
        this.scriptConfigMap = `${args.app}-backup-script-${hash.slice(0, 10)}`;
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            {
                metadata: { name: this.scriptConfigMap, namespace: args.namespace, labels },
                data: { [SCRIPT_FILE]: script },
            },
            child,
        );
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
                                metadata: { labels, annotations: { "platform/script-hash": hash } },
                                spec: stepsPod({
                                    serviceAccountName: ksaName,
                                    mysqlSecret: args.mysqlSecret,
                                    scriptConfigMap: this.scriptConfigMap,
                                    storage: args.storage,
                                    env: [
                                        { name: "DATABASE", value: args.database },
                                        { name: "BUCKET", value: this.bucket.name },
                                        { name: "PREFIX", value: args.app },
                                    ],
                                    steps: [
                                        { step: "dump", image: IMAGES.mysql },
                                        { step: "upload", image: IMAGES.curl },
                                    ],
                                }),
                            },
                        },
                    },
                },
            },
            { ...child, dependsOn: [ksa, configMap] },
        );
        this.registerOutputs({ bucket: this.bucket.name });
    }
}
