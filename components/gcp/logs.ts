import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import type { LogAlert } from "./log-alerts";

export interface LogsArgs {
    /** GCP project ID: one project per environment, so its `_Default` bucket holds this stack's logs. */
    readonly project: string;
    /** Stack name, in the channel's and policies' display names. */
    readonly stack: string;
    /** Days the `_Default` log bucket keeps entries (1-3650). */
    readonly retentionDays: number;
    /** Log-based alerts (components/gcp/log-alerts.ts); none: no metric, policy or channel. */
    readonly alerts: readonly LogAlert[];
    /** Alertmanager's webhook (Slack or Discord), where the alerts go too; secret. Required with alerts. */
    readonly webhookUrl?: pulumi.Input<string>;
}

/** Cloud Logging's built-in bucket that the `_Default` sink fills with everything but audit logs. */
export const DEFAULT_BUCKET = "_Default";

/**
 * What makes the logs GKE already ships usable: how long the project keeps them, and alerts on
 * the platform's own error signatures, sent to the receiver Alertmanager uses (docs/monitoring.md, Logs).
 */
export class Logs extends pulumi.ComponentResource {
    readonly bucket: gcp.logging.ProjectBucketConfig;
    readonly channel?: gcp.monitoring.NotificationChannel;
    readonly policies: gcp.monitoring.AlertPolicy[] = [];

    constructor(name: string, args: LogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:Logs", name, {}, opts);
        // The `_Default` bucket always exists: this resource takes it over and sets its retention;
        // deleting the resource leaves the bucket (Cloud Logging cannot delete it).
        this.bucket = new gcp.logging.ProjectBucketConfig(
            `${name}-bucket`,
            {
                project: args.project,
                location: "global",
                bucketId: DEFAULT_BUCKET,
                retentionDays: args.retentionDays,
            },
            { parent: this },
        );
        if (args.alerts.length > 0) {
            if (args.webhookUrl === undefined) throw new Error("Logs: alerts need webhookUrl");
            // A webhook channel's URL is a plain label (sensitiveLabels has only authToken, password
            // and serviceKey); the URL is the credential, so the input is a secret and so is the output.
            this.channel = new gcp.monitoring.NotificationChannel(
                `${name}-webhook`,
                {
                    project: args.project,
                    displayName: `platform ${args.stack}: Alertmanager's webhook`,
                    type: "webhook_tokenauth",
                    labels: { url: pulumi.secret(args.webhookUrl) },
                },
                { parent: this, additionalSecretOutputs: ["labels"] },
            );
            for (const alert of args.alerts) this.policies.push(this.alert(name, args, alert, this.channel));
        }
        this.registerOutputs({ bucket: this.bucket.id });
    }

    private alert(
        name: string,
        args: LogsArgs,
        alert: LogAlert,
        channel: gcp.monitoring.NotificationChannel,
    ): gcp.monitoring.AlertPolicy {
        const metric = new gcp.logging.Metric(
            `${name}-${alert.id}`,
            {
                project: args.project,
                name: `platform/${args.stack}/${alert.id}`,
                description: alert.title,
                filter: alert.filter,
                metricDescriptor: { metricKind: "DELTA", valueType: "INT64", unit: "1" },
            },
            { parent: this },
        );
        const window = `${alert.windowSeconds}s`;
        return new gcp.monitoring.AlertPolicy(
            `${name}-${alert.id}`,
            {
                project: args.project,
                displayName: `platform ${args.stack}: ${alert.title}`,
                combiner: "OR",
                conditions: [
                    {
                        displayName: alert.title,
                        conditionThreshold: {
                            filter: pulumi.interpolate`metric.type="logging.googleapis.com/user/${metric.name}" AND resource.type="${alert.resourceType}"`,
                            comparison: "COMPARISON_GT",
                            thresholdValue: alert.threshold,
                            duration: "0s",
                            aggregations: [
                                {
                                    alignmentPeriod: window,
                                    perSeriesAligner: "ALIGN_SUM",
                                    crossSeriesReducer: "REDUCE_SUM",
                                },
                            ],
                            trigger: { count: 1 },
                        },
                    },
                ],
                alertStrategy: { autoClose: "1800s" },
                documentation: { content: alert.runbook, mimeType: "text/markdown" },
                notificationChannels: [channel.name],
            },
            { parent: this },
        );
    }
}
