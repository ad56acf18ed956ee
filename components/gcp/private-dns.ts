import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { DnsZone } from "./dns";

export interface PrivateDnsArgs {
    /** The zone's domain without the trailing dot, e.g. `onprem.example.org`. */
    readonly domain: string;
    /** The VPC that resolves it (its id or self link); nothing outside it sees the zone. */
    readonly network: pulumi.Input<string>;
    /** TTL of the records added to it. */
    readonly ttl: number;
}

/**
 * A private Cloud DNS zone bound to the platform's VPC: names that resolve to private addresses
 * (RFC 1918, RFC 6598), such as the on-prem hosts, go here and never into the public zone, where
 * they would tell the whole internet the event network's layout. Pods resolve it through the
 * metadata server; it is the subdomain only (`onprem.<domain>`), so it shadows no public name.
 */
export class PrivateDns extends pulumi.ComponentResource {
    readonly zone: gcp.dns.ManagedZone;
    readonly ref: DnsZone;

    constructor(name: string, args: PrivateDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:PrivateDns", name, {}, opts);
        this.zone = new gcp.dns.ManagedZone(
            `${name}-zone`,
            {
                name: args.domain.replace(/\./g, "-"),
                dnsName: `${args.domain}.`,
                description: `Private names for ${args.domain}, visible only inside the platform VPC`,
                visibility: "private",
                privateVisibilityConfig: { networks: [{ networkUrl: args.network }] },
            },
            { parent: this },
        );
        this.ref = { domain: args.domain, zoneName: this.zone.name, ttl: args.ttl, visibility: "private" };
        this.registerOutputs({ zone: this.zone.name });
    }
}
