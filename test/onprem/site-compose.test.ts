// Parsed compose files are untyped data here; `any` reads them without ceremony.
import { parse } from "yaml";
import { onpremSchema } from "../../config/sections/onprem";
import { sitePlans } from "../../components/onprem/sites";
import { bundleHasServices, FLOW_PORTS, secretFiles, siteBundleFiles } from "../../components/onprem/site-compose";
import { siteBundlesForRender } from "../../render/site-bundles";

const cluster = { subnetCidr: "10.10.0.0/20", podsCidr: "10.20.0.0/14" };

function plan(site: Record<string, unknown>, stack = "prd") {
    const cfg = onpremSchema.parse({
        sites: { hall: { ranges: ["10.77.0.0/16"], ...site } },
        hosts: { sw: { kind: "network-device", site: "hall", address: "10.77.0.2" } },
    });
    return sitePlans(cfg.sites, cfg.hosts, stack, cluster)[0]!;
}

const gateway = { mode: "gateway", gateway: { tunnelCidr: "10.255.1.0/30" } };

describe("site bundle: the flow collector switch", () => {
    it("is off unless the site asks for it", () => {
        const files = siteBundleFiles({ stack: "prd", site: plan(gateway), zabbixServer: "10.10.15.253" });
        expect(Object.keys(parse(files["compose.yaml"]!).services)).not.toContain("flows");
    });

    it("adds goflow2 on the NetFlow/IPFIX and sFlow ports, read-only and unprivileged, when on", () => {
        const files = siteBundleFiles({
            stack: "prd",
            site: plan({ ...gateway, flows: true }),
            zabbixServer: "10.10.15.253",
        });
        const flows = parse(files["compose.yaml"]!).services.flows;
        expect(flows.image).toMatch(/goflow2/);
        expect(flows.ports).toEqual([
            `${FLOW_PORTS.netflow}:${FLOW_PORTS.netflow}/udp`,
            `${FLOW_PORTS.sflow}:${FLOW_PORTS.sflow}/udp`,
        ]);
        expect(flows.read_only).toBe(true);
        expect(flows.cap_drop).toEqual(["ALL"]);
        expect(files["README.md"]).toContain("6343/udp");
    });

    it("is the watcher's alone: another stack's bundle has no collector", () => {
        const site = plan({ ...gateway, flows: true }, "dev");
        const files = siteBundleFiles({ stack: "dev", site });
        expect(Object.keys(parse(files["compose.yaml"]!).services)).toEqual(["wireguard"]);
        expect(secretFiles({ stack: "dev", site })).toEqual(["secrets/wg0.conf"]);
    });
});

const vpn = {
    mode: "vpn",
    vpn: {
        peerAddresses: ["203.0.113.9"],
        peerAsn: 65010,
        bgpCidrs: ["169.254.9.0/30", "169.254.9.4/30"],
        probeAddress: "10.77.0.1",
    },
};

describe("site bundle: a vpn site", () => {
    it("runs no tunnel peer of its own (the router carries the VPN)", () => {
        const site = plan(vpn);
        const files = siteBundleFiles({ stack: "prd", site, zabbixServer: "10.10.15.253" });
        expect(Object.keys(parse(files["compose.yaml"]!).services).sort()).toEqual(["blackbox", "zabbix-proxy"]);
        expect(secretFiles({ stack: "prd", site, zabbixServer: "10.10.15.253" })).toEqual(["secrets/zabbix.psk"]);
    });
});

describe("site bundle: a watched vpn site on a stack without Zabbix", () => {
    it("gets no bundle when it has no flow collector either: its machine would run nothing", () => {
        const site = plan(vpn);
        expect(site.watched).toBe(true);
        expect(bundleHasServices({ stack: "prd", site })).toBe(false);
        expect(bundleHasServices({ stack: "prd", site, zabbixServer: "10.10.15.253" })).toBe(true);
    });

    it("with flows, runs the collector alone, and its README asks for no secret file", () => {
        const site = plan({ ...vpn, flows: true });
        expect(bundleHasServices({ stack: "prd", site })).toBe(true);
        const files = siteBundleFiles({ stack: "prd", site });
        expect(Object.keys(parse(files["compose.yaml"]!).services)).toEqual(["flows"]);
        expect(secretFiles({ stack: "prd", site })).toEqual([]);
        expect(files["README.md"]).not.toContain("secrets/");
        expect(files["README.md"]).not.toMatch(/secret files\s+come only/);
        expect(files["README.md"]).toContain("watches this site but runs no Zabbix server");
    });
});

describe("render: site bundle files", () => {
    it("writes secret files as placeholders and refuses a file that carries a secret's key", () => {
        const key = "k".repeat(43) + "=";
        const ok = siteBundlesForRender({
            onpremSiteBundles: {
                hall: { "compose.yaml": "services: {}\n", "secrets/wg0.conf": `PrivateKey = ${key}\n` },
            },
        });
        expect(ok.hall).toEqual({ "compose.yaml": "services: {}\n", "secrets/wg0.conf": "[secret]\n" });
        expect(() =>
            siteBundlesForRender({
                onpremSiteBundles: { hall: { "README.md": `key ${key}`, "secrets/wg0.conf": `PrivateKey = ${key}\n` } },
            }),
        ).toThrow("site bundle hall: README.md contains the secret secrets/wg0.conf");
    });
});
