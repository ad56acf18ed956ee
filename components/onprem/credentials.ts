import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../../config/errors";
import { credentialRefs, OnpremConfig, OnpremHost } from "../../config/sections/onprem";

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
function isPlaceholder(text: string): boolean {
    return text.startsWith("render-placeholder-");
}

/** The fields a host's use of a credential needs. */
function neededFields(host: OnpremHost, use: "ipmi" | "snmp"): string[] {
    if (use === "ipmi") return ["username", "password"];
    const snmp = host.snmp!;
    if (snmp.version === "2c") return ["community"];
    if (snmp.securityLevel === "noAuthNoPriv") return ["securityName"];
    if (snmp.securityLevel === "authNoPriv") return ["securityName", "authPassphrase"];
    return ["securityName", "authPassphrase", "privPassphrase"];
}

function parse(text: string): Record<string, unknown> | undefined {
    try {
        const v: unknown = JSON.parse(text);
        return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
        return undefined;
    }
}

/**
 * Problems with the credentials the inventory references, one line each, naming the host, the key
 * and the credential, never a value. `text` is the secret's plain text; undefined when the stack
 * has none (required-secrets reports that).
 */
export function credentialProblems(onprem: OnpremConfig, text: string | undefined): string[] {
    if (text === undefined || isPlaceholder(text)) return [];
    const key = `platform:${CREDENTIALS_KEY}`;
    const all = parse(text);
    if (!all) return [`${key}: is not a JSON object mapping credential names to values`];
    const problems: string[] = [];
    for (const [name, host] of Object.entries(onprem.hosts)) {
        for (const ref of credentialRefs(host)) {
            const where = `onprem.hosts.${name}.${ref.key}: "${ref.name}"`;
            const entry = all[ref.name];
            if (entry === undefined) {
                const held = Object.keys(all).sort().join(", ") || "none";
                problems.push(`${where} is not in ${key} (host ${name}; the secret holds: ${held})`);
                continue;
            }
            const fields = (entry ?? {}) as Record<string, unknown>;
            const lacking = neededFields(host, ref.use).filter(
                (f) => typeof fields[f] !== "string" || (fields[f] as string) === "",
            );
            if (lacking.length > 0) {
                problems.push(
                    `${where} in ${key} lacks ${lacking.join(", ")} (host ${name} uses it for ${ref.use.toUpperCase()})`,
                );
            }
        }
    }
    return problems;
}

/**
 * The credentials file the sync Job reads: per Zabbix-managed host, the values of the credentials
 * it references. A placeholder secret (render) yields placeholder values of the same shape.
 */
export function hostCredentials(onprem: OnpremConfig, text: string): Record<string, HostCredentials> {
    const all = isPlaceholder(text) ? undefined : parse(text);
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

/** Whether any host references a credential (then the secret is required). */
export function needsCredentials(onprem: OnpremConfig): boolean {
    return Object.values(onprem.hosts).some((h) => credentialRefs(h).length > 0);
}

/**
 * Fails before anything is declared when a host references a credential the `onpremCredentials`
 * secret lacks. Reads the secret's plain text from the runtime config only to check names and
 * fields; no value reaches a message or a resource here.
 */
export function assertOnpremCredentials(onprem: OnpremConfig): void {
    const text = pulumi.runtime.allConfig()[`platform:${CREDENTIALS_KEY}`];
    const problems = credentialProblems(onprem, text);
    if (problems.length > 0) throw new ConfigError(problems);
}
