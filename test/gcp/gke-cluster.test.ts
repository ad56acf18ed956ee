import { GkeCluster, NODE_ROLES } from "../../components/gcp/gke-cluster";
import { isRegion, REGIONAL_ZONES } from "../../components/gcp/node-pool-layout";
import { rendered } from "../rendered";
import { GKE_ARGS } from "./fixtures";
import { parse } from "yaml";
import { recordResources, valueOf } from "../harness";
import * as pulumi from "@pulumi/pulumi";

const base = GKE_ARGS;

const CLUSTER = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";

describe("GkeCluster", () => {
    it("is private, Workload-Identity enabled and shielded, with no legacy access paths", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const c = h.inputs(h.one(CLUSTER));
        expect(c.privateClusterConfig).toMatchObject({
            enablePrivateNodes: true,
            masterIpv4CidrBlock: "172.16.0.0/28",
        });
        expect(c.workloadIdentityConfig).toEqual({ workloadPool: "clubplatform-dev.svc.id.goog" });
        expect(c.enableShieldedNodes).toBe(true);
        expect(c.enableLegacyAbac).toBe(false);
        expect(c.masterAuth.clientCertificateConfig.issueClientCertificate).toBe(false);
        expect(c.removeDefaultNodePool).toBe(true);
        expect(c.datapathProvider).toBe("ADVANCED_DATAPATH");
        expect(c.releaseChannel).toEqual({ channel: "REGULAR" });
        expect(c.maintenancePolicy.dailyMaintenanceWindow.startTime).toBe("18:00");
        expect(c.loggingService).toBe("logging.googleapis.com/kubernetes");
        expect(c.monitoringService).toBe("monitoring.googleapis.com/kubernetes");
    });

    it("encrypts Secrets in etcd with a key of its own region that only GKE's service agent may use", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const c = h.inputs(h.one(CLUSTER));
        expect(h.inputs(h.one("gcp:kms/keyRing:KeyRing")).location).toBe("asia-northeast1");
        expect(h.ofType("gcp:kms/cryptoKey:CryptoKey")).toHaveLength(1);
        expect(c.databaseEncryption.state).toBe("ENCRYPTED");
        expect(c.databaseEncryption.keyName).toEqual(expect.any(String));
        const grants = h.ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember").map((g) => h.inputs(g));
        expect(grants).toEqual([
            expect.objectContaining({
                cryptoKeyId: c.databaseEncryption.keyName,
                role: "roles/cloudkms.cryptoKeyEncrypterDecrypter",
                member: expect.stringMatching(
                    /^serviceAccount:service-\d+@container-engine-robot\.iam\.gserviceaccount\.com$/,
                ),
            }),
        ]);
        // The DNS endpoint: Google IAM only, no Kubernetes token or client certificate through it.
        expect(c.controlPlaneEndpointsConfig.dnsEndpointConfig).toMatchObject({
            enableK8sTokensViaDns: false,
            enableK8sCertsViaDns: false,
        });
    });

    it("puts a zonal cluster's Secrets key in the zone's region (Cloud KMS has no zones)", async () => {
        const h = await recordResources(() => new GkeCluster("gke", { ...base, location: "asia-northeast1-a" }));
        expect(h.inputs(h.one("gcp:kms/keyRing:KeyRing")).location).toBe("asia-northeast1");
    });

    it("allows only the configured ranges on the IP endpoint and no Google-wide access", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const c = h.inputs(h.one(CLUSTER));
        expect(c.masterAuthorizedNetworksConfig).toEqual({
            cidrBlocks: [{ displayName: "club", cidrBlock: "203.0.113.0/28" }],
            gcpPublicCidrsAccessEnabled: false,
        });
    });

    it("gives every pool shielded, GKE-metadata nodes with auto-repair and auto-upgrade", async () => {
        const twoPools = {
            ...base,
            nodePools: [base.nodePools[0]!, { ...base.nodePools[0]!, name: "burst", spot: false }],
        };
        const h = await recordResources(() => new GkeCluster("gke", twoPools));
        const pools = h.ofType(POOL).map((p) => h.inputs(p));
        expect(pools).toHaveLength(2);
        for (const p of pools) {
            expect(p.management).toEqual({ autoRepair: true, autoUpgrade: true });
            expect(p.nodeConfig.shieldedInstanceConfig).toEqual({
                enableSecureBoot: true,
                enableIntegrityMonitoring: true,
            });
            expect(p.nodeConfig.workloadMetadataConfig).toEqual({ mode: "GKE_METADATA" });
            expect(p.nodeConfig.serviceAccount).toBe("platform-dev-nodes@clubplatform-dev.iam.gserviceaccount.com");
        }
        expect(pools.map((p) => p.autoscaling)).toEqual([
            { totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: "BALANCED" },
            { totalMinNodeCount: 1, totalMaxNodeCount: 3, locationPolicy: "BALANCED" },
        ]);
    });

    it("runs nodes as a dedicated service account holding only the node roles", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const roles = h.ofType("gcp:projects/iAMMember:IAMMember").map((r) => h.inputs(r).role);
        expect(roles.sort()).toEqual([...NODE_ROLES].sort());
        expect(roles.some((r: string) => /owner|editor|admin/.test(r))).toBe(false);
    });

    it("protects the cluster and its pools only when deletion protection is on", async () => {
        const dev = await recordResources(() => new GkeCluster("gke", base));
        expect(dev.inputs(dev.one(CLUSTER)).deletionProtection).toBe(false);
        expect([dev.one(CLUSTER), ...dev.ofType(POOL)].every((r) => !r.protect)).toBe(true);

        const prd = await recordResources(() => new GkeCluster("gke", { ...base, deletionProtection: true }));
        expect(prd.inputs(prd.one(CLUSTER)).deletionProtection).toBe(true);
        expect([prd.one(CLUSTER), ...prd.ofType(POOL)].every((r) => r.protect)).toBe(true);
    });

    it("hands out a secret kubeconfig that authenticates with gke-gcloud-auth-plugin", async () => {
        let kubeconfig: pulumi.Output<string> | undefined;
        await recordResources(() => {
            kubeconfig = new GkeCluster("gke", base).kubeconfig;
        });
        expect(await pulumi.isSecret(kubeconfig!)).toBe(true);
        const doc = parse(await valueOf(kubeconfig!));
        const user = doc.users[0].user;
        expect(user.exec.command).toBe("gke-gcloud-auth-plugin");
        expect(user.token).toBeUndefined();
        expect(user["client-key-data"]).toBeUndefined();
        expect(doc.clusters[0].cluster.server).toMatch(/^https:\/\/gke-.*\.gke\.goog$/);
    });

    it("uses the IP endpoint and the cluster CA when the DNS endpoint is off", async () => {
        let kubeconfig: pulumi.Output<string> | undefined;
        const h = await recordResources(() => {
            kubeconfig = new GkeCluster("gke", { ...base, dnsEndpoint: false }).kubeconfig;
        });
        expect(h.inputs(h.one(CLUSTER)).controlPlaneEndpointsConfig.dnsEndpointConfig.allowExternalTraffic).toBe(false);
        const doc = parse(await valueOf(kubeconfig!));
        expect(doc.clusters[0].cluster.server).toMatch(/^https:\/\/\d+\.\d+\.\d+\.\d+$/);
        expect(doc.clusters[0].cluster["certificate-authority-data"]).toBeTruthy();
    });
});

describe("GkeCluster on later runs", () => {
    it("does not plan a new cluster every run: what GKE rewrites after creation is ignored", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const cluster = h.one(CLUSTER);
        // GKE reports the first remaining pool's config as the cluster's nodeConfig (a new cluster
        // if compared) and 0 nodes once the default pool is gone.
        expect(h.inputs(cluster).removeDefaultNodePool).toBe(true);
        for (const createOnly of ["nodeConfig", "initialNodeCount"]) {
            if (h.inputs(cluster)[createOnly] !== undefined) expect(cluster.ignoreChanges).toContain(createOnly);
        }
    });

    it("replaces a pool by deleting it first (its name is fixed) and never for its initial size", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const pool = h.one(POOL);
        expect(pool.deleteBeforeReplace).toBe(true);
        expect(pool.ignoreChanges).toEqual(["initialNodeCount"]);
    });

    it("starts a pool with minCount nodes in total, its zones each with the same share", async () => {
        const overRegion = { ...base.nodePools[0]!, zones: undefined };
        const regional = await recordResources(
            () => new GkeCluster("gke", { ...base, nodePools: [{ ...overRegion, minCount: 3, maxCount: 6 }] }),
        );
        expect(regional.inputs(regional.one(POOL)).nodeLocations).toBeUndefined();
        expect(regional.inputs(regional.one(POOL))).toMatchObject({ initialNodeCount: 1 });
        const oneZone = await recordResources(
            () => new GkeCluster("gke", { ...base, nodePools: [{ ...overRegion, zones: ["asia-northeast1-b"] }] }),
        );
        expect(oneZone.inputs(oneZone.one(POOL))).toMatchObject({
            initialNodeCount: 1,
            nodeLocations: ["asia-northeast1-b"],
        });
        // A single-node pool over a regional cluster's three zones would start with three.
        await expect(
            recordResources(() => new GkeCluster("gke", { ...base, nodePools: [overRegion] })),
        ).rejects.toThrow(/node pool general: minCount 1 is not a multiple of the 3 zones of a regional cluster/);
    });

    it("does not hold Kubernetes changes behind node pool updates", async () => {
        const h = await recordResources(() => new GkeCluster("gke", base));
        const provider = h.one("pulumi:providers:kubernetes");
        expect(provider.dependsOn).not.toContain(h.one(POOL).urn);
    });
});

describe("the committed stacks' clusters", () => {
    it.each(["dev", "prd"] as const)("%s: every pool starts with its configured total minimum", async (stack) => {
        const r = await rendered(stack);
        const cluster = r.resources.find((x) => x.type === CLUSTER)!;
        const regional = isRegion(String(cluster.inputs.location));
        for (const pool of r.resources.filter((x) => x.type === POOL)) {
            const i = pool.inputs as any;
            const zones = i.nodeLocations?.length ?? (regional ? REGIONAL_ZONES : 1);
            expect({ pool: pool.name, starts: i.initialNodeCount * zones }).toEqual({
                pool: pool.name,
                starts: i.autoscaling.totalMinNodeCount,
            });
        }
    });

    it.each(["dev", "prd"] as const)("%s: no Kubernetes object waits for a node pool", async (stack) => {
        const r = await rendered(stack);
        const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
        const pools = new Set(r.resources.filter((x) => x.type === POOL).map((x) => x.urn));
        const reaches = (urn: string, seen = new Set<string>()): boolean => {
            if (pools.has(urn)) return true;
            if (seen.has(urn)) return false;
            seen.add(urn);
            return (byUrn.get(urn)?.dependsOn ?? []).some((d) => reaches(d, seen));
        };
        const waiting = r.resources
            .filter((x) => x.type.startsWith("kubernetes:") || x.type === "pulumi:providers:kubernetes")
            .filter((x) => reaches(x.urn))
            .map((x) => x.name);
        expect(waiting).toEqual([]);
    });
});
