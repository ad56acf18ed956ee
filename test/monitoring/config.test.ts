import { parseOrThrow } from "../../config/errors";
import { requiredSecrets } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { defaultRetentionSize, monitoringSchema } from "../../config/sections/monitoring";
import { stackProblems } from "../stack-files";

const base = {
    environment: "dev",
    cluster: { mode: "existing", context: "kind" },
    dns: { domain: "dev.example.org" },
};

function problems(monitoring: unknown): string[] {
    return stackProblems({ ...base, monitoring });
}

describe("monitoring config", () => {
    it("defaults keep Prometheus's retentionSize below its volume", () => {
        const m = monitoringSchema.parse({});
        expect(m.prometheus.volumeSize).toBe("50Gi");
        expect(defaultRetentionSize("50Gi")).toBe("40GiB");
        expect(defaultRetentionSize("20Gi")).toBe("16GiB");
        expect(m.grafana.replicas).toBe(1);
        expect(m.zabbix.enabled).toBe(true);
    });

    it("rejects a retentionSize that would fill the volume, naming key, value and bound", () => {
        const p = problems({ prometheus: { volumeSize: "20Gi", retentionSize: "20GiB" } });
        expect(p).toHaveLength(1);
        expect(p[0]).toMatch(
            /^monitoring\.prometheus\.retentionSize: "20GiB" must be below prometheus\.volumeSize 20Gi/,
        );
    });

    it("requires an external database when Grafana has more than one replica", () => {
        const p = problems({ grafana: { replicas: 2, organizations: ["club"] } });
        expect(p).toHaveLength(1);
        expect(p[0]).toMatch(/^monitoring\.grafana\.database: \(missing\) is required when grafana\.replicas is 2/);
        expect(problems({ grafana: { replicas: 2, database: { host: "10.0.0.3" } } })).toEqual([]);
    });

    it("creates the database only in gke stacks: elsewhere it needs a host, and size only without one", () => {
        expect(problems({ grafana: { replicas: 2, database: {} } })).toEqual([
            "monitoring.grafana.database.host: (missing) is required when cluster.mode is existing: the stack creates Cloud SQL for Grafana only in gke stacks (give an existing PostgreSQL's host)",
        ]);
        expect(problems({ grafana: { database: { host: "db", cloudSql: { tier: "db-g1-small" } } } })).toEqual([
            'monitoring.grafana.database.cloudSql: {"tier":"db-g1-small","diskSizeGb":10} only applies when the stack creates the database (no host); host is db',
        ]);
        const gke = {
            environment: "prd",
            gcp: { project: "club-prd1" },
            cluster: { nodePools: [{ name: "general", machineType: "e2-standard-4", minCount: 3 }] },
            dns: { domain: "example.org" },
        };
        const created = parseOrThrow(stackSchema, { ...gke, monitoring: { grafana: { replicas: 2, database: {} } } });
        expect(requiredSecrets(created).map((n) => n.key)).not.toContain("grafanaDatabasePassword");
        expect(() =>
            parseOrThrow(stackSchema, {
                ...gke,
                monitoring: { grafana: { database: { cloudSql: { tier: "db-perf-optimized-N-2" } } } },
            }),
        ).toThrow(/cloudSql\.tier: "db-perf-optimized-N-2" is not a Cloud SQL Enterprise tier/);
    });

    it("rejects malformed sizes, durations and team IDs", () => {
        expect(problems({ prometheus: { volumeSize: "50GB" } })[0]).toMatch(
            /monitoring\.prometheus\.volumeSize: "50GB" is not a size in whole Gi/,
        );
        expect(problems({ prometheus: { retention: "15days" } })[0]).toMatch(
            /monitoring\.prometheus\.retention: "15days"/,
        );
        expect(problems({ grafana: { teamIds: ["devs"] } })[0]).toMatch(/monitoring\.grafana\.teamIds\[0\]/);
    });

    it("rejects a Slack channel when alerts go to Discord, and repeated host labels", () => {
        expect(problems({ alertmanager: { receiver: "discord", slackChannel: "#ops" } })[0]).toMatch(
            /monitoring\.alertmanager\.slackChannel: "#ops" only applies when alertmanager\.receiver is slack/,
        );
        expect(problems({ hosts: { grafana: "ops", zabbix: "ops" } })[0]).toMatch(
            /monitoring\.hosts: .* repeats a host label/,
        );
    });

    it("needs Grafana's OAuth app and the webhook secrets, and the DB password only with a database", () => {
        const plain = parseOrThrow(stackSchema, base);
        expect(requiredSecrets(plain).map((n) => n.key)).toEqual([
            "grafanaOAuthClientId",
            "grafanaOAuthClientSecret",
            "alertmanagerWebhookUrl",
        ]);
        const db = parseOrThrow(stackSchema, { ...base, monitoring: { grafana: { database: { host: "db" } } } });
        expect(requiredSecrets(db).map((n) => n.key)).toContain("grafanaDatabasePassword");
        const off = parseOrThrow(stackSchema, { ...base, monitoring: { enabled: false } });
        expect(requiredSecrets(off)).toEqual([]);
    });
});
