import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { hostProbes, OnpremHost, OnpremProbe } from "./spec";
import { addARecord, DnsZone } from "../gcp/dns";

/** The blackbox exporter's address as the monitoring layer deploys it (chart release in `monitoring`). */

/** Blackbox exporter module per probe kind; the exporter's config must define these. */
export const BLACKBOX_MODULES: Readonly<Record<OnpremProbe["module"], string>> = {
    icmp: "icmp",
    tcp: "tcp_connect",
    http: "http_2xx",
};

/** Value of `endpointslice.kubernetes.io/managed-by`: not the EndpointSlice controller's own. */
export const ENDPOINTSLICE_MANAGER = "platform-onprem";

export interface ExternalHostArgs {
    /** The host's name: names the Service, the EndpointSlice, the probes and the DNS record. */
    readonly name: string;
    /** The host as the inventory declares it. */
    readonly host: OnpremHost;
    /** Namespace of the Service, EndpointSlice, Probes and rule. */
    readonly namespace: string;
    /** Provider of the cluster. */
    readonly provider: k8s.Provider;
    /**
     * The private zone the host's record goes in, as `<name>.<zone domain>`; without one
     * (cluster.mode existing) no record is made. @default undefined
     */
    readonly dnsZone?: DnsZone;
    /** Blackbox exporter host:port the Probes go through. */
    readonly blackboxAddress: string;
    /** How often Prometheus probes the host. @default 30s */
    readonly probeInterval?: string;
    /** The site the host is at: labels its probes and alerts, which SiteUnreachable inhibits. @default none */
    readonly site?: string;
    /** This stack watches the host (probes and alerts); false: endpoints only. @default true */
    readonly monitored?: boolean;
    /** What every child waits for (the namespace). @default [] */
    readonly dependsOn?: pulumi.Resource[];
    /** What the Probe and PrometheusRule wait for: the chart installing their CRDs. @default [] */
    readonly crdDependsOn?: pulumi.Resource[];
}

function probeTarget(host: OnpremHost, probe: OnpremProbe): string {
    if (probe.module === "icmp") return host.address;
    const port = host.ports.find((p) => p.name === probe.port)!.port;
    if (probe.module === "tcp") return `${host.address}:${port}`;
    return `${probe.scheme}://${host.address}:${port}${probe.path}`;
}

function probeSuffix(probe: OnpremProbe): string {
    return probe.module === "icmp" ? "icmp" : `${probe.module}-${probe.port}`;
}

/**
 * One on-prem host as the cluster sees it: a Service without selector plus the EndpointSlice that
 * points it at the host's address (so pods reach `<name>.<namespace>.svc.cluster.local`), an
 * optional DNS A record, blackbox Probes and an alert when the host stops answering.
 */
export class ExternalHost extends pulumi.ComponentResource {
    readonly service: k8s.core.v1.Service;
    readonly endpointSlice: k8s.discovery.v1.EndpointSlice;
    readonly probes: k8s.apiextensions.CustomResource[];
    readonly rule?: k8s.apiextensions.CustomResource;
    readonly dnsRecord?: gcp.dns.RecordSet;
    /** In-cluster DNS name of the host. */
    readonly clusterDns: string;

    constructor(name: string, args: ExternalHostArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:onprem:ExternalHost", name, {}, opts);
        const { host, namespace } = args;
        const hostName = args.name;
        const labels = {
            "app.kubernetes.io/name": hostName,
            "app.kubernetes.io/component": host.kind,
            "app.kubernetes.io/part-of": "onprem",
            "app.kubernetes.io/managed-by": "pulumi",
        };
        const childOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
        const crOpts = { ...childOpts, dependsOn: [...(args.dependsOn ?? []), ...(args.crdDependsOn ?? [])] };

        // Without ports the Service is headless: its DNS name resolves straight to the address.
        const ports = host.ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.port, protocol: p.protocol }));
        this.service = new k8s.core.v1.Service(
            `${name}-service`,
            {
                metadata: { name: hostName, namespace, labels },
                spec: ports.length > 0 ? { type: "ClusterIP", ports } : { clusterIP: "None" },
            },
            childOpts,
        );
        this.endpointSlice = new k8s.discovery.v1.EndpointSlice(
            `${name}-endpoints`,
            {
                metadata: {
                    name: hostName,
                    namespace,
                    labels: {
                        ...labels,
                        "kubernetes.io/service-name": hostName,
                        "endpointslice.kubernetes.io/managed-by": ENDPOINTSLICE_MANAGER,
                    },
                },
                addressType: "IPv4",
                endpoints: [{ addresses: [host.address], conditions: { ready: true } }],
                // The API server stores an empty list as no list: sending `[]` would show as drift
                // on every refresh (the e2e tier's real engine found it).
                ...(host.ports.length > 0
                    ? { ports: host.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })) }
                    : {}),
            },
            childOpts,
        );
        // kube-dns (GKE's cluster DNS) answers a headless name from v1 Endpoints only, never from
        // EndpointSlices; mirroring back into a slice is skipped, ours already exists.
        if (ports.length === 0) {
            new k8s.core.v1.Endpoints(
                `${name}-dns-endpoints`,
                {
                    metadata: {
                        name: hostName,
                        namespace,
                        labels: { ...labels, "endpointslice.kubernetes.io/skip-mirror": "true" },
                    },
                    subsets: [{ addresses: [{ ip: host.address }] }],
                },
                childOpts,
            );
        }
        this.clusterDns = `${hostName}.${namespace}.svc.cluster.local`;

        if (host.dns && args.dnsZone) {
            const fqdn = `${hostName}.${args.dnsZone.domain}`;
            this.dnsRecord = addARecord(this, `${name}-dns`, args.dnsZone, fqdn, host.address);
        }

        const probes = args.monitored === false ? [] : hostProbes(host);
        const site = args.site ? { site: args.site } : {};
        const targetLabels = { onprem_host: hostName, onprem_kind: host.kind, ...site };
        this.probes = probes.map(
            (probe) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-probe-${probeSuffix(probe)}`,
                    {
                        apiVersion: "monitoring.coreos.com/v1",
                        kind: "Probe",
                        metadata: { name: `${hostName}-${probeSuffix(probe)}`, namespace, labels },
                        spec: {
                            jobName: `onprem-${hostName}`,
                            interval: args.probeInterval ?? "30s",
                            module: BLACKBOX_MODULES[probe.module],
                            prober: { url: args.blackboxAddress, path: "/probe" },
                            targets: {
                                staticConfig: {
                                    static: [probeTarget(host, probe)],
                                    labels: { ...targetLabels, onprem_probe: probe.module },
                                },
                            },
                        },
                    },
                    crOpts,
                ),
        );

        if (probes.length > 0) {
            const severity = host.kind === "microcontroller" ? "warning" : "critical";
            const selector = `onprem_host="${hostName}"`;
            this.rule = new k8s.apiextensions.CustomResource(
                `${name}-rule`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "PrometheusRule",
                    metadata: { name: `${hostName}-down`, namespace, labels },
                    spec: {
                        groups: [
                            {
                                name: `onprem-${hostName}`,
                                rules: [
                                    {
                                        alert: "OnpremHostDown",
                                        expr: `min by (onprem_host, onprem_kind) (probe_success{${selector}}) == 0`,
                                        for: "3m",
                                        labels: { severity, ...site },
                                        annotations: {
                                            summary: `${host.kind} ${hostName} (${host.address}) stopped answering`,
                                            description: `A blackbox probe of ${hostName} has failed for 3 minutes.`,
                                        },
                                    },
                                    {
                                        alert: "OnpremHostNotProbed",
                                        expr: `absent(probe_success{${selector}})`,
                                        for: "15m",
                                        labels: { severity: "warning", onprem_host: hostName, ...site },
                                        annotations: {
                                            summary: `no probe results for ${hostName}`,
                                            description: `Prometheus has no probe_success for ${hostName}: check the Probe and the blackbox exporter.`,
                                        },
                                    },
                                ],
                            },
                        ],
                    },
                },
                crOpts,
            );
        }

        this.registerOutputs({ service: this.service.metadata.name, clusterDns: this.clusterDns });
    }
}
