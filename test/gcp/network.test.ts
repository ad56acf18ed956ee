import { Network, WEBHOOK_PORTS } from "../../components/gcp/network";
import { recordResources } from "../harness";

const args = {
    region: "asia-northeast1",
    subnetCidr: "10.10.0.0/20",
    podsCidr: "10.20.0.0/14",
    servicesCidr: "10.24.0.0/20",
    masterCidr: "172.16.0.0/28",
};

describe("Network", () => {
    it("gives the subnet both secondary ranges and private Google access", async () => {
        const h = await recordResources(() => new Network("net", args));
        const subnet = h.inputs(h.one("gcp:compute/subnetwork:Subnetwork"));
        expect(subnet.ipCidrRange).toBe(args.subnetCidr);
        expect(subnet.privateIpGoogleAccess).toBe(true);
        expect(subnet.secondaryIpRanges).toEqual([
            { rangeName: "pods", ipCidrRange: args.podsCidr },
            { rangeName: "services", ipCidrRange: args.servicesCidr },
        ]);
    });

    it("gives private nodes egress through Cloud NAT on a router in the region", async () => {
        const h = await recordResources(() => new Network("net", args));
        expect(h.inputs(h.one("gcp:compute/router:Router")).region).toBe("asia-northeast1");
        const nat = h.inputs(h.one("gcp:compute/routerNat:RouterNat"));
        expect(nat.sourceSubnetworkIpRangesToNat).toBe("ALL_SUBNETWORKS_ALL_IP_RANGES");
    });

    it("opens only the webhook ports, only from the control plane range", async () => {
        const h = await recordResources(() => new Network("net", args));
        const fw = h.inputs(h.one("gcp:compute/firewall:Firewall"));
        expect(fw.sourceRanges).toEqual([args.masterCidr]);
        expect(fw.direction).toBe("INGRESS");
        expect(fw.allows).toEqual([{ protocol: "tcp", ports: WEBHOOK_PORTS }]);
        expect(WEBHOOK_PORTS).toEqual(expect.arrayContaining(["8443", "9443", "15017"]));
    });

    it("does not create the default auto-mode subnets", async () => {
        const h = await recordResources(() => new Network("net", args));
        expect(h.inputs(h.one("gcp:compute/network:Network")).autoCreateSubnetworks).toBe(false);
    });
});
