/**
 * The platform's own error signatures in the cluster's logs, as Cloud Logging filters. Pure: the
 * filters are built from the namespaces the plan decided, so a renamed namespace moves its alert.
 */

/** One log-based alert: a counter over `filter`, firing when it passes `threshold` in `windowSeconds`. */
export interface LogAlert {
    /** Short id: names the log-based metric and the alert policy. */
    readonly id: string;
    /** Alert title in the notification. */
    readonly title: string;
    /** What to look at first, sent with the notification (Markdown). */
    readonly runbook: string;
    /** Cloud Logging query selecting the matching entries. */
    readonly filter: string;
    /** The monitored resource the entries (and so the metric's series) carry. */
    readonly resourceType: "k8s_container" | "k8s_pod";
    /** Fires when more than this many entries match in one window. */
    readonly threshold: number;
    readonly windowSeconds: number;
}

export interface LogAlertsArgs {
    readonly project: string;
    readonly clusterName: string;
    /** The edge namespace, where oauth2-proxy runs; no auth alert without it. */
    readonly edgeNamespace?: string;
    /** oauth2-proxy's container name in its chart's pods. */
    readonly authContainer: string;
    /** Flux's namespace; no reconcile alert without it. */
    readonly fluxNamespace?: string;
    /** Namespaces whose crash-looping containers alert: every namespace the stack deploys into. */
    readonly crashLoopNamespaces: readonly string[];
    /** More than this many failed logins in five minutes is a burst. */
    readonly authFailuresPer5m: number;
}

function quote(value: string): string {
    return JSON.stringify(value);
}

function anyOf(field: string, values: readonly string[]): string {
    return `(${values.map((v) => `${field}=${quote(v)}`).join(" OR ")})`;
}

/** The alerts for a cluster: auth failure bursts, Flux reconcile errors, crash loops. */
export function platformLogAlerts(a: LogAlertsArgs): LogAlert[] {
    const container = (ns: string) =>
        `resource.type="k8s_container" AND resource.labels.cluster_name=${quote(a.clusterName)} AND resource.labels.namespace_name=${quote(ns)}`;
    const alerts: LogAlert[] = [];
    if (a.edgeNamespace) {
        alerts.push({
            id: "auth-failures",
            title: "oauth2-proxy: burst of failed logins",
            runbook:
                "More failed sign-ins than usual at the edge: a misconfigured GitHub org/team, an expired OAuth app secret, or someone guessing. Read oauth2-proxy's `[AuthFailure]` lines in Logs Explorer.",
            // oauth2-proxy's auth log line carries the status in brackets: [AuthSuccess], [AuthFailure], [AuthError].
            filter: `${container(a.edgeNamespace)} AND resource.labels.container_name=${quote(a.authContainer)} AND textPayload:"[AuthFailure]"`,
            resourceType: "k8s_container",
            threshold: a.authFailuresPer5m,
            windowSeconds: 300,
        });
    }
    if (a.fluxNamespace) {
        alerts.push({
            id: "flux-reconcile-errors",
            title: "Flux: reconciliation failing",
            runbook:
                "A Flux controller logs errors: a source it cannot fetch, a Kustomization that does not build or apply, an image update it cannot push. `flux get all -A` names the object.",
            // Flux's controllers log JSON with a `level` field. Not `severity`: GKE marks every stderr line ERROR.
            filter: `${container(a.fluxNamespace)} AND jsonPayload.level="error"`,
            resourceType: "k8s_container",
            threshold: 0,
            windowSeconds: 600,
        });
    }
    if (a.crashLoopNamespaces.length > 0) {
        alerts.push({
            id: "crash-loops",
            title: "Containers crash-looping",
            runbook:
                "The kubelet is backing off restarting a failed container (CrashLoopBackOff). `kubectl -n <namespace> describe pod <pod>` and `kubectl logs --previous` say why.",
            // GKE writes Kubernetes events to the `events` log; a crash loop's is reason BackOff with this message
            // (an image pull back-off shares the reason, not the message).
            filter:
                `resource.type="k8s_pod" AND resource.labels.cluster_name=${quote(a.clusterName)} AND ` +
                `logName=${quote(`projects/${a.project}/logs/events`)} AND jsonPayload.reason="BackOff" AND ` +
                `jsonPayload.message:"restarting failed container" AND ` +
                anyOf("resource.labels.namespace_name", [...new Set(a.crashLoopNamespaces)].sort()),
            resourceType: "k8s_pod",
            threshold: 0,
            windowSeconds: 600,
        });
    }
    return alerts;
}
