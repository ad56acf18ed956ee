import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PSK_FILE, pskIdentity, secretFiles, SiteBundleArgs, siteBundleFiles, TUNNEL_FILE } from "./site-compose";

/** Bytes of a site proxy's pre-shared key (Zabbix takes 16 to 256; hex in the file). */
export const PSK_BYTES = 32;

export interface SiteBundleResourceArgs extends SiteBundleArgs {
    /** The site machine's WireGuard config (secret), for a `gateway` site. @default none */
    readonly tunnelConfig?: pulumi.Input<string>;
}

/** The PSK the sync gives the server for a site's proxy (docs/onprem.md, The site bundle). */
export interface ProxyPsk {
    readonly proxy: string;
    readonly identity: string;
    /** Hex; a secret. */
    readonly psk: pulumi.Output<string>;
}

/**
 * One site's bundle (components/onprem/site-compose.ts) as a secret output, map of path to file
 * content, and the proxy's pre-shared key, generated here so the bundle and the Zabbix sync get
 * the same one.
 */
export class SiteBundle extends pulumi.ComponentResource {
    /** Path to content, secrets included: the whole map is a secret. */
    readonly files: pulumi.Output<Record<string, string>>;
    readonly psk?: ProxyPsk;

    constructor(name: string, args: SiteBundleResourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:onprem:SiteBundle", name, {}, opts);
        const needs = secretFiles(args);
        const secrets: Record<string, pulumi.Input<string>> = {};
        if (needs.includes(TUNNEL_FILE)) {
            if (args.tunnelConfig === undefined)
                throw new Error(`site ${args.site.name}: the bundle needs the tunnel config`);
            secrets[TUNNEL_FILE] = args.tunnelConfig;
        }
        if (needs.includes(PSK_FILE)) {
            const key = new random.RandomBytes(`${name}-psk`, { length: PSK_BYTES }, { parent: this });
            this.psk = { proxy: args.site.zabbixProxy, identity: pskIdentity(args.site, args.stack), psk: key.hex };
            secrets[PSK_FILE] = key.hex.apply((h) => `${h}\n`);
        }
        this.files = pulumi.secret(
            pulumi.all(secrets).apply((s) => ({ ...siteBundleFiles(args), ...s }) as Record<string, string>),
        );
        this.registerOutputs({ files: this.files });
    }
}
