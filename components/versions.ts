/**
 * Every chart and image version the platform deploys, pinned in one place. Bump here, read the
 * chart's values.yaml for that version, and let the render diff in the pull request show the rest.
 */
export interface ChartPin {
    /** Helm repository URL (or an oci:// reference for OCI charts). */
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
}

export const CHARTS = {
    /** Prometheus operator, Prometheus, Alertmanager, node-exporter, kube-state-metrics, Grafana 12.11.1 (Grafana 13.2). */
    kubePrometheusStack: {
        repo: "https://prometheus-community.github.io/helm-charts",
        chart: "kube-prometheus-stack",
        version: "88.5.3",
    },
    /** Blackbox exporter v0.28. */
    blackboxExporter: {
        repo: "https://prometheus-community.github.io/helm-charts",
        chart: "prometheus-blackbox-exporter",
        version: "11.17.2",
    },
    /** zabbix-community chart; Zabbix 7.0 LTS (7.0.16). */
    zabbix: {
        repo: "https://zabbix-community.github.io/helm-zabbix",
        chart: "zabbix",
        version: "7.0.12",
    },
} as const satisfies Record<string, ChartPin>;

/** Container images the program itself runs (not the apps', which come from stack config). */
export const IMAGES = {
    /** Image tag of every Zabbix component (server, web, agent, snmptraps): 7.0 LTS. */
    zabbixTag: "ubuntu-7.0.16",
    /** SNMP trap receiver beside the Zabbix server. */
    zabbixSnmptraps: "zabbix/zabbix-snmptraps:ubuntu-7.0.16",
    /** Small HTTP client for the Zabbix bootstrap Job (admin password, Grafana API token). */
    curl: "curlimages/curl:8.11.1",
} as const satisfies Record<string, string>;
