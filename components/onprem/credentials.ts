import { credentialRefs, OnpremHost, OnpremSettings } from "./spec";

/**
 * The `onpremCredentials` stack secret: JSON text mapping credential names to values, e.g.
 *   { "contest-ipmi": { "username": "ADMIN", "password": "..." },
 *     "contest-snmp": { "community": "..." },
 *     "firewall-snmpv3": { "securityName": "zabbix", "authPassphrase": "...", "privPassphrase": "..." } }
 * Hosts name the entry they use; many hosts may share one. Nothing here ever prints a value.
 */
export const CREDENTIALS_KEY = "onpremCredentials";

/** What the sync Job reads, per host (only the hosts Zabbix manages). */
export interface HostCredentials {
    ipmi?: { username: string; password: string };
    snmp?: { community?: string; securityName?: string; authPassphrase?: string; privPassphrase?: string };
}

/** Render hands a secret it cannot decrypt this placeholder text (see render/stack-file.ts). */
export function isPlaceholder(text: string): boolean {
    return text.startsWith("render-placeholder-");
}

/** The fields a host's use of a credential needs. */
export function neededFields(host: OnpremHost, use: "ipmi" | "snmp"): string[] {
    if (use === "ipmi") return ["username", "password"];
    const snmp = host.snmp!;
    if (snmp.version === "2c") return ["community"];
    if (snmp.securityLevel === "noAuthNoPriv") return ["securityName"];
    if (snmp.securityLevel === "authNoPriv") return ["securityName", "authPassphrase"];
    return ["securityName", "authPassphrase", "privPassphrase"];
}

export function parseCredentials(text: string): Record<string, unknown> | undefined {
    try {
        const v: unknown = JSON.parse(text);
        return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * The credentials file the sync Job reads: per Zabbix-managed host, the values of the credentials
 * it references. A placeholder secret (render) yields placeholder values of the same shape.
 */
export function hostCredentials(onprem: Pick<OnpremSettings, "hosts">, text: string): Record<string, HostCredentials> {
    const all = isPlaceholder(text) ? undefined : parseCredentials(text);
    const out: Record<string, HostCredentials> = {};
    for (const [name, host] of Object.entries(onprem.hosts)) {
        if (host.zabbix.skip) continue;
        const creds: HostCredentials = {};
        for (const ref of credentialRefs(host)) {
            const entry = (all?.[ref.name] ?? {}) as Record<string, unknown>;
            const value = Object.fromEntries(
                neededFields(host, ref.use).map((f) => [f, all ? String(entry[f] ?? "") : "render-placeholder"]),
            );
            if (ref.use === "ipmi") creds.ipmi = value as HostCredentials["ipmi"];
            else creds.snmp = value;
        }
        if (creds.ipmi || creds.snmp) out[name] = creds;
    }
    return out;
}
