import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface DnsArgs {
    /** The zone's domain without the trailing dot, e.g. example.org. */
    readonly domain: string;
    /** Sign the zone with DNSSEC. */
    readonly dnssec: boolean;
    /** TTL of the records added through {@link Dns.addRecord}. */
    readonly ttl: number;
    /**
     * Refuse to delete or replace the zone (prd): a new zone has new name servers, and with DNSSEC
     * the registrar's DS record would no longer match, taking the whole domain offline. @default false
     */
    readonly protect?: boolean;
    /**
     * Certificate authorities allowed to issue for the domain and every name under it (CAA
     * `issue` and `issuewild`): the one cert-manager's issuer uses. @default ["letsencrypt.org"]
     */
    readonly caaIssuers?: readonly string[];
}

/** The CA domain of Let's Encrypt (staging and production), the issuer cert-manager uses. */
export const LETS_ENCRYPT_CAA = "letsencrypt.org";

/** CAA record data allowing exactly `issuers` to issue ordinary and wildcard certificates. */
export function caaRecords(issuers: readonly string[]): string[] {
    return issuers.flatMap((ca) => [`0 issue "${ca}"`, `0 issuewild "${ca}"`]);
}

/** Zone data later components need to publish a host, without holding the component itself. */
export interface DnsZone {
    readonly domain: string;
    readonly zoneName: pulumi.Output<string>;
    readonly ttl: number;
    /** Who can resolve it: the internet (`public`) or one VPC (`private`). @default public */
    readonly visibility?: "public" | "private";
}

/** RFC 1918 private and RFC 6598 shared (carrier-grade NAT) IPv4 ranges. */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10"] as const;

/** The private range an IPv4 address is in, or undefined. */
export function privateRange(address: string): string | undefined {
    const n = ipv4(address);
    if (n === undefined) return undefined;
    return PRIVATE_RANGES.find((range) => {
        const [base, bits] = range.split("/") as [string, string];
        const size = 2 ** (32 - Number(bits));
        const start = ipv4(base)!;
        return n >= start && n < start + size;
    });
}

function ipv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^[0-9]{1,3}$/.test(p) || Number(p) > 255)) return undefined;
    return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** A public Cloud DNS zone (DNSSEC on) and the way other components add records to it. */
export class Dns extends pulumi.ComponentResource {
    readonly zone: gcp.dns.ManagedZone;
    readonly nameServers: pulumi.Output<string[]>;
    readonly ref: DnsZone;

    constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:Dns", name, {}, opts);
        this.zone = new gcp.dns.ManagedZone(
            `${name}-zone`,
            {
                name: args.domain.replace(/\./g, "-"),
                dnsName: `${args.domain}.`,
                description: `Platform zone for ${args.domain}`,
                visibility: "public",
                dnssecConfig: args.dnssec ? { state: "on", nonExistence: "nsec3" } : { state: "off" },
            },
            { parent: this, protect: args.protect ?? false },
        );
        // Any other CA refuses to issue for the domain, so a mis-issued certificate needs a CA to break the rules.
        new gcp.dns.RecordSet(
            `${name}-caa`,
            {
                managedZone: this.zone.name,
                name: `${args.domain}.`,
                type: "CAA",
                ttl: args.ttl,
                rrdatas: caaRecords(args.caaIssuers ?? [LETS_ENCRYPT_CAA]),
            },
            { parent: this },
        );
        this.nameServers = this.zone.nameServers;
        this.ref = { domain: args.domain, zoneName: this.zone.name, ttl: args.ttl, visibility: "public" };
        this.registerOutputs({ zone: this.zone.name, nameServers: this.nameServers });
    }
}

/**
 * Adds an A record for `host` (which must be the zone's domain or under it) as a child of `parent`,
 * so the record belongs to whatever publishes the host. A private address is refused in a public
 * zone (it belongs in a PrivateDns zone).
 */
export function addARecord(
    parent: pulumi.Resource,
    name: string,
    zone: DnsZone,
    host: string,
    address: pulumi.Input<string>,
): gcp.dns.RecordSet {
    if (host !== zone.domain && !host.endsWith(`.${zone.domain}`)) {
        throw new Error(`DNS record ${name}: host ${host} is outside the zone ${zone.domain}`);
    }
    const range = typeof address === "string" ? privateRange(address) : undefined;
    if (range && (zone.visibility ?? "public") === "public") {
        throw new Error(
            `DNS record ${name}: ${host} -> ${address} is a private address (${range}); it goes in a private zone, never the public zone ${zone.domain}`,
        );
    }
    return new gcp.dns.RecordSet(
        name,
        { managedZone: zone.zoneName, name: `${host}.`, type: "A", ttl: zone.ttl, rrdatas: [address] },
        { parent },
    );
}
