import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
    /** GCP region of the subnet, router and NAT. */
    readonly region: string;
    /** Primary range of the node subnet. */
    readonly subnetCidr: string;
    /** Secondary range for Pod IPs. */
    readonly podsCidr: string;
    /** Secondary range for Service IPs. */
    readonly servicesCidr: string;
    /** The GKE control plane's /28, the source of admission webhook calls on private clusters. */
    readonly masterCidr: string;
}

/** Secondary range names the cluster refers to. */
export const PODS_RANGE = "pods";
export const SERVICES_RANGE = "services";

/**
 * Webhook ports the control plane must reach on private nodes: 8443 (Traefik, prometheus-operator),
 * 9443 (Flux, controller-runtime default), 10250 (cert-manager webhook on GKE), 15017 (kept for
 * Istio-style webhooks other teams add).
 */
export const WEBHOOK_PORTS = ["8443", "9443", "10250", "15017"];

/** VPC with a VPC-native subnet, Cloud NAT for private nodes, and the webhook firewall rule. */
export class Network extends pulumi.ComponentResource {
    readonly network: gcp.compute.Network;
    readonly subnet: gcp.compute.Subnetwork;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:Network", name, {}, opts);
        const child = { parent: this };

        this.network = new gcp.compute.Network(
            `${name}-vpc`,
            { autoCreateSubnetworks: false, routingMode: "REGIONAL", description: "Platform VPC" },
            child,
        );

        this.subnet = new gcp.compute.Subnetwork(
            `${name}-nodes`,
            {
                region: args.region,
                network: this.network.id,
                ipCidrRange: args.subnetCidr,
                // Private nodes reach Google APIs (Artifact Registry, Cloud DNS) without public IPs.
                privateIpGoogleAccess: true,
                secondaryIpRanges: [
                    { rangeName: PODS_RANGE, ipCidrRange: args.podsCidr },
                    { rangeName: SERVICES_RANGE, ipCidrRange: args.servicesCidr },
                ],
                logConfig: {
                    aggregationInterval: "INTERVAL_10_MIN",
                    flowSampling: 0.5,
                    metadata: "INCLUDE_ALL_METADATA",
                },
            },
            child,
        );

        const router = new gcp.compute.Router(
            `${name}-router`,
            { region: args.region, network: this.network.id },
            child,
        );

        // Private nodes have no external IPs: NAT is their only way to pull public images.
        new gcp.compute.RouterNat(
            `${name}-nat`,
            {
                region: args.region,
                router: router.name,
                natIpAllocateOption: "AUTO_ONLY",
                sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES",
                logConfig: { enable: true, filter: "ERRORS_ONLY" },
            },
            child,
        );

        new gcp.compute.Firewall(
            `${name}-webhooks`,
            {
                network: this.network.id,
                direction: "INGRESS",
                description: "GKE control plane to admission webhooks on private nodes",
                sourceRanges: [args.masterCidr],
                allows: [{ protocol: "tcp", ports: WEBHOOK_PORTS }],
            },
            child,
        );

        this.registerOutputs({ network: this.network.id, subnet: this.subnet.id });
    }
}
