import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GatewayPlan, hostBlock, SitePlan, ZABBIX_TRAPPER_PORT } from "../onprem/sites";
import { gatewayConfig, siteConfig, wireguardPrivateKey, wireguardPublicKey } from "../onprem/wireguard";

export interface SiteGatewayArgs {
    /** The `gateway` site. */
    readonly site: SitePlan & { readonly gateway: GatewayPlan };
    readonly project: string;
    readonly region: string;
    /** The platform VPC (id) and its node subnet (id), where the gateway VM sits. */
    readonly network: pulumi.Input<string>;
    readonly subnetwork: pulumi.Input<string>;
    /**
     * Refuse to delete or replace the static address (prd): the site machine's config dials it, so
     * a new one means reconfiguring the site. @default false
     */
    readonly protect?: boolean;
    /** The Zabbix trapper's internal address, when this stack watches the site and runs Zabbix. @default none (no proxy rule) */
    readonly zabbixServer?: string;
}

/** Debian 12: its kernel has WireGuard and its archive wireguard-tools; the image carries gcloud. */
const GATEWAY_IMAGE = "debian-cloud/debian-12";

/**
 * The startup script: install wireguard-tools, fetch wg0.conf from Secret Manager (never from
 * instance metadata, which every project viewer can read), forward, bring wg0 up at every boot.
 */
function startupScript(secretId: string, project: string): string {
    return [
        "#!/bin/bash",
        "set -euo pipefail",
        "command -v wg >/dev/null || { apt-get update -qq && apt-get install -y -qq wireguard-tools iptables; }",
        "install -d -m 700 /etc/wireguard",
        `gcloud secrets versions access latest --secret=${secretId} --project=${project} > /etc/wireguard/wg0.conf.new`,
        "chmod 600 /etc/wireguard/wg0.conf.new && mv /etc/wireguard/wg0.conf.new /etc/wireguard/wg0.conf",
        "echo 'net.ipv4.ip_forward=1' > /etc/sysctl.d/60-wireguard-gateway.conf && sysctl -w net.ipv4.ip_forward=1",
        "systemctl enable wg-quick@wg0 && systemctl restart wg-quick@wg0",
        "",
    ].join("\n");
}

/**
 * A `gateway` site's side in GCP: a small VM with a static external address (the site behind NAT
 * must dial something) that terminates WireGuard, VPC routes sending the site's ranges and tunnel
 * to it, and firewall rules for exactly the site's traffic. The keys are generated here as
 * secrets; the public keys are plain outputs, the site's whole config a secret one.
 */
export class SiteGateway extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;
    readonly gatewayPublicKey: pulumi.Output<string>;
    readonly sitePublicKey: pulumi.Output<string>;
    /** The site machine's wg0.conf (secret: it holds the site's private key). */
    readonly siteConfig: pulumi.Output<string>;
    readonly instance: gcp.compute.Instance;

    constructor(name: string, args: SiteGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:SiteGateway", name, {}, opts);
        const { site } = args;
        const gw = site.gateway;
        const child = { parent: this };
        const tag = `onprem-gw-${site.name}`;

        const ip = new gcp.compute.Address(
            `${name}-ip`,
            {
                project: args.project,
                region: args.region,
                description: `WireGuard gateway of on-prem site ${site.name}`,
            },
            { ...child, protect: args.protect ?? false },
        );
        this.address = ip.address;
        const gatewayRandom = new random.RandomBytes(`${name}-gateway-key`, { length: 32 }, child);
        const siteRandom = new random.RandomBytes(`${name}-site-key`, { length: 32 }, child);
        const gatewayKey = gatewayRandom.base64.apply(wireguardPrivateKey);
        const siteKey = siteRandom.base64.apply(wireguardPrivateKey);
        // A public key is no secret, but it is computed from one: unsecret it to output it.
        this.gatewayPublicKey = pulumi.unsecret(gatewayKey.apply(wireguardPublicKey));
        this.sitePublicKey = pulumi.unsecret(siteKey.apply(wireguardPublicKey));
        const keys = pulumi.all([gatewayKey, siteKey, ip.address]).apply(([g, s, a]) => ({
            gatewayPrivateKey: g,
            sitePrivateKey: s,
            gatewayIp: a,
        }));
        this.siteConfig = pulumi.secret(keys.apply((k) => siteConfig(site, k)));

        const account = new gcp.serviceaccount.Account(
            `${name}-sa`,
            {
                project: args.project,
                accountId: tag,
                displayName: `WireGuard gateway of on-prem site ${site.name}`,
            },
            child,
        );
        const secret = new gcp.secretmanager.Secret(
            `${name}-config`,
            { project: args.project, secretId: `${tag}-wg0`, replication: { auto: {} } },
            child,
        );
        new gcp.secretmanager.SecretVersion(
            `${name}-config-version`,
            { secret: secret.id, secretData: pulumi.secret(keys.apply((k) => gatewayConfig(site, k))) },
            child,
        );
        const reader = new gcp.secretmanager.SecretIamMember(
            `${name}-config-reader`,
            {
                project: args.project,
                secretId: secret.secretId,
                role: "roles/secretmanager.secretAccessor",
                member: pulumi.interpolate`serviceAccount:${account.email}`,
            },
            child,
        );

        const zone = gw.zone ?? `${args.region}-a`;
        this.instance = new gcp.compute.Instance(
            `${name}-vm`,
            {
                project: args.project,
                zone,
                machineType: gw.machineType,
                description: `WireGuard gateway of on-prem site ${site.name}`,
                tags: [tag],
                // It forwards the VPC's packets for the site into the tunnel and the replies back.
                canIpForward: true,
                bootDisk: { initializeParams: { image: GATEWAY_IMAGE, size: 10, type: "pd-balanced" } },
                networkInterfaces: [{ subnetwork: args.subnetwork, accessConfigs: [{ natIp: ip.address }] }],
                serviceAccount: { email: account.email, scopes: ["https://www.googleapis.com/auth/cloud-platform"] },
                shieldedInstanceConfig: { enableSecureBoot: true, enableVtpm: true, enableIntegrityMonitoring: true },
                metadata: { "block-project-ssh-keys": "true", "enable-oslogin": "TRUE" },
                metadataStartupScript: startupScript(`${tag}-wg0`, args.project),
                allowStoppingForUpdate: true,
            },
            { ...child, dependsOn: [reader] },
        );

        const destinations = [...site.ranges, hostBlock(gw.siteAddress)];
        destinations.forEach(
            (destRange, i) =>
                new gcp.compute.Route(
                    `${name}-route-${i}`,
                    {
                        project: args.project,
                        network: args.network,
                        destRange,
                        nextHopInstance: this.instance.selfLink,
                        nextHopInstanceZone: zone,
                        priority: 900,
                        description: `On-prem site ${site.name} through its WireGuard gateway`,
                    },
                    child,
                ),
        );

        // The site dials from wherever campus NAT puts it: any source, this port and protocol only.
        new gcp.compute.Firewall(
            `${name}-wireguard`,
            {
                project: args.project,
                network: args.network,
                direction: "INGRESS",
                description: `WireGuard from on-prem site ${site.name} (behind NAT, any source address)`,
                sourceRanges: ["0.0.0.0/0"],
                targetTags: [tag],
                allows: [{ protocol: "udp", ports: [String(gw.listenPort)] }],
            },
            child,
        );
        // Forwarded packets pass the gateway's ingress rules: only the cluster, only what the
        // site's hosts are polled and probed on.
        new gcp.compute.Firewall(
            `${name}-to-site`,
            {
                project: args.project,
                network: args.network,
                direction: "INGRESS",
                description: `Cluster to on-prem site ${site.name}: probes, ports, IPMI, SNMP, agent`,
                sourceRanges: [...site.clusterRanges],
                targetTags: [tag],
                allows: site.toSite.map((a) => ({ protocol: a.protocol, ...(a.ports ? { ports: [...a.ports] } : {}) })),
            },
            child,
        );
        if (site.watched && args.zabbixServer) {
            siteToZabbix(this, name, args.project, args.network, site, destinations, args.zabbixServer);
        }

        this.registerOutputs({
            address: this.address,
            gatewayPublicKey: this.gatewayPublicKey,
            sitePublicKey: this.sitePublicKey,
        });
    }
}

/**
 * The watched site's Zabbix proxy (active mode) connects out to the server's trapper port behind
 * its internal load balancer; the only connection the site opens into the VPC.
 */
export function siteToZabbix(
    parent: pulumi.Resource,
    name: string,
    project: string,
    network: pulumi.Input<string>,
    site: SitePlan,
    sources: readonly string[],
    zabbixServer: string,
): gcp.compute.Firewall {
    return new gcp.compute.Firewall(
        `${name}-zabbix-proxy`,
        {
            project,
            network,
            direction: "INGRESS",
            description: `Zabbix proxy of on-prem site ${site.name} to the Zabbix server`,
            sourceRanges: [...sources],
            // The trapper's internal load balancer address only (passthrough: packets keep it).
            destinationRanges: [`${zabbixServer}/32`],
            allows: [{ protocol: "tcp", ports: [String(ZABBIX_TRAPPER_PORT)] }],
        },
        { parent },
    );
}
