#!/usr/bin/env node
// Log-alert relay: Cloud Monitoring's log-based alerts into Alertmanager, so they reach the same
// Slack or Discord receiver, grouping, silences and inhibitions as every other alert.
//
// Cloud Monitoring publishes each incident (opened, closed, and again every renotify interval
// while open) to a Pub/Sub topic; this script pulls the topic's subscription as its own Google
// service account (Workload Identity: a token from the GKE metadata server) and posts one
// Alertmanager alert per message. Nothing in the cluster is reachable from outside for this.
// A message is acknowledged once Alertmanager accepted the alert, or when it is not an incident
// at all (it would be redelivered for ever); an Alertmanager outage leaves it to be redelivered.
//
// Dependency-free CommonJS (Node 20+, global fetch), so the Deployment runs it straight from a
// ConfigMap on a stock node image and jest tests it directly.
//
// Environment (main):
//   SUBSCRIPTION       projects/<project>/subscriptions/<name>
//   ALERTMANAGER_URL   e.g. http://kps-alertmanager.monitoring.svc:9093
//   STACK              the stack name, a label on every alert
//   RESOLVE_AFTER_SECONDS  an open incident's alert ends this long after its last message, unless
//                      renotified or closed first. Default 3600 (twice the policies' renotify interval).
//   HEALTH_PORT        the kubelet's probes ask GET /healthz here: 200 while a pull succeeded in the
//                      last STALE_SECONDS (default 300) or the relay started less than that ago. Default 8080.
//   PUBSUB_URL, METADATA_URL  overrides for tests. Defaults: Google's endpoints.
"use strict";

const DEFAULT_PUBSUB = "https://pubsub.googleapis.com";
// The GKE metadata server answers here for a Workload Identity pod; no DNS needed.
const DEFAULT_METADATA = "http://169.254.169.254";

/** A Cloud Monitoring notification (schema version 1.2) as one Alertmanager alert, or undefined. */
function incidentToAlert(payload, stack, now, resolveAfterSeconds) {
    const incident = payload && typeof payload === "object" ? payload.incident : undefined;
    if (!incident || typeof incident !== "object" || typeof incident.incident_id !== "string") return undefined;
    const userLabels =
        incident.policy_user_labels && typeof incident.policy_user_labels === "object"
            ? incident.policy_user_labels
            : {};
    const alertId = typeof userLabels.platform_alert === "string" ? userLabels.platform_alert : undefined;
    const state = String(incident.state ?? "").toLowerCase();
    const seconds = (v) => (typeof v === "number" && v > 0 ? new Date(v * 1000) : undefined);
    const startsAt = seconds(incident.started_at) ?? now;
    const endsAt =
        state === "closed" ? (seconds(incident.ended_at) ?? now) : new Date(now.getTime() + resolveAfterSeconds * 1000);
    const documentation =
        incident.documentation && typeof incident.documentation.content === "string"
            ? incident.documentation.content
            : "";
    return {
        labels: {
            alertname: "LogAlert",
            // The policy's id (components/gcp/log-alerts.ts) when the payload carries the policy's
            // user labels; its display name otherwise.
            log_alert: alertId ?? String(incident.policy_name ?? "unknown"),
            incident: incident.incident_id,
            stack,
            severity: "warning",
            source: "cloud-monitoring",
        },
        annotations: {
            summary: String(incident.summary ?? incident.policy_name ?? "log-based alert"),
            description: documentation,
            ...(typeof incident.url === "string" ? { incident_url: incident.url } : {}),
        },
        startsAt: startsAt.toISOString(),
        endsAt: endsAt.toISOString(),
        ...(typeof incident.url === "string" ? { generatorURL: incident.url } : {}),
    };
}

/** Decodes one Pub/Sub message's data (base64 JSON); undefined when it is not JSON. */
function decodeMessage(message) {
    try {
        return JSON.parse(Buffer.from(String(message?.data ?? ""), "base64").toString("utf8"));
    } catch {
        return undefined;
    }
}

async function expectOk(response, what) {
    if (response.status >= 200 && response.status < 300) return response;
    const body = await response.text().catch(() => "");
    throw new Error(`${what}: HTTP ${response.status} ${body.slice(0, 300)}`);
}

/** Access tokens from the metadata server, reused until a minute before they expire. */
function tokenSource(metadataUrl, fetchFn) {
    let cached;
    return async (now) => {
        if (cached && cached.expires > now.getTime() + 60_000) return cached.token;
        const url = `${metadataUrl}/computeMetadata/v1/instance/service-accounts/default/token`;
        const r = await expectOk(
            await fetchFn(url, { method: "GET", headers: { "Metadata-Flavor": "Google" } }),
            "metadata token",
        );
        const body = await r.json();
        cached = { token: body.access_token, expires: now.getTime() + Number(body.expires_in ?? 0) * 1000 };
        return cached.token;
    };
}

/**
 * One pull: fetch up to 20 messages, post their alerts to Alertmanager, acknowledge what was
 * delivered or unusable. Returns counts; throws when Pub/Sub or Alertmanager fails.
 */
async function relayOnce(o) {
    const now = o.now ? o.now() : new Date();
    const token = await o.token(now);
    const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/json" };
    const pulled = await expectOk(
        await o.fetch(`${o.pubsubUrl}/v1/${o.subscription}:pull`, {
            method: "POST",
            headers: auth,
            body: JSON.stringify({ maxMessages: 20 }),
        }),
        "pubsub pull",
    );
    const received = (await pulled.json()).receivedMessages ?? [];
    const alerts = [];
    const ack = [];
    let unusable = 0;
    for (const m of received) {
        const alert = incidentToAlert(decodeMessage(m.message), o.stack, now, o.resolveAfterSeconds);
        if (alert) alerts.push(alert);
        else unusable += 1;
        ack.push(m.ackId);
    }
    if (alerts.length > 0) {
        await expectOk(
            await o.fetch(`${o.alertmanagerUrl}/api/v2/alerts`, {
                method: "POST",
                headers: { "Content-Type": "application/json" },
                body: JSON.stringify(alerts),
            }),
            "alertmanager",
        );
    }
    if (ack.length > 0) {
        await expectOk(
            await o.fetch(`${o.pubsubUrl}/v1/${o.subscription}:acknowledge`, {
                method: "POST",
                headers: auth,
                body: JSON.stringify({ ackIds: ack }),
            }),
            "pubsub acknowledge",
        );
    }
    return { relayed: alerts.length, unusable };
}

function optionsFromEnv(env, fetchFn) {
    for (const key of ["SUBSCRIPTION", "ALERTMANAGER_URL", "STACK"]) {
        if (!env[key]) throw new Error(`${key} is not set`);
    }
    if (!/^projects\/[^/]+\/subscriptions\/[^/]+$/.test(env.SUBSCRIPTION))
        throw new Error(`SUBSCRIPTION must be projects/<project>/subscriptions/<name>, not ${env.SUBSCRIPTION}`);
    const metadataUrl = env.METADATA_URL || DEFAULT_METADATA;
    return {
        subscription: env.SUBSCRIPTION,
        alertmanagerUrl: env.ALERTMANAGER_URL.replace(/\/+$/, ""),
        stack: env.STACK,
        resolveAfterSeconds: Number(env.RESOLVE_AFTER_SECONDS || 3600),
        pubsubUrl: (env.PUBSUB_URL || DEFAULT_PUBSUB).replace(/\/+$/, ""),
        fetch: fetchFn,
        token: tokenSource(metadataUrl.replace(/\/+$/, ""), fetchFn),
    };
}

/** Healthy while the last good pull (or the start) is at most `staleSeconds` old. */
function healthy(lastGood, now, staleSeconds) {
    return now - lastGood <= staleSeconds * 1000;
}

/** Runs until stopped: a pull waits for messages server-side; failures back off up to a minute. */
async function main(env = process.env, fetchFn = globalThis.fetch, log = console) {
    const o = optionsFromEnv(env, fetchFn);
    const staleSeconds = Number(env.STALE_SECONDS || 300);
    let lastGood = Date.now();
    const health = require("node:http").createServer((req, res) => {
        const ok = req.url === "/healthz" && healthy(lastGood, Date.now(), staleSeconds);
        res.writeHead(ok ? 200 : 503).end(ok ? "ok\n" : "stale\n");
    });
    health.listen(Number(env.HEALTH_PORT || 8080));
    let backoff = 1000;
    let stopping = false;
    process.once("SIGTERM", () => {
        stopping = true;
        health.close();
    });
    while (!stopping) {
        try {
            const r = await relayOnce(o);
            lastGood = Date.now();
            if (r.relayed > 0 || r.unusable > 0)
                log.log(`relayed ${r.relayed} alert(s), dropped ${r.unusable} unusable message(s)`);
            backoff = 1000;
            if (r.relayed === 0 && r.unusable === 0) await new Promise((res) => setTimeout(res, 5000));
        } catch (e) {
            log.error(`relay: ${e.message}; retrying in ${backoff / 1000}s`);
            await new Promise((res) => setTimeout(res, backoff));
            backoff = Math.min(backoff * 2, 60_000);
        }
    }
}

module.exports = { incidentToAlert, decodeMessage, relayOnce, optionsFromEnv, tokenSource, healthy, main };

if (require.main === module) {
    main().catch((e) => {
        console.error(e.message);
        process.exit(1);
    });
}
