import { GkeCluster } from "../../../components/gcp/gke-cluster";
import * as gcp from "@pulumi/gcp";
import { Dns } from "../../../components/gcp/dns";
import { PrivateDns } from "../../../components/gcp/private-dns";
import { CLUSTER, gkeRules, MANAGED_ZONE, NODE_POOL } from "../../../policy/rules/gke";
import type { RecordedResource } from "../../../render/recorder";
import { GKE_ARGS } from "../../gcp/fixtures";
import { recordResources } from "../../harness";
import { Loose, res, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(gkeRules, id);

async function cluster(deletionProtection = true): Promise<RecordedResource[]> {
    const h = await recordResources(() => {
        new GkeCluster("gke", { ...GKE_ARGS, releaseChannel: "STABLE", deletionProtection });
        new Dns("dns", { domain: "example.org", dnssec: true, ttl: 300 });
    });
    return h.resources;
}

/** The recorded resources with one resource type's inputs changed. */
function mutate(rs: RecordedResource[], type: string, f: (i: Record<string, Loose>) => void): RecordedResource[] {
    return rs.map((r) => {
        if (r.type !== type) return r;
        const inputs = JSON.parse(JSON.stringify(r.inputs)) as Record<string, Loose>;
        f(inputs);
        return { ...r, inputs };
    });
}

describe("GKE rules over the real GkeCluster and Dns components", () => {
    let good: RecordedResource[];
    beforeAll(async () => {
        good = await cluster();
    });

    it("find nothing wrong with what the components declare on prd", () => {
        for (const r of gkeRules) expect(violations(r, good)).toEqual([]);
        expect(good.some((r) => r.type === CLUSTER) && good.some((r) => r.type === NODE_POOL)).toBe(true);
    });

    it.each<[string, string, (i: Record<string, Loose>) => void, RegExp]>([
        [
            "gke-private-nodes",
            CLUSTER,
            (i) => (i.privateClusterConfig.enablePrivateNodes = false),
            /enablePrivateNodes is not true/,
        ],
        [
            "gke-private-nodes",
            NODE_POOL,
            (i) => (i.networkConfig = { enablePrivateNodes: false }),
            /enablePrivateNodes is false/,
        ],
        ["gke-workload-identity", CLUSTER, (i) => delete i.workloadIdentityConfig, /workloadPool is not set/],
        [
            "gke-workload-identity",
            NODE_POOL,
            (i) => (i.nodeConfig.workloadMetadataConfig.mode = "GCE_METADATA"),
            /not GKE_METADATA/,
        ],
        [
            "gke-workload-identity",
            NODE_POOL,
            (i) => (i.nodeConfig.metadata["disable-legacy-endpoints"] = "false"),
            /disable-legacy-endpoints/,
        ],
        ["gke-shielded-nodes", CLUSTER, (i) => (i.enableShieldedNodes = false), /enableShieldedNodes is false/],
        [
            "gke-shielded-nodes",
            NODE_POOL,
            (i) => (i.nodeConfig.shieldedInstanceConfig.enableSecureBoot = false),
            /enableSecureBoot is not true/,
        ],
        ["gke-node-service-account", NODE_POOL, (i) => delete i.nodeConfig.serviceAccount, /Compute Engine default/],
        [
            "gke-node-service-account",
            NODE_POOL,
            (i) => (i.nodeConfig.imageType = "UBUNTU_CONTAINERD"),
            /not COS_CONTAINERD/,
        ],
        [
            "gke-node-auto-repair-upgrade",
            NODE_POOL,
            (i) => (i.management.autoRepair = false),
            /management.autoRepair is not true/,
        ],
        ["gke-node-auto-repair-upgrade", NODE_POOL, (i) => delete i.management, /management.autoUpgrade is not true/],
        [
            "gke-release-channel",
            CLUSTER,
            (i) => (i.releaseChannel = { channel: "UNSPECIFIED" }),
            /releaseChannel.channel is "UNSPECIFIED"/,
        ],
        ["gke-release-channel", CLUSTER, (i) => delete i.releaseChannel, /releaseChannel.channel is null/],
        ["gke-authorized-networks", CLUSTER, (i) => delete i.masterAuthorizedNetworksConfig, /open to every address/],
        [
            "gke-authorized-networks",
            CLUSTER,
            (i) => i.masterAuthorizedNetworksConfig.cidrBlocks.push({ displayName: "all", cidrBlock: "0.0.0.0/0" }),
            /cidrBlocks\[all\] is 0.0.0.0\/0/,
        ],
        [
            "gke-authorized-networks",
            CLUSTER,
            (i) => (i.masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled = true),
            /gcpPublicCidrsAccessEnabled/,
        ],
        ["gke-no-legacy-abac", CLUSTER, (i) => (i.enableLegacyAbac = true), /enableLegacyAbac is true/],
        [
            "gke-no-client-certificate",
            CLUSTER,
            (i) => (i.masterAuth.clientCertificateConfig.issueClientCertificate = true),
            /issueClientCertificate is true/,
        ],
        ["gke-deletion-protection", CLUSTER, (i) => (i.deletionProtection = false), /deletionProtection is false/],
        ["dns-dnssec", MANAGED_ZONE, (i) => (i.dnssecConfig = { state: "off" }), /dnssecConfig.state is "off"/],
    ])("%s catches a change to %s", (id, type, change, message) => {
        const found = violations(rule(id), mutate(good, type, change));
        expect(found.length).toBeGreaterThan(0);
        expect(found.join("\n")).toMatch(message);
    });

    it("gke-deletion-protection needs Pulumi protect too, and only on prd", async () => {
        const unprotected = await cluster(false);
        expect(violations(rule("gke-deletion-protection"), unprotected)).toEqual([
            "gke-cluster: deletionProtection is false",
            "gke-cluster: the resource is not protected (resource option protect: true)",
        ]);
        expect(violations(rule("gke-deletion-protection"), unprotected, "dev")).toEqual([]);
    });

    it("dns-dnssec leaves private zones alone", () => {
        const priv = res(MANAGED_ZONE, "internal", { visibility: "private", dnssecConfig: { state: "off" } });
        expect(violations(rule("dns-dnssec"), [priv])).toEqual([]);
    });
});

describe("dns-no-private-address-public over real Dns and PrivateDns components", () => {
    const record = (zone: "public" | "private", address: string) =>
        recordResources(() => {
            const pub = new Dns("dns", { domain: "example.org", dnssec: true, ttl: 300 });
            const priv = new PrivateDns("onprem-dns", { domain: "onprem.example.org", network: "vpc", ttl: 300 });
            const ref = zone === "public" ? pub.ref : priv.ref;
            // Bypass addARecord's own refusal: the rule must catch a record made any other way.
            new gcp.dns.RecordSet("r", {
                managedZone: ref.zoneName,
                name: `host.${ref.domain}.`,
                type: "A",
                ttl: 300,
                rrdatas: [address],
            });
        }).then((h) => h.resources);

    it("refuses a private address in the public zone, naming record, address and zone", async () => {
        const rule = ruleById(gkeRules, "dns-no-private-address-public");
        expect(violations(rule, await record("public", "192.168.40.10"))).toEqual([
            "r: host.example.org. -> 192.168.40.10 (192.168.0.0/16) in public zone example-org; put it in a private zone (components/gcp/private-dns.ts)",
        ]);
        expect(violations(rule, await record("public", "35.200.1.2"))).toEqual([]);
        expect(violations(rule, await record("private", "192.168.40.10"))).toEqual([]);
    });
});
