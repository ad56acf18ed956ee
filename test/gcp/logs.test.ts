import { readFileSync } from "node:fs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../../config/sections/monitoring";
import type { RecordedResource } from "../../render/recorder";
import { renderStack, RenderResult } from "../../render/render";
import { filesUnder, rendered } from "../rendered";
import { devWith, sentinelSecrets, writeStackFile } from "../stack-files";

const BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
const METRIC = "gcp:logging/metric:Metric";
const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
const CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel";
const TOPIC = "gcp:pubsub/topic:Topic";
const TOPIC_IAM = "gcp:pubsub/topicIAMMember:TopicIAMMember";
const SUBSCRIPTION = "gcp:pubsub/subscription:Subscription";
const SUBSCRIPTION_IAM = "gcp:pubsub/subscriptionIAMMember:SubscriptionIAMMember";

function ofType(r: Pick<RenderResult, "resources">, type: string): RecordedResource[] {
    return r.resources.filter((x) => x.type === type);
}

/** The log-based metric whose filter the policy's condition reads, by the metric name in it. */
function metricOf(r: Pick<RenderResult, "resources">, policy: RecordedResource): RecordedResource {
    const filter = (policy.inputs.conditions as { conditionThreshold: { filter: string } }[])[0]!.conditionThreshold
        .filter;
    const name = /metric\.type="logging\.googleapis\.com\/user\/([^"]+)"/.exec(filter)?.[1];
    const metric = ofType(r, METRIC).find((m) => m.inputs.name === name);
    expect(metric).toBeDefined();
    return metric!;
}

/** The filter of the metric behind the policy whose id is `id` (resource name `logs-<id>`). */
function alertFilter(r: Pick<RenderResult, "resources">, id: string): string {
    const policy = ofType(r, POLICY).find((p) => p.name === `logs-${id}`);
    expect(policy).toBeDefined();
    return metricOf(r, policy!).inputs.filter as string;
}

function chartNamespace(r: Pick<RenderResult, "charts">, chart: string): string {
    const found = r.charts.find((c) => c.chart === chart);
    expect(found).toBeDefined();
    return String(found!.namespace);
}

describe.each(["dev", "prd"] as const)("render %s: Cloud Logging", (stack) => {
    it("sets the _Default bucket's retention to the environment's default", async () => {
        const r = await rendered(stack);
        const buckets = ofType(r, BUCKET);
        expect(buckets).toHaveLength(1);
        expect(buckets[0]!.inputs).toMatchObject({
            bucketId: "_Default",
            retentionDays: DEFAULT_LOG_RETENTION_DAYS[stack],
        });
    });

    it("alerts on oauth2-proxy login failures in the namespace and container the edge runs it in", async () => {
        const r = await rendered(stack);
        const filter = alertFilter(r, "auth-failures");
        const ns = chartNamespace(r, "oauth2-proxy");
        expect(filter).toContain(`resource.labels.namespace_name="${ns}"`);
        expect(filter).toContain(`resource.labels.container_name="oauth2-proxy"`);
        expect(filter).toContain(`textPayload:"[AuthFailure]"`);
    });

    it("alerts on Flux's error lines in Flux's namespace", async () => {
        const r = await rendered(stack);
        const filter = alertFilter(r, "flux-reconcile-errors");
        expect(filter).toContain(`resource.labels.namespace_name="${chartNamespace(r, "flux2")}"`);
        expect(filter).toContain(`jsonPayload.level="error"`);
    });

    it("alerts on crash loops in every namespace the stack creates, and only in those", async () => {
        const r = await rendered(stack);
        const filter = alertFilter(r, "crash-loops");
        const created = r.objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name as string);
        expect(created.length).toBeGreaterThan(3);
        const watched = [...filter.matchAll(/resource\.labels\.namespace_name="([^"]+)"/g)].map((m) => m[1]);
        expect(watched.sort()).toEqual([...new Set(created)].sort());
        expect(filter).toContain(`jsonPayload.reason="BackOff"`);
        expect(filter).toMatch(/logName="projects\/[a-z0-9-]+\/logs\/events"/);
    });

    it("scopes every filter to this stack's cluster", async () => {
        const r = await rendered(stack);
        const cluster = ofType(r, "gcp:container/cluster:Cluster")[0]!.inputs.name as string;
        const metrics = ofType(r, METRIC);
        expect(metrics).toHaveLength(3);
        for (const m of metrics) expect(m.inputs.filter).toContain(`resource.labels.cluster_name="${cluster}"`);
    });

    it("sends every alert to a Pub/Sub channel whose topic Cloud Monitoring's agent may publish to", async () => {
        const r = await rendered(stack);
        const channels = ofType(r, CHANNEL);
        expect(channels).toHaveLength(1);
        expect(channels[0]!.inputs.type).toBe("pubsub");
        const topics = ofType(r, TOPIC);
        expect(topics).toHaveLength(1);
        const project = topics[0]!.inputs.project as string;
        expect(channels[0]!.inputs.labels).toEqual({ topic: `projects/${project}/topics/${topics[0]!.inputs.name}` });
        const grants = ofType(r, TOPIC_IAM);
        expect(grants).toHaveLength(1);
        expect(grants[0]!.inputs).toMatchObject({ topic: topics[0]!.inputs.name, role: "roles/pubsub.publisher" });
        expect(grants[0]!.inputs.member).toMatch(
            /^serviceAccount:service-\d+@gcp-sa-monitoring-notification\.iam\.gserviceaccount\.com$/,
        );
        const policies = ofType(r, POLICY);
        expect(policies).toHaveLength(3);
        for (const p of policies) {
            expect(p.inputs.notificationChannels).toEqual([channels[0]!.name]);
            // The relay names the alert by this label, and the repeats keep its Alertmanager alert open.
            expect((p.inputs.userLabels as Record<string, string>).platform_alert).toBe(p.name.replace(/^logs-/, ""));
            const strategy = (p.inputs.alertStrategy as any).notificationChannelStrategies[0];
            expect(strategy.notificationChannelNames).toEqual([channels[0]!.name]);
            expect(parseInt(strategy.renotifyInterval, 10)).toBeGreaterThan(0);
        }
    });

    it("relays the alerts into Alertmanager from a subscription only the relay's own account may read", async () => {
        const r = await rendered(stack);
        const [subscription] = ofType(r, SUBSCRIPTION);
        expect(ofType(r, SUBSCRIPTION)).toHaveLength(1);
        expect(subscription!.inputs.topic).toContain(`topics/${ofType(r, TOPIC)[0]!.inputs.name}`);
        const readers = ofType(r, SUBSCRIPTION_IAM);
        expect(readers).toHaveLength(1);
        expect(readers[0]!.inputs).toMatchObject({
            subscription: subscription!.inputs.name,
            role: "roles/pubsub.subscriber",
        });
        // The account that may read it is the one the relay's Kubernetes service account acts as.
        const relay = r.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "log-alert-relay");
        expect(relay).toBeDefined();
        const ns = relay!.metadata.namespace as string;
        const pod = (relay as any).spec.template.spec;
        const env = Object.fromEntries(
            pod.containers[0].env.map((e: { name: string; value: string }) => [e.name, e.value]),
        );
        expect(env.SUBSCRIPTION).toBe(
            `projects/${subscription!.inputs.project}/subscriptions/${subscription!.inputs.name}`,
        );
        const ksa = r.objects.find(
            (o) =>
                o.kind === "ServiceAccount" &&
                o.metadata.name === pod.serviceAccountName &&
                o.metadata.namespace === ns,
        );
        expect(ksa).toBeDefined();
        const email = (ksa!.metadata.annotations as Record<string, string>)["iam.gke.io/gcp-service-account"];
        expect(readers[0]!.inputs.member).toBe(`serviceAccount:${email}`);
        const wi = r.resources.find(
            (x) =>
                x.type === "gcp:serviceaccount/iAMMember:IAMMember" &&
                String(x.inputs.member).includes(`[${ns}/${pod.serviceAccountName}]`),
        );
        expect(wi?.inputs.role).toBe("roles/iam.workloadIdentityUser");
        // It posts to the Alertmanager Service this stack's chart makes: `<fullname>-alertmanager`,
        // port 9093 unless the values change it (kube-prometheus-stack's naming and default).
        const kps = r.charts.find((c) => c.chart === "kube-prometheus-stack")!;
        const values = kps.values as { fullnameOverride: string; alertmanager: { service?: { port?: number } } };
        const url = new URL(env.ALERTMANAGER_URL);
        expect(url.hostname).toBe(`${values.fullnameOverride}-alertmanager.${kps.namespace}.svc`);
        expect(Number(url.port)).toBe(values.alertmanager.service?.port ?? 9093);
        expect(kps.namespace).toBe(ns);
        // No project role: the subscription grant is all it holds.
        expect(
            r.resources.filter(
                (x) => x.type === "gcp:projects/iAMMember:IAMMember" && x.inputs.member === `serviceAccount:${email}`,
            ),
        ).toEqual([]);
    });

    it("writes the webhook URL nowhere", async () => {
        const r = await rendered(stack);
        const url = r.secrets.alertmanagerWebhookUrl!;
        expect(url).toContain("SENTINEL");
        for (const file of filesUnder(r.dir)) expect(readFileSync(file, "utf8")).not.toContain(url);
    });
});

describe("Cloud Logging config", () => {
    it("is GKE's only: an existing cluster gets no bucket, metric, policy or channel", async () => {
        const r = await rendered("local");
        expect(r.resources.filter((x) => [BUCKET, METRIC, POLICY, CHANNEL, TOPIC].includes(x.type))).toEqual([]);
        expect(r.objects.filter((o) => o.metadata.name === "log-alert-relay")).toEqual([]);
    });

    it("follows renamed namespaces, a retention override and the burst threshold", async () => {
        const stackFile = writeStackFile(
            devWith((c) => {
                c["platform:monitoring"] = {
                    ...c["platform:monitoring"],
                    namespace: "observability",
                    logs: { retentionDays: 3, authFailuresPer5m: 7 },
                };
            }),
        );
        const r = await renderStack({
            stack: "dev",
            stackFile,
            secrets: sentinelSecrets("dev", "SENTINEL", stackFile),
        });
        expect(r.errors).toEqual([]);
        expect(ofType(r, BUCKET)[0]!.inputs.retentionDays).toBe(3);
        const crash = alertFilter(r, "crash-loops");
        expect(crash).toContain(`resource.labels.namespace_name="observability"`);
        expect(crash).not.toContain(`resource.labels.namespace_name="monitoring"`);
        const auth = ofType(r, POLICY).find((p) => p.name === "logs-auth-failures")!;
        expect((auth.inputs.conditions as any)[0].conditionThreshold.thresholdValue).toBe(7);
    });

    it("keeps the retention without alerts when alerts are off", async () => {
        const stackFile = writeStackFile(
            devWith((c) => {
                c["platform:monitoring"] = { ...c["platform:monitoring"], logs: { alerts: false } };
            }),
        );
        const r = await renderStack({ stack: "dev", stackFile });
        expect(ofType(r, BUCKET)).toHaveLength(1);
        expect(ofType(r, CHANNEL).concat(ofType(r, POLICY), ofType(r, METRIC), ofType(r, TOPIC))).toEqual([]);
        expect(r.objects.filter((o) => o.metadata.name === "log-alert-relay")).toEqual([]);
    });

    it("refuses a retention outside 1-3650 days, naming the key", async () => {
        const stackFile = writeStackFile(
            devWith((c) => {
                c["platform:monitoring"] = { ...c["platform:monitoring"], logs: { retentionDays: 0 } };
            }),
        );
        await expect(renderStack({ stack: "dev", stackFile })).rejects.toThrow(
            /monitoring\.logs\.retentionDays[\s\S]*0/,
        );
    });
});
