import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface StaticAddressArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Region of the address; must be the cluster's for a LoadBalancer Service to take it. */
    readonly region: string;
    /** What the address is for (shown in the console). */
    readonly description: string;
    /** Protect the address from deletion (devices and firewalls outside the cluster point at it). */
    readonly protect: boolean;
    /**
     * An internal address instead: this one, in this subnetwork (an internal passthrough load
     * balancer's, which on-prem sites reach through their tunnels). @default external, premium tier
     */
    readonly internal?: { readonly subnetwork: pulumi.Input<string>; readonly address: string };
}

/**
 * A reserved regional IP (external unless `internal`) for a LoadBalancer Service that things outside the cluster are
 * configured with: the ingress (DNS records point at it) and the SNMP trap receiver (every switch
 * and router sends to it). Premium tier; GKE gives it to the Service's load balancer through
 * `spec.loadBalancerIP`.
 */
export class StaticAddress extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: StaticAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:StaticAddress", name, {}, opts);
        const ip = new gcp.compute.Address(
            `${name}-ip`,
            {
                project: args.project,
                region: args.region,
                ...(args.internal
                    ? {
                          addressType: "INTERNAL",
                          subnetwork: args.internal.subnetwork,
                          address: args.internal.address,
                          purpose: "GCE_ENDPOINT",
                      }
                    : { addressType: "EXTERNAL", networkTier: "PREMIUM" }),
                description: args.description,
            },
            { parent: this, protect: args.protect },
        );
        this.address = ip.address;
        this.registerOutputs({ address: this.address });
    }
}
