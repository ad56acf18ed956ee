import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { BLACKBOX_MODULES } from "./external-host";

/** The alert a site raises when the cluster cannot reach it; it inhibits the site's host alerts. */
export const SITE_UNREACHABLE = "SiteUnreachable";

/** How long a site may stay silent before SiteUnreachable fires: shorter than OnpremHostDown's 3m, so it fires first. */
export const SITE_UNREACHABLE_FOR = "2m";

export interface SiteWatchArgs {
    readonly site: string;
    /** The address to ping through the site's tunnel (components/onprem/sites.ts siteProbeAddress). */
    readonly probeAddress: string;
    readonly namespace: string;
    readonly blackboxAddress: string;
    readonly probeInterval: string;
}

/**
 * The site's reachability check: a blackbox ICMP probe of one address behind its tunnel and the
 * `SiteUnreachable` alert (label `site`). It tests the very path every host probe takes
 * (cluster -> VPN or gateway VM -> site), so when it fails the host alerts carry no news and
 * Alertmanager's inhibit rule (components/monitoring/stack-values.ts) holds them back.
 */
export function siteWatch(
    parent: pulumi.Resource,
    name: string,
    args: SiteWatchArgs,
    opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource[] {
    const labels = { "app.kubernetes.io/name": `site-${args.site}`, "app.kubernetes.io/part-of": "onprem" };
    const selector = `onprem_site_probe="${args.site}"`;
    const probe = new k8s.apiextensions.CustomResource(
        `${name}-probe`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "Probe",
            metadata: { name: `site-${args.site}`, namespace: args.namespace, labels },
            spec: {
                jobName: `onprem-site-${args.site}`,
                interval: args.probeInterval,
                module: BLACKBOX_MODULES.icmp,
                prober: { url: args.blackboxAddress, path: "/probe" },
                targets: {
                    staticConfig: { static: [args.probeAddress], labels: { onprem_site_probe: args.site } },
                },
            },
        },
        { ...opts, parent },
    );
    const rule = new k8s.apiextensions.CustomResource(
        `${name}-rule`,
        {
            apiVersion: "monitoring.coreos.com/v1",
            kind: "PrometheusRule",
            metadata: { name: `site-${args.site}-unreachable`, namespace: args.namespace, labels },
            spec: {
                groups: [
                    {
                        name: `onprem-site-${args.site}`,
                        rules: [
                            {
                                alert: SITE_UNREACHABLE,
                                expr: `(min(probe_success{${selector}}) == 0) or absent(probe_success{${selector}})`,
                                for: SITE_UNREACHABLE_FOR,
                                labels: { severity: "critical", site: args.site },
                                annotations: {
                                    summary: `on-prem site ${args.site} is unreachable (${args.probeAddress} does not answer through its tunnel)`,
                                    description: `The tunnel, the gateway or VPN, or the site's uplink is down; the alerts of ${args.site}'s hosts are held back until it is back.`,
                                },
                            },
                        ],
                    },
                ],
            },
        },
        { ...opts, parent },
    );
    return [probe, rule];
}
