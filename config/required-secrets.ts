import { credentialRefs } from "./sections/onprem";
import { ParsedStack } from "./schema";
import { SecretKey } from "./secrets";
import { gitopsSecretNeeds } from "./sections/gitops";

export interface SecretNeed {
    readonly key: SecretKey;
    /** Why the stack needs it, for the error message. */
    readonly because: string;
}

/**
 * When each secret is needed, in words: the conditions `requiredSecrets` below checks. The docs'
 * secrets tables are generated from this and `SECRET_KEYS` (npm run docs:config).
 */
export const SECRET_NEEDED_WHEN: Readonly<Record<SecretKey, string>> = {
    githubOAuthClientId: "the edge is enabled",
    githubOAuthClientSecret: "the edge is enabled",
    gitopsGithubToken: "gitops is enabled with `gitops.registerDeployKey: true`",
    ciGithubToken: "ci is enabled with the previewer and `ci.previewerReviewers` set",
    gitopsWebhookUrl: "gitops is enabled with `gitops.notifications` set",
    gitopsGhcrToken: "gitops is enabled with `gitops.ghcrUsername` set",
    onpremCredentials: "an on-prem host has IPMI or SNMP (it references credentials by name)",
    onpremVpnSecrets: "an on-prem site has `mode: vpn`",
    zabbixApiToken:
        "the on-prem sync talks to a Zabbix this stack does not run (`onprem.zabbix.apiUrl` set, or monitoring's Zabbix off) and `onprem.zabbix.tokenSecret` is unset",
    grafanaOAuthClientId: "monitoring is enabled",
    grafanaOAuthClientSecret: "monitoring is enabled",
    alertmanagerWebhookUrl: "monitoring is enabled",
    grafanaDatabasePassword:
        "monitoring is enabled with `monitoring.grafana.database.host` set (an existing PostgreSQL; the Cloud SQL the stack creates gets a generated password)",
};

/**
 * Whether the on-prem sync signs in to the stack's own Zabbix (the monitoring layer's) with its
 * generated Admin login rather than a token: no other Zabbix named, no token Secret given.
 */
export function syncLogsInToOwnZabbix(stack: ParsedStack): boolean {
    const z = stack.onprem.zabbix;
    return !z.apiUrl && !z.tokenSecret && stack.monitoring.enabled && stack.monitoring.zabbix.enabled;
}

/** The secret keys this stack's config cannot work without. */
export function requiredSecrets(stack: ParsedStack): SecretNeed[] {
    // A dev-br-<branch> stack deploys one app through the dev stack's edge and cluster: it reads
    // the rest of dev's config (copied with `pulumi config cp`) and none of its secrets.
    if (stack.preview) return [];
    const needs: SecretNeed[] = [...gitopsSecretNeeds(stack.gitops)];
    if (stack.ci.enabled && stack.ci.previewer && stack.ci.previewerReviewers) {
        needs.push({
            key: "ciGithubToken",
            because: "ci.previewerReviewers is set: the program creates the previewer's GitHub environment with them",
        });
    }
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
    const vpnSites = Object.entries(stack.onprem.sites).filter(([, s]) => s.mode === "vpn");
    if (vpnSites.length > 0) {
        needs.push({
            key: "onpremVpnSecrets",
            because: `on-prem sites connect over HA VPN and need their tunnels' pre-shared keys (${vpnSites.map(([n]) => n).join(", ")})`,
        });
    }
    const z = stack.onprem.zabbix;
    if (z.sync && !z.tokenSecret && !syncLogsInToOwnZabbix(stack) && hosts.some(([, h]) => !h.zabbix.skip)) {
        needs.push({
            key: "zabbixApiToken",
            because:
                "the on-prem Zabbix sync talks to a Zabbix this stack does not run (onprem.zabbix.apiUrl, or " +
                "monitoring.zabbix off) and needs its API token; or set onprem.zabbix.tokenSecret, or sync: false",
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
        if (m.grafana.database?.host !== undefined) {
            needs.push({
                key: "grafanaDatabasePassword",
                because: `Grafana uses the existing PostgreSQL at monitoring.grafana.database.host ${m.grafana.database.host}`,
            });
        }
    }
    return needs;
}
