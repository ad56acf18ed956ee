import { credentialRefs } from "./sections/onprem";
import { StackConfig } from "./schema";
import { SecretKey } from "./secrets";
import { gitopsSecretNeeds } from "./sections/gitops";

export interface SecretNeed {
    readonly key: SecretKey;
    /** Why the stack needs it, for the error message. */
    readonly because: string;
}

/** The secret keys this stack's config cannot work without. */
export function requiredSecrets(stack: StackConfig): SecretNeed[] {
    const needs: SecretNeed[] = [...gitopsSecretNeeds(stack.gitops)];
    if (stack.edge.enabled) {
        const because = "the edge is enabled (oauth2-proxy signs users in through a GitHub OAuth app)";
        needs.push({ key: "githubOAuthClientId", because }, { key: "githubOAuthClientSecret", because });
    }
    const hosts = Object.entries(stack.onprem.hosts);
    const withCredentials = hosts.filter(([, h]) => credentialRefs(h).length > 0).map(([name]) => name);
    if (withCredentials.length > 0) {
        needs.push({
            key: "onpremCredentials",
            because: `on-prem hosts reference IPMI/SNMP credentials (${withCredentials.join(", ")})`,
        });
    }
    if (stack.onprem.zabbix.sync && !stack.onprem.zabbix.tokenSecret && hosts.some(([, h]) => !h.zabbix.skip)) {
        needs.push({
            key: "zabbixApiToken",
            because:
                "the on-prem Zabbix sync needs an API token, which can only be made once Zabbix runs: " +
                "deploy first with onprem.zabbix.sync: false, then create it (docs/onprem.md); or set onprem.zabbix.tokenSecret",
        });
    }
    const m = stack.monitoring;
    if (m.enabled) {
        const grafana = "Grafana signs users in with its own GitHub OAuth app";
        needs.push({ key: "grafanaOAuthClientId", because: grafana });
        needs.push({ key: "grafanaOAuthClientSecret", because: grafana });
        needs.push({
            key: "alertmanagerWebhookUrl",
            because: `Alertmanager's default route sends every alert to a ${m.alertmanager.receiver} webhook`,
        });
        if (m.grafana.database) {
            needs.push({ key: "grafanaDatabasePassword", because: "monitoring.grafana.database is set" });
        }
    }
    return needs;
}
