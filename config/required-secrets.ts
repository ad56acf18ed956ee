import { StackConfig } from "./schema";
import { SecretKey } from "./secrets";

export interface SecretNeed {
    readonly key: SecretKey;
    /** Why the stack needs it, for the error message. */
    readonly because: string;
}

/** The secret keys this stack's config cannot work without. */
export function requiredSecrets(stack: StackConfig): SecretNeed[] {
    const needs: SecretNeed[] = [];
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
