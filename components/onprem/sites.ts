/**
 * On-prem sites: where the inventory's hosts are and how the cluster reaches them. A site is one
 * network at one place (the contest hall, the festival campus), with its address ranges, the way
 * it connects to the platform's VPC and the one stack that watches it. config/sections/onprem.ts
 * holds the schema (and checks that it agrees with these types); `sitePlans` resolves a stack's
 * sites into what the connectivity, monitoring and site-bundle code build from.
 */

import { ipv4ToInt, parseCidr } from "../ipv4";

/** `vpn`: the site's router speaks IPsec + BGP to an HA VPN gateway. `gateway`: a site behind NAT dials a WireGuard gateway VM. */
export type SiteMode = "vpn" | "gateway";

/** The default UDP port the gateway VM's WireGuard listens on. */
export const WIREGUARD_PORT = 51820;

/** Settings of a `gateway` site. */
export interface GatewaySettings {
    /** A /30 for the tunnel: the gateway takes the first host address, the site's machine the second. */
    readonly tunnelCidr: string;
    /** Zone of the gateway VM. @default `<region>-a` */
    readonly zone?: string;
    /** Machine type of the gateway VM. @default e2-micro */
    readonly machineType: string;
    /** UDP port WireGuard listens on. @default 51820 */
    readonly listenPort: number;
}

/** Settings of a `vpn` site. */
export interface VpnSettings {
    /** Public addresses of the site router's VPN interfaces (one, or two for a redundant router). */
    readonly peerAddresses: string[];
    /** The site router's BGP ASN. */
    readonly peerAsn: number;
    /** The Cloud Router's BGP ASN. @default 64514 */
    readonly cloudAsn: number;
    /** One link-local /30 per tunnel (169.254.0.0/16): Cloud Router takes the first address, the site router the second. */
    readonly bgpCidrs: string[];
    /** An address at the site that answers ICMP (the router's LAN side): the site's reachability probe. */
    readonly probeAddress: string;
}

interface SiteCommon {
    /** The site's address ranges: every address of its hosts lies in one of them. */
    readonly ranges: string[];
    /** The stack that monitors the site (Zabbix hosts, probes, alerts). @default prd */
    readonly monitoredBy: string;
    /** A flow collector (NetFlow/sFlow/IPFIX) in the watcher's site bundle. @default false */
    readonly flows: boolean;
}

export type OnpremSite =
    | (SiteCommon & { readonly mode: "gateway"; readonly gateway: GatewaySettings })
    | (SiteCommon & { readonly mode: "vpn"; readonly vpn: VpnSettings });

/** The cluster's own ranges, which a site's traffic comes from and its return traffic goes to. */
export interface ClusterRanges {
    readonly subnetCidr: string;
    readonly podsCidr: string;
}

/** One site as this stack builds it. */
export interface SitePlan {
    readonly name: string;
    readonly mode: SiteMode;
    readonly ranges: readonly string[];
    /** Names of the inventory hosts at this site, sorted. */
    readonly hosts: readonly string[];
    readonly monitoredBy: string;
    /** The watcher's site bundle runs a flow collector. */
    readonly flows: boolean;
    /** This stack is the site's watcher: it makes the Zabbix hosts, probes and alerts. */
    readonly watched: boolean;
    /** Name of the site's Zabbix proxy (active mode), to which the sync assigns the site's hosts. */
    readonly zabbixProxy: string;
    /** The address the per-site reachability probe pings; its failure raises `SiteUnreachable`. */
    readonly probeAddress: string;
    /** The cluster ranges the site must route back through the tunnel (advertised over BGP / the site peer's AllowedIPs). */
    readonly clusterRanges: readonly string[];
    /** Protocols and ports the cluster uses towards the site's hosts (the firewall allows these and no more). */
    readonly toSite: readonly FirewallAllow[];
    readonly gateway?: GatewayPlan;
    readonly vpn?: VpnSettings;
}

export interface GatewayPlan extends GatewaySettings {
    /** The gateway's tunnel address with prefix, e.g. 10.255.40.1/30. */
    readonly gatewayAddress: string;
    /** The site machine's tunnel address with prefix, e.g. 10.255.40.2/30. */
    readonly siteAddress: string;
}

export interface FirewallAllow {
    readonly protocol: "icmp" | "tcp" | "udp";
    /** Ports, as strings as the GCP API takes them; absent for icmp. */
    readonly ports?: string[];
}

/** Zabbix server's trapper port: where an active proxy at the site sends its data. */
export const ZABBIX_TRAPPER_PORT = 10051;

/** Where the watched sites' Zabbix proxies reach the server: an internal load balancer's reserved address. */
export interface ZabbixTrapperPlan {
    /** The reserved internal address in the node subnet (its last usable one). */
    readonly address: string;
    /** The watched sites' ranges and tunnel addresses: the only sources let in on 10051. */
    readonly sourceRanges: readonly string[];
}

/**
 * The trapper's address and sources, when this stack watches a site (none otherwise). GCP keeps a
 * subnet's first two and last two addresses; nodes take theirs from the bottom, so the last usable
 * one is free and stays put, and the site bundle can name it.
 */
export function zabbixTrapperPlan(sites: readonly SitePlan[], subnetCidr: string): ZabbixTrapperPlan | undefined {
    const watched = sites.filter((s) => s.watched);
    if (watched.length === 0) return undefined;
    return {
        address: nthAddress(subnetCidr, blockSize(subnetCidr) - 3),
        sourceRanges: watched.flatMap((s) => [...s.ranges, ...(s.gateway ? [hostBlock(s.gateway.siteAddress)] : [])]),
    };
}

/** The proxy a site's hosts are polled through. */
export function zabbixProxyName(site: string): string {
    return `site-${site}`;
}

/** A validated CIDR block (the config's schema checked it), parsed. */
function block(cidr: string) {
    const c = parseCidr(cidr);
    if (!c) throw new Error(`${cidr} is not a CIDR block; the stack config's validation should have refused it`);
    return c;
}

/** The number of addresses in a CIDR block. */
function blockSize(cidr: string): number {
    const c = block(cidr);
    return c.end - c.start + 1;
}

/** The n-th address of a CIDR block (0 is the network address). */
export function nthAddress(cidr: string, n: number): string {
    const v = block(cidr).start + n;
    return [24, 16, 8, 0].map((s) => Math.floor(v / 2 ** s) % 256).join(".");
}

/** The one-address block (`/32`) of an interface address written `a.b.c.d/n`. */
export function hostBlock(interfaceAddress: string): string {
    const ip = interfaceAddress.split("/")[0]!;
    if (ipv4ToInt(ip) === undefined) throw new Error(`${interfaceAddress} is not an IPv4 interface address`);
    return `${ip}/32`;
}

/**
 * What the site's reachability probe pings: the site machine's tunnel address (gateway: it answers
 * only while the gateway VM, the tunnel and the machine all work) or the router's LAN address (vpn).
 */
export function siteProbeAddress(site: OnpremSite): string {
    return site.mode === "vpn" ? site.vpn.probeAddress : nthAddress(site.gateway.tunnelCidr, 2);
}

/** Inventory hosts as far as sites see them. */
export interface SiteHost {
    readonly site?: string;
    readonly kind: string;
    readonly ports: readonly { readonly port: number; readonly protocol: "TCP" | "UDP" | "SCTP" }[];
    readonly ipmi?: { readonly port: number };
    readonly snmp?: { readonly port: number };
    readonly zabbix: { readonly agentPort?: number };
}

/** What the cluster sends to a site's hosts: ICMP (probes), their ports, IPMI, SNMP and agent polling. */
export function siteTraffic(hosts: readonly SiteHost[]): FirewallAllow[] {
    const tcp = new Set<number>();
    const udp = new Set<number>();
    for (const h of hosts) {
        for (const p of h.ports) (p.protocol === "UDP" ? udp : tcp).add(p.port);
        if (h.ipmi) udp.add(h.ipmi.port);
        if (h.snmp) udp.add(h.snmp.port);
        if (h.zabbix.agentPort !== undefined) tcp.add(h.zabbix.agentPort);
    }
    const list = (s: Set<number>) => [...s].sort((a, b) => a - b).map(String);
    return [
        { protocol: "icmp" },
        ...(tcp.size > 0 ? [{ protocol: "tcp" as const, ports: list(tcp) }] : []),
        ...(udp.size > 0 ? [{ protocol: "udp" as const, ports: list(udp) }] : []),
    ];
}

/** Every site of the inventory as the stack `stack` builds it. */
export function sitePlans(
    sites: Readonly<Record<string, OnpremSite>>,
    hosts: Readonly<Record<string, SiteHost>>,
    stack: string,
    cluster: ClusterRanges,
): SitePlan[] {
    return Object.entries(sites)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, site]) => {
            const members = Object.entries(hosts)
                .filter(([, h]) => h.site === name)
                .sort(([a], [b]) => a.localeCompare(b));
            const common = {
                name,
                mode: site.mode,
                ranges: site.ranges,
                hosts: members.map(([n]) => n),
                monitoredBy: site.monitoredBy,
                flows: site.flows,
                watched: site.monitoredBy === stack,
                zabbixProxy: zabbixProxyName(name),
                clusterRanges: [cluster.subnetCidr, cluster.podsCidr],
                toSite: siteTraffic(members.map(([, h]) => h)),
            };
            if (site.mode === "vpn") return { ...common, probeAddress: siteProbeAddress(site), vpn: site.vpn };
            const prefix = site.gateway.tunnelCidr.split("/")[1]!;
            const gateway: GatewayPlan = {
                ...site.gateway,
                gatewayAddress: `${nthAddress(site.gateway.tunnelCidr, 1)}/${prefix}`,
                siteAddress: `${nthAddress(site.gateway.tunnelCidr, 2)}/${prefix}`,
            };
            return { ...common, probeAddress: siteProbeAddress(site), gateway };
        });
}
