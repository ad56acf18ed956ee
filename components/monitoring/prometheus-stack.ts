import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { CHARTS, pinned } from "../versions";
import { contentHash } from "../hash";
import { GrafanaDatabaseConnection, MonitoringSettings } from "./settings";
import type { ChartSource } from "../versions";
import {
    discordAlertmanagerConfigSpec,
    NAMES,
    pluginsProvisioning,
    PORTS,
    prometheusStackValues,
} from "./stack-values";

/** The monitoring layer's settings and secrets, plus where the release goes and Zabbix's API. */
export interface PrometheusStackArgs {
    /** The monitoring layer's settings. */
    readonly config: MonitoringSettings;
    /** The stack's domain; hosts are `<hosts.x>.<domain>`. */
    readonly domain: string;
    /** Client ID of Grafana's own GitHub OAuth app (secret). */
    readonly grafanaOAuthClientId: pulumi.Input<string>;
    /** Client secret of Grafana's own GitHub OAuth app (secret). */
    readonly grafanaOAuthClientSecret: pulumi.Input<string>;
    /** Slack or Discord webhook URL every alert goes to (secret). */
    readonly alertmanagerWebhookUrl: pulumi.Input<string>;
    /** Grafana's PostgreSQL (address and password); needed when config.grafana.database is set. @default none */
    readonly grafanaDatabase?: GrafanaDatabaseConnection;
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
    /** Namespace of the release and its Secrets. */
    readonly namespace: string;
    /**
     * Pulumi `protect` on Grafana's generated admin password and secret key (prd): Grafana keeps the
     * admin password in its database from the first start, and the key encrypts the data sources'
     * secrets there, so new ones lock out the admin and break every data source. @default false
     */
    readonly protect?: boolean;
    /** node-exporter's own namespace (privileged) and its Namespace, which the release waits for. */
    readonly nodeExporter: { readonly namespace: string; readonly dependsOn?: pulumi.Resource };
    /** Zabbix API for Grafana's Zabbix data source. @default no Zabbix data source */
    readonly zabbix?: { readonly apiUrl: string; readonly tokenSecretName: string };
    /** StorageClass of Prometheus (unless config.prometheus.storageClass), Alertmanager and Grafana volumes. @default the cluster's default */
    readonly storageClass?: string;
}

/** More than one Grafana replica never shares SQLite; a database needs its address and password. */
export function checkGrafanaDatabase(args: Pick<PrometheusStackArgs, "config" | "grafanaDatabase">): void {
    const g = args.config.grafana;
    if (g.replicas > 1 && !g.database) {
        throw new Error(
            `grafana replicas ${g.replicas} needs monitoring.grafana.database: more than one replica never shares SQLite`,
        );
    }
    if (g.database && args.grafanaDatabase === undefined) {
        throw new Error("grafanaDatabase (address and password) is required when monitoring.grafana.database is set");
    }
}

/**
 * kube-prometheus-stack: Prometheus operator and CRDs, Prometheus, Alertmanager, node-exporter,
 * kube-state-metrics and Grafana (its grafana subchart), with every credential in a Secret.
 */
export class PrometheusStack extends pulumi.ComponentResource {
    readonly chart: k8s.helm.v4.Chart;
    /** In-cluster URLs. */
    readonly prometheusUrl: string;
    readonly alertmanagerUrl: string;
    readonly grafanaService = { name: NAMES.grafana, port: PORTS.grafana } as const;
    readonly prometheusService = { name: `${NAMES.stack}-prometheus`, port: PORTS.prometheus } as const;
    readonly alertmanagerService = { name: `${NAMES.stack}-alertmanager`, port: PORTS.alertmanager } as const;
    readonly grafanaAdminSecretName = NAMES.grafanaAdminSecret;

    constructor(name: string, args: PrometheusStackArgs, opts?: pulumi.ComponentResourceOptions) {
        checkGrafanaDatabase(args);
        super("platform:monitoring:PrometheusStack", name, {}, opts);
        const { namespace, config } = args;
        const db = config.grafana.database;
        const secret = (role: string, secretName: string, data: Record<string, pulumi.Input<string>>) =>
            new k8s.core.v1.Secret(
                `${name}-${role}`,
                {
                    metadata: { name: secretName, namespace },
                    type: "Opaque",
                    stringData: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, pulumi.secret(v)])),
                },
                { parent: this },
            );

        // The chart puts node-exporter in its own namespace (namespaceOrder sees only the release's).
        const deps: pulumi.Resource[] = args.nodeExporter.dependsOn ? [args.nodeExporter.dependsOn] : [];
        deps.push(secret("webhook", NAMES.alertmanagerWebhookSecret, { url: args.alertmanagerWebhookUrl }));
        const kept = { parent: this, protect: args.protect === true };
        const adminPassword = new random.RandomPassword(
            `${name}-grafana-admin-password`,
            { length: 32, special: false },
            kept,
        );
        const secretKey = new random.RandomPassword(`${name}-grafana-secret-key`, { length: 40, special: false }, kept);
        deps.push(
            secret("grafana-admin", NAMES.grafanaAdminSecret, {
                "admin-user": "admin",
                "admin-password": adminPassword.result,
                "secret-key": secretKey.result,
            }),
        );
        deps.push(
            secret("grafana-oauth", NAMES.grafanaOAuthSecret, {
                "client-id": args.grafanaOAuthClientId,
                "client-secret": args.grafanaOAuthClientSecret,
            }),
        );
        const conn = args.grafanaDatabase;
        if (db && conn) {
            deps.push(secret("grafana-db", NAMES.grafanaDatabaseSecret, { password: conn.password }));
            // The address is known only once Cloud SQL exists: in a ConfigMap it reaches Grafana as
            // GF_DATABASE_HOST, and the chart's values stay free of unknowns (with one, the
            // chart's preview would be incomplete). Not a secret: the render diff shows it.
            deps.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-grafana-db-address`,
                    {
                        metadata: { name: NAMES.grafanaDatabaseConfigMap, namespace },
                        data: { host: pulumi.interpolate`${conn.host}:${db.port}` },
                    },
                    { parent: this },
                ),
            );
            // Grafana starts only once its database and user exist.
            deps.push(...(conn.dependsOn ?? []));
        }

        // What the chart's Grafana sidecars may read (rbac.useExistingRole): ConfigMaps here, no Secrets.
        deps.push(
            new k8s.rbac.v1.Role(
                `${name}-grafana-sidecar-role`,
                {
                    metadata: { name: NAMES.grafanaSidecarRole, namespace },
                    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
                },
                { parent: this },
            ),
        );

        const plugins = pluginsProvisioning();
        if (args.zabbix) {
            deps.push(
                new k8s.core.v1.ConfigMap(
                    `${name}-grafana-plugins`,
                    {
                        metadata: { name: NAMES.grafanaPluginsConfigMap, namespace },
                        data: { "platform.yaml": plugins },
                    },
                    { parent: this },
                ),
            );
        }

        const host = (label: string) => `${label}.${args.domain}`;
        const values = prometheusStackValues({
            config,
            storageClass: args.storageClass,
            nodeExporterNamespace: args.nodeExporter.namespace,
            hosts: { prometheus: host(config.hosts.prometheus), alertmanager: host(config.hosts.alertmanager) },
            grafana: {
                config: config.grafana,
                namespace,
                host: host(config.hosts.grafana),
                zabbixApiUrl: args.zabbix?.apiUrl,
                zabbixTokenSecret: args.zabbix?.tokenSecretName,
                configHash: contentHash(args.zabbix ? plugins : ""),
                storageClass: args.storageClass,
            },
        });

        const pin = CHARTS.kubePrometheusStack;
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: NAMES.stack,
                ...pinned(pin, args.charts),
                namespace,
                values,
            },
            { parent: this, dependsOn: deps },
        );

        if (config.alertmanager.receiver === "discord") {
            new k8s.apiextensions.CustomResource(
                `${name}-alertmanager-config`,
                {
                    apiVersion: "monitoring.coreos.com/v1alpha1",
                    kind: "AlertmanagerConfig",
                    metadata: { name: NAMES.alertmanagerConfig, namespace },
                    spec: discordAlertmanagerConfigSpec(),
                },
                { parent: this, dependsOn: [this.chart] },
            );
        }

        const svc = (s: { name: string; port: number }) => `http://${s.name}.${namespace}.svc:${s.port}`;
        this.prometheusUrl = svc(this.prometheusService);
        this.alertmanagerUrl = svc(this.alertmanagerService);
        this.registerOutputs({ prometheusUrl: this.prometheusUrl, alertmanagerUrl: this.alertmanagerUrl });
    }
}
