import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A metrics Service another layer's chart makes, for Prometheus to scrape. */
export interface ScrapeTarget {
    /** Names the ServiceMonitor, e.g. `traefik`. */
    readonly name: string;
    readonly namespace: string;
    /** Labels of the metrics Service (the chart's own). */
    readonly serviceLabels: Readonly<Record<string, string>>;
    /** Name of the Service port that serves /metrics. */
    readonly port: string;
}

export interface ScrapesArgs {
    /** The monitoring namespace; the ServiceMonitors live here and reach into each target's namespace. */
    readonly namespace: string;
    readonly targets: readonly ScrapeTarget[];
    /** What installs the ServiceMonitor CRD. */
    readonly crds: pulumi.Input<pulumi.Resource>;
}

/**
 * ServiceMonitors for the platform's own components (Traefik, cert-manager), declared here rather
 * than by their charts: a chart's ServiceMonitor would need the monitoring chart's CRD before it,
 * chaining the edge behind monitoring. The platform rules and dashboards read these metrics.
 */
export class PlatformScrapes extends pulumi.ComponentResource {
    constructor(name: string, args: ScrapesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:PlatformScrapes", name, {}, opts);
        for (const t of args.targets) {
            new k8s.apiextensions.CustomResource(
                `${name}-${t.name}`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: { name: t.name, namespace: args.namespace },
                    spec: {
                        namespaceSelector: { matchNames: [t.namespace] },
                        selector: { matchLabels: { ...t.serviceLabels } },
                        endpoints: [{ port: t.port, path: "/metrics", interval: "30s" }],
                    },
                },
                { parent: this, dependsOn: [args.crds] },
            );
        }
        this.registerOutputs({});
    }
}
