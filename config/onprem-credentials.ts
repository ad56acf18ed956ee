import * as pulumi from "@pulumi/pulumi";
import { CREDENTIALS_KEY, isPlaceholder, neededFields, parseCredentials } from "../components/onprem/credentials";
import { credentialRefs, OnpremHost } from "../components/onprem/spec";
import { ConfigError } from "./errors";
import { VPN_SECRETS_KEY, vpnSecretProblems } from "../components/onprem/vpn-secrets";
import type { OnpremSite } from "../components/onprem/sites";

/**
 * Problems with the credentials the inventory references, one line each, naming the host, the key
 * and the credential, never a value. `text` is the secret's plain text; undefined when the stack
 * has none (required-secrets reports that).
 */
export function credentialProblems(
    onprem: { readonly hosts: Readonly<Record<string, OnpremHost>> },
    text: string | undefined,
): string[] {
    if (text === undefined || isPlaceholder(text)) return [];
    const key = `platform:${CREDENTIALS_KEY}`;
    const all = parseCredentials(text);
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
 * Fails before anything is declared when a host references a credential the `onpremCredentials`
 * secret lacks. Reads the secret's plain text from the runtime config only to check names and
 * fields; no value reaches a message or a resource here.
 */
export function assertOnpremCredentials(onprem: {
    readonly hosts: Readonly<Record<string, OnpremHost>>;
    readonly sites?: Readonly<Record<string, OnpremSite>>;
}): void {
    const config = pulumi.runtime.allConfig();
    const vpnSites = Object.entries(onprem.sites ?? {})
        .filter(([, s]) => s.mode === "vpn")
        .map(([n]) => n);
    const problems = [
        ...credentialProblems(onprem, config[`platform:${CREDENTIALS_KEY}`]),
        ...vpnSecretProblems(vpnSites, config[`platform:${VPN_SECRETS_KEY}`]),
    ];
    if (problems.length > 0) throw new ConfigError(problems);
}
