/**
 * Whether a key or env name says its value is a secret. Shared by the env rule and the
 * values/ConfigMap/output rules so both read names the same way.
 */

/** Words that make a name secret when the name ends with them. */
const SECRET_WORDS = [
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "secretaccesskey",
    "credential",
    "credentials",
    "kubeconfig",
    "dsn",
];
/**
 * Endings that name where a secret is rather than hold it: `existingSecret`, `secretName`,
 * `passwordKey` (the key inside a Secret), `DB_PASSWORD_FILE`, `tokenRef`, `tokenPath`, `secretKeyRef`.
 */
const REFERENCE_ENDINGS = ["name", "ref", "file", "path", "secrets", "keyref", "url", "selector"];
const KEY_SELECTORS = ["passwordkey", "userkey", "usernamekey", "tokenkey", "secretkeyref", "clientsecretkey"];

/** `DB_PASSWORD`, `db-password`, `dbPassword` -> ["db", "password"] */
function words(name: string): string[] {
    return name
        .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
        .split(/[^A-Za-z0-9]+/)
        .filter(Boolean)
        .map((w) => w.toLowerCase());
}

/** True when `name` says its value is a secret (and does not merely point at one). */
export function namesSecret(name: string): boolean {
    const w = words(name);
    if (w.length === 0) return false;
    const joined = w.join("");
    if (w[0] === "existing") return false;
    if (KEY_SELECTORS.some((k) => joined.endsWith(k))) return false;
    if (REFERENCE_ENDINGS.includes(w[w.length - 1]!)) return false;
    // the last one or two words: `password`, `api key`, `secret access key`
    for (const n of [1, 2, 3]) {
        if (w.length >= n && SECRET_WORDS.includes(w.slice(-n).join(""))) return true;
    }
    return false;
}

/** Text that is key material whatever it is called. */
export const SECRET_TEXT =
    /-----BEGIN [A-Z ]*PRIVATE KEY-----|^gh[pousr]_[A-Za-z0-9]{20,}$|^github_pat_[A-Za-z0-9_]{20,}$|^xox[abpr]-[A-Za-z0-9-]+$|^AKIA[0-9A-Z]{16}$/;

/** A value that points at a secret instead of holding it: `$__file{...}`, `${VAR}`, `$VAR`, `$(VAR)` compositions, paths. */
export function isReference(value: string): boolean {
    return (
        /^\$__(file|env)\{/.test(value) ||
        /\$\([A-Za-z_][A-Za-z0-9_]*\)/.test(value) ||
        /^\$\{[A-Za-z_][A-Za-z0-9_]*\}$/.test(value) ||
        // Grafana provisioning expands `$VAR` from the environment (filled from a Secret).
        /^\$[A-Za-z_][A-Za-z0-9_]*$/.test(value) ||
        value.startsWith("/")
    );
}
