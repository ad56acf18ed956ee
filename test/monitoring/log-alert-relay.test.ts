import { spawn } from "node:child_process";
import { createServer, IncomingMessage, Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { healthy, incidentToAlert, relayOnce, tokenSource } from "../../components/monitoring/log-alert-relay/relay";

const SCRIPT = path.resolve(__dirname, "../../components/monitoring/log-alert-relay/relay.js");
const SUBSCRIPTION = "projects/p-dev/subscriptions/platform-dev-log-alerts-relay";
const NOW = new Date("2026-11-30T12:00:00Z");

/** A Cloud Monitoring notification (webhook/Pub/Sub schema 1.2) as it arrives. */
function incident(state: "open" | "closed", extra: Record<string, unknown> = {}) {
    return {
        version: "1.2",
        incident: {
            incident_id: "0.abc123",
            policy_name: "platform dev: Flux: reconciliation failing",
            policy_user_labels: { platform_alert: "flux-reconcile-errors" },
            condition_name: "Flux: reconciliation failing",
            url: "https://console.cloud.google.com/monitoring/alerting/incidents/0.abc123?project=p-dev",
            documentation: { content: "`flux get all -A` names the object.", mime_type: "text/markdown" },
            state,
            started_at: 1764500000,
            ended_at: state === "closed" ? 1764503600 : null,
            summary: "Flux logs errors",
            ...extra,
        },
    };
}

const b64 = (v: unknown) => Buffer.from(typeof v === "string" ? v : JSON.stringify(v)).toString("base64");

describe("incidentToAlert", () => {
    it("keeps an open incident firing until a repeat or its close, named by the policy's id", () => {
        const a = incidentToAlert(incident("open"), "dev", NOW, 3600)!;
        expect(a.labels).toMatchObject({
            alertname: "LogAlert",
            log_alert: "flux-reconcile-errors",
            incident: "0.abc123",
            stack: "dev",
        });
        expect(a.startsAt).toBe(new Date(1764500000 * 1000).toISOString());
        expect(a.endsAt).toBe(new Date(NOW.getTime() + 3600 * 1000).toISOString());
        expect(a.annotations.description).toContain("flux get all");
        expect(a.generatorURL).toContain("incidents/0.abc123");
    });

    it("resolves a closed incident at its end time, whatever the state's case", () => {
        const a = incidentToAlert(incident("closed", { state: "CLOSED" }), "prd", NOW, 3600)!;
        expect(a.endsAt).toBe(new Date(1764503600 * 1000).toISOString());
        expect(a.labels.stack).toBe("prd");
    });

    it("falls back to the policy's name without user labels, and refuses what is not an incident", () => {
        const a = incidentToAlert(incident("open", { policy_user_labels: undefined }), "dev", NOW, 60)!;
        expect(a.labels.log_alert).toBe("platform dev: Flux: reconciliation failing");
        expect(incidentToAlert({ hello: "world" }, "dev", NOW, 60)).toBeUndefined();
        expect(incidentToAlert({ incident: { state: "open" } }, "dev", NOW, 60)).toBeUndefined();
        expect(incidentToAlert(undefined, "dev", NOW, 60)).toBeUndefined();
    });
});

describe("healthy", () => {
    it("holds while the last good pull is at most the stale limit old", () => {
        expect(healthy(1_000_000, 1_000_000 + 300_000, 300)).toBe(true);
        expect(healthy(1_000_000, 1_000_000 + 300_001, 300)).toBe(false);
    });
});

function freePort(): Promise<number> {
    return new Promise((resolve) => {
        const s = createServer();
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as AddressInfo;
            s.close(() => resolve(port));
        });
    });
}

interface Seen {
    method: string;
    url: string;
    headers: IncomingMessage["headers"];
    body: any;
}

/** Stands in for the metadata server, Pub/Sub and Alertmanager on one loopback port. */
class Fakes {
    readonly seen: Seen[] = [];
    messages: { ackId: string; message: { data: string } }[] = [];
    alertmanagerStatus = 200;
    private server?: Server;

    async start(): Promise<string> {
        this.server = createServer((req, res) => {
            let raw = "";
            req.on("data", (c) => (raw += c));
            req.on("end", () => {
                const body = raw ? JSON.parse(raw) : undefined;
                this.seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
                const reply = (status: number, value: unknown) => {
                    res.writeHead(status, { "Content-Type": "application/json" });
                    res.end(JSON.stringify(value));
                };
                if (req.url!.endsWith("/service-accounts/default/token")) {
                    if (req.headers["metadata-flavor"] !== "Google") return reply(403, {});
                    return reply(200, { access_token: "ya29.fake", expires_in: 3599, token_type: "Bearer" });
                }
                if (req.url === `/v1/${SUBSCRIPTION}:pull`) {
                    const out = this.messages;
                    this.messages = [];
                    return reply(200, out.length > 0 ? { receivedMessages: out } : {});
                }
                if (req.url === `/v1/${SUBSCRIPTION}:acknowledge`) return reply(200, {});
                if (req.url === "/api/v2/alerts") return reply(this.alertmanagerStatus, {});
                reply(404, {});
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    stop(): Promise<void> {
        return new Promise((resolve) => this.server!.close(() => resolve()));
    }

    calls(suffix: string): Seen[] {
        return this.seen.filter((s) => s.url.endsWith(suffix));
    }
}

describe("relay.js against stand-ins for the metadata server, Pub/Sub and Alertmanager", () => {
    let fakes: Fakes;
    let base: string;
    beforeEach(async () => {
        fakes = new Fakes();
        base = await fakes.start();
    });
    afterEach(() => fakes.stop());

    const options = () => ({
        subscription: SUBSCRIPTION,
        alertmanagerUrl: base,
        stack: "dev",
        resolveAfterSeconds: 3600,
        pubsubUrl: base,
        fetch: globalThis.fetch as any,
        token: tokenSource(base, globalThis.fetch as any),
        now: () => NOW,
    });

    it("posts each incident to Alertmanager, then acknowledges it and the unusable message", async () => {
        fakes.messages = [
            { ackId: "a1", message: { data: b64(incident("open")) } },
            { ackId: "a2", message: { data: b64("not json") } },
        ];
        expect(await relayOnce(options())).toEqual({ relayed: 1, unusable: 1 });
        const [post] = fakes.calls("/api/v2/alerts");
        expect(post!.body).toHaveLength(1);
        expect(post!.body[0].labels.log_alert).toBe("flux-reconcile-errors");
        const [ack] = fakes.calls(":acknowledge");
        expect(ack!.body.ackIds).toEqual(["a1", "a2"]);
        // Pub/Sub gets the metadata server's token; Alertmanager gets none.
        expect(fakes.calls(":pull")[0]!.headers.authorization).toBe("Bearer ya29.fake");
        expect(post!.headers.authorization).toBeUndefined();
        // Acknowledged only after Alertmanager accepted.
        expect(fakes.seen.indexOf(ack!)).toBeGreaterThan(fakes.seen.indexOf(post!));
    });

    it("leaves the messages unacknowledged when Alertmanager refuses, so Pub/Sub redelivers them", async () => {
        fakes.alertmanagerStatus = 503;
        fakes.messages = [{ ackId: "a1", message: { data: b64(incident("open")) } }];
        await expect(relayOnce(options())).rejects.toThrow(/alertmanager: HTTP 503/);
        expect(fakes.calls(":acknowledge")).toEqual([]);
    });

    it("reuses the token until shortly before it expires", async () => {
        const o = options();
        await relayOnce(o);
        await relayOnce(o);
        expect(fakes.calls("/token")).toHaveLength(1);
    });

    it("runs as the Deployment runs it: a node process from the environment, relaying until stopped", async () => {
        fakes.messages = [{ ackId: "c1", message: { data: b64(incident("closed")) } }];
        const healthPort = await freePort();
        const child = spawn(process.execPath, [SCRIPT], {
            env: {
                PATH: process.env.PATH ?? "",
                SUBSCRIPTION,
                ALERTMANAGER_URL: base,
                STACK: "prd",
                PUBSUB_URL: base,
                METADATA_URL: base,
                HEALTH_PORT: String(healthPort),
            },
        });
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        try {
            for (let i = 0; i < 150 && !out.includes("relayed"); i++) await new Promise((r) => setTimeout(r, 100));
            expect(fakes.calls(":acknowledge")[0]?.body.ackIds).toEqual(["c1"]);
            const alert = fakes.calls("/api/v2/alerts")[0]!.body[0];
            expect(alert.labels.stack).toBe("prd");
            expect(alert.endsAt).toBe(new Date(1764503600 * 1000).toISOString());
            expect(out).toContain("relayed 1 alert(s)");
            const probe = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
            expect(probe.status).toBe(200);
            expect((await fetch(`http://127.0.0.1:${healthPort}/other`)).status).toBe(503);
        } finally {
            child.kill("SIGTERM");
        }
    });

    it("refuses to start without its settings, naming the variable", async () => {
        const child = spawn(process.execPath, [SCRIPT], {
            env: { PATH: process.env.PATH ?? "", SUBSCRIPTION: "platform-dev", ALERTMANAGER_URL: base, STACK: "dev" },
        });
        let err = "";
        child.stderr.on("data", (c) => (err += c));
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        expect(code).toBe(1);
        expect(err).toContain("SUBSCRIPTION must be projects/<project>/subscriptions/<name>, not platform-dev");
    });
});
