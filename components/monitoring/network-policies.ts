import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPEN_INGRESS_ANNOTATION } from "../../contract/annotations";

export interface MonitoringPoliciesArgs {
    /** The monitoring namespace. */
    readonly namespace: string;
    /** Namespace of Traefik, the only way in for the web UIs. @default none (no edge: nothing comes in) */
    readonly edgeNamespace?: string;
    /** Namespace of the on-prem Zabbix sync Job. @default none (no on-prem layer) */
    readonly onpremNamespace?: string;
    /** Accept Zabbix agent pushes (10051) and SNMP traps (162/udp) from outside the cluster. */
    readonly zabbixFromOutside: boolean;
    /**
     * The on-prem sites' ranges whose Zabbix proxies send to the trapper (10051); when set, 10051 is
     * open to these sources only. @default none (10051 open with the SNMP trap ports)
     */
    readonly zabbixProxySources?: readonly string[];
}

const inNamespace = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });

/**
 * What gets past the monitoring namespace's default-deny ingress (PlatformNamespace). The stack's
 * components talk among themselves (Prometheus scrapes its exporters, Grafana reads Prometheus and
 * Zabbix), Traefik reaches the web UIs, the on-prem sync reaches the Zabbix API; nothing else gets
 * in. node-exporter runs on the host network, where NetworkPolicy does not apply.
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
        if (args.zabbixFromOutside && proxies) {
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
        if (args.zabbixFromOutside) {
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
        this.registerOutputs({});
    }
}
