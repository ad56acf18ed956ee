/**
 * The stack's top-level secret keys (namespace `platform`). Each is declared `secret: true` in
 * Pulumi.yaml; the program reads them only as secret Outputs. Render gives a placeholder secret
 * to any the stack file does not hold.
 */
export const SECRET_KEYS = {
    githubOAuthClientId: "Client ID of the GitHub OAuth app behind oauth2-proxy and Grafana.",
    githubOAuthClientSecret: "Client secret of that GitHub OAuth app.",
    grafanaOAuthClientId: "Client ID of Grafana's own GitHub OAuth app (callback on the grafana host).",
    grafanaOAuthClientSecret: "Client secret of Grafana's GitHub OAuth app.",
    grafanaDatabasePassword: "Password of Grafana's external PostgreSQL user (monitoring.grafana.database).",
    alertmanagerWebhookUrl: "Slack or Discord incoming webhook URL every alert is sent to.",
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
