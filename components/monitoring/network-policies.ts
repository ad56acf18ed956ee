import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPEN_INGRESS_ANNOTATION } from "../../contract/annotations";
import {
    anyAddressEgress,
    ApiServerAddress,
    apiServerEgress,
    dnsEgress,
    EgressAllow,
    EgressPolicies,
    everyPodEgress,
    internetEgress,
    metadataServerEgress,
    PRIVATE_RANGES,
    sameNamespaceEgress,
} from "../cluster/egress";
import { ZABBIX_SERVER_PODS } from "./addresses";

export interface MonitoringPoliciesArgs {
    /** The monitoring namespace. */
    readonly namespace: string;
    /** Namespace of Traefik, the only way in for the web UIs. @default none (no edge: nothing comes in) */
    readonly edgeNamespace?: string;
    /** Namespace of the on-prem Zabbix sync Job. @default none (no on-prem layer) */
    readonly onpremNamespace?: string;
    /** Where pods reach the API server (the operator, kube-state-metrics, Prometheus, Grafana's sidecars, the bootstrap Job). */
    readonly apiServer: readonly ApiServerAddress[];
    /**
     * Zabbix runs here: its server polls on-prem hosts and accepts agent pushes (10051) and SNMP
     * traps (162/udp) from outside the cluster.
     */
    readonly zabbix: boolean;
    /** Port of Grafana's PostgreSQL (Cloud SQL on a private address) when it has one. @default no database */
    readonly grafanaDatabasePort?: number;
    /**
     * The on-prem sites' ranges whose Zabbix proxies send to the trapper (10051); when set, 10051 is
     * open to these sources only. @default none (10051 open with the SNMP trap ports)
     */
    readonly zabbixProxySources?: readonly string[];
    /** Pod labels of the log-alert relay, which pulls Pub/Sub as its Google account. @default no relay */
    readonly logAlertRelayPods?: Readonly<Record<string, string>>;
}

/** Pod labels the charts give each component (kube-prometheus-stack's operator, the grafana, blackbox and zabbix charts). */
export const MONITORING_PODS = {
    prometheus: { "app.kubernetes.io/name": "prometheus" },
    alertmanager: { "app.kubernetes.io/name": "alertmanager" },
    grafana: { "app.kubernetes.io/name": "grafana" },
    blackbox: { "app.kubernetes.io/name": "prometheus-blackbox-exporter" },
    zabbixServer: ZABBIX_SERVER_PODS,
} as const;

/** node-exporter (host network: port 9100 on each node) and the kubelet (10250, cAdvisor). */
const NODE_PORTS = [9100, 10250];

const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

/**
 * What gets past the monitoring namespace's default deny (PlatformNamespace, ingress and egress).
 * In: the stack's components talk among themselves (Prometheus scrapes its exporters, Grafana reads
 * Prometheus and Zabbix), Traefik reaches the web UIs, the on-prem sync reaches the Zabbix API.
 * Out: DNS, the API server, each component's own destinations (below). node-exporter runs in its
 * own namespace on the host network, where NetworkPolicy does not apply: Prometheus reaches it on
 * the nodes' addresses.
 */
export class MonitoringPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: MonitoringPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:MonitoringPolicies", name, {}, opts);
        const child = { parent: this };
        const policy = (role: string, spec: Record<string, unknown>, annotations?: Record<string, string>) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${role}`,
                {
                    metadata: { name: role, namespace: args.namespace, ...(annotations ? { annotations } : {}) },
                    spec: { podSelector: {}, ...spec },
                },
                child,
            );
        policy("allow-same-namespace", { policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] });
        if (args.edgeNamespace) {
            policy("allow-from-edge", {
                policyTypes: ["Ingress"],
                ingress: [{ from: [inNamespace(args.edgeNamespace)] }],
            });
        }
        // Ports, not pod labels: only Zabbix listens on them here, and the chart's labels are its own.
        if (args.onpremNamespace) {
            policy("allow-zabbix-sync", {
                policyTypes: ["Ingress"],
                ingress: [{ from: [inNamespace(args.onpremNamespace)], ports: [{ protocol: "TCP", port: 8080 }] }],
            });
        }
        const proxies = args.zabbixProxySources;
        if (args.zabbix && proxies) {
            // The trapper's load balancer keeps the proxy's source address (externalTrafficPolicy Local).
            policy("allow-zabbix-proxies", {
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: proxies.map((cidr) => ({ ipBlock: { cidr } })),
                        ports: [{ protocol: "TCP", port: 10051 }],
                    },
                ],
            });
        }
        if (args.zabbix) {
            policy(
                "allow-zabbix-agents",
                {
                    policyTypes: ["Ingress"],
                    ingress: [
                        {
                            ports: [
                                ...(proxies ? [] : [{ protocol: "TCP", port: 10051 }]),
                                { protocol: "UDP", port: 162 },
                                { protocol: "UDP", port: 1162 },
                            ],
                        },
                    ],
                },
                {
                    [OPEN_INGRESS_ANNOTATION]:
                        "Zabbix agents and SNMP traps arrive from on-prem hosts outside the cluster",
                },
            );
        }
        // Egress, past the namespace's default deny for egress too.
        const allow: EgressAllow[] = [
            { name: "dns", egress: [dnsEgress()] },
            { name: "same-namespace", egress: [sameNamespaceEgress()] },
            { name: "api-server", egress: apiServerEgress(args.apiServer) },
            // Scrape targets: pods of every namespace (each lets Prometheus in on its metrics ports
            // only), and node-exporter and the kubelet on the nodes' own addresses.
            {
                name: "prometheus-scrape",
                podLabels: MONITORING_PODS.prometheus,
                egress: [everyPodEgress(), anyAddressEgress(NODE_PORTS)],
            },
            // Slack or Discord webhooks.
            {
                name: "alertmanager-receivers",
                podLabels: MONITORING_PODS.alertmanager,
                egress: [internetEgress([443])],
            },
            // GitHub sign-in and the pinned plugin download; its database on a private address.
            {
                name: "grafana",
                podLabels: MONITORING_PODS.grafana,
                egress: [
                    internetEgress([443]),
                    ...(args.grafanaDatabasePort !== undefined
                        ? [
                              {
                                  to: PRIVATE_RANGES.map((cidr) => ({ ipBlock: { cidr } })),
                                  ports: [{ protocol: "TCP", port: args.grafanaDatabasePort }],
                              },
                          ]
                        : []),
                ],
            },
            // Probes go to on-prem hosts (ICMP, TCP, HTTP on any port), the stack's public hosts and
            // pods; the Zabbix server polls on-prem hosts (agent 10050, SNMP 161/udp, IPMI 623/udp,
            // ICMP). Sites and hosts come and go with the inventory, so any address but link-local
            // (the metadata server).
            {
                name: "blackbox-probes",
                podLabels: MONITORING_PODS.blackbox,
                egress: [everyPodEgress(), anyAddressEgress()],
            },
            ...(args.zabbix
                ? [{ name: "zabbix-pollers", podLabels: MONITORING_PODS.zabbixServer, egress: [anyAddressEgress()] }]
                : []),
            // Pub/Sub on 443 as its own Google account; Alertmanager is in this namespace.
            ...(args.logAlertRelayPods
                ? [
                      {
                          name: "log-alert-relay",
                          podLabels: args.logAlertRelayPods,
                          egress: [internetEgress([443]), ...metadataServerEgress()],
                          metadataServer:
                              "the log-alert relay pulls Pub/Sub as its Google service account (Workload Identity)",
                      },
                  ]
                : []),
        ];
        new EgressPolicies(`${name}-egress`, { namespace: args.namespace, allow }, child);
        this.registerOutputs({});
    }
}
