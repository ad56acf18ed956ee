import { parse, stringify } from "yaml";

/** Traefik's ServiceAccount as the API server names it (the chart's, in the edge namespace). */
export const TRAEFIK_USER = "system:serviceaccount:edge:traefik";

/**
 * The e2e stack without branch previews (no Sablier server, no Sablier middleware): its Traefik
 * watches only the namespaces routes are published into, each through a Role of its own, prd's
 * shape. The interrupted stack runs this way. Everything else of the stack file (an encryption
 * salt, secrets set in it) is kept as it is.
 */
export function withoutPreviews(stackFileText: string): string {
    const doc = parse(stackFileText) as { config: Record<string, Record<string, unknown>> };
    const config = doc.config;
    config["platform:previews"] = { ...config["platform:previews"], enabled: false };
    config["platform:edge"] = { ...config["platform:edge"], sablier: false };
    return stringify(doc);
}

/** `kubectl auth can-i` arguments: may Traefik list Secrets in `namespace` (or in every one)? */
export function traefikReadsSecrets(namespace: string | "every namespace"): string[] {
    const where = namespace === "every namespace" ? ["--all-namespaces"] : ["--namespace", namespace];
    return ["auth", "can-i", "list", "secrets", ...where, "--as", TRAEFIK_USER];
}
