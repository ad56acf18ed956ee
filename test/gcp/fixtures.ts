import { GkeClusterArgs } from "../../components/gcp/gke-cluster";

/** A realistic GkeCluster configuration: one autoscaled pool, one authorized range, DNS endpoint on. */
export const GKE_ARGS: GkeClusterArgs = {
    project: "clubplatform-dev",
    clusterName: "platform-dev",
    location: "asia-northeast1",
    network: "net",
    subnetwork: "subnet",
    masterCidr: "172.16.0.0/28",
    releaseChannel: "REGULAR",
    authorizedNetworks: [{ name: "club", cidr: "203.0.113.0/28" }],
    dnsEndpoint: true,
    maintenanceStart: "18:00",
    deletionProtection: false,
    nodePools: [
        {
            name: "general",
            machineType: "e2-standard-4",
            minCount: 1,
            maxCount: 3,
            diskSizeGb: 50,
            diskType: "pd-balanced",
            spot: true,
            // A regional cluster: one zone, so the pool's one node is its whole minimum.
            zones: ["asia-northeast1-a"],
            labels: {},
            taints: [],
        },
    ],
};
