import { isPlaceholder } from "./credentials";

/** The stack secret holding each `vpn` site's IKE pre-shared key, as JSON `{ "<site>": "<key>" }`. */
export const VPN_SECRETS_KEY = "onpremVpnSecrets";

/** Problems with the secret for these `vpn` sites, naming key and site, never a value. */
export function vpnSecretProblems(sites: readonly string[], text: string | undefined): string[] {
    if (text === undefined || isPlaceholder(text) || sites.length === 0) return [];
    const key = `platform:${VPN_SECRETS_KEY}`;
    let all: unknown;
    try {
        all = JSON.parse(text);
    } catch {
        all = undefined;
    }
    if (typeof all !== "object" || all === null || Array.isArray(all))
        return [`${key}: is not a JSON object mapping vpn site names to pre-shared keys`];
    const map = all as Record<string, unknown>;
    return sites
        .filter((s) => typeof map[s] !== "string" || (map[s] as string).length < 8)
        .map(
            (s) =>
                `${key}: has no pre-shared key of at least 8 characters for site ${s} (onprem.sites.${s}.mode is vpn; the secret holds: ${Object.keys(map).sort().join(", ") || "none"})`,
        );
}

/** The site's pre-shared key from the secret's text; render's placeholder stands in for every site. */
export function vpnSharedSecret(text: string, site: string): string {
    if (isPlaceholder(text)) return text;
    const problems = vpnSecretProblems([site], text);
    if (problems.length > 0) throw new Error(problems.join("\n"));
    return (JSON.parse(text) as Record<string, string>)[site]!;
}
