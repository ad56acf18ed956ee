import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface PrivateServiceAccessArgs {
    /** The VPC (its id) Google's managed services get private addresses in. */
    readonly network: pulumi.Input<string>;
    /** Size of the range reserved for them; Google picks a free one in the VPC. @default 20 (/20) */
    readonly prefixLength?: number;
}

/**
 * Private services access for the VPC: an internal range reserved for Google-managed services
 * (purpose VPC_PEERING) and the servicenetworking peering that uses it, so a Cloud SQL instance
 * gets a private IP inside the VPC and no public one. One per VPC: every private service shares it.
 */
export class PrivateServiceAccess extends pulumi.ComponentResource {
    readonly range: gcp.compute.GlobalAddress;
    readonly connection: gcp.servicenetworking.Connection;

    constructor(name: string, args: PrivateServiceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:PrivateServiceAccess", name, {}, opts);
        this.range = new gcp.compute.GlobalAddress(
            `${name}-range`,
            {
                network: args.network,
                purpose: "VPC_PEERING",
                addressType: "INTERNAL",
                prefixLength: args.prefixLength ?? 20,
                description: "Private services access (Cloud SQL)",
            },
            { parent: this },
        );
        this.connection = new gcp.servicenetworking.Connection(
            `${name}-peering`,
            {
                network: args.network,
                service: "servicenetworking.googleapis.com",
                reservedPeeringRanges: [this.range.name],
                // Removing the peering fails while Google still tears the instances down behind it (a
                // known race); the peering goes with the VPC instead.
                deletionPolicy: "ABANDON",
            },
            { parent: this },
        );
        this.registerOutputs({ range: this.range.name });
    }
}
