/**
 * Which stack config changes replace (delete and create) what, for docs/operations.md (generated:
 * npm run docs:config). Each row names the config key, what a change does, and the input of the
 * resource the key reaches that forces the replacement; test/config/replacements.test.ts renders
 * dev with `change` applied and checks that input of that resource really changes, so a row
 * cannot outlive the code it describes.
 */

/** A change to make to dev's stack file: the value at `path` inside top-level `key`. */
export interface ConfigChange {
    readonly key: string;
    readonly path: readonly (string | number)[];
    readonly value: unknown;
}

export interface Replacement {
    /** The config key, as the docs name it. */
    readonly config: string;
    /** What a change replaces, and what that costs. */
    readonly replaces: string;
    /** What guards it. */
    readonly guard: string;
    /**
     * The resource (by type and Pulumi name in dev; `nameAfter` when the change renames it) and the
     * input that forces its replacement.
     */
    readonly reaches: {
        readonly type: string;
        readonly name: string;
        readonly nameAfter?: string;
        readonly input: string;
    };
    /** A change that shows it (applied to dev's stack file by the test; what else it needs to stay valid after it). */
    readonly change: readonly ConfigChange[];
}

const CLUSTER = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const K8S_PROVIDER = "pulumi:providers:kubernetes";

export const REPLACEMENTS: readonly Replacement[] = [
    {
        config: "`platform:cluster.name` (and `.location`, `gcp:project`)",
        replaces:
            "the cluster with every node pool, and the Kubernetes provider's `clusterIdentifier` with it: every Kubernetes object is created anew in the new cluster",
        guard: "prd: GKE deletion protection and `protect` refuse it",
        reaches: { type: K8S_PROVIDER, name: "gke-k8s", input: "clusterIdentifier" },
        change: [{ key: "platform:cluster", path: ["name"], value: "platform-dev2" }],
    },
    {
        config: "`platform:cluster.location`",
        replaces: "the cluster (GKE cannot move one) and every node pool",
        guard: "prd: GKE deletion protection and `protect` refuse it",
        reaches: { type: CLUSTER, name: "gke-cluster", input: "location" },
        change: [{ key: "platform:cluster", path: ["location"], value: "asia-northeast1-b" }],
    },
    {
        config: "`platform:cluster.masterCidr`",
        replaces: "the cluster (the control plane's private range is fixed at creation)",
        guard: "prd: GKE deletion protection and `protect` refuse it",
        reaches: { type: CLUSTER, name: "gke-cluster", input: "privateClusterConfig.masterIpv4CidrBlock" },
        change: [{ key: "platform:cluster", path: ["masterCidr"], value: "172.16.0.16/28" }],
    },
    {
        config: "`platform:cluster.nodePools[].name`",
        replaces: "the pool: a new pool is created and the old one deleted (another resource), its pods rescheduled",
        guard: "prd: `protect` refuses deleting the old pool",
        reaches: { type: POOL, name: "gke-pool-general", nameAfter: "gke-pool-general2", input: "name" },
        change: [{ key: "platform:cluster", path: ["nodePools", 0, "name"], value: "general2" }],
    },
    {
        config: "`platform:cluster.nodePools[].spot`",
        replaces:
            "the pool, deleted first (its name is fixed, `deleteBeforeReplace`): its nodes are gone until the new pool's are up. The node service account, OAuth scopes and node metadata, set in code, do the same",
        guard: "prd: `protect` refuses it; add a second pool, move the workloads, then remove the first",
        reaches: { type: POOL, name: "gke-pool-general", input: "nodeConfig.spot" },
        change: [{ key: "platform:cluster", path: ["nodePools", 0, "spot"], value: false }],
    },
    {
        config: "`platform:dns.domain`",
        replaces:
            "the Cloud DNS zone and every record: the new zone has new name servers, so the registrar's delegation and DS record must change too",
        guard: "prd: `protect` on the zone refuses it",
        reaches: { type: "gcp:dns/managedZone:ManagedZone", name: "dns-zone", input: "dnsName" },
        // The hosts move with the domain (each must be it or one label under it).
        change: [
            { key: "platform:dns", path: ["domain"], value: "dev.example.net" },
            ...["plarail", "vote", "uploader"].map((app) => ({
                key: "platform:apps",
                path: [app, "hosts", 0, "host"],
                value: `${app}.dev.example.net`,
            })),
            { key: "platform:apps", path: ["scoreserver", "hosts", 0, "host"], value: "score.dev.example.net" },
        ],
    },
    {
        config: "`platform:registry.name`",
        replaces:
            "the Artifact Registry repository and every image in it: push the images again and move the image files' lines; an app's `source` is refused until one of its images is in the new repository",
        guard: "prd: `protect` refuses it",
        reaches: { type: "gcp:artifactregistry/repository:Repository", name: "registry-repo", input: "repositoryId" },
        // dev's images stay in the old repository, so the apps' push grants go with the change.
        change: [
            { key: "platform:registry", path: ["name"], value: "apps2" },
            ...["plarail", "vote", "uploader", "scoreserver"].map((app) => ({
                key: "platform:apps",
                path: [app, "source"],
                value: undefined,
            })),
        ],
    },
    {
        config: "`platform:ci.poolId`, `.providerId`",
        replaces:
            "the Workload Identity pool (or its provider): the old one stays soft-deleted for 30 days and its ID cannot be reused meanwhile; CI cannot log in until the repository variables name the new one",
        guard: "prd: `protect` refuses it",
        reaches: {
            type: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
            name: "ci-pool",
            input: "workloadIdentityPoolId",
        },
        change: [{ key: "platform:ci", path: ["poolId"], value: "github2" }],
    },
    {
        config: "`platform:apps.<app>.namespace` (and renaming the app)",
        replaces:
            "the app's Namespace and everything in it. One that holds data (an app with MySQL) is retained on delete: the old namespace stays, with its volume, and the new one starts empty (restore from backup)",
        guard: "prd: `protect` on a namespace with data refuses it",
        reaches: { type: NAMESPACE, name: "app-uploader-env-ns-namespace", input: "metadata.name" },
        change: [{ key: "platform:apps", path: ["uploader", "namespace"], value: "uploads" }],
    },
    {
        config: "`platform:monitoring.namespace`",
        replaces:
            "the monitoring Namespace and everything in it; retained on delete, so the old one keeps Prometheus' and Zabbix's volumes and the new stack starts with none",
        guard: "prd: `protect` refuses it",
        reaches: { type: NAMESPACE, name: "monitoring-ns-namespace", input: "metadata.name" },
        change: [{ key: "platform:monitoring", path: ["namespace"], value: "observability" }],
    },
];

/**
 * Changes that look large but replace nothing: GKE or Kubernetes update them in place (a node pool's
 * nodes are recreated by a surge upgrade, one at a time).
 */
export const IN_PLACE: readonly { readonly config: string; readonly what: string }[] = [
    {
        config: "`platform:cluster.nodePools[].minCount`, `.maxCount`, `.zones`",
        what: "the autoscaler's bounds and the pool's zones; the initial count is ignored after creation",
    },
    {
        config: "`platform:cluster.nodePools[].machineType`, `.diskSizeGb`, `.diskType`, `.labels`, `.taints`",
        what: "the pool's node config: GKE recreates the nodes by surge upgrade (one extra node at a time)",
    },
    {
        config: "`platform:cluster.releaseChannel`, `.maintenanceStart`, `.authorizedNetworks`, `.dnsEndpoint`",
        what: "the cluster, in place",
    },
    {
        config: "a new kubeconfig (endpoint, CA) of the same cluster",
        what: "the Kubernetes provider, in place (its `clusterIdentifier` is constant); no object is touched",
    },
];
