import { addARecord, Dns } from "../../components/gcp/dns";
import { Registry } from "../../components/gcp/registry";
import { PrivateDns } from "../../components/gcp/private-dns";
import { StaticAddress } from "../../components/gcp/static-address";
import { recordResources } from "../harness";

describe("Dns", () => {
    it("creates a public zone for the domain with DNSSEC on", async () => {
        const h = await recordResources(() => new Dns("dns", { domain: "example.org", dnssec: true, ttl: 300 }));
        const zone = h.inputs(h.one("gcp:dns/managedZone:ManagedZone"));
        expect(zone.dnsName).toBe("example.org.");
        expect(zone.visibility).toBe("public");
        expect(zone.dnssecConfig.state).toBe("on");
    });

    it("adds A records for hosts in the zone, owned by the caller", async () => {
        const h = await recordResources(() => {
            const dns = new Dns("dns", { domain: "example.org", dnssec: true, ttl: 120 });
            addARecord(dns, "vote-a", dns.ref, "vote.example.org", "35.1.2.3");
        });
        const rec = h.ofType("gcp:dns/recordSet:RecordSet").find((x) => h.inputs(x).type === "A")!;
        expect(h.inputs(rec)).toMatchObject({ name: "vote.example.org.", type: "A", ttl: 120, rrdatas: ["35.1.2.3"] });
        expect(rec.parent).toBe(h.one("platform:gcp:Dns").urn);
    });

    it("refuses a host outside the zone", async () => {
        await expect(
            recordResources(() => {
                const dns = new Dns("dns", { domain: "example.org", dnssec: true, ttl: 120 });
                addARecord(dns, "evil", dns.ref, "example.org.evil.com", "35.1.2.3");
            }),
        ).rejects.toThrow("host example.org.evil.com is outside the zone example.org");
    });
});

describe("StaticAddress", () => {
    it("reserves a regional external address, protected only when asked", async () => {
        const dev = await recordResources(
            () =>
                new StaticAddress("ingress", {
                    project: "p-dev1",
                    region: "asia-northeast1",
                    description: "x",
                    protect: false,
                }),
        );
        const ip = dev.one("gcp:compute/address:Address");
        expect(dev.inputs(ip)).toMatchObject({ region: "asia-northeast1", addressType: "EXTERNAL" });
        expect(ip.protect).toBe(false);
        const prd = await recordResources(
            () =>
                new StaticAddress("ingress", {
                    project: "p-prd1",
                    region: "asia-northeast1",
                    description: "x",
                    protect: true,
                }),
        );
        expect(prd.one("gcp:compute/address:Address").protect).toBe(true);
    });
});

describe("Registry", () => {
    it("is a Docker repository with cleanup rules and pull access only for the listed readers", async () => {
        const h = await recordResources(
            () =>
                new Registry("registry", {
                    project: "clubplatform-dev",
                    region: "asia-northeast1",
                    repositoryId: "apps",
                    untaggedRetentionDays: 7,
                    keepRecent: 20,
                    readers: ["serviceAccount:nodes@clubplatform-dev.iam.gserviceaccount.com"],
                }),
        );
        const repo = h.inputs(h.one("gcp:artifactregistry/repository:Repository"));
        expect(repo.format).toBe("DOCKER");
        expect(repo.cleanupPolicies).toEqual(
            expect.arrayContaining([
                expect.objectContaining({
                    action: "DELETE",
                    condition: { tagState: "UNTAGGED", olderThan: `${7 * 86400}s` },
                }),
                expect.objectContaining({ action: "KEEP", mostRecentVersions: { keepCount: 20 } }),
            ]),
        );
        const grants = h.ofType("gcp:artifactregistry/repositoryIamMember:RepositoryIamMember").map((r) => h.inputs(r));
        expect(grants).toEqual([
            expect.objectContaining({
                role: "roles/artifactregistry.reader",
                member: "serviceAccount:nodes@clubplatform-dev.iam.gserviceaccount.com",
            }),
        ]);
    });
});

describe("StaticAddress", () => {
    it("reserves a regional external address with its purpose, protected only when asked", async () => {
        const args = { project: "p-prd1", region: "asia-northeast1", description: "SNMP traps" };
        const prd = await recordResources(() => new StaticAddress("traps", { ...args, protect: true }));
        const ip = prd.one("gcp:compute/address:Address");
        expect(prd.inputs(ip)).toMatchObject({
            region: "asia-northeast1",
            addressType: "EXTERNAL",
            description: "SNMP traps",
        });
        expect(ip.protect).toBe(true);
        const dev = await recordResources(() => new StaticAddress("traps", { ...args, protect: false }));
        expect(dev.one("gcp:compute/address:Address").protect).toBe(false);
    });
});

describe("PrivateDns", () => {
    it("is a private zone for its domain, visible only to the given network", async () => {
        const h = await recordResources(
            () => new PrivateDns("onprem-dns", { domain: "onprem.example.org", network: "net-vpc-id", ttl: 300 }),
        );
        const zone = h.inputs(h.one("gcp:dns/managedZone:ManagedZone"));
        expect(zone).toMatchObject({ dnsName: "onprem.example.org.", visibility: "private" });
        expect(zone.privateVisibilityConfig.networks).toEqual([{ networkUrl: "net-vpc-id" }]);
    });

    it("takes private addresses, which a public zone refuses", async () => {
        const h = await recordResources(() => {
            const zone = new PrivateDns("onprem-dns", { domain: "onprem.example.org", network: "net", ttl: 300 });
            addARecord(zone, "srv", zone.ref, "srv.onprem.example.org", "10.50.0.11");
        });
        expect(h.inputs(h.one("gcp:dns/recordSet:RecordSet")).rrdatas).toEqual(["10.50.0.11"]);
        for (const ip of ["10.1.2.3", "172.31.0.1", "192.168.40.10", "100.64.0.1", "100.127.255.254"]) {
            await expect(
                recordResources(() => {
                    const dns = new Dns("dns", { domain: "example.org", dnssec: true, ttl: 120 });
                    addARecord(dns, "leak", dns.ref, "leak.example.org", ip);
                }),
            ).rejects.toThrow(`leak.example.org -> ${ip} is a private address`);
        }
        for (const ip of ["172.32.0.1", "100.128.0.1", "35.1.2.3"]) {
            const ok = await recordResources(() => {
                const dns = new Dns("dns", { domain: "example.org", dnssec: true, ttl: 120 });
                addARecord(dns, "pub", dns.ref, "pub.example.org", ip);
            });
            expect(ok.ofType("gcp:dns/recordSet:RecordSet").filter((x) => x.inputs.type === "A")).toHaveLength(1);
        }
    });
});
