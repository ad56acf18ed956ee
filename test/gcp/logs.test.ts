import { readFileSync } from "node:fs";
import { DEFAULT_LOG_RETENTION_DAYS } from "../../config/sections/monitoring";
import { isSecretWrapper, unwrapSecrets } from "../../render/redact";
import type { RecordedResource } from "../../render/recorder";
import { renderStack, RenderResult } from "../../render/render";
import { filesUnder, rendered } from "../rendered";
import { devWith, sentinelSecrets, writeStackFile } from "../stack-files";

const BUCKET = "gcp:logging/projectBucketConfig:ProjectBucketConfig";
const METRIC = "gcp:logging/metric:Metric";
const POLICY = "gcp:monitoring/alertPolicy:AlertPolicy";
const CHANNEL = "gcp:monitoring/notificationChannel:NotificationChannel";

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

    it("sends every alert to a webhook channel whose URL is a secret", async () => {
        const r = await rendered(stack);
        const channels = ofType(r, CHANNEL);
        expect(channels).toHaveLength(1);
        expect(channels[0]!.inputs.type).toBe("webhook_tokenauth");
        const labels = channels[0]!.inputs.labels;
        expect(isSecretWrapper(labels)).toBe(true);
        expect(unwrapSecrets(labels)).toEqual({ url: r.secrets.alertmanagerWebhookUrl });
        const policies = ofType(r, POLICY);
        expect(policies).toHaveLength(3);
        for (const p of policies) expect(p.inputs.notificationChannels).toEqual([channels[0]!.name]);
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
        expect(r.resources.filter((x) => [BUCKET, METRIC, POLICY, CHANNEL].includes(x.type))).toEqual([]);
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
        expect(ofType(r, CHANNEL).concat(ofType(r, POLICY), ofType(r, METRIC))).toEqual([]);
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
