import { readStack } from "../../render/stack-file";
import { ROOT } from "../../render/render";
import { sitePlans } from "../../components/onprem/sites";
import { onpremSchema } from "../../config/sections/onprem";
import { stackProblems } from "../stack-files";

const festival = { mode: "gateway", ranges: ["192.168.40.0/24"], gateway: { tunnelCidr: "10.255.40.0/30" } };
const contest = {
    mode: "vpn",
    ranges: ["10.50.0.0/16"],
    vpn: {
        peerAddresses: ["203.0.113.10"],
        peerAsn: 65010,
        bgpCidrs: ["169.254.10.0/30", "169.254.10.4/30"],
        probeAddress: "10.50.0.1",
    },
};
const hosts = {
    "plarail-controller": { kind: "service", site: "festival", address: "192.168.40.10" },
    "contest-router": { kind: "network-device", site: "contest", address: "10.50.0.1" },
};

/** The config errors of a stack with these on-prem sites and hosts (default VPC ranges: 10.10.0.0/20, 10.20.0.0/14, 10.24.0.0/20, 172.16.0.0/28). */
function problems(onprem: Record<string, unknown>): string[] {
    return stackProblems({
        environment: "dev",
        cluster: { mode: "existing", context: "kind" },
        dns: { domain: "dev.example.org" },
        onprem,
    });
}

describe("onprem.sites", () => {
    it("accepts one gateway and one vpn site whose hosts each name their site", () => {
        expect(problems({ sites: { festival, contest }, hosts })).toEqual([]);
    });

    it("requires every host to name a site once sites exist, and only a declared one", () => {
        const found = problems({
            sites: { festival, contest },
            hosts: {
                ...hosts,
                loose: { kind: "server", address: "10.50.0.20" },
                lost: { kind: "server", site: "garage", address: "10.50.0.21" },
            },
        });
        expect(found).toEqual([
            expect.stringMatching(
                /^onprem\.hosts\.loose\.site: .*is required: host loose must name the site it is at \(sites: festival, contest\)/,
            ),
            expect.stringMatching(
                /^onprem\.hosts\.lost\.site: "garage" is not a site of onprem\.sites \(sites: festival, contest\)/,
            ),
        ]);
    });

    it("refuses a host address outside its site's ranges, naming host, site and ranges", () => {
        const found = problems({
            sites: { festival, contest },
            hosts: {
                x: {
                    kind: "server",
                    site: "festival",
                    address: "192.168.40.5",
                    ipmi: { address: "10.50.100.5", credentials: "c" },
                },
            },
        });
        expect(found).toEqual([
            'onprem.hosts.x.ipmi.address: "10.50.100.5" is outside the ranges of host x\'s site festival (192.168.40.0/24)',
        ]);
    });

    it("refuses sites that overlap each other, naming both", () => {
        const found = problems({
            sites: {
                festival,
                contest,
                annex: { ...festival, ranges: ["192.168.40.128/25"], gateway: { tunnelCidr: "10.255.41.0/30" } },
            },
            hosts,
        });
        expect(found).toEqual([
            'onprem.sites.annex.ranges[0]: "192.168.40.128/25" overlaps onprem.sites.festival.ranges[0] 192.168.40.0/24; site ranges and tunnels must be disjoint',
        ]);
    });

    it("refuses a site range or tunnel inside the VPC's pods, subnet or control plane range, naming both", () => {
        const found = problems({
            sites: {
                festival: { ...festival, gateway: { tunnelCidr: "172.16.0.4/30" } },
                contest: { ...contest, ranges: ["10.20.0.0/16"], vpn: { ...contest.vpn, probeAddress: "10.20.0.1" } },
            },
            hosts: {
                "contest-router": { kind: "network-device", site: "contest", address: "10.20.0.1" },
            },
        });
        expect(found).toEqual([
            "onprem.sites.festival.gateway.tunnelCidr: \"172.16.0.4/30\" overlaps cluster.masterCidr 172.16.0.0/28; a site's ranges must be disjoint from the VPC's",
            "onprem.sites.contest.ranges[0]: \"10.20.0.0/16\" overlaps network.podsCidr 10.20.0.0/14; a site's ranges must be disjoint from the VPC's",
        ]);
    });

    it("refuses BGP ranges that are not link-local and a probe address outside the site", () => {
        const found = problems({
            sites: {
                festival,
                contest: {
                    ...contest,
                    vpn: { ...contest.vpn, bgpCidrs: ["169.254.10.0/30", "10.99.0.0/30"], probeAddress: "10.51.0.1" },
                },
            },
            hosts,
        });
        expect(found).toEqual([
            'onprem.sites.contest.vpn.bgpCidrs[1]: "10.99.0.0/30" is not link-local; BGP sessions over HA VPN use /30s in 169.254.0.0/16',
            'onprem.sites.contest.vpn.probeAddress: "10.51.0.1" is outside site contest\'s ranges (10.50.0.0/16)',
        ]);
    });

    it("refuses a mode without its settings", () => {
        const found = problems({ sites: { festival: { mode: "gateway", ranges: ["192.168.40.0/24"] } }, hosts: {} });
        expect(found).toEqual([expect.stringMatching(/^onprem\.sites\.festival\.gateway: /)]);
    });
});

describe.each(["dev", "prd"])("the %s stack file's sites", (stack) => {
    const config = readStack({ root: ROOT, stack }).config;
    const onprem = onpremSchema.parse(JSON.parse(config["platform:onprem"]!));
    const network = JSON.parse(config["platform:network"] ?? "{}") as { subnetCidr?: string; podsCidr?: string };
    const plans = sitePlans(onprem.sites, onprem.hosts, stack, {
        subnetCidr: network.subnetCidr ?? "10.10.0.0/20",
        podsCidr: network.podsCidr ?? "10.20.0.0/14",
    });

    it("has one gateway site (the festival) and one vpn site (the contest), every host in one", () => {
        expect(plans.map((p) => [p.name, p.mode])).toEqual([
            ["contest", "vpn"],
            ["festival", "gateway"],
        ]);
        const placed = plans.flatMap((p) => p.hosts).sort();
        expect(placed).toEqual(Object.keys(onprem.hosts).sort());
        expect(plans.find((p) => p.name === "festival")!.hosts).toContain("plarail-controller");
    });

    it("is watched by prd only", () => {
        expect(plans.map((p) => p.watched)).toEqual(stack === "prd" ? [true, true] : [false, false]);
    });
});
