import { stringify } from "yaml";
import { IMAGES } from "../versions";
import { BLACKBOX_MODULES } from "./external-host";
import { SitePlan, ZABBIX_TRAPPER_PORT } from "./sites";
import { siteReadme } from "./site-readme";
import { tunnelInterface } from "./wireguard";

/**
 * What an on-prem site's machine runs: a Compose project (the tunnel peer in `gateway` mode, the
 * site's Zabbix proxy and blackbox exporter where this stack watches the site, optionally a flow
 * collector), its README and the blackbox config. The secrets it needs are files under `secrets/`
 * that compose.yaml names: compose.yaml itself holds none, so render writes it exactly as the
 * stack output carries it, with only the `secrets/` files as placeholders.
 */

/** Files under this folder of a bundle are secret: render writes placeholders for them. */
export const BUNDLE_SECRETS_DIR = "secrets";
/** The site machine's WireGuard config (components/onprem/wireguard.ts siteConfig). */
export const TUNNEL_FILE = `${BUNDLE_SECRETS_DIR}/wg0.conf`;
/** The Zabbix proxy's pre-shared key, hex. */
export const PSK_FILE = `${BUNDLE_SECRETS_DIR}/zabbix.psk`;
/** Where the blackbox exporter listens, on the site machine's loopback only. */
export const SITE_BLACKBOX_PORT = 9115;
/** goflow2's listeners: NetFlow v5/v9 and IPFIX share one port, sFlow has its own. */
export const FLOW_PORTS = { netflow: 2055, sflow: 6343 } as const;
/** How long the proxy keeps data while the server is out of reach (hours): a tunnel outage loses nothing. */
export const PROXY_OFFLINE_BUFFER_HOURS = 24;

export interface SiteBundleArgs {
    /** The stack the bundle belongs to (its Compose project and tunnel interface carry the name). */
    readonly stack: string;
    readonly site: SitePlan;
    /**
     * The Zabbix server's trapper address, reachable from the site through its tunnel. Without it
     * (the site is not watched by this stack, or the stack runs no Zabbix) the bundle has no proxy.
     * @default none
     */
    readonly zabbixServer?: string;
}

/** The PSK identity the proxy presents and the server expects (not secret: it names the key). */
export function pskIdentity(site: SitePlan, stack: string): string {
    return `${site.zabbixProxy}-${stack}`;
}

/** Bundle parts that exist for this stack and site. */
export function bundleParts(args: SiteBundleArgs): { tunnel: boolean; proxy: boolean; flows: boolean } {
    const watched = args.site.watched && args.zabbixServer !== undefined;
    return { tunnel: args.site.mode === "gateway", proxy: watched, flows: args.site.watched && args.site.flows };
}

/**
 * Whether the site's machine runs anything of this stack's: a tunnel, a proxy or a collector. A
 * site the stack watches without a Zabbix server of its own (Zabbix off) and without flows runs
 * nothing, and gets no bundle.
 */
export function bundleHasServices(args: SiteBundleArgs): boolean {
    const parts = bundleParts(args);
    return parts.tunnel || parts.proxy || parts.flows;
}

/** The secret files the bundle names (each comes from the stack output only). */
export function secretFiles(args: SiteBundleArgs): string[] {
    const parts = bundleParts(args);
    return [...(parts.tunnel ? [TUNNEL_FILE] : []), ...(parts.proxy ? [PSK_FILE] : [])];
}

/** Rotate logs: a chatty flow collector must not fill the machine's disk. */
const logging = { driver: "json-file", options: { "max-size": "10m", "max-file": "3" } };

function wireguardService(stack: string): Record<string, unknown> {
    const wg = tunnelInterface(stack);
    return {
        image: IMAGES.siteWireguard,
        restart: "unless-stopped",
        // wg-quick creates the interface, its routes and the NAT rules in the machine's own
        // network namespace: the other services' traffic to the cluster leaves through it.
        network_mode: "host",
        // Creating an interface, routes and iptables rules takes NET_ADMIN, and nothing more: the
        // kernel loads its WireGuard module itself. Not privileged. The image's init (s6) writes
        // under / at start, so its root filesystem cannot be read-only.
        cap_add: ["NET_ADMIN"],
        secrets: [{ source: "wireguard", target: `/config/wg_confs/${wg}.conf` }],
        healthcheck: {
            // Healthy while the gateway answered a handshake in the last 3 minutes (they renew every 2).
            test: [
                "CMD-SHELL",
                `t=$$(wg show ${wg} latest-handshakes | awk '{print $$2}'); [ -n "$$t" ] && [ $$(( $$(date +%s) - t )) -lt 180 ]`,
            ],
            interval: "30s",
            timeout: "5s",
            retries: 3,
            start_period: "60s",
        },
        logging,
    };
}

function proxyService(args: SiteBundleArgs & { zabbixServer: string }, tunnel: boolean): Record<string, unknown> {
    const { site, stack } = args;
    return {
        image: IMAGES.siteZabbixProxy,
        restart: "unless-stopped",
        ...(tunnel ? { depends_on: { wireguard: { condition: "service_started" } } } : {}),
        environment: {
            ZBX_PROXYMODE: "0",
            ZBX_HOSTNAME: site.zabbixProxy,
            ZBX_SERVER_HOST: args.zabbixServer,
            ZBX_SERVER_PORT: String(ZABBIX_TRAPPER_PORT),
            ZBX_TLSCONNECT: "psk",
            ZBX_TLSACCEPT: "psk",
            ZBX_TLSPSKIDENTITY: pskIdentity(site, stack),
            ZBX_TLSPSKFILE: "/run/secrets/zabbix_psk",
            ZBX_STARTIPMIPOLLERS: "1",
            ZBX_PROXYOFFLINEBUFFER: String(PROXY_OFFLINE_BUFFER_HOURS),
        },
        secrets: ["zabbix_psk"],
        volumes: ["zabbix-proxy-data:/var/lib/zabbix/db_data"],
        // The image's entrypoint writes zabbix_proxy.conf from the environment at start: its root
        // filesystem stays writable. It runs as the image's zabbix user, with no capability added.
        cap_drop: ["ALL"],
        security_opt: ["no-new-privileges:true"],
        healthcheck: {
            test: ["CMD-SHELL", "grep -qsx zabbix_proxy /proc/[0-9]*/comm"],
            interval: "30s",
            timeout: "5s",
            retries: 3,
            start_period: "60s",
        },
        logging,
    };
}

function blackboxService(): Record<string, unknown> {
    return {
        image: IMAGES.siteBlackbox,
        restart: "unless-stopped",
        command: ["--config.file=/etc/blackbox/blackbox.yml", `--web.listen-address=:${SITE_BLACKBOX_PORT}`],
        configs: [{ source: "blackbox", target: "/etc/blackbox/blackbox.yml" }],
        // Loopback of the machine only: for the person at the site; nothing needs to reach it.
        ports: [`127.0.0.1:${SITE_BLACKBOX_PORT}:${SITE_BLACKBOX_PORT}`],
        // ICMP through unprivileged ping sockets (Docker opens net.ipv4.ping_group_range in a
        // container's own network namespace): no NET_RAW, no root.
        user: "65534:65534",
        read_only: true,
        cap_drop: ["ALL"],
        security_opt: ["no-new-privileges:true"],
        healthcheck: {
            test: ["CMD", "wget", "-q", "-O", "/dev/null", `http://127.0.0.1:${SITE_BLACKBOX_PORT}/-/healthy`],
            interval: "30s",
            timeout: "5s",
            retries: 3,
        },
        logging,
    };
}

function flowsService(): Record<string, unknown> {
    return {
        image: IMAGES.siteFlows,
        restart: "unless-stopped",
        command: [
            `-listen=netflow://:${FLOW_PORTS.netflow},sflow://:${FLOW_PORTS.sflow}`,
            "-format=json",
            "-transport=file",
            "-addr=127.0.0.1:8080",
        ],
        // The site's routers export to the machine's LAN address; flows go to the container log
        // (JSON lines, rotated), where the machine's log shipper picks them up.
        ports: [`${FLOW_PORTS.netflow}:${FLOW_PORTS.netflow}/udp`, `${FLOW_PORTS.sflow}:${FLOW_PORTS.sflow}/udp`],
        user: "65534:65534",
        read_only: true,
        cap_drop: ["ALL"],
        security_opt: ["no-new-privileges:true"],
        healthcheck: {
            test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/metrics"],
            interval: "30s",
            timeout: "5s",
            retries: 3,
        },
        logging,
    };
}

/** The Compose project as an object (stringified by siteBundleFiles). */
export function composeProject(args: SiteBundleArgs): Record<string, unknown> {
    const parts = bundleParts(args);
    const services: Record<string, unknown> = {};
    if (parts.tunnel) services.wireguard = wireguardService(args.stack);
    if (parts.proxy) {
        services["zabbix-proxy"] = proxyService({ ...args, zabbixServer: args.zabbixServer! }, parts.tunnel);
        services.blackbox = blackboxService();
    }
    if (parts.flows) services.flows = flowsService();
    const secrets: Record<string, unknown> = {};
    if (parts.tunnel) secrets.wireguard = { file: `./${TUNNEL_FILE}` };
    if (parts.proxy) secrets.zabbix_psk = { file: `./${PSK_FILE}` };
    return {
        name: `${args.site.name}-${args.stack}`,
        services,
        ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
        ...(parts.proxy ? { configs: { blackbox: { file: "./blackbox.yml" } } } : {}),
        ...(parts.proxy ? { volumes: { "zabbix-proxy-data": {} } } : {}),
    };
}

/** The site blackbox exporter's modules, named as the cluster's (components/onprem/external-host.ts). */
export function blackboxConfig(): Record<string, unknown> {
    return {
        modules: {
            [BLACKBOX_MODULES.icmp]: { prober: "icmp", timeout: "5s", icmp: { preferred_ip_protocol: "ip4" } },
            [BLACKBOX_MODULES.tcp]: { prober: "tcp", timeout: "5s", tcp: { preferred_ip_protocol: "ip4" } },
        },
    };
}

/** Plain YAML for people to read: no anchors for repeated parts, no folded long lines. */
const YAML_OPTIONS = { aliasDuplicateObjects: false, lineWidth: 0 } as const;

const HEADER = (site: string, stack: string) =>
    `# Generated by the platform program (stack ${stack}, on-prem site ${site}); edits are overwritten.\n`;

/** The bundle's files that hold no secret, by path. */
export function siteBundleFiles(args: SiteBundleArgs): Record<string, string> {
    const parts = bundleParts(args);
    const head = HEADER(args.site.name, args.stack);
    return {
        "compose.yaml": head + stringify(composeProject(args), YAML_OPTIONS),
        "README.md": siteReadme(args, parts, secretFiles(args)),
        ...(parts.proxy ? { "blackbox.yml": head + stringify(blackboxConfig(), YAML_OPTIONS) } : {}),
    };
}
