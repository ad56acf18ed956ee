// JSON answers are untyped data here; `any` reads them without ceremony.
import { readFileSync } from "node:fs";
import { rendered, SharedRender, filesUnder } from "../rendered";
import { stackConfig } from "../stack-files";
import { containsSecret } from "../../render/redact";

type Stack = "dev" | "prd";
const shared: Partial<Record<Stack, SharedRender>> = {};
beforeAll(async () => {
    shared.dev = await rendered("dev");
    shared.prd = await rendered("prd");
});

/** The stack file's VPC ranges the site traffic comes from (node subnet and pods). */
function clusterRanges(stack: Stack): string[] {
    const n = (stackConfig(stack)["platform:network"] ?? {}) as { subnetCidr?: string; podsCidr?: string };
    return [n.subnetCidr ?? "10.10.0.0/20", n.podsCidr ?? "10.20.0.0/14"];
}

function sites(stack: Stack): Record<string, any> {
    return (stackConfig(stack)["platform:onprem"] as { sites: Record<string, any> }).sites;
}

function res(r: SharedRender, type: string, name: string): any {
    const found = r.resources.find((x) => x.type === type && x.name === name);
    if (!found) throw new Error(`no ${type} ${name}`);
    return found.inputs;
}

describe.each(["dev", "prd"] as const)("render %s: on-prem sites", (stack) => {
    it("routes the gateway site's ranges and tunnel to its forwarding gateway VM", () => {
        const r = shared[stack]!;
        const festival = sites(stack).festival;
        const vm = res(r, "gcp:compute/instance:Instance", "site-festival-vm");
        expect(vm.canIpForward).toBe(true);
        expect(vm.machineType).toBe("e2-micro");
        // Dialable by the site: the static address is the VM's only external one.
        expect(vm.networkInterfaces[0].accessConfigs).toEqual([{ natIp: expect.any(String) }]);
        // The site's config dials this address: prd refuses to replace it.
        const ip = r.resources.find((x) => x.type === "gcp:compute/address:Address" && x.name === "site-festival-ip")!;
        expect(ip.protect).toBe(stack === "prd");
        const routes = r.resources.filter(
            (x) => x.type === "gcp:compute/route:Route" && x.name.startsWith("site-festival-"),
        );
        const tunnelSite = festival.gateway.tunnelCidr.replace(/\.0\/30$/, ".2/32");
        expect(routes.map((x) => x.inputs.destRange).sort()).toEqual([...festival.ranges, tunnelSite].sort());
        for (const route of routes) expect(route.inputs.nextHopInstance).toMatch(/\/instances\/site-festival-vm$/);
    });

    it("lets in WireGuard on its UDP port alone, and to the site only what its hosts are reached on", () => {
        const r = shared[stack]!;
        const wg = res(r, "gcp:compute/firewall:Firewall", "site-festival-wireguard");
        expect(wg.allows).toEqual([{ protocol: "udp", ports: ["51820"] }]);
        expect(wg.targetTags).toEqual(["onprem-gw-festival"]);
        const toSite = res(r, "gcp:compute/firewall:Firewall", "site-festival-to-site");
        expect(toSite.sourceRanges).toEqual(clusterRanges(stack));
        expect(toSite.targetTags).toEqual(["onprem-gw-festival"]);
        // plarail-controller's grpc and metrics ports, ICMP for the probes; no "all", no open port range.
        expect(toSite.allows).toEqual([{ protocol: "icmp" }, { protocol: "tcp", ports: ["9100", "50051"] }]);
        const everyRule = r.resources.filter(
            (x) => x.type === "gcp:compute/firewall:Firewall" && x.name.startsWith("site-"),
        );
        for (const rule of everyRule) {
            for (const a of rule.inputs.allows as any[]) expect(a.protocol).not.toBe("all");
        }
    });

    it("connects the vpn site with HA VPN: two tunnels with a secret key, BGP peers, only cluster ranges advertised", () => {
        const r = shared[stack]!;
        const vpn = sites(stack).contest.vpn;
        const router = res(r, "gcp:compute/router:Router", "site-contest-router");
        expect(router.bgp).toEqual({
            asn: 64514,
            advertiseMode: "CUSTOM",
            advertisedIpRanges: clusterRanges(stack).map((range) => ({ range })),
        });
        const peer = res(r, "gcp:compute/externalVpnGateway:ExternalVpnGateway", "site-contest-peer");
        expect(peer.interfaces.map((i: any) => i.ipAddress)).toEqual(vpn.peerAddresses);
        for (const i of [0, 1]) {
            const tunnel = res(r, "gcp:compute/vPNTunnel:VPNTunnel", `site-contest-tunnel-${i}`);
            expect(tunnel.vpnGatewayInterface).toBe(i);
            expect(containsSecret(tunnel.sharedSecret)).toBe(true);
            const bgp = res(r, "gcp:compute/routerInterface:RouterInterface", `site-contest-bgp-${i}`);
            const base = vpn.bgpCidrs[i].split("/")[0].split(".").slice(0, 3).join(".");
            const last = Number(vpn.bgpCidrs[i].split("/")[0].split(".")[3]);
            expect(bgp.ipRange).toBe(`${base}.${last + 1}/30`);
            const bgpPeer = res(r, "gcp:compute/routerPeer:RouterPeer", `site-contest-peer-${i}`);
            expect(bgpPeer.peerIpAddress).toBe(`${base}.${last + 2}`);
            expect(bgpPeer.peerAsn).toBe(vpn.peerAsn);
        }
    });

    it("learns from the vpn site's BGP peers only the site's declared ranges (an import route policy)", () => {
        const r = shared[stack]!;
        const contest = sites(stack).contest;
        const policy = res(r, "gcp:compute/routerRoutePolicy:RouterRoutePolicy", "site-contest-import");
        expect(policy.type).toBe("ROUTE_POLICY_TYPE_IMPORT");
        expect(policy.router).toBe(
            res(r, "gcp:compute/router:Router", "site-contest-router").name ?? "site-contest-router",
        );
        const [accept, drop] = [...policy.terms].sort((a: any, b: any) => a.priority - b.priority);
        expect(accept.actions).toEqual([{ expression: "accept()" }]);
        expect(drop.actions).toEqual([{ expression: "drop()" }]);
        // Each declared range, and nothing else, in the accepting match; the drop term is its negation.
        const named = [...accept.match.expression.matchAll(/prefix\('([^']+)'\)/g)].map((m) => m[1]);
        expect(named).toEqual(contest.ranges);
        expect(drop.match.expression).toBe(`!${accept.match.expression}`);
        for (const i of [0, 1]) {
            const peer = res(r, "gcp:compute/routerPeer:RouterPeer", `site-contest-peer-${i}`);
            expect(peer.importPolicies).toEqual([policy.name]);
        }
    });

    it("opens the Zabbix trapper port from a site only in the stack that watches it", () => {
        const r = shared[stack]!;
        const rules = r.resources.filter(
            (x) => x.type === "gcp:compute/firewall:Firewall" && x.name.endsWith("-zabbix-proxy"),
        );
        if (stack === "dev") {
            expect(rules).toEqual([]);
            return;
        }
        expect(rules.map((x) => x.name).sort()).toEqual(["site-contest-zabbix-proxy", "site-festival-zabbix-proxy"]);
        // To the trapper's internal load balancer address alone, not the whole cluster.
        const trapper = res(r, "gcp:compute/address:Address", "zabbix-trapper-ip").address;
        for (const rule of rules) {
            expect(rule.inputs.allows).toEqual([{ protocol: "tcp", ports: ["10051"] }]);
            expect(rule.inputs.destinationRanges).toEqual([`${trapper}/32`]);
        }
    });

    it("outputs the public keys and gateway address; the site's tunnel config only as a secret", () => {
        const r = shared[stack]!;
        const out = r.outputs.onpremSites as any;
        const keys = [out.festival.gatewayPublicKey, out.festival.sitePublicKey];
        for (const k of keys) expect(Buffer.from(k, "base64")).toHaveLength(32);
        expect(keys[0]).not.toBe(keys[1]);
        expect(out.contest.vpnAddresses).toHaveLength(2);
        expect(r.outputSecrets.onpremSiteTunnels).toBe(true);
        expect(r.outputSecrets.onpremSites).toBe(false);
        // No private key anywhere render wrote: not in the tunnel output, the Secret Manager version or the VM.
        for (const file of filesUnder(r.dir))
            expect(readFileSync(file, "utf8")).not.toMatch(/PrivateKey = [A-Za-z0-9+/]{43}=/);
        expect(
            containsSecret(
                res(r, "gcp:secretmanager/secretVersion:SecretVersion", "site-festival-config-version").secretData,
            ),
        ).toBe(true);
    });
});

describe("render prd: one site, one watcher", () => {
    it("assigns every host of a site to the site's Zabbix proxy in the sync inventory", () => {
        const r = shared.prd!;
        const cm = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "zabbix-sync") as any;
        const inventory = JSON.parse(cm.data["inventory.json"]);
        const hosts = (stackConfig("prd")["platform:onprem"] as { hosts: Record<string, { site: string }> }).hosts;
        expect(inventory.hosts.length).toBeGreaterThan(0);
        for (const h of inventory.hosts) expect(h.proxy).toBe(`site-${hosts[h.name]!.site}`);
    });

    it("probes each site through its tunnel and raises SiteUnreachable, sooner than any host alert", () => {
        const r = shared.prd!;
        const inNs = r.objects.filter((o) => o.metadata.namespace === "onprem") as any[];
        const festival = sites("prd").festival.gateway.tunnelCidr.replace(/\.0\/30$/, ".2");
        const probe = inNs.find((o) => o.kind === "Probe" && o.metadata.name === "site-festival");
        expect(probe.spec.targets.staticConfig.static).toEqual([festival]);
        const contest = inNs.find((o) => o.kind === "Probe" && o.metadata.name === "site-contest");
        expect(contest.spec.targets.staticConfig.static).toEqual([sites("prd").contest.vpn.probeAddress]);
        const rule = inNs.find((o) => o.kind === "PrometheusRule" && o.metadata.name === "site-festival-unreachable");
        const alert = rule.spec.groups[0].rules[0];
        expect(alert.alert).toBe("SiteUnreachable");
        expect(alert.labels.site).toBe("festival");
        const minutes = (d: string) => Number(/^(\d+)m$/.exec(d)![1]);
        const hostRule = inNs.find((o) => o.kind === "PrometheusRule" && o.metadata.name === "plarail-controller-down");
        for (const hostAlert of hostRule.spec.groups[0].rules) {
            // The host alerts carry the site label the inhibit rule matches on.
            expect(hostAlert.labels.site).toBe("festival");
            expect(minutes(alert.for)).toBeLessThan(minutes(hostAlert.for));
        }
    });

    it("has Alertmanager hold back a site's host alerts while SiteUnreachable fires for that site", () => {
        const r = shared.prd!;
        const amc = r.objects.find((o) => o.kind === "AlertmanagerConfig") as any;
        const inhibit = amc
            ? amc.spec.inhibitRules
            : (r.charts.find((c) => c.chart === "kube-prometheus-stack") as any).values.alertmanager.config
                  .inhibit_rules;
        const text = JSON.stringify(inhibit);
        expect(text).toContain("SiteUnreachable");
        const rule = inhibit.find((i: any) => JSON.stringify(i).includes("SiteUnreachable"));
        expect(rule.equal).toEqual(["site"]);
        const target = JSON.stringify(rule.targetMatch ?? rule.target_matchers);
        // The target matches both per-host alerts and not the site alert itself.
        const pattern = new RegExp(
            `^(${(rule.targetMatch?.[0].value ?? /"(.*)"/.exec(rule.target_matchers[0])![1]) as string})$`,
        );
        expect(["OnpremHostDown", "OnpremHostNotProbed"].every((a) => pattern.test(a))).toBe(true);
        expect(pattern.test("SiteUnreachable")).toBe(false);
        expect(target).toContain("alertname");
    });
});
