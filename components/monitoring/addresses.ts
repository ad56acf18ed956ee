/**
 * Where other layers reach the monitoring layer, from its namespace alone: the one source of these
 * names and addresses (the components that serve them and config/plan.ts, which hands them to the
 * on-prem layer, both read them here).
 */

/** The blackbox exporter's Service (the chart's fullnameOverride) and port. */
export const BLACKBOX_NAME = "blackbox-exporter";
export const BLACKBOX_PORT = 9115;

/** Zabbix's release name; the chart names its objects `zabbix-zabbix-server`, `zabbix-zabbix-web`, `zabbix-postgresql`. */
export const ZABBIX_RELEASE = "zabbix";

/** The labels the zabbix chart gives its server pods: the Services and policies that reach them select these. */
export const ZABBIX_SERVER_PODS = {
    "app.kubernetes.io/name": "zabbix",
    "app.kubernetes.io/instance": ZABBIX_RELEASE,
    "app.kubernetes.io/component": "server",
} as const;
export const ZABBIX_WEB_PORT = 80;

/** `host:port` of the blackbox exporter in `namespace`, for Probe `prober.url`. */
export function blackboxAddress(namespace: string): string {
    return `${BLACKBOX_NAME}.${namespace}.svc:${BLACKBOX_PORT}`;
}

/** The Zabbix JSON-RPC URL in `namespace`. */
export function zabbixApiUrl(namespace: string): string {
    return `http://${ZABBIX_RELEASE}-zabbix-web.${namespace}.svc:${ZABBIX_WEB_PORT}/api_jsonrpc.php`;
}

/** The privileged namespace node-exporter runs in, beside the monitoring namespace `ns`. */
export function nodeExporterNamespaceName(ns: string): string {
    return `${ns}-node-exporter`;
}
