// Rendered manifests and outputs are untyped data here; `any` reads them without ceremony.
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { zabbixProxyName } from "../../components/onprem/sites";
import { IMAGES } from "../../components/versions";
import { unwrapSecrets } from "../../render/redact";
import { filesUnder, rendered, SharedRender } from "../rendered";
import { stackConfig } from "../stack-files";

type Stack = "dev" | "prd";
const shared: Partial<Record<Stack, SharedRender>> = {};
beforeAll(async () => {
    shared.dev = await rendered("dev");
    shared.prd = await rendered("prd");
});

function sites(stack: Stack): Record<string, any> {
    return (stackConfig(stack)["platform:onprem"] as { sites: Record<string, any> }).sites;
}

/** The sites a stack's bundle is for, from its stack file: the ones it watches, and every gateway site. */
function bundled(stack: Stack): string[] {
    return Object.entries(sites(stack))
        .filter(([, s]) => (s.monitoredBy ?? "prd") === stack || s.mode === "gateway")
        .map(([n]) => n)
        .sort();
}

const watched = (stack: Stack, site: string) => (sites(stack)[site].monitoredBy ?? "prd") === stack;

/** The stack output's plain values (secrets unwrapped: what `--show-secrets` prints). */
function bundleOutput(r: SharedRender): Record<string, Record<string, string>> {
    return r.recording.outputValues.onpremSiteBundles as Record<string, Record<string, string>>;
}

function siteDir(r: SharedRender, site: string): string {
    return path.join(r.dir, "sites", site);
}

function compose(r: SharedRender, site: string): any {
    return parse(readFileSync(path.join(siteDir(r, site), "compose.yaml"), "utf8"));
}

describe.each(["dev", "prd"] as const)("render %s: site bundles", (stack) => {
    it("writes a bundle for each site the stack watches or tunnels to, and the same as a secret output", () => {
        const r = shared[stack]!;
        const expected = bundled(stack);
        expect(expected.length).toBeGreaterThan(0);
        expect(Object.keys(bundleOutput(r)).sort()).toEqual(expected);
        expect(r.outputSecrets.onpremSiteBundles).toBe(true);
        for (const site of expected) {
            for (const file of ["compose.yaml", "README.md"])
                expect(existsSync(path.join(siteDir(r, site), file))).toBe(true);
        }
    });

    it("writes compose.yaml exactly as the output carries it, and every secret file only as a placeholder", () => {
        const r = shared[stack]!;
        for (const [site, files] of Object.entries(bundleOutput(r))) {
            const secretFiles = Object.keys(files).filter((f) => f.startsWith("secrets/"));
            expect(secretFiles.length).toBeGreaterThan(0);
            expect(readFileSync(path.join(siteDir(r, site), "compose.yaml"), "utf8")).toBe(files["compose.yaml"]);
            for (const f of secretFiles) {
                expect(readFileSync(path.join(siteDir(r, site), f), "utf8")).toBe("[secret]\n");
                // No secret value anywhere render wrote.
                const value = files[f]!.match(/PrivateKey = (\S+)/)?.[1] ?? files[f]!.trim();
                expect(value.length).toBeGreaterThanOrEqual(44);
                for (const written of filesUnder(r.dir)) expect(readFileSync(written, "utf8")).not.toContain(value);
            }
        }
    });

    it("runs the tunnel peer for a gateway site and a proxy and blackbox exporter only where it watches", () => {
        const r = shared[stack]!;
        for (const site of bundled(stack)) {
            const services = Object.keys(compose(r, site).services).sort();
            const want = [
                ...(sites(stack)[site].mode === "gateway" ? ["wireguard"] : []),
                ...(watched(stack, site) ? ["blackbox", "zabbix-proxy"] : []),
            ].sort();
            expect(services).toEqual(want);
            const secrets = Object.keys(bundleOutput(r)[site]!).filter((f) => f.startsWith("secrets/"));
            expect(secrets.includes("secrets/zabbix.psk")).toBe(watched(stack, site));
            expect(secrets.includes("secrets/wg0.conf")).toBe(sites(stack)[site].mode === "gateway");
        }
    });

    it("gives the tunnel peer the site's WireGuard config, no privilege and NET_ADMIN alone", () => {
        const r = shared[stack]!;
        const wg = compose(r, "festival").services.wireguard;
        expect(wg.privileged).toBeUndefined();
        expect(wg.cap_add).toEqual(["NET_ADMIN"]);
        expect(bundleOutput(r).festival!["secrets/wg0.conf"]).toBe(
            (r.recording.outputValues.onpremSiteTunnels as Record<string, string>).festival,
        );
    });
});

describe("render prd: the watched sites' Zabbix proxies", () => {
    it("names each proxy as the sync does, points it at the trapper's internal load balancer, with a PSK file", () => {
        const r = shared.prd!;
        const svc = r.objects.find((o) => o.kind === "Service" && o.metadata.name === "zabbix-trapper") as any;
        expect(svc.metadata.annotations["networking.gke.io/load-balancer-type"]).toBe("Internal");
        const address = r.resources.find(
            (x) => x.type === "gcp:compute/address:Address" && x.name === "zabbix-trapper-ip",
        )!.inputs as any;
        expect(address.addressType).toBe("INTERNAL");
        expect(svc.spec.loadBalancerIP).toBe(address.address);
        for (const site of bundled("prd").filter((s) => watched("prd", s))) {
            const proxy = compose(r, site).services["zabbix-proxy"];
            expect(proxy.environment.ZBX_HOSTNAME).toBe(zabbixProxyName(site));
            expect(proxy.environment.ZBX_SERVER_HOST).toBe(address.address);
            expect(proxy.environment.ZBX_PROXYMODE).toBe("0");
            expect(proxy.environment.ZBX_TLSCONNECT).toBe("psk");
            expect(proxy.secrets).toEqual(["zabbix_psk"]);
            // The same Zabbix version as the server.
            expect(proxy.image.split(":")[1]).toBe(IMAGES.zabbixTag);
            // Nothing secret in the environment: the key stays in its file.
            expect(JSON.stringify(proxy)).not.toContain(bundleOutput(r)[site]!["secrets/zabbix.psk"]!.trim());
        }
    });

    it("gives the sync each proxy's PSK and identity, in a Secret only, the same as the bundle's", () => {
        const r = shared.prd!;
        const secret = r.resources.find((x) => x.name === "onprem-zabbix-credentials")!.inputs as any;
        const proxies = JSON.parse((unwrapSecrets(secret.stringData) as Record<string, string>)["proxies.json"]!);
        for (const site of bundled("prd").filter((s) => watched("prd", s))) {
            const files = bundleOutput(r)[site]!;
            const psk = files["secrets/zabbix.psk"]!.trim();
            expect(psk).toMatch(/^[0-9a-f]{64}$/);
            expect(proxies[zabbixProxyName(site)]).toEqual({
                identity: compose(r, site).services["zabbix-proxy"].environment.ZBX_TLSPSKIDENTITY,
                psk,
            });
        }
        expect(JSON.stringify(r.outputs)).not.toMatch(/[0-9a-f]{64}/);
    });

    it("lets only the watched sites' ranges and tunnel addresses reach the trapper, at the load balancer and the pod", () => {
        const r = shared.prd!;
        const want = Object.values(sites("prd"))
            .flatMap((s: any) => [
                ...s.ranges,
                ...(s.mode === "gateway" ? [s.gateway.tunnelCidr.replace(/\.0\/30$/, ".2/32")] : []),
            ])
            .sort();
        const svc = r.objects.find((o) => o.kind === "Service" && o.metadata.name === "zabbix-trapper") as any;
        expect([...svc.spec.loadBalancerSourceRanges].sort()).toEqual(want);
        expect(svc.spec.ports).toEqual([{ name: "trapper", port: 10051, targetPort: 10051, protocol: "TCP" }]);
        const np = r.objects.find(
            (o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-zabbix-proxies",
        ) as any;
        expect(np.spec.ingress[0].from.map((f: any) => f.ipBlock.cidr).sort()).toEqual(want);
        expect(np.spec.ingress[0].ports).toEqual([{ protocol: "TCP", port: 10051 }]);
        // The policy open to any source no longer carries the trapper port.
        const open = r.objects.find(
            (o) => o.kind === "NetworkPolicy" && o.metadata.name === "allow-zabbix-agents",
        ) as any;
        expect(open.spec.ingress[0].ports.map((p: any) => p.port)).not.toContain(10051);
    });

    it("has no trapper load balancer in a stack that watches no site", () => {
        const dev = shared.dev!;
        expect(dev.objects.filter((o) => o.metadata.name === "zabbix-trapper")).toEqual([]);
        expect(dev.resources.filter((x) => x.name === "zabbix-trapper-ip")).toEqual([]);
    });
});

describe("render: the site README", () => {
    it("tells the person at the site where the secrets come from, what to run and which ports matter", () => {
        const readme = readFileSync(path.join(siteDir(shared.prd!, "festival"), "README.md"), "utf8");
        expect(readme).toContain("pulumi stack output onpremSiteBundles --show-secrets --stack prd");
        expect(readme).toContain("docker compose up -d");
        for (const port of ["623/udp", "161/udp", "10050/tcp"]) expect(readme).toContain(port);
        expect(readme).toContain("nothing inbound is needed");
        expect(readme).toContain("secrets/wg0.conf");
        expect(readme).toContain("secrets/zabbix.psk");
        expect(readme).toContain(zabbixProxyName("festival"));
    });
});
