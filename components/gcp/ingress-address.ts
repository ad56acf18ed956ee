import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface IngressAddressArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Region of the address; must match the cluster's for a LoadBalancer Service to use it. */
    readonly region: string;
    /** Protect the address from deletion (DNS and registrars point at it). */
    readonly protect: boolean;
}

/** The reserved regional IP the ingress load balancer (Traefik's Service) binds to. */
export class IngressAddress extends pulumi.ComponentResource {
    readonly address: pulumi.Output<string>;

    constructor(name: string, args: IngressAddressArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:IngressAddress", name, {}, opts);
        const ip = new gcp.compute.Address(
            `${name}-ip`,
            {
                project: args.project,
                region: args.region,
                addressType: "EXTERNAL",
                networkTier: "PREMIUM",
                description: "Ingress load balancer",
            },
            { parent: this, protect: args.protect },
        );
        this.address = ip.address;
        this.registerOutputs({ address: this.address });
    }
}
