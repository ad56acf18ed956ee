import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GcpContext } from "./google-identity";
import { IMAGES } from "../versions";
import { stepsPod } from "./backup-steps";
import { accountIdFor, GoogleIdentity } from "./google-identity";
import { COMPONENTS } from "./network-policies";
import { appLabels } from "./pod";

export interface MysqlRestoreArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The app whose database a restore replaces. */
    readonly app: string;
    /** Namespace of the app (an Output of the envelope). */
    readonly namespace: pulumi.Input<string>;
    /** Plain namespace name (for the Workload Identity member). */
    readonly namespaceName: string;
    /** Name of the MySQL Secret holding `backup.cnf`. */
    readonly mysqlSecret: string;
    /** Database the dump is loaded into. */
    readonly database: string;
    /** Size of the data volume (the scratch space the dump needs). */
    readonly storage: string;
    /** The backup bucket (read only). */
    readonly bucket: pulumi.Input<string>;
    /** ConfigMap holding mysql-backup.sh (the backup's). */
    readonly scriptConfigMap: string;
    /** GCP project and Workload Identity pool. */
    readonly gcp: GcpContext;
}

/** Name of the suspended CronJob a restore is created from (scripts/restore-mysql.sh). */
export function restoreTemplateName(app: string): string {
    return `${app}-mysql-restore`;
}

/** A schedule that never comes (30 February); the CronJob is suspended as well. */
export const NEVER = "0 0 30 2 *";

/**
 * The restore of an app's MySQL, declared but never run by itself: a suspended CronJob whose job
 * template runs mysql-backup.sh `fetch` (newest dump, or $OBJECT; MD5, gzip and trailer checked)
 * then `apply` (scratch database, then one atomic table swap). scripts/restore-mysql.sh creates a
 * Job from it on request. Its service account may only read the bucket.
 */
export class MysqlRestore extends pulumi.ComponentResource {
    readonly cronJob: k8s.batch.v1.CronJob;

    constructor(name: string, args: MysqlRestoreArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:MysqlRestore", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const ksaName = `${args.app}-restore`;
        const identity = new GoogleIdentity(
            `${name}-identity`,
            {
                project: args.gcp.project,
                workloadIdentityPool: args.gcp.workloadIdentityPool,
                accountId: accountIdFor(args.app, "restore"),
                namespace: args.namespaceName,
                kubernetesServiceAccount: ksaName,
                description: `restores of ${args.app}'s MySQL from its backup bucket`,
            },
            { parent: this },
        );
        new gcp.storage.BucketIAMMember(
            `${name}-reader`,
            { bucket: args.bucket, role: "roles/storage.objectViewer", member: identity.member },
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
        // The backup's component label: the same NetworkPolicies (MySQL, metadata server, Google APIs).
        const labels = { ...appLabels(args.app, COMPONENTS.backup), "platform/task": "restore" };
        this.cronJob = new k8s.batch.v1.CronJob(
            `${name}-template`,
            {
                metadata: {
                    name: restoreTemplateName(args.app),
                    namespace: args.namespace,
                    labels,
                    annotations: { "platform/run-with": `scripts/restore-mysql.sh ${args.app} [object]` },
                },
                spec: {
                    schedule: NEVER,
                    suspend: true,
                    concurrencyPolicy: "Forbid",
                    jobTemplate: {
                        spec: {
                            backoffLimit: 0,
                            activeDeadlineSeconds: 6 * 3600,
                            template: {
                                metadata: { labels },
                                spec: stepsPod({
                                    serviceAccountName: ksaName,
                                    mysqlSecret: args.mysqlSecret,
                                    scriptConfigMap: args.scriptConfigMap,
                                    storage: args.storage,
                                    env: [
                                        { name: "DATABASE", value: args.database },
                                        { name: "BUCKET", value: args.bucket },
                                        { name: "PREFIX", value: args.app },
                                        // Empty: the newest dump. scripts/restore-mysql.sh sets it.
                                        { name: "OBJECT", value: "" },
                                    ],
                                    steps: [
                                        { step: "fetch", image: IMAGES.curl },
                                        { step: "apply", image: IMAGES.mysql },
                                    ],
                                }),
                            },
                        },
                    },
                },
            },
            { ...child, dependsOn: [ksa] },
        );
        this.registerOutputs({ template: this.cronJob.metadata.name });
    }
}
