import { GRAFANA_PLUGINS } from "../versions";
import { MonitoringSettings } from "./settings";

/** Release and object names other components and layers rely on. */
export const NAMES = {
    /** kube-prometheus-stack fullnameOverride: services `kps-prometheus`, `kps-alertmanager`. */
    stack: "kps",
    grafana: "grafana",
    alertmanagerWebhookSecret: "alertmanager-webhook",
    grafanaAdminSecret: "grafana-admin",
    grafanaOAuthSecret: "grafana-github-oauth",
    grafanaDatabaseSecret: "grafana-database",
    /** ConfigMap with the database's `host:port` (key `host`). */
    grafanaDatabaseConfigMap: "grafana-database",
    grafanaPluginsConfigMap: "grafana-plugins",
    /** The Role Grafana's sidecars get (ConfigMaps of the monitoring namespace, read-only). */
    grafanaSidecarRole: "grafana-sidecar",
    /** The global AlertmanagerConfig (Discord receiver). */
    alertmanagerConfig: "platform",
} as const;

export const PORTS = { prometheus: 9090, alertmanager: 9093, grafana: 80 } as const;

/** Port of Grafana's alerting gossip (the chart's `gossip-tcp`/`gossip-udp` container ports). */
export const GRAFANA_GOSSIP_PORT = 9094;

/**
 * The Service the chart's `headlessService: true` makes (its template names it
 * `<fullname>-headless`): it resolves to every Grafana pod, so replicas find their alerting peers.
 */
export const GRAFANA_HEADLESS_SERVICE = `${NAMES.grafana}-headless`;

/** Where the Alertmanager operator mounts `alertmanagerSpec.secrets`. */
export const WEBHOOK_URL_FILE = `/etc/alertmanager/secrets/${NAMES.alertmanagerWebhookSecret}/url`;
/** Where Grafana's GitHub OAuth Secret is mounted. */
export const OAUTH_DIR = "/etc/secrets/github-oauth";
/** The Zabbix app plugin and its data source type. */
export const ZABBIX_PLUGIN = GRAFANA_PLUGINS.zabbix.id;
export const ZABBIX_DATASOURCE_TYPE = "alexanderzobnin-zabbix-datasource";

type Values = Record<string, unknown>;

const containerSecurity = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/**
 * An unreachable on-prem site (components/onprem/site-watch.ts) silences its hosts' alerts: with
 * the tunnel down every host there "stops answering", and one page saying which site is the news.
 * The hosts' alerts carry the same `site` label; they page again only once the site is reachable.
 */
export const SITE_INHIBITION = {
    source: "SiteUnreachable",
    targets: "OnpremHost.*",
    equal: ["site"],
} as const;

const ROUTE_TIMING = { group_wait: "30s", group_interval: "5m", repeat_interval: "4h" } as const;
/** Always-firing alerts that are no news: the dead man's switch and the inhibitor helper. */
const MUTED = ["Watchdog", "InfoInhibitor"] as const;

/**
 * Alertmanager's config for Slack: the default route always goes to the webhook receiver (never
 * `null`); only the always-firing Watchdog and InfoInhibitor are muted. The URL is read from the
 * mounted Secret (`api_url_file`), never written into the config.
 */
export function alertmanagerConfig(am: MonitoringSettings["alertmanager"]): Values {
    return {
        global: { resolve_timeout: "5m" },
        route: {
            receiver: "platform",
            group_by: ["alertname", "namespace"],
            ...ROUTE_TIMING,
            routes: MUTED.map((name) => ({ receiver: "null", matchers: [`alertname = "${name}"`] })),
        },
        inhibit_rules: [
            {
                source_matchers: ["severity = critical"],
                target_matchers: ["severity =~ warning|info"],
                equal: ["namespace", "alertname"],
            },
            {
                source_matchers: ["severity = warning"],
                target_matchers: ["severity = info"],
                equal: ["namespace", "alertname"],
            },
            // What InfoInhibitor is for: info alerts stay quiet unless something worse fires in their
            // namespace. Setting inhibit_rules replaces the chart's list, which held this rule.
            {
                source_matchers: ['alertname = "InfoInhibitor"'],
                target_matchers: ["severity = info"],
                equal: ["namespace"],
            },
            {
                source_matchers: [`alertname = "${SITE_INHIBITION.source}"`],
                target_matchers: [`alertname =~ "${SITE_INHIBITION.targets}"`],
                equal: [...SITE_INHIBITION.equal],
            },
        ],
        receivers: [
            { name: "null" },
            {
                name: "platform",
                slack_configs: [
                    {
                        api_url_file: WEBHOOK_URL_FILE,
                        send_resolved: true,
                        ...(am.slackChannel ? { channel: am.slackChannel } : {}),
                        title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}",
                        text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
                    },
                ],
            },
        ],
        templates: ["/etc/alertmanager/config/*.tmpl"],
    };
}

/**
 * The same routing for Discord, as a global AlertmanagerConfig (monitoring.coreos.com/v1alpha1): the
 * operator (0.93) rejects `webhook_url_file` in discord_configs (prometheus-operator#7159), so the
 * operator reads the URL from the Secret itself (`apiURL` secret reference).
 */
export function discordAlertmanagerConfigSpec(): Values {
    const eq = (name: string, value: string) => ({ name, value, matchType: "=" });
    return {
        route: {
            receiver: "platform",
            groupBy: ["alertname", "namespace"],
            groupWait: ROUTE_TIMING.group_wait,
            groupInterval: ROUTE_TIMING.group_interval,
            repeatInterval: ROUTE_TIMING.repeat_interval,
            routes: MUTED.map((name) => ({ receiver: "null", matchers: [eq("alertname", name)] })),
        },
        inhibitRules: [
            {
                sourceMatch: [eq("severity", "critical")],
                targetMatch: [{ name: "severity", value: "warning|info", matchType: "=~" }],
                equal: ["namespace", "alertname"],
            },
            {
                sourceMatch: [eq("severity", "warning")],
                targetMatch: [eq("severity", "info")],
                equal: ["namespace", "alertname"],
            },
            {
                sourceMatch: [eq("alertname", "InfoInhibitor")],
                targetMatch: [eq("severity", "info")],
                equal: ["namespace"],
            },
            {
                sourceMatch: [eq("alertname", SITE_INHIBITION.source)],
                targetMatch: [{ name: "alertname", value: SITE_INHIBITION.targets, matchType: "=~" }],
                equal: [...SITE_INHIBITION.equal],
            },
        ],
        receivers: [
            { name: "null" },
            {
                name: "platform",
                discordConfigs: [{ apiURL: { name: NAMES.alertmanagerWebhookSecret, key: "url" }, sendResolved: true }],
            },
        ],
    };
}

export interface GrafanaInputs {
    readonly config: MonitoringSettings["grafana"];
    /** Namespace of the release (the alerting peers' addresses). */
    readonly namespace: string;
    /** Public host, e.g. grafana.example.org. */
    readonly host: string;
    /** Zabbix API URL for the Zabbix data source; no Zabbix data source when undefined. */
    readonly zabbixApiUrl?: string;
    /** Secret holding the Zabbix API token (key `token`). */
    readonly zabbixTokenSecret?: string;
    /** Hash of the ConfigMaps this program mounts into Grafana, so a change rolls the pods. */
    readonly configHash: string;
    /** StorageClass of Grafana's SQLite volume (one replica, no database). @default the cluster's default */
    readonly storageClass?: string;
}

/** Values for kube-prometheus-stack's grafana subchart (grafana-community grafana 12.11.1). */
export function grafanaValues(g: GrafanaInputs): Values {
    const c = g.config;
    const db = c.database;
    // One generated key for every replica: it encrypts data source secrets stored in the database.
    const env: Values = {
        GF_SECURITY_SECRET_KEY: { secretKeyRef: { name: NAMES.grafanaAdminSecret, key: "secret-key" } },
    };
    if (db) {
        env.GF_DATABASE_HOST = { configMapKeyRef: { name: NAMES.grafanaDatabaseConfigMap, key: "host" } };
        env.GF_DATABASE_PASSWORD = { secretKeyRef: { name: NAMES.grafanaDatabaseSecret, key: "password" } };
    }
    if (g.zabbixTokenSecret) {
        env.ZABBIX_API_TOKEN = { secretKeyRef: { name: g.zabbixTokenSecret, key: "token", optional: true } };
    }
    const ini: Values = {
        server: { domain: g.host, root_url: `https://${g.host}` },
        analytics: { check_for_updates: false, reporting_enabled: false },
        users: { auto_assign_org_role: "Viewer" },
        "auth.github": {
            enabled: true,
            allow_sign_up: true,
            scopes: "user:email,read:org",
            auth_url: "https://github.com/login/oauth/authorize",
            token_url: "https://github.com/login/oauth/access_token",
            api_url: "https://api.github.com/user",
            client_id: `$__file{${OAUTH_DIR}/client-id}`,
            client_secret: `$__file{${OAUTH_DIR}/client-secret}`,
            allowed_organizations: c.organizations.join(" "),
            team_ids: c.teamIds.join(","),
        },
    };
    if (db) {
        // The host comes from GF_DATABASE_HOST (ConfigMap grafana-database).
        ini.database = { type: "postgres", name: db.name, user: db.user, ssl_mode: db.sslMode };
    }
    const ha = c.replicas > 1;
    if (ha) {
        // Alerting HA: the replicas gossip (memberlist) so one alert is sent once, not once per pod.
        // Peers are found through the chart's headless Service; POD_IP is set by the chart.
        const gossip = `\${POD_IP}:${GRAFANA_GOSSIP_PORT}`;
        ini.unified_alerting = {
            enabled: true,
            ha_peers: `${GRAFANA_HEADLESS_SERVICE}.${g.namespace}.svc:${GRAFANA_GOSSIP_PORT}`,
            ha_listen_address: gossip,
            ha_advertise_address: gossip,
        };
    }
    const persist = c.replicas === 1 && !db;
    return {
        enabled: true,
        fullnameOverride: NAMES.grafana,
        replicas: c.replicas,
        headlessService: ha,
        admin: { existingSecret: NAMES.grafanaAdminSecret, userKey: "admin-user", passwordKey: "admin-password" },
        "grafana.ini": ini,
        envValueFrom: env,
        extraSecretMounts: [
            {
                name: "github-oauth",
                secretName: NAMES.grafanaOAuthSecret,
                mountPath: OAUTH_DIR,
                readOnly: true,
            },
        ],
        // Pinned: an unpinned id installs whatever is newest when a pod starts.
        plugins: g.zabbixApiUrl ? [`${GRAFANA_PLUGINS.zabbix.id}@${GRAFANA_PLUGINS.zabbix.version}`] : [],
        // The sidecars read ConfigMaps of this namespace only, through the program's Role (the
        // chart's own Role, namespaced or not, also grants Secrets).
        rbac: { namespaced: true, useExistingRole: NAMES.grafanaSidecarRole },
        extraConfigmapMounts: g.zabbixApiUrl
            ? [
                  {
                      name: "plugins-provisioning",
                      configMap: NAMES.grafanaPluginsConfigMap,
                      mountPath: "/etc/grafana/provisioning/plugins/platform.yaml",
                      subPath: "platform.yaml",
                      readOnly: true,
                  },
              ]
            : [],
        podAnnotations: { "platform/config-hash": g.configHash },
        // Read by kube-prometheus-stack (not the subchart): provisioned through its datasource ConfigMap.
        additionalDataSources: additionalDataSources(g),
        persistence: persist
            ? {
                  enabled: true,
                  type: "pvc",
                  size: c.volumeSize,
                  ...(g.storageClass ? { storageClassName: g.storageClass } : {}),
                  // The chart (12.x) defaults to looking up the live claim and writing its bound
                  // `spec.volumeName` into the template. helm.v4.Chart renders with lookups, so every
                  // run after the first declared a new volumeName, a field Pulumi replaces the claim
                  // for: the next `up` would delete Grafana's volume. The binding stays the
                  // controller's (found by the e2e tier with the real chart).
                  lookupVolumeName: false,
              }
            : { enabled: false },
        // A ReadWriteOnce volume cannot attach to a second pod: replace the pod rather than surge.
        ...(persist ? { deploymentStrategy: { type: "Recreate" } } : {}),
        // The chart's root chown init container breaks the non-root rule; fsGroup 472 owns the volume.
        initChownData: { enabled: false },
        podDisruptionBudget: c.replicas > 1 ? { minAvailable: 1 } : {},
        containerSecurityContext: containerSecurity,
        // With a read-only root, Grafana (12.4+) still stages plugin downloads in /tmp.
        extraEmptyDirMounts: [{ name: "tmp", mountPath: "/tmp" }],
        resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
        sidecar: {
            resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
            // `resource: configmap`: the chart's default `both` would list Secrets too. No
            // searchNamespace: the dashboards live in this namespace (Dashboards).
            dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", resource: "configmap" },
            datasources: { resource: "configmap" },
        },
    };
}

/** Data sources besides the chart's Prometheus and Alertmanager ones. */
export function additionalDataSources(g: GrafanaInputs): Values[] {
    if (!g.zabbixApiUrl) return [];
    return [
        {
            name: "Zabbix",
            uid: "zabbix",
            type: ZABBIX_DATASOURCE_TYPE,
            access: "proxy",
            url: g.zabbixApiUrl,
            editable: false,
            jsonData: { authType: "token", trends: true, trendsFrom: "7d", trendsRange: "4d" },
            // Grafana expands environment variables in provisioning files; the value comes from a Secret.
            secureJsonData: { apiToken: "$ZABBIX_API_TOKEN" },
        },
    ];
}

/** The provisioning file that enables the Zabbix app plugin. */
export function pluginsProvisioning(): string {
    return ["apiVersion: 1", "apps:", `  - type: ${ZABBIX_PLUGIN}`, "    org_id: 1", "    disabled: false", ""].join(
        "\n",
    );
}

export interface StackInputs {
    readonly config: MonitoringSettings;
    readonly hosts: { readonly prometheus: string; readonly alertmanager: string };
    readonly grafana: GrafanaInputs;
    /** StorageClass of Alertmanager's volume, and Prometheus's unless config.prometheus.storageClass. @default the cluster's default */
    readonly storageClass?: string;
    /** The privileged namespace node-exporter runs in (the rest of the release stays at baseline). */
    readonly nodeExporterNamespace: string;
}

function volume(size: string, storageClass?: string): Values {
    return {
        volumeClaimTemplate: {
            spec: {
                ...(storageClass ? { storageClassName: storageClass } : {}),
                accessModes: ["ReadWriteOnce"],
                resources: { requests: { storage: size } },
            },
        },
    };
}

/** Values for kube-prometheus-stack 88.5.3. */
export function prometheusStackValues(s: StackInputs): Values {
    const p = s.config.prometheus;
    const slack = s.config.alertmanager.receiver === "slack";
    return {
        fullnameOverride: NAMES.stack,
        // GKE runs the control plane: there is no scheduler, controller-manager, etcd or kube-proxy to scrape.
        kubeControllerManager: { enabled: false },
        kubeScheduler: { enabled: false },
        kubeEtcd: { enabled: false },
        kubeProxy: { enabled: false },
        // GKE's cluster DNS is kube-dns (metrics on 10054/10055), not CoreDNS: scraping CoreDNS's
        // port would leave a target that is always down.
        coreDns: { enabled: false },
        kubeDns: { enabled: true },
        // The rule-validating webhook's certificates come from Helm hook Jobs, which helm.v4.Chart
        // never runs: the webhook configurations would point at a Service without a certificate and
        // every PrometheusRule would fail. Render validates every PrometheusRule against the CRD
        // schema instead. The operator's own TLS must go too: it mounts the certificate Secret only
        // those Jobs make, so its pod would never start (prometheus-community/helm-charts#6586).
        prometheusOperator: { admissionWebhooks: { enabled: false }, tls: { enabled: false } },
        kubeStateMetrics: { enabled: true },
        nodeExporter: { enabled: true },
        // node-exporter needs the host (hostNetwork, hostPID, hostPath): the only pod that does, so it
        // alone runs in a privileged namespace. Its ServiceMonitor goes with it; Prometheus selects
        // monitors in every namespace.
        "prometheus-node-exporter": {
            namespaceOverride: s.nodeExporterNamespace,
            // Moving namespaces creates the new DaemonSet before the old one is deleted, and both want
            // host port 9100: the new pods wait for the old ones to go, so Pulumi must not wait for
            // them (it would time out before it deletes the old DaemonSet).
            daemonsetAnnotations: { "pulumi.com/skipAwait": "true" },
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        },
        alertmanager: {
            enabled: true,
            // Alertmanager and its config reloader read mounted files; neither calls the Kubernetes API.
            serviceAccount: { automountServiceAccountToken: false },
            // Slack: the chart's config Secret. Discord: the operator builds the config from the
            // global AlertmanagerConfig this program creates (the chart's config is then unused).
            ...(slack ? { config: alertmanagerConfig(s.config.alertmanager) } : {}),
            alertmanagerSpec: {
                ...(slack
                    ? { secrets: [NAMES.alertmanagerWebhookSecret] }
                    : { alertmanagerConfiguration: { name: NAMES.alertmanagerConfig } }),
                externalUrl: `https://${s.hosts.alertmanager}`,
                automountServiceAccountToken: false,
                storage: volume(s.config.alertmanager.volumeSize, s.storageClass),
                resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
            },
        },
        prometheus: {
            prometheusSpec: {
                retention: p.retention,
                retentionSize: p.retentionSize,
                storageSpec: volume(p.volumeSize, p.storageClass ?? s.storageClass),
                externalUrl: `https://${s.hosts.prometheus}`,
                // Pick up every ServiceMonitor, PodMonitor, Probe, PrometheusRule and ScrapeConfig in the
                // cluster, not only those carrying this release's label.
                serviceMonitorSelectorNilUsesHelmValues: false,
                podMonitorSelectorNilUsesHelmValues: false,
                probeSelectorNilUsesHelmValues: false,
                ruleSelectorNilUsesHelmValues: false,
                scrapeConfigSelectorNilUsesHelmValues: false,
                resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } },
            },
        },
        grafana: grafanaValues(s.grafana),
    };
}
