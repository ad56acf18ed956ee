import { BUNDLE_SECRETS_DIR } from "../components/onprem/site-compose";
import { REDACTED } from "./redact";

/** The stack output that carries each site's bundle (components/onprem/site-bundle.ts). */
export const SITE_BUNDLES_OUTPUT = "onpremSiteBundles";

/** Site name to path to content, as render writes it under `<out>/<stack>/sites/`. */
export type SiteBundleFiles = Record<string, Record<string, string>>;

/** The key-like parts of a secret file: runs of 32 or more base64 or hex characters (keys, PSKs). */
function secretTokens(text: string): string[] {
    return text.match(/[A-Za-z0-9+/=]{32,}/g) ?? [];
}

/**
 * The site bundles from the stack outputs' plain values, with every file under `secrets/` replaced
 * by the placeholder render writes for any secret. The other files are built from plain values
 * only; should a secret's text turn up in one anyway, render refuses rather than write it.
 */
export function siteBundlesForRender(outputValues: Record<string, unknown>): SiteBundleFiles {
    const bundles = (outputValues[SITE_BUNDLES_OUTPUT] ?? {}) as SiteBundleFiles;
    const out: SiteBundleFiles = {};
    for (const [site, files] of Object.entries(bundles)) {
        const secrets = Object.entries(files).filter(([p]) => p.startsWith(`${BUNDLE_SECRETS_DIR}/`));
        out[site] = {};
        for (const [file, text] of Object.entries(files)) {
            if (file.startsWith(`${BUNDLE_SECRETS_DIR}/`)) {
                out[site][file] = `${REDACTED}\n`;
                continue;
            }
            const leaked = secrets.find(([, secret]) => secretTokens(secret).some((t) => text.includes(t)));
            if (leaked) throw new Error(`site bundle ${site}: ${file} contains the secret ${leaked[0]}`);
            out[site][file] = text;
        }
    }
    return out;
}
