/**
 * The stack's top-level secret keys (namespace `platform`). Each is declared `secret: true` in
 * Pulumi.yaml; the program reads them only as secret Outputs. Render gives a placeholder secret
 * to any the stack file does not hold.
 */
export const SECRET_KEYS = {
    githubOAuthClientId:
        "Client ID of the GitHub OAuth app behind oauth2-proxy (callback `https://auth.<domain>/oauth2/callback`).",
    githubOAuthClientSecret: "Client secret of that GitHub OAuth app.",
    gitopsGithubToken:
        "GitHub token that registers Flux's deploy key, allowed to administer the repository's deploy keys (fine-grained: Administration write on that repository).",
    ciGithubToken:
        "GitHub token that creates the previewer's protected environment with its required reviewers (fine-grained: Administration write on the platform repository).",
    gitopsWebhookUrl: "Slack incoming-webhook or Discord webhook URL Flux posts events to.",
    gitopsGhcrToken: "ghcr.io token (read:packages) Flux lists private image tags with.",
    onpremCredentials:
        "On-prem IPMI/SNMP credentials: JSON text mapping credential names (referenced by platform:onprem hosts) to username/password, SNMP community or SNMPv3 secrets (docs/onprem.md).",
    onpremVpnSecrets:
        'IKE pre-shared keys of the `vpn` on-prem sites\' tunnels: JSON text mapping each such site name to its key, e.g. `{"contest": "..."}` (docs/onprem.md, Sites).',
    zabbixApiToken:
        "Zabbix API token the on-prem sync Job uses on a Zabbix this stack does not run; its own needs none (docs/onprem.md).",
    grafanaOAuthClientId:
        "Client ID of Grafana's own GitHub OAuth app, not oauth2-proxy's (callback `https://<monitoring.hosts.grafana>.<domain>/login/github`).",
    grafanaOAuthClientSecret: "Client secret of Grafana's GitHub OAuth app.",
    grafanaDatabasePassword:
        "Password of Grafana's user on an existing PostgreSQL (monitoring.grafana.database.host); the Cloud SQL the stack creates needs none.",
    alertmanagerWebhookUrl: "Slack or Discord incoming webhook URL every alert is sent to.",
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
