import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { GoogleIdentity } from "../apps/google-identity";
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
    /**
     * The in-cluster relay that pulls the alerts and hands them to Alertmanager
     * (components/monitoring/log-alert-relay.ts): its Kubernetes service account. Required with alerts.
     */
    readonly relay?: { readonly namespace: string; readonly serviceAccount: string };
    /** `<project>.svc.id.goog`, from the cluster (index.ts); required with alerts. */
    readonly workloadIdentityPool?: pulumi.Input<string>;
}

/** What the relay needs: the subscription it pulls and the Google account it pulls as. */
export interface LogAlertRelayTarget {
    /** `projects/<project>/subscriptions/<name>`. */
    readonly subscription: pulumi.Output<string>;
    readonly serviceAccountEmail: pulumi.Output<string>;
}

/** How often Cloud Monitoring repeats an open incident's notification; the relay's alerts outlive two. */
export const RENOTIFY_SECONDS = 1800;

/** Cloud Logging's built-in bucket that the `_Default` sink fills with everything but audit logs. */
export const DEFAULT_BUCKET = "_Default";

/**
 * What makes the logs GKE already ships usable: how long the project keeps them, and alerts on
 * the platform's own error signatures, relayed into Alertmanager (docs/monitoring.md, Logs).
 */
export class Logs extends pulumi.ComponentResource {
    readonly bucket: gcp.logging.ProjectBucketConfig;
    readonly channel?: gcp.monitoring.NotificationChannel;
    readonly policies: gcp.monitoring.AlertPolicy[] = [];
    /** Set with alerts: where the in-cluster relay pulls them from. */
    readonly relay?: LogAlertRelayTarget;

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
            if (args.relay === undefined || args.workloadIdentityPool === undefined)
                throw new Error("Logs: alerts need the relay's service account and the Workload Identity pool");
            const { channel, relay } = this.pubsubPath(name, args, args.relay, args.workloadIdentityPool);
            this.channel = channel;
            this.relay = relay;
            for (const alert of args.alerts) this.policies.push(this.alert(name, args, alert, channel));
        }
        this.registerOutputs({ bucket: this.bucket.id });
    }

    /**
     * Cloud Monitoring -> Pub/Sub topic -> subscription the relay pulls. A Slack or Discord webhook
     * refuses Cloud Monitoring's own JSON, and a push to the cluster would need a public endpoint;
     * a pull needs neither, and the relay's account may read this one subscription and nothing else.
     */
    private pubsubPath(
        name: string,
        args: LogsArgs,
        relayAccount: NonNullable<LogsArgs["relay"]>,
        pool: pulumi.Input<string>,
    ): { channel: gcp.monitoring.NotificationChannel; relay: LogAlertRelayTarget } {
        const child = { parent: this };
        const topic = new gcp.pubsub.Topic(
            `${name}-alerts`,
            { project: args.project, name: `platform-${args.stack}-log-alerts`, messageRetentionDuration: "86400s" },
            child,
        );
        const topicPath = pulumi.interpolate`projects/${args.project}/topics/${topic.name}`;
        // Cloud Monitoring publishes as its notification service agent, named by the project number.
        const project = gcp.organizations.getProjectOutput({ projectId: args.project }, child);
        const publisher = new gcp.pubsub.TopicIAMMember(
            `${name}-alerts-publisher`,
            {
                project: args.project,
                topic: topic.name,
                role: "roles/pubsub.publisher",
                member: pulumi.interpolate`serviceAccount:service-${project.number}@gcp-sa-monitoring-notification.iam.gserviceaccount.com`,
            },
            child,
        );
        const subscription = new gcp.pubsub.Subscription(
            `${name}-alerts-relay`,
            {
                project: args.project,
                name: `platform-${args.stack}-log-alerts-relay`,
                topic: topicPath,
                ackDeadlineSeconds: 60,
                // Alerts older than a day are stale; an unread subscription never expires.
                messageRetentionDuration: "86400s",
                expirationPolicy: { ttl: "" },
            },
            child,
        );
        const identity = new GoogleIdentity(
            `${name}-relay`,
            {
                project: args.project,
                workloadIdentityPool: pool,
                accountId: `${args.stack}-log-alert-relay`.slice(0, 30).replace(/-+$/, ""),
                namespace: relayAccount.namespace,
                kubernetesServiceAccount: relayAccount.serviceAccount,
                description: `platform ${args.stack}: pulls log alerts for Alertmanager`,
            },
            child,
        );
        new gcp.pubsub.SubscriptionIAMMember(
            `${name}-alerts-relay-subscriber`,
            {
                project: args.project,
                subscription: subscription.name,
                role: "roles/pubsub.subscriber",
                member: identity.member,
            },
            child,
        );
        const channel = new gcp.monitoring.NotificationChannel(
            `${name}-pubsub`,
            {
                project: args.project,
                displayName: `platform ${args.stack}: log alerts to Alertmanager (Pub/Sub)`,
                type: "pubsub",
                labels: { topic: topicPath },
            },
            { ...child, dependsOn: [publisher] },
        );
        return {
            channel,
            relay: {
                subscription: pulumi.interpolate`projects/${args.project}/subscriptions/${subscription.name}`,
                serviceAccountEmail: identity.email,
            },
        };
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
                // The relay reads the id from the policy's labels (the webhook payload carries them).
                userLabels: { platform_alert: alert.id },
                alertStrategy: {
                    autoClose: "1800s",
                    // Repeats keep the relay's Alertmanager alert alive while the incident is open.
                    notificationChannelStrategies: [
                        { notificationChannelNames: [channel.name], renotifyInterval: `${RENOTIFY_SECONDS}s` },
                    ],
                },
                documentation: { content: alert.runbook, mimeType: "text/markdown" },
                notificationChannels: [channel.name],
            },
            { parent: this },
        );
    }
}
