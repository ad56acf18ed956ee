import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, pinned } from "../versions";
import { BLACKBOX_NAME, BLACKBOX_PORT, blackboxAddress } from "./addresses";
import type { ChartSource } from "../versions";

export { BLACKBOX_NAME, BLACKBOX_PORT };

/**
 * The pod sysctl that lets a non-root process without capabilities open ICMP sockets (any group):
 * what makes ICMP probes work for the blackbox exporter and Zabbix's fping. Namespaced and
 * Kubernetes-safe, so no node setting is needed.
 */
export const UNPRIVILEGED_PING = { name: "net.ipv4.ping_group_range", value: "0 2147483647" } as const;

const REACHABLE = {
    valid_status_codes: [200, 301, 302, 303, 307, 308, 401, 403],
    follow_redirects: false,
    preferred_ip_protocol: "ip4",
};

/** `http_reachable` without certificate verification, for hosts served with an untrusted certificate. */
export const UNTRUSTED_TLS_MODULE = "http_reachable_untrusted_tls";

/** Probe modules; the on-prem layer's Probes name them. */
export function blackboxModules(): Record<string, unknown> {
    return {
        http_2xx: {
            prober: "http",
            timeout: "5s",
            http: {
                valid_http_versions: ["HTTP/1.1", "HTTP/2.0"],
                follow_redirects: true,
                preferred_ip_protocol: "ip4",
            },
        },
        // A host behind GitHub login answers with a redirect to sign in: alive, not an error.
        http_reachable: { prober: "http", timeout: "5s", http: REACHABLE },
        // The same for hosts whose certificate no client trusts by design (Let's Encrypt staging,
        // self-signed): the probe checks that the host answers through the edge, not who signed it.
        [UNTRUSTED_TLS_MODULE]: {
            prober: "http",
            timeout: "5s",
            http: { ...REACHABLE, tls_config: { insecure_skip_verify: true } },
        },
        tcp_connect: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
        icmp: { prober: "icmp", timeout: "5s", icmp: { preferred_ip_protocol: "ip4" } },
    };
}

/**
 * Chart values: non-root, read-only, every capability dropped. ICMP uses unprivileged ICMP sockets
 * (the sysctl below), which the exporter tries before raw ones: no NET_RAW, which the monitoring
 * namespace's Pod Security level (baseline) would refuse.
 */
export function blackboxValues(): Record<string, unknown> {
    return {
        fullnameOverride: BLACKBOX_NAME,
        config: { modules: blackboxModules() },
        podSecurityContext: {
            // Unprivileged ICMP sockets for any group: ICMP probes without NET_RAW.
            sysctls: [UNPRIVILEGED_PING],
            seccompProfile: { type: "RuntimeDefault" },
        },
        securityContext: {
            runAsUser: 1000,
            runAsGroup: 1000,
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        },
        resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
    };
}

export interface BlackboxExporterArgs {
    readonly namespace: string;
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

/** The Prometheus blackbox exporter with ICMP, TCP and HTTP modules. */
export class BlackboxExporter extends pulumi.ComponentResource {
    readonly chart: k8s.helm.v4.Chart;
    /** `host:port` Probes use as their prober URL. */
    readonly address: string;

    constructor(name: string, args: BlackboxExporterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:BlackboxExporter", name, {}, opts);
        const pin = CHARTS.blackboxExporter;
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: BLACKBOX_NAME,
                ...pinned(pin, args.charts),
                namespace: args.namespace,
                values: blackboxValues(),
            },
            { parent: this },
        );
        this.address = blackboxAddress(args.namespace);
        this.registerOutputs({ address: this.address });
    }
}
