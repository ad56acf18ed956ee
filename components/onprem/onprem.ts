import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OnpremSettings } from "./spec";
import { DnsZone } from "../gcp/dns";
import { hostCredentials } from "./credentials";
import { ExternalHost } from "./external-host";
import { syncInventory, watchedBy } from "./inventory";
import { siteProbeAddress } from "./sites";
import { siteWatch } from "./site-watch";
import type { ProxyPsk } from "./site-bundle";
import { ZabbixLogin, ZabbixSync } from "./zabbix-sync";
import { declaredBefore, PlatformNamespace } from "../cluster/platform-namespace";

export interface OnpremArgs {
    /** Provider of the cluster. */
    readonly provider: k8s.Provider;
    /** The validated `platform:onprem` section. */
    readonly config: OnpremSettings;
    /** Stack name; the value of the tag the sync puts on the Zabbix hosts it manages. */
    readonly stack: string;
    /** The `onpremCredentials` secret's JSON text. @default "{}" (no host references a credential) */
    readonly credentials?: pulumi.Input<string>;
    /** The Zabbix API token; when given, the token Secret is created from it. @default undefined */
    readonly zabbixApiToken?: pulumi.Input<string>;
    /** A login to this stack's own Zabbix, used instead of a token (see ZabbixSyncArgs.login). @default none */
    readonly zabbixLogin?: ZabbixLogin;
    /**
     * The private zone `<dnsSubdomain>.<domain>` (bound to the VPC) for hosts with `dns: true`.
     * @default undefined (no records)
     */
    readonly dnsZone?: DnsZone;
    /** The watched sites' proxies' pre-shared keys (components/onprem/site-bundle.ts), given to the sync. @default none */
    readonly proxyPsks?: readonly ProxyPsk[];
    /** The chart(s) installing the Probe and PrometheusRule CRDs. @default [] */
    readonly crdDependsOn?: pulumi.Resource[];
    /** What the sync Job waits for besides its own objects (the Zabbix chart). @default [] */
    readonly zabbixDependsOn?: pulumi.Resource[];
}

/**
 * The on-prem layer: the `onprem` namespace (restricted Pod Security, default-deny network policy
 * with egress only for the sync), one ExternalHost per inventory host and the Zabbix sync.
 */
export class Onprem extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly hosts: Record<string, ExternalHost>;
    readonly sync?: ZabbixSync;
    /** Host name to in-cluster DNS name. */
    readonly endpoints: Record<string, string>;

    constructor(name: string, args: OnpremArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:onprem:Onprem", name, {}, opts);
        const cfg = args.config;
        const ns = cfg.namespace;
        const k8sOpts = { parent: this, provider: args.provider };

        this.namespace = new PlatformNamespace(
            `${name}-ns`,
            {
                provider: args.provider,
                namespace: ns,
                labels: { "app.kubernetes.io/part-of": "onprem" },
                podSecurity: { level: "restricted" },
                // Services and EndpointSlices cost nothing; the sync Job is the only workload.
                quota: { cpu: "1", memory: "1Gi", cpuLimit: "2", memoryLimit: "2Gi", pods: 10 },
                defaultDeny: "ingress-and-egress",
                childAliases: declaredBefore(this, {
                    namespace: `${name}-namespace`,
                    quota: `${name}-quota`,
                    limits: `${name}-limits`,
                    "default-deny": `${name}-default-deny`,
                }),
            },
            { parent: this },
        ).namespace;
        const inNs = { ...k8sOpts, dependsOn: [this.namespace] };
        const apiUrl = cfg.zabbix.apiUrl;
        const apiPort = zabbixPort(apiUrl);
        new k8s.networking.v1.NetworkPolicy(
            `${name}-sync-egress`,
            {
                metadata: { name: "zabbix-sync-egress", namespace: ns },
                spec: {
                    podSelector: { matchLabels: { "app.kubernetes.io/name": "zabbix-sync" } },
                    policyTypes: ["Egress"],
                    egress: [
                        {
                            ports: [
                                { protocol: "UDP", port: 53 },
                                { protocol: "TCP", port: 53 },
                            ],
                        },
                        // Policies see the pod's port after Service translation: the URL's port, and
                        // 8080, the port the zabbix-web container listens on behind its Service. Any pod
                        // or address (the API may be outside), but not the metadata server on port 80.
                        {
                            to: [
                                { namespaceSelector: {} },
                                { ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } },
                            ],
                            ports: [...new Set([apiPort, 8080])].map((port) => ({ protocol: "TCP", port })),
                        },
                    ],
                },
            },
            inNs,
        );

        this.hosts = {};
        this.endpoints = {};
        for (const [hostName, host] of Object.entries(cfg.hosts)) {
            const h = new ExternalHost(
                `${name}-${hostName}`,
                {
                    name: hostName,
                    host,
                    namespace: ns,
                    provider: args.provider,
                    dnsZone: args.dnsZone,
                    site: host.site,
                    monitored: watchedBy(host.site, cfg.sites, args.stack),
                    blackboxAddress: cfg.blackboxAddress,
                    probeInterval: cfg.probeInterval,
                    dependsOn: [this.namespace],
                    crdDependsOn: args.crdDependsOn,
                },
                { parent: this },
            );
            this.hosts[hostName] = h;
            this.endpoints[hostName] = h.clusterDns;
        }

        // One site, one watcher: only the site's monitoredBy stack probes it and alerts on it.
        for (const [site, spec] of Object.entries(cfg.sites ?? {})) {
            if (spec.monitoredBy !== args.stack) continue;
            siteWatch(
                this,
                `${name}-site-${site}`,
                {
                    site,
                    probeAddress: siteProbeAddress(spec),
                    namespace: ns,
                    blackboxAddress: cfg.blackboxAddress,
                    probeInterval: cfg.probeInterval,
                },
                { provider: args.provider, dependsOn: [this.namespace, ...(args.crdDependsOn ?? [])] },
            );
        }

        const inventory = syncInventory(cfg, args.stack);
        // A stack that watches none of its hosts still runs the sync, with an empty inventory: it
        // then deletes the Zabbix hosts it made while it was a site's watcher, and polls nothing.
        const watched = Object.fromEntries(
            Object.entries(cfg.hosts).filter(([, h]) => watchedBy(h.site, cfg.sites, args.stack)),
        );
        if (cfg.zabbix.sync && Object.keys(cfg.hosts).length > 0) {
            const credentials = pulumi
                .output(args.credentials ?? "{}")
                .apply((text) => JSON.stringify(hostCredentials({ ...cfg, hosts: watched }, text)));
            this.sync = new ZabbixSync(
                `${name}-zabbix`,
                {
                    provider: args.provider,
                    namespace: ns,
                    inventory,
                    credentials,
                    ...(args.proxyPsks && args.proxyPsks.length > 0 ? { proxies: proxyKeys(args.proxyPsks) } : {}),
                    apiUrl,
                    ...(args.zabbixLogin
                        ? { login: args.zabbixLogin }
                        : { tokenSecret: cfg.zabbix.tokenSecret, apiToken: args.zabbixApiToken }),
                    dependsOn: [this.namespace, ...(args.zabbixDependsOn ?? [])],
                },
                { parent: this },
            );
        }
        this.registerOutputs({ namespace: ns, endpoints: this.endpoints });
    }
}

/** The sync's proxies.json: per proxy its PSK identity and key (a secret). */
function proxyKeys(psks: readonly ProxyPsk[]): pulumi.Output<string> {
    const entries = psks.map((p) => p.psk.apply((psk) => [p.proxy, { identity: p.identity, psk }] as const));
    return pulumi.secret(pulumi.all(entries).apply((e) => JSON.stringify(Object.fromEntries(e))));
}

/** The TCP port of an http(s) URL. */
function zabbixPort(url: string): number {
    const u = new URL(url);
    return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}
