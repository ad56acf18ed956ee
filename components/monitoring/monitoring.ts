import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gib, GrafanaDatabaseConnection, MonitoringSettings } from "./settings";
import { declaredBefore, defaultDenyDeclaredBy, PlatformNamespace } from "../cluster/platform-namespace";
import { Publisher, RouteSpec } from "../edge/types";
import { BlackboxExporter, UNTRUSTED_TLS_MODULE } from "./blackbox";
import { Dashboards } from "./dashboards";
import { MonitoringPolicies } from "./network-policies";
import { PrometheusStack } from "./prometheus-stack";
import { PlatformRules } from "./rules";
import { PlatformScrapes, ScrapeTarget } from "./scrapes";
import { NAMES } from "./stack-values";
import { Zabbix } from "./zabbix";
import type { ChartSource } from "../versions";

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
                // node-exporter reads the host (hostNetwork, hostPID, hostPath).
                podSecurity: {
                    level: "privileged",
                    reason: "node-exporter reads node metrics from the host network, PID namespace and root filesystem",
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
                defaultDeny: "ingress",
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
        const inNs = { parent: this, dependsOn: [this.namespace] };
        new MonitoringPolicies(
            `${name}-policies`,
            {
                namespace: ns,
                edgeNamespace: args.edgeNamespace,
                onpremNamespace: args.onpremNamespace,
                zabbixFromOutside: config.zabbix.enabled,
                zabbixProxySources: config.zabbix.enabled ? args.zabbixTrapper?.sourceRanges : undefined,
            },
            inNs,
        );

        this.zabbix = config.zabbix.enabled
            ? new Zabbix(
                  `${name}-zabbix`,
                  {
                      namespace: ns,
                      config: config.zabbix,
                      grafanaDeployment: NAMES.grafana,
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
                zabbix: this.zabbix
                    ? { apiUrl: this.zabbix.apiUrl, tokenSecretName: this.zabbix.apiTokenSecretName }
                    : undefined,
                // No wait on the Zabbix bootstrap: it restarts Grafana after issuing the token (or
                // Grafana reads it at start), so the CRD-installing chart need not sit behind Zabbix.
            },
            inNs,
        );
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
