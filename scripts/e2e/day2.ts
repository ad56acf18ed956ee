import { parse, stringify } from "yaml";

/** Traefik's ServiceAccount as the API server names it (the chart's, in the edge namespace). */
export const TRAEFIK_USER = "system:serviceaccount:edge:traefik";

/**
 * The e2e stack's day-2 change: it stops hosting branch previews (no Sablier server, no Sablier
 * middleware), so its Traefik moves from every namespace (ClusterRole) to the namespaces routes
 * are published into, each through a Role of its own: the prd shape. Everything else of the
 * stack file (its encryption salt, the secrets set in it) is kept as it is.
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
