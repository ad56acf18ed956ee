import { createPrivateKey, createPublicKey } from "node:crypto";
import { GatewayPlan, hostBlock, SitePlan } from "./sites";

/**
 * WireGuard keys and configs for a `gateway` site. A WireGuard private key is 32 random bytes
 * clamped as X25519 wants (RFC 7748: clear the low 3 bits of the first byte, clear the top bit
 * and set the next of the last), base64-encoded; the public key is X25519 of it with the base
 * point, which node:crypto computes. Neither @pulumi/random nor @pulumi/tls has an X25519 key, so
 * the program takes @pulumi/random's RandomBytes (a secret) and derives both here, inside apply.
 */

/** DER prefix of a PKCS#8 X25519 private key (RFC 8410); the raw 32 bytes follow. */
const PKCS8_X25519 = Buffer.from("302e020100300506032b656e04220420", "hex");

/** A WireGuard private key (base64) from at least 32 random bytes given as base64. */
export function wireguardPrivateKey(randomBase64: string): string {
    const raw = Buffer.from(randomBase64, "base64");
    if (raw.length < 32) throw new Error(`a WireGuard key needs 32 random bytes, got ${raw.length}`);
    const key = Buffer.from(raw.subarray(0, 32));
    key[0]! &= 248;
    key[31]! &= 127;
    key[31]! |= 64;
    return key.toString("base64");
}

/** The public key (base64) of a WireGuard private key (base64). */
export function wireguardPublicKey(privateKey: string): string {
    const raw = Buffer.from(privateKey, "base64");
    if (raw.length !== 32) throw new Error(`a WireGuard private key is 32 bytes, got ${raw.length}`);
    const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519, raw]), format: "der", type: "pkcs8" });
    const spki = createPublicKey(key).export({ format: "der", type: "spki" });
    return spki.subarray(spki.length - 32).toString("base64");
}

/** What a `gateway` site's two configs are made from. */
export interface TunnelKeys {
    readonly gatewayPrivateKey: string;
    readonly sitePrivateKey: string;
    /** The gateway VM's static external address, which the site dials. */
    readonly gatewayIp: string;
}

/**
 * The gateway VM's `wg0.conf` (wg-quick). Traffic from the VPC for the site's ranges arrives on the
 * VM (a VPC route with it as next hop) and leaves through wg0; replies come back the same way.
 */
export function gatewayConfig(site: SitePlan & { gateway: GatewayPlan }, keys: TunnelKeys): string {
    const gw = site.gateway;
    return [
        "[Interface]",
        `# WireGuard gateway of on-prem site ${site.name}`,
        `Address = ${gw.gatewayAddress}`,
        `ListenPort = ${gw.listenPort}`,
        `PrivateKey = ${keys.gatewayPrivateKey}`,
        "",
        "[Peer]",
        `# the machine at site ${site.name}`,
        `PublicKey = ${wireguardPublicKey(keys.sitePrivateKey)}`,
        `AllowedIPs = ${[hostBlock(gw.siteAddress), ...site.ranges].join(", ")}`,
        "",
    ].join("\n");
}

/**
 * The site machine's `wg0.conf` (wg-quick): it dials the gateway (the site is behind NAT: only it
 * can open the path, and the keepalive holds the NAT mapping open), routes the cluster's ranges
 * through the tunnel and masquerades what comes out of it onto the LAN, so the site's hosts
 * answer the site machine and need no route back to the cluster.
 */
export function siteConfig(site: SitePlan & { gateway: GatewayPlan }, keys: TunnelKeys): string {
    const gw = site.gateway;
    const nat = site.clusterRanges.map((r) => `-s ${r}`);
    return [
        "[Interface]",
        `# on-prem site ${site.name}: the tunnel to the platform's gateway`,
        `Address = ${gw.siteAddress}`,
        `PrivateKey = ${keys.sitePrivateKey}`,
        // In a container /proc/sys is read-only; Docker has turned forwarding on for the host already.
        'PostUp = sysctl -qw net.ipv4.ip_forward=1 || [ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]',
        ...nat.map((s) => `PostUp = iptables -t nat -A POSTROUTING ${s} ! -o %i -j MASQUERADE`),
        ...nat.map((s) => `PostDown = iptables -t nat -D POSTROUTING ${s} ! -o %i -j MASQUERADE`),
        "",
        "[Peer]",
        "# the platform's gateway VM",
        `PublicKey = ${wireguardPublicKey(keys.gatewayPrivateKey)}`,
        `Endpoint = ${keys.gatewayIp}:${gw.listenPort}`,
        `AllowedIPs = ${[hostBlock(gw.gatewayAddress), ...site.clusterRanges].join(", ")}`,
        "PersistentKeepalive = 25",
        "",
    ].join("\n");
}

/** The site machine's interface for this stack's tunnel: one per stack, so dev's and prd's peers can share a machine. */
export function tunnelInterface(stack: string): string {
    return `wg-${stack}`.slice(0, 15);
}
