import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { nthAddress, SitePlan, VpnSettings } from "../onprem/sites";
import { siteToZabbix } from "./site-gateway";

export interface SiteVpnArgs {
    /** The `vpn` site. */
    readonly site: SitePlan & { readonly vpn: VpnSettings };
    readonly project: string;
    readonly region: string;
    /** The platform VPC (id). */
    readonly network: pulumi.Input<string>;
    /** The IKE pre-shared key of the site's tunnels (the `onpremVpnSecrets` entry). */
    readonly sharedSecret: pulumi.Input<string>;
    /** The Zabbix trapper's internal address, when this stack watches the site and runs Zabbix. @default none (no proxy rule) */
    readonly zabbixServer?: string;
}

/**
 * A `vpn` site's side in GCP: an HA VPN gateway (two interfaces, two tunnels: Google's 99.99%
 * needs both), the site router as an external VPN gateway, and a Cloud Router speaking BGP to it
 * over each tunnel. The Cloud Router advertises only the cluster's node and pod ranges (the
 * sources of the cluster's traffic) and learns the site's ranges from the site router; Google
 * installs the learned routes in the VPC. Egress needs no rule (GCP allows it), replies are
 * stateful; the only way in is the watched site's Zabbix proxy to the server.
 */
export class SiteVpn extends pulumi.ComponentResource {
    readonly gateway: gcp.compute.HaVpnGateway;
    /** The HA VPN gateway's two public addresses, for the site router's tunnels. */
    readonly addresses: pulumi.Output<string[]>;

    constructor(name: string, args: SiteVpnArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:SiteVpn", name, {}, opts);
        const { site, project, region } = args;
        const vpn = site.vpn;
        const child = { parent: this };

        this.gateway = new gcp.compute.HaVpnGateway(
            `${name}-gateway`,
            { project, region, network: args.network, description: `HA VPN to on-prem site ${site.name}` },
            child,
        );
        this.addresses = this.gateway.vpnInterfaces.apply((ifs) => (ifs ?? []).map((i) => i.ipAddress ?? ""));
        const peer = new gcp.compute.ExternalVpnGateway(
            `${name}-peer`,
            {
                project,
                description: `The router of on-prem site ${site.name}`,
                redundancyType:
                    vpn.peerAddresses.length === 2 ? "TWO_IPS_REDUNDANCY" : "SINGLE_IP_INTERNALLY_REDUNDANT",
                interfaces: vpn.peerAddresses.map((ipAddress, id) => ({ id, ipAddress })),
            },
            child,
        );
        const router = new gcp.compute.Router(
            `${name}-router`,
            {
                project,
                region,
                network: args.network,
                description: `BGP with on-prem site ${site.name}`,
                bgp: {
                    asn: vpn.cloudAsn,
                    advertiseMode: "CUSTOM",
                    advertisedIpRanges: site.clusterRanges.map((range) => ({ range })),
                },
            },
            child,
        );
        // The site router may announce anything; the VPC learns only the site's declared ranges (and
        // their subnets). A router announcing a default route or a cluster range changes nothing.
        const importPolicy = new gcp.compute.RouterRoutePolicy(
            `${name}-import`,
            {
                project,
                region,
                router: router.name,
                name: `onprem-${site.name}-import`,
                type: "ROUTE_POLICY_TYPE_IMPORT",
                terms: siteImportTerms(site.ranges),
            },
            child,
        );
        vpn.bgpCidrs.forEach((bgp, i) => {
            const tunnel = new gcp.compute.VPNTunnel(
                `${name}-tunnel-${i}`,
                {
                    project,
                    region,
                    vpnGateway: this.gateway.id,
                    vpnGatewayInterface: i,
                    peerExternalGateway: peer.id,
                    peerExternalGatewayInterface: vpn.peerAddresses.length === 2 ? i : 0,
                    sharedSecret: pulumi.secret(args.sharedSecret),
                    router: router.id,
                    ikeVersion: 2,
                    description: `Tunnel ${i} to on-prem site ${site.name}`,
                },
                child,
            );
            const iface = new gcp.compute.RouterInterface(
                `${name}-bgp-${i}`,
                { project, region, router: router.name, ipRange: `${nthAddress(bgp, 1)}/30`, vpnTunnel: tunnel.name },
                child,
            );
            new gcp.compute.RouterPeer(
                `${name}-peer-${i}`,
                {
                    project,
                    region,
                    router: router.name,
                    interface: iface.name,
                    peerIpAddress: nthAddress(bgp, 2),
                    peerAsn: vpn.peerAsn,
                    advertisedRoutePriority: 100,
                    importPolicies: [importPolicy.name],
                },
                { ...child, dependsOn: [importPolicy] },
            );
        });
        if (site.watched && args.zabbixServer) {
            siteToZabbix(this, name, project, args.network, site, site.ranges, args.zabbixServer);
        }
        this.registerOutputs({ addresses: this.addresses });
    }
}

/** CEL: the route is one of `ranges` or inside one (Cloud Router's BGP route policy language). */
function inRanges(ranges: readonly string[]): string {
    return `destination.inAnyRange([${ranges.map((r) => `prefix('${r}').orLonger()`).join(", ")}])`;
}

/** The import policy's terms: accept the site's ranges, drop every other route the site announces. */
export function siteImportTerms(ranges: readonly string[]): gcp.types.input.compute.RouterRoutePolicyTerm[] {
    return [
        { priority: 0, match: { expression: inRanges(ranges) }, actions: [{ expression: "accept()" }] },
        { priority: 1, match: { expression: `!${inRanges(ranges)}` }, actions: [{ expression: "drop()" }] },
    ];
}
