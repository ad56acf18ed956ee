import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { gkeKubeconfig } from "./kubeconfig";
import { poolLayout } from "./node-pool-layout";
import { PODS_RANGE, SERVICES_RANGE } from "./network";

/** One node pool, every default filled in (config/sections/cluster.ts holds the schema). */
export interface NodePoolSpec {
    /** Pool name, a DNS label. */
    readonly name: string;
    /** e.g. e2-standard-4 */
    readonly machineType: string;
    /** Nodes at least, in total across the pool's zones, and the pool's size when created. */
    readonly minCount: number;
    /** Nodes at most, in total across the pool's zones. */
    readonly maxCount: number;
    /** Zones the nodes run in (`nodeLocations`). @default the cluster's (three for a regional one) */
    readonly zones?: string[];
    readonly diskSizeGb: number;
    readonly diskType: "pd-standard" | "pd-balanced" | "pd-ssd";
    readonly spot: boolean;
    readonly labels: Record<string, string>;
    readonly taints: { readonly key: string; readonly value: string; readonly effect: NodeTaintEffect }[];
}

export type NodeTaintEffect = "NO_SCHEDULE" | "PREFER_NO_SCHEDULE" | "NO_EXECUTE";

export interface GkeClusterArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Cluster name in GCP. */
    readonly clusterName: string;
    /** Region (regional cluster) or zone. */
    readonly location: string;
    /** Self link or ID of the VPC. */
    readonly network: pulumi.Input<string>;
    /** Self link or ID of the node subnet (with the `pods` and `services` secondary ranges). */
    readonly subnetwork: pulumi.Input<string>;
    /** The control plane's private /28. */
    readonly masterCidr: string;
    /** GKE release channel. */
    readonly releaseChannel: "RAPID" | "REGULAR" | "STABLE";
    /** Ranges allowed to reach the IP endpoint. */
    readonly authorizedNetworks: readonly { readonly name: string; readonly cidr: string }[];
    /** Open the IAM-authenticated DNS endpoint and point the kubeconfig at it. */
    readonly dnsEndpoint: boolean;
    /** Daily maintenance window start, HH:MM UTC. */
    readonly maintenanceStart: string;
    /** GKE deletion protection plus Pulumi `protect` on the cluster and its pools. */
    readonly deletionProtection: boolean;
    /** Node pools (at least one). */
    readonly nodePools: readonly NodePoolSpec[];
}

/** Cluster inputs that shape only its creation (the default pool), ignored afterwards. */
export const CLUSTER_CREATE_ONLY = ["nodeConfig", "initialNodeCount"] as const;

/** Roles the node service account needs and nothing more (Google's least-privilege node SA list). */
export const NODE_ROLES = [
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/monitoring.viewer",
    "roles/stackdriver.resourceMetadata.writer",
    "roles/autoscaling.metricsWriter",
];

/** The region of a location: `asia-northeast1-a` -> `asia-northeast1`; a region stays itself. */
export function regionOf(location: string): string {
    return /-[a-z]$/.test(location) ? location.slice(0, -2) : location;
}

/** The cluster's identity for its Kubernetes provider: gcloud's context name, `gke_<project>_<location>_<name>`. */
export function gkeClusterIdentifier(args: Pick<GkeClusterArgs, "project" | "location" | "clusterName">): string {
    return `gke_${args.project}_${args.location}_${args.clusterName}`;
}

/** A private, Workload-Identity, shielded GKE cluster with separately managed, autoscaled pools. */
export class GkeCluster extends pulumi.ComponentResource {
    readonly cluster: gcp.container.Cluster;
    readonly nodeServiceAccount: gcp.serviceaccount.Account;
    readonly nodePools: gcp.container.NodePool[];
    /** Kubeconfig using gke-gcloud-auth-plugin; a secret output. */
    readonly kubeconfig: pulumi.Output<string>;
    /** The provider every Kubernetes component receives. */
    readonly provider: k8s.Provider;
    readonly endpoint: pulumi.Output<string>;
    readonly workloadIdentityPool: string;
    /** The Cloud KMS key etcd encrypts Kubernetes Secrets with. */
    readonly secretsKey: gcp.kms.CryptoKey;

    constructor(name: string, args: GkeClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:GkeCluster", name, {}, opts);
        const child = { parent: this };
        const guarded = { parent: this, protect: args.deletionProtection };
        this.workloadIdentityPool = `${args.project}.svc.id.goog`;

        this.nodeServiceAccount = new gcp.serviceaccount.Account(
            `${name}-nodes`,
            {
                project: args.project,
                accountId: `${args.clusterName}-nodes`,
                displayName: `GKE nodes of ${args.clusterName}`,
            },
            child,
        );
        const roleGrants = NODE_ROLES.map(
            (role) =>
                new gcp.projects.IAMMember(
                    `${name}-nodes-${role.split("/")[1]!.replace(/\./g, "-").toLowerCase()}`,
                    {
                        project: args.project,
                        role,
                        member: pulumi.interpolate`serviceAccount:${this.nodeServiceAccount.email}`,
                    },
                    child,
                ),
        );

        // Application-layer Secrets encryption: etcd holds every Kubernetes Secret encrypted with a
        // key of this project, which only GKE's service agent may use. A key ring cannot be deleted
        // in Cloud KMS, so both are protected like the cluster; the key rotates every 90 days.
        const keyRing = new gcp.kms.KeyRing(
            `${name}-secrets-keyring`,
            { project: args.project, location: regionOf(args.location), name: `${args.clusterName}-secrets` },
            guarded,
        );
        this.secretsKey = new gcp.kms.CryptoKey(
            `${name}-secrets-key`,
            { keyRing: keyRing.id, name: "etcd-secrets", purpose: "ENCRYPT_DECRYPT", rotationPeriod: "7776000s" },
            guarded,
        );
        const project = gcp.organizations.getProjectOutput({ projectId: args.project }, child);
        const agentGrant = new gcp.kms.CryptoKeyIAMMember(
            `${name}-secrets-key-gke`,
            {
                cryptoKeyId: this.secretsKey.id,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: pulumi.interpolate`serviceAccount:service-${project.number}@container-engine-robot.iam.gserviceaccount.com`,
            },
            child,
        );

        const nodeSecurity = {
            serviceAccount: this.nodeServiceAccount.email,
            oauthScopes: ["https://www.googleapis.com/auth/cloud-platform"],
            shieldedInstanceConfig: { enableSecureBoot: true, enableIntegrityMonitoring: true },
            workloadMetadataConfig: { mode: "GKE_METADATA" },
            metadata: { "disable-legacy-endpoints": "true" },
            imageType: "COS_CONTAINERD",
        };

        this.cluster = new gcp.container.Cluster(
            `${name}-cluster`,
            {
                name: args.clusterName,
                project: args.project,
                location: args.location,
                network: args.network,
                subnetwork: args.subnetwork,
                networkingMode: "VPC_NATIVE",
                ipAllocationPolicy: {
                    clusterSecondaryRangeName: PODS_RANGE,
                    servicesSecondaryRangeName: SERVICES_RANGE,
                },
                // The default pool cannot be changed in place; pools below are managed on their own.
                // It exists only while the cluster is created, with the nodes' own service account.
                removeDefaultNodePool: true,
                initialNodeCount: 1,
                nodeConfig: nodeSecurity,
                deletionProtection: args.deletionProtection,
                releaseChannel: { channel: args.releaseChannel },
                workloadIdentityConfig: { workloadPool: this.workloadIdentityPool },
                privateClusterConfig: {
                    enablePrivateNodes: true,
                    enablePrivateEndpoint: false,
                    masterIpv4CidrBlock: args.masterCidr,
                },
                masterAuthorizedNetworksConfig: {
                    cidrBlocks: args.authorizedNetworks.map((n) => ({ displayName: n.name, cidrBlock: n.cidr })),
                    gcpPublicCidrsAccessEnabled: false,
                },
                // The DNS endpoint admits Google IAM credentials only (container.clusters.connect): no
                // Kubernetes service-account token and no client certificate works through it.
                controlPlaneEndpointsConfig: {
                    dnsEndpointConfig: {
                        allowExternalTraffic: args.dnsEndpoint,
                        enableK8sTokensViaDns: false,
                        enableK8sCertsViaDns: false,
                    },
                },
                databaseEncryption: { state: "ENCRYPTED", keyName: this.secretsKey.id },
                masterAuth: { clientCertificateConfig: { issueClientCertificate: false } },
                enableLegacyAbac: false,
                enableShieldedNodes: true,
                // Dataplane V2 enforces NetworkPolicy, which every app namespace relies on.
                datapathProvider: "ADVANCED_DATAPATH",
                loggingService: "logging.googleapis.com/kubernetes",
                monitoringService: "monitoring.googleapis.com/kubernetes",
                loggingConfig: { enableComponents: ["SYSTEM_COMPONENTS", "WORKLOADS"] },
                monitoringConfig: { enableComponents: ["SYSTEM_COMPONENTS"] },
                maintenancePolicy: { dailyMaintenanceWindow: { startTime: args.maintenanceStart } },
                addonsConfig: { gcePersistentDiskCsiDriverConfig: { enabled: true } },
            },
            {
                ...guarded,
                dependsOn: [...roleGrants, agentGrant],
                // Both only shape the default pool that creation removes, and both force a new
                // cluster: GKE then reports the first remaining pool's config (machine type, labels)
                // as the cluster's nodeConfig and a node count of 0, so without this every run
                // after the first plans to replace the cluster.
                ignoreChanges: [...CLUSTER_CREATE_ONLY],
            },
        );

        this.nodePools = args.nodePools.map((pool) => {
            const layout = poolLayout(args.location, pool);
            if ("problem" in layout)
                throw new Error(`node pool ${pool.name}: minCount ${pool.minCount} ${layout.problem}`);
            return new gcp.container.NodePool(
                `${name}-pool-${pool.name}`,
                {
                    name: pool.name,
                    project: args.project,
                    location: args.location,
                    cluster: this.cluster.name,
                    ...(pool.zones ? { nodeLocations: pool.zones } : {}),
                    // Per zone, so the pool starts with minCount nodes in total (node-pool-layout.ts).
                    initialNodeCount: layout.initialPerZone,
                    // Totals across the pool's zones, so "one n1-highmem-16 node" means one.
                    autoscaling: {
                        totalMinNodeCount: pool.minCount,
                        totalMaxNodeCount: pool.maxCount,
                        locationPolicy: "BALANCED",
                    },
                    management: { autoRepair: true, autoUpgrade: true },
                    upgradeSettings: { maxSurge: 1, maxUnavailable: 0 },
                    nodeConfig: {
                        ...nodeSecurity,
                        machineType: pool.machineType,
                        diskSizeGb: pool.diskSizeGb,
                        diskType: pool.diskType,
                        spot: pool.spot,
                        labels: { ...pool.labels, "platform/pool": pool.name },
                        taints: pool.taints.map((t) => ({ key: t.key, value: t.value, effect: t.effect })),
                    },
                },
                {
                    ...guarded,
                    // A pool's name is fixed, so a replacement (spot, service account, scopes,
                    // metadata: docs/operations.md) must delete the old pool before creating the
                    // new one, or the create collides with it.
                    deleteBeforeReplace: true,
                    // The initial count forces a new pool and only matters when one is created;
                    // the autoscaler owns the size after that.
                    ignoreChanges: ["initialNodeCount"],
                },
            );
        });

        this.endpoint = this.cluster.endpoint;
        const server = args.dnsEndpoint
            ? this.cluster.controlPlaneEndpointsConfig.apply((c) => `https://${c.dnsEndpointConfig?.endpoint ?? ""}`)
            : pulumi.interpolate`https://${this.cluster.endpoint}`;
        const caData = args.dnsEndpoint ? pulumi.output(undefined) : this.cluster.masterAuth.clusterCaCertificate;
        this.kubeconfig = pulumi.secret(
            pulumi
                .all([server, caData])
                .apply(([s, ca]) => gkeKubeconfig({ name: args.clusterName, server: s, caData: ca })),
        );

        // Not waiting for the node pools: a pool update (a new machine type, an upgrade) takes many
        // minutes and would hold up every Kubernetes change behind it. On the first run the
        // provider's objects wait for readiness (Deployments for their pods) while the pools come up.
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: this.kubeconfig,
                enableServerSideApply: true,
                // Constant: a kubeconfig that changes (a new endpoint, a rotated CA, unknown while the
                // cluster is created) updates the provider; only another cluster replaces it, and with
                // it every Kubernetes object.
                clusterIdentifier: gkeClusterIdentifier(args),
            },
            { parent: this },
        );

        this.registerOutputs({ clusterName: this.cluster.name, endpoint: this.endpoint, kubeconfig: this.kubeconfig });
    }
}
