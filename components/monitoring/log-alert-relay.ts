import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SINGLE_REPLICA_ANNOTATION } from "../../contract/annotations";
import { containerSecurityContext, podSecurityContext } from "../apps/pod";
import { contentHash } from "../hash";
import { IMAGES } from "../versions";

/** Kubernetes names of the relay; the Google side (components/gcp/logs.ts) binds the service account by them. */
export const LOG_ALERT_RELAY = { name: "log-alert-relay", serviceAccount: "log-alert-relay" } as const;

/** The relay's pod labels; monitoring's egress policies (network-policies.ts) let these pods reach Pub/Sub. */
export const LOG_ALERT_RELAY_PODS = {
    "app.kubernetes.io/name": LOG_ALERT_RELAY.name,
    "app.kubernetes.io/part-of": "platform-monitoring",
} as const;

export interface LogAlertRelayArgs {
    readonly namespace: string;
    /** `projects/<project>/subscriptions/<name>`: the log alerts' Pub/Sub subscription. */
    readonly subscription: pulumi.Input<string>;
    /** The Google service account that may pull it (Workload Identity). */
    readonly serviceAccountEmail: pulumi.Input<string>;
    /** Alertmanager's in-cluster URL, e.g. `http://kps-alertmanager.monitoring.svc:9093`. */
    readonly alertmanagerUrl: string;
    /** Stack name: a label on every relayed alert. */
    readonly stack: string;
    /** An open incident's alert ends this long after its last notification unless renotified. */
    readonly resolveAfterSeconds: number;
}

const SCRIPT_DIR = "/opt/relay";
/** relay.js answers the kubelet's probes here (HEALTH_PORT). */
const HEALTH_PORT = 8080;

/** relay.js as the Deployment runs it. */
export function relayScript(): string {
    return readFileSync(join(__dirname, "log-alert-relay", "relay.js"), "utf8");
}

/**
 * Cloud Monitoring's log-based alerts into Alertmanager (docs/monitoring.md, Logs): a one-replica
 * Deployment that pulls the alerts' Pub/Sub subscription as its own Google service account and
 * posts each incident to Alertmanager, which sends it to the stack's Slack or Discord receiver.
 */
export class LogAlertRelay extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;

    constructor(name: string, args: LogAlertRelayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:LogAlertRelay", name, {}, opts);
        const child = { parent: this };
        const { namespace } = args;
        const labels = { ...LOG_ALERT_RELAY_PODS };
        const script = relayScript();

        // The GKE metadata server hands this account's tokens to the pod; no Kubernetes token is needed.
        new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            {
                metadata: {
                    name: LOG_ALERT_RELAY.serviceAccount,
                    namespace,
                    labels,
                    annotations: { "iam.gke.io/gcp-service-account": args.serviceAccountEmail },
                },
                automountServiceAccountToken: false,
            },
            child,
        );
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-script`,
            { metadata: { name: LOG_ALERT_RELAY.name, namespace, labels }, data: { "relay.js": script } },
            child,
        );
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: {
                    name: LOG_ALERT_RELAY.name,
                    namespace,
                    labels,
                    annotations: {
                        [SINGLE_REPLICA_ANNOTATION]:
                            "Pub/Sub keeps unacknowledged alerts and redelivers them: a restart delays an alert, loses none",
                    },
                },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: labels },
                    // One puller at a time, so a message is not posted twice during a rollout.
                    strategy: { type: "Recreate" },
                    template: {
                        // The script's hash rolls the pod when relay.js changes (it reads it at start).
                        metadata: { labels, annotations: { "platform/script-hash": contentHash(script) } },
                        spec: {
                            serviceAccountName: LOG_ALERT_RELAY.serviceAccount,
                            automountServiceAccountToken: false,
                            securityContext: podSecurityContext(),
                            containers: [
                                {
                                    name: "relay",
                                    image: IMAGES.node,
                                    command: ["node", `${SCRIPT_DIR}/relay.js`],
                                    env: [
                                        { name: "SUBSCRIPTION", value: args.subscription },
                                        { name: "ALERTMANAGER_URL", value: args.alertmanagerUrl },
                                        { name: "STACK", value: args.stack },
                                        { name: "RESOLVE_AFTER_SECONDS", value: String(args.resolveAfterSeconds) },
                                        { name: "HEALTH_PORT", value: String(HEALTH_PORT) },
                                    ],
                                    ports: [{ name: "health", containerPort: HEALTH_PORT }],
                                    // Unhealthy once no pull has succeeded for five minutes (token,
                                    // Pub/Sub or Alertmanager failing): a restart starts it afresh.
                                    livenessProbe: {
                                        httpGet: { path: "/healthz", port: "health" },
                                        periodSeconds: 60,
                                        failureThreshold: 3,
                                    },
                                    readinessProbe: {
                                        httpGet: { path: "/healthz", port: "health" },
                                        periodSeconds: 30,
                                    },
                                    volumeMounts: [{ name: "script", mountPath: SCRIPT_DIR, readOnly: true }],
                                    // uid 1000 is the node image's `node` user.
                                    securityContext: containerSecurityContext(1000),
                                    resources: {
                                        requests: { cpu: "10m", memory: "48Mi" },
                                        limits: { cpu: "200m", memory: "128Mi" },
                                    },
                                },
                            ],
                            volumes: [
                                { name: "script", configMap: { name: LOG_ALERT_RELAY.name, defaultMode: 0o444 } },
                            ],
                        },
                    },
                },
            },
            { ...child, dependsOn: [configMap] },
        );
        this.registerOutputs({ deployment: this.deployment.metadata.name });
    }
}
