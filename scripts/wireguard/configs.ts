// Writes the WireGuard configs the program generates for a stack's gateway site, with fresh keys,
// for scripts/wireguard/tunnel-test.sh:  tsx configs.ts <stack> <site> <gateway-ip> <out-dir>
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { sitePlans } from "../../components/onprem/sites";
import { gatewayConfig, siteConfig, wireguardPrivateKey } from "../../components/onprem/wireguard";
import { onpremSchema } from "../../config/sections/onprem";
import { networkSchema } from "../../config/sections/network";
import { ROOT } from "../../render/render";
import { readStack } from "../../render/stack-file";

const [stack = "dev", siteName = "festival", gatewayIp = "172.31.254.1", out = "/tmp/wg-test"] = process.argv.slice(2);
const config = readStack({ root: ROOT, stack }).config;
const onprem = onpremSchema.parse(JSON.parse(config["platform:onprem"] ?? "{}"));
const network = networkSchema.parse(JSON.parse(config["platform:network"] ?? "{}"));
const site = sitePlans(onprem.sites, onprem.hosts, stack, network).find((s) => s.name === siteName);
if (!site?.gateway) throw new Error(`stack ${stack} has no gateway site ${siteName}`);
const keys = {
    gatewayPrivateKey: wireguardPrivateKey(randomBytes(32).toString("base64")),
    sitePrivateKey: wireguardPrivateKey(randomBytes(32).toString("base64")),
    gatewayIp,
};
const plan = { ...site, gateway: site.gateway };
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, "gateway.conf"), gatewayConfig(plan, keys), { mode: 0o600 });
writeFileSync(path.join(out, "site.conf"), siteConfig(plan, keys), { mode: 0o600 });
// What the test needs besides the configs: addresses, ranges, one host of the site.
const host = site.hosts.map((h) => onprem.hosts[h]!).find((h) => h.kind === "service") ?? onprem.hosts[site.hosts[0]!]!;
writeFileSync(
    path.join(out, "plan.env"),
    [
        `GATEWAY_ADDRESS=${site.gateway.gatewayAddress}`,
        `SITE_ADDRESS=${site.gateway.siteAddress}`,
        `LISTEN_PORT=${site.gateway.listenPort}`,
        `SITE_RANGES="${site.ranges.join(" ")}"`,
        `CLUSTER_RANGES="${site.clusterRanges.join(" ")}"`,
        `SITE_HOST=${host.address}`,
        `POD_RANGE=${network.podsCidr}`,
        "",
    ].join("\n"),
);
console.log(`wrote ${out}/gateway.conf, site.conf, plan.env for ${stack}/${siteName}`);
