import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gib, GrafanaDatabaseConnection, MonitoringSettings } from "./settings";
import { declaredBefore, defaultDenyDeclaredBy, PlatformNamespace } from "../cluster/platform-namespace";
import { Publisher, RouteSpec } from "../edge/types";
import type { ApiServerAddress } from "../cluster/egress";
import { BlackboxExporter, UNTRUSTED_TLS_MODULE } from "./blackbox";
import { Dashboards } from "./dashboards";
import { LOG_ALERT_RELAY_PODS, LogAlertRelay } from "./log-alert-relay";
import { MonitoringPolicies } from "./network-policies";
import { PrometheusStack } from "./prometheus-stack";
import { PlatformRules } from "./rules";
import { PlatformScrapes, ScrapeTarget } from "./scrapes";
import { NAMES } from "./stack-values";
import { bootstrapJobName, Zabbix } from "./zabbix";
import { nodeExporterNamespaceName } from "./addresses";

/** node-exporter (resources in stack-values.ts) on up to 250 nodes; test/monitoring/node-exporter-quota.test.ts checks both. */
const NODE_EXPORTER_QUOTA = {
    cpu: "3",
    memory: "8Gi",
    cpuLimit: "50",
    memoryLimit: "32Gi",
    pods: 250,
};

/** Grafana's pod-template annotation naming the bootstrap Job whose token it started with. */
export const ZABBIX_TOKEN_ANNOTATION = "platform/zabbix-token-from";
import type { ChartSource } from "../versions";
import { RENOTIFY_SECONDS, type LogAlertRelayTarget } from "../gcp/logs";

export interface MonitoringArgs {
    /** The validated `platform:monitoring` section. */
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
    /** Reserved IP for the SNMP trap receiver (gke). @default an ephemeral address */
    readonly snmpTrapAddress?: pulumi.Input<string>;
    /** The Zabbix trapper's internal load balancer for on-prem sites' proxies (gke, a site watched). @default none */
    readonly zabbixTrapper?: { readonly address: pulumi.Input<string>; readonly sourceRanges: readonly string[] };
    /** The edge's publisher; without it no host is published. @default no routes */
    readonly publisher?: Publisher;
    /** Where pods reach the API server (egress). */
    readonly apiServer: readonly ApiServerAddress[];
    /** Namespace of Traefik, let in to the web UIs. @default none (no edge layer) */
    readonly edgeNamespace?: string;
    /** Namespace of the on-prem Zabbix sync, let in to the Zabbix API. @default none (no on-prem layer) */
    readonly onpremNamespace?: string;
    /** Other layers' metrics Services (the edge's Traefik and cert-manager). @default none */
    readonly scrapeTargets?: readonly ScrapeTarget[];
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
    /**
     * prd: Pulumi `protect` on what must outlive any one run: the namespace (Prometheus' and
     * Zabbix's volumes live in it) and the generated passwords the databases keep from their first
     * start. @default false
     */
    readonly protect?: boolean;
    /**
     * StorageClass of the layer's volumes (Prometheus unless `prometheus.storageClass`, Alertmanager,
     * Grafana's SQLite, Zabbix's PostgreSQL). @default the cluster's default class
     */
    readonly dataStorageClass?: string;
    /** Cloud Monitoring's log alerts to relay into Alertmanager (gke, log alerts on). @default no relay */
    readonly logAlerts?: LogAlertRelayTarget;
}

/** What the on-prem layer and the stack outputs need from monitoring. */
export interface MonitoringEndpoints {
    readonly namespace: string;
    /** `host:port` of the blackbox exporter, for Probe `prober.url`. */
    readonly blackboxAddress: string;
    /** Zabbix JSON-RPC URL inside the cluster; undefined when Zabbix is disabled. */
    readonly zabbixApiUrl?: string;
    /** Secret (keys `username`, `password`) with the Zabbix Admin credentials. */
    readonly zabbixAdminSecretName?: string;
    /**
     * A login for this stack's own Zabbix (Admin and its generated password, secret), usable once
     * `ready` (the bootstrap Job that sets the password) has run; undefined when Zabbix is disabled.
     */
    readonly zabbixLogin?: {
        readonly username: string;
        readonly password: pulumi.Output<string>;
        readonly ready: pulumi.Resource;
    };
    readonly prometheusUrl: string;
    /** Public hosts, whether or not a publisher routed them. */
    readonly hosts: Readonly<Record<"grafana" | "prometheus" | "alertmanager" | "zabbix", string>>;
}

/**
 * The monitoring layer: kube-prometheus-stack (Prometheus, Alertmanager, Grafana), the platform's
 * rules and dashboards, the blackbox exporter, Zabbix, and their hosts behind GitHub login.
 */
export class Monitoring extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly stack: PrometheusStack;
    readonly blackbox: BlackboxExporter;
    readonly zabbix?: Zabbix;
    readonly endpoints: MonitoringEndpoints;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:Monitoring", name, {}, opts);
        const { config, domain } = args;
        const ns = config.namespace;
        const child = { parent: this };

        this.namespace = new PlatformNamespace(
            `${name}-ns`,
            {
                namespace: ns,
                labels: { "app.kubernetes.io/part-of": "platform-monitoring" },
                // node-exporter, the one pod that needs the host, runs in its own namespace (below).
                // Not restricted: the charts' containers (the Zabbix chart's PostgreSQL and web, the
                // Grafana chart's sidecars) do not all set what restricted demands; warn and audit
                // at restricted name them.
                podSecurity: {
                    level: "baseline",
                    reason: "chart containers (Zabbix's PostgreSQL and web among them) do not all meet restricted",
                },
                // Ceilings, not sizing: Prometheus, Grafana, Zabbix with its database, exporters and jobs.
                quota: {
                    cpu: "16",
                    memory: "64Gi",
                    cpuLimit: "32",
                    memoryLimit: "96Gi",
                    pods: 60,
                    storage: `${gib(config.prometheus.volumeSize) + gib(config.alertmanager.volumeSize) + 200}Gi`,
                },
                defaultDeny: "ingress-and-egress",
                // Prometheus', Alertmanager's, Grafana's and Zabbix's database volumes live here.
                holdsData: { protect: args.protect === true },
                childAliases: {
                    ...declaredBefore(this, {
                        namespace: `${name}-ns`,
                        quota: `${name}-quota`,
                        limits: `${name}-limits`,
                    }),
                    "default-deny": defaultDenyDeclaredBy(
                        this,
                        name,
                        "platform:monitoring:MonitoringPolicies",
                        "default-deny-ingress",
                    ),
                },
            },
            child,
        ).namespace;
        const nodeExporterNamespace = nodeExporterNamespaceName(ns);
        const nodeExporterNs = new PlatformNamespace(
            `${name}-node-exporter-ns`,
            {
                namespace: nodeExporterNamespace,
                labels: { "app.kubernetes.io/part-of": "platform-monitoring" },
                podSecurity: {
                    level: "privileged",
                    reason: "node-exporter reads node metrics from the host network, PID namespace and root filesystem",
                },
                // One node-exporter per node: room for a large cluster, nothing else fits.
                quota: NODE_EXPORTER_QUOTA,
                // node-exporter listens on the host network, where NetworkPolicy does not apply; the
                // default deny holds for any other pod placed here.
                defaultDeny: "ingress-and-egress",
            },
            child,
        ).namespace;
        const inNs = { parent: this, dependsOn: [this.namespace] };
        new MonitoringPolicies(
            `${name}-policies`,
            {
                namespace: ns,
                edgeNamespace: args.edgeNamespace,
                onpremNamespace: args.onpremNamespace,
                apiServer: args.apiServer,
                zabbix: config.zabbix.enabled,
                grafanaDatabasePort: config.grafana.database?.port,
                zabbixProxySources: config.zabbix.enabled ? args.zabbixTrapper?.sourceRanges : undefined,
                logAlertRelayPods: args.logAlerts ? LOG_ALERT_RELAY_PODS : undefined,
            },
            inNs,
        );

        this.zabbix = config.zabbix.enabled
            ? new Zabbix(
                  `${name}-zabbix`,
                  {
                      namespace: ns,
                      config: config.zabbix,
                      storageClass: args.dataStorageClass,
                      snmpTrapAddress: args.snmpTrapAddress,
                      trapper: args.zabbixTrapper,
                      charts: args.charts,
                      protect: args.protect,
                  },
                  inNs,
              )
            : undefined;

        this.stack = new PrometheusStack(
            `${name}-stack`,
            {
                namespace: ns,
                charts: args.charts,
                config,
                domain,
                grafanaOAuthClientId: args.grafanaOAuthClientId,
                grafanaOAuthClientSecret: args.grafanaOAuthClientSecret,
                alertmanagerWebhookUrl: args.alertmanagerWebhookUrl,
                grafanaDatabase: args.grafanaDatabase,
                storageClass: args.dataStorageClass,
                protect: args.protect,
                nodeExporter: { namespace: nodeExporterNamespace, dependsOn: nodeExporterNs },
                zabbix: this.zabbix
                    ? { apiUrl: this.zabbix.apiUrl, tokenSecretName: this.zabbix.apiTokenSecretName }
                    : undefined,
                // No wait on the Zabbix bootstrap: Grafana is rolled once it has issued the token
                // (below), so the CRD-installing chart need not sit behind Zabbix.
            },
            inNs,
        );
        if (args.logAlerts) {
            new LogAlertRelay(
                `${name}-log-alert-relay`,
                {
                    namespace: ns,
                    subscription: args.logAlerts.subscription,
                    serviceAccountEmail: args.logAlerts.serviceAccountEmail,
                    alertmanagerUrl: this.stack.alertmanagerUrl,
                    stack: pulumi.getStack(),
                    resolveAfterSeconds: 2 * RENOTIFY_SECONDS,
                },
                inNs,
            );
        }
        if (this.zabbix) {
            // Grafana reads the token Secret at start. Once the bootstrap Job has written it, this
            // patch sets a pod-template annotation to the Job's name, which rolls Grafana: on the
            // first deploy (Grafana started before the token existed) and whenever a new Job runs.
            // The name changes only with the Job, so an unchanged stack shows no diff. The Job's own
            // account may write its Secret and nothing that runs pods.
            new k8s.apps.v1.DeploymentPatch(
                `${name}-grafana-token-roll`,
                {
                    metadata: { name: NAMES.grafana, namespace: ns },
                    spec: {
                        template: { metadata: { annotations: { [ZABBIX_TOKEN_ANNOTATION]: bootstrapJobName() } } },
                    },
                },
                { parent: this, dependsOn: [this.stack.chart, this.zabbix.bootstrap] },
            );
        }
        new Dashboards(`${name}-dashboards`, { namespace: ns }, inNs);
        new PlatformRules(`${name}-rules`, { namespace: ns, crds: this.stack.chart }, inNs);
        new PlatformScrapes(
            `${name}-scrapes`,
            { namespace: ns, targets: args.scrapeTargets ?? [], crds: this.stack.chart },
            inNs,
        );
        this.blackbox = new BlackboxExporter(`${name}-blackbox`, { namespace: ns, charts: args.charts }, inNs);

        const hosts = {
            grafana: `${config.hosts.grafana}.${domain}`,
            prometheus: `${config.hosts.prometheus}.${domain}`,
            alertmanager: `${config.hosts.alertmanager}.${domain}`,
            zabbix: `${config.hosts.zabbix}.${domain}`,
        };
        const routes: [string, RouteSpec][] = [
            ["grafana", this.route(hosts.grafana, ns, this.stack.grafanaService)],
            ["prometheus", this.route(hosts.prometheus, ns, this.stack.prometheusService)],
            ["alertmanager", this.route(hosts.alertmanager, ns, this.stack.alertmanagerService)],
        ];
        if (this.zabbix) routes.push(["zabbix", this.route(hosts.zabbix, ns, this.zabbix.webService)]);

        if (args.publisher) {
            for (const [role, spec] of routes) args.publisher.route(this, `${name}-${role}`, spec);
            // Probe the published hosts themselves (only once they exist): a sign-in redirect counts as up.
            // Where the certificate is untrusted by design (staging, self-signed) the probe does not
            // verify it: it would fail on a healthy stack. cert-manager's and Traefik's certificate
            // metrics watch the certificate itself (rules.ts); on prd the probe verifies it too.
            new k8s.apiextensions.CustomResource(
                `${name}-host-probe`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "Probe",
                    metadata: { name: "platform-hosts", namespace: ns },
                    spec: {
                        jobName: "platform-hosts",
                        interval: "60s",
                        module: args.publisher.trustedCertificates ? "http_reachable" : UNTRUSTED_TLS_MODULE,
                        prober: { url: this.blackbox.address },
                        targets: { staticConfig: { static: routes.map(([, r]) => `https://${r.host}`) } },
                    },
                },
                { parent: this, dependsOn: [this.stack.chart, this.blackbox.chart] },
            );
        }

        this.endpoints = {
            namespace: ns,
            blackboxAddress: this.blackbox.address,
            zabbixApiUrl: this.zabbix?.apiUrl,
            zabbixAdminSecretName: this.zabbix?.adminSecretName,
            zabbixLogin: this.zabbix
                ? { username: "Admin", password: this.zabbix.adminPassword, ready: this.zabbix.bootstrap }
                : undefined,
            prometheusUrl: this.stack.prometheusUrl,
            hosts,
        };
        this.registerOutputs({ endpoints: this.endpoints });
    }

    private route(host: string, namespace: string, svc: { name: string; port: number }): RouteSpec {
        return { host, namespace, service: svc.name, port: svc.port, auth: "github" };
    }
}
