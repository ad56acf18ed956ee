import { checkGrafanaDatabase, PrometheusStack } from "../../components/monitoring/prometheus-stack";
import { containsSecret } from "../../render/redact";
import { recordResources } from "../harness";
import { chartNamed, monitoringConfig, secretArgs, SENTINELS, valuesOf } from "./fixtures";

const KPS = "kube-prometheus-stack";

function stack(raw: unknown = {}, zabbix = true) {
    return () =>
        new PrometheusStack("stack", {
            namespace: "monitoring",
            config: monitoringConfig(raw),
            domain: "dev.example.org",
            ...secretArgs(),
            nodeExporter: { namespace: "monitoring-node-exporter" },
            zabbix: zabbix
                ? {
                      apiUrl: "http://zabbix-zabbix-web.monitoring.svc:80/api_jsonrpc.php",
                      tokenSecretName: "zabbix-api-token",
                  }
                : undefined,
        });
}

describe("PrometheusStack", () => {
    it("pins kube-prometheus-stack and keeps every credential out of its values", async () => {
        const h = await recordResources(stack({ grafana: { replicas: 2, database: { host: "db.internal" } } }));
        const chart = chartNamed(h, KPS);
        expect(h.inputs(chart).version).toMatch(/^\d+\.\d+\.\d+$/);
        expect(containsSecret(chart.inputs.values)).toBe(false);
        const text = JSON.stringify(h.inputs(chart));
        for (const s of Object.values(SENTINELS)) expect(text).not.toContain(s);
        expect(text).not.toContain("render-generated");
        // The Secrets the values point at exist and hold the values, as secrets.
        for (const name of ["alertmanager-webhook", "grafana-admin", "grafana-github-oauth", "grafana-database"]) {
            const secret = h.ofType("kubernetes:core/v1:Secret").find((r) => h.inputs(r).metadata.name === name);
            expect(secret).toBeDefined();
            expect(containsSecret(secret!.inputs.stringData)).toBe(true);
        }
        expect(h.redactedText()).not.toContain(SENTINELS.grafanaOAuthClientSecret);
    });

    it("sizes Prometheus's volume and retention from config, retentionSize below the volume", async () => {
        const h = await recordResources(
            stack({ prometheus: { retention: "30d", volumeSize: "100Gi", retentionSize: "75GiB" } }),
        );
        const spec = valuesOf(h, KPS).prometheus.prometheusSpec;
        expect(spec.retention).toBe("30d");
        expect(spec.retentionSize).toBe("75GiB");
        expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("100Gi");

        const d = await recordResources(stack({ prometheus: { volumeSize: "20Gi" } }));
        const dspec = valuesOf(d, KPS).prometheus.prometheusSpec;
        expect(dspec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("20Gi");
        const kept = Number(String(dspec.retentionSize).replace("GiB", ""));
        expect(kept).toBeGreaterThan(0);
        expect(kept).toBeLessThan(20);
    });

    it("selects every monitor, probe and rule in the cluster; runs node-exporter and kube-state-metrics", async () => {
        const h = await recordResources(stack());
        const v = valuesOf(h, KPS);
        for (const k of ["serviceMonitor", "podMonitor", "probe", "rule"]) {
            expect(v.prometheus.prometheusSpec[`${k}SelectorNilUsesHelmValues`]).toBe(false);
        }
        expect(v.nodeExporter.enabled).toBe(true);
        expect(v.prometheusOperator.admissionWebhooks.enabled).toBe(false);
        expect(v.kubeStateMetrics.enabled).toBe(true);
    });

    it("starts the operator without the webhook Jobs' certificate, and scrapes GKE's kube-dns, not CoreDNS", async () => {
        const v = valuesOf(await recordResources(stack()), KPS);
        // The operator mounts the certificate Secret whenever its TLS is on; only the disabled
        // webhook Jobs would make it.
        expect(v.prometheusOperator.admissionWebhooks.enabled === false && v.prometheusOperator.tls?.enabled).toBe(
            false,
        );
        expect(v.coreDns.enabled).toBe(false);
        expect(v.kubeDns.enabled).toBe(true);
    });

    it("keeps info alerts quiet through InfoInhibitor, on Slack and on Discord", async () => {
        const slack = valuesOf(await recordResources(stack({ alertmanager: { receiver: "slack" } })), KPS).alertmanager
            .config.inhibit_rules;
        expect(slack).toContainEqual({
            source_matchers: ['alertname = "InfoInhibitor"'],
            target_matchers: ["severity = info"],
            equal: ["namespace"],
        });
        const h = await recordResources(stack({ alertmanager: { receiver: "discord" } }));
        const discord = h.inputs(h.one("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig")).spec
            .inhibitRules;
        expect(discord).toContainEqual({
            sourceMatch: [{ name: "alertname", value: "InfoInhibitor", matchType: "=" }],
            targetMatch: [{ name: "severity", value: "info", matchType: "=" }],
            equal: ["namespace"],
        });
    });

    it("gives a read-only Grafana a writable /tmp for plugin installs, and no root init container", async () => {
        const g = valuesOf(await recordResources(stack()), KPS).grafana;
        expect(g.containerSecurityContext.readOnlyRootFilesystem).toBe(true);
        expect(g.plugins.length).toBeGreaterThan(0);
        expect(g.extraEmptyDirMounts).toContainEqual({ name: "tmp", mountPath: "/tmp" });
        expect(g.initChownData.enabled).toBe(false);
    });

    it("replaces a single Grafana with a volume rather than surging a second pod onto it", async () => {
        const single = valuesOf(await recordResources(stack({ grafana: { replicas: 1 } })), KPS).grafana;
        expect(single.persistence.enabled).toBe(true);
        expect(single.deploymentStrategy).toEqual({ type: "Recreate" });
        const ha = valuesOf(
            await recordResources(stack({ grafana: { replicas: 2, database: { host: "db.internal" } } })),
            KPS,
        ).grafana;
        expect(ha.persistence.enabled).toBe(false);
        expect(ha.deploymentStrategy).toBeUndefined();
    });

    it("never lets the Grafana chart copy the live claim's volumeName into its template", async () => {
        // The chart defaults lookupVolumeName to true: from the second run on, the rendered claim
        // carries the bound volume's name, a field Pulumi replaces a claim for (data loss).
        const persistence = valuesOf(await recordResources(stack({ grafana: { replicas: 1 } })), KPS).grafana
            .persistence;
        expect(persistence.enabled).toBe(true);
        expect(persistence.lookupVolumeName).toBe(false);
        expect(persistence.volumeName).toBeUndefined();
    });

    it("routes every alert to the Slack webhook by default, URL read from the mounted Secret", async () => {
        const h = await recordResources(stack({ alertmanager: { receiver: "slack", slackChannel: "#ops" } }));
        const am = valuesOf(h, KPS).alertmanager;
        const cfg = am.config;
        expect(cfg.route.receiver).not.toBe("null");
        const def = cfg.receivers.find((r: { name: string }) => r.name === cfg.route.receiver);
        expect(def.slack_configs).toEqual([
            expect.objectContaining({
                api_url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url",
                channel: "#ops",
            }),
        ]);
        expect(def.slack_configs[0].api_url).toBeUndefined();
        // Only the always-firing helpers are muted.
        const muted = cfg.route.routes.filter((r: { receiver: string }) => r.receiver === "null");
        expect(muted.flatMap((r: { matchers: string[] }) => r.matchers).sort()).toEqual([
            'alertname = "InfoInhibitor"',
            'alertname = "Watchdog"',
        ]);
        expect(am.alertmanagerSpec.secrets).toEqual(["alertmanager-webhook"]);
        const secret = h
            .ofType("kubernetes:core/v1:Secret")
            .find((r) => h.inputs(r).metadata.name === "alertmanager-webhook")!;
        expect(Object.keys(h.inputs(secret).stringData)).toEqual(["url"]);
        expect(h.ofType("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig")).toHaveLength(0);
    });

    it("routes every alert to Discord through a global AlertmanagerConfig reading the Secret", async () => {
        const h = await recordResources(stack({ alertmanager: { receiver: "discord" } }));
        const am = valuesOf(h, KPS).alertmanager;
        expect(am.config).toBeUndefined();
        const amc = h.one("kubernetes:monitoring.coreos.com/v1alpha1:AlertmanagerConfig");
        expect(am.alertmanagerSpec.alertmanagerConfiguration).toEqual({ name: h.inputs(amc).metadata.name });
        const spec = h.inputs(amc).spec;
        expect(spec.route.receiver).not.toBe("null");
        const def = spec.receivers.find((r: { name: string }) => r.name === spec.route.receiver);
        expect(def.discordConfigs).toEqual([
            expect.objectContaining({ apiURL: { name: "alertmanager-webhook", key: "url" } }),
        ]);
        expect(amc.dependsOn).toContain(chartNamed(h, KPS).urn);
    });

    it("signs Grafana in with GitHub, restricted by org and team IDs, credentials from files", async () => {
        const h = await recordResources(stack({ grafana: { organizations: ["club", "club-ops"], teamIds: [42, 7] } }));
        const g = valuesOf(h, KPS).grafana;
        const gh = g["grafana.ini"]["auth.github"];
        expect(gh.enabled).toBe(true);
        expect(gh.allowed_organizations).toBe("club club-ops");
        expect(gh.team_ids).toBe("42,7");
        expect(gh.client_id).toMatch(/^\$__file\{\/etc\/secrets\/github-oauth\/client-id\}$/);
        expect(gh.client_secret).toMatch(/^\$__file\{/);
        const mount = g.extraSecretMounts.find((m: { secretName: string }) => m.secretName === "grafana-github-oauth");
        expect(mount.mountPath).toBe("/etc/secrets/github-oauth");
        expect(g.admin.existingSecret).toBe("grafana-admin");
        expect(g.envValueFrom.GF_SECURITY_SECRET_KEY.secretKeyRef).toEqual({
            name: "grafana-admin",
            key: "secret-key",
        });
        const admin = h.ofType("kubernetes:core/v1:Secret").find((r) => h.inputs(r).metadata.name === "grafana-admin")!;
        expect(Object.keys(h.inputs(admin).stringData).sort()).toEqual(["admin-password", "admin-user", "secret-key"]);
        expect(g["grafana.ini"].server.root_url).toBe("https://grafana.dev.example.org");
    });

    it("puts Grafana's state in PostgreSQL whenever it runs more than one replica", async () => {
        const h = await recordResources(
            stack({ grafana: { replicas: 3, database: { host: "10.1.2.3", name: "gf" } } }),
        );
        const g = valuesOf(h, KPS).grafana;
        expect(g.replicas).toBe(3);
        expect(g["grafana.ini"].database).toEqual({
            type: "postgres",
            name: "gf",
            user: "grafana",
            ssl_mode: "require",
        });
        expect(g.envValueFrom.GF_DATABASE_PASSWORD.secretKeyRef).toEqual({ name: "grafana-database", key: "password" });
        expect(g.envValueFrom.GF_DATABASE_HOST.configMapKeyRef).toEqual({ name: "grafana-database", key: "host" });
        // The address the connection gives (fixtures: db.internal), with the configured port.
        const address = h
            .ofType("kubernetes:core/v1:ConfigMap")
            .find((r) => h.inputs(r).metadata.name === "grafana-database")!;
        expect(h.inputs(address).data).toEqual({ host: "db.internal:5432" });
        expect(g.persistence.enabled).toBe(false);

        const one = valuesOf(await recordResources(stack()), KPS).grafana;
        expect(one["grafana.ini"].database).toBeUndefined();
        expect(one.persistence).toMatchObject({ enabled: true, size: "5Gi" });
    });

    it("refuses replicas > 1 without a database even when the config check is bypassed", () => {
        const cfg = monitoringConfig();
        const bad = { ...cfg, grafana: { ...cfg.grafana, replicas: 2 } };
        const args = {
            namespace: "monitoring",
            config: bad,
            domain: "dev.example.org",
            nodeExporter: { namespace: "monitoring-node-exporter" },
            ...secretArgs(),
        };
        expect(() => new PrometheusStack("stack", args)).toThrow(/replicas 2 needs monitoring\.grafana\.database/);
        const withDb = monitoringConfig({ grafana: { replicas: 2, database: { host: "db" } } });
        expect(() => checkGrafanaDatabase({ config: withDb })).toThrow(
            /grafanaDatabase \(address and password\) is required/,
        );
        expect(() =>
            checkGrafanaDatabase({ config: withDb, grafanaDatabase: { host: "db", password: "x" } }),
        ).not.toThrow();
    });

    it("provisions the Zabbix app and a token-authenticated Zabbix data source", async () => {
        const h = await recordResources(stack());
        const g = valuesOf(h, KPS).grafana;
        expect(g.plugins).toEqual([expect.stringMatching(/^alexanderzobnin-zabbix-app@\d+\.\d+\.\d+$/)]);
        const ds = g.additionalDataSources.find(
            (d: { type: string }) => d.type === "alexanderzobnin-zabbix-datasource",
        );
        expect(ds.jsonData.authType).toBe("token");
        expect(ds.secureJsonData.apiToken).toBe("$ZABBIX_API_TOKEN");
        expect(g.envValueFrom.ZABBIX_API_TOKEN.secretKeyRef.name).toBe("zabbix-api-token");
        const cm = h.object("ConfigMap", "grafana-plugins");
        expect((cm.data as Record<string, string>)["platform.yaml"]).toMatch(
            /type: alexanderzobnin-zabbix-app[\s\S]*disabled: false/,
        );
        // The plugin ConfigMap is mounted, and its content hash rolls Grafana when it changes.
        expect(g.extraConfigmapMounts[0].configMap).toBe("grafana-plugins");
        expect(g.podAnnotations["platform/config-hash"]).toMatch(/^[0-9a-f]{16}$/);
        const without = valuesOf(await recordResources(stack({}, false)), KPS).grafana;
        expect(without.additionalDataSources).toEqual([]);
        expect(without.podAnnotations["platform/config-hash"]).not.toBe(g.podAnnotations["platform/config-hash"]);
    });
});
