import { z } from "zod";
import type { Environment } from "../../contract/environment";
import { uniqueList } from "../unique";
import { domainName } from "../validators";

/** A GitHub organisation login: letters, digits and single '-' (not at either end), at most 39. */
const githubLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/, {
    message: "is not a GitHub organisation login (letters, digits and '-', at most 39 characters)",
});

/** A GitHub team slug as it appears in the team's URL. */
const teamSlug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/, {
    message: "is not a GitHub team slug (lower-case letters, digits, '-' and '_', as in the team's URL)",
});

/**
 * `platform:edge`: Traefik, cert-manager and oauth2-proxy. A stack without the key has no edge
 * (nothing is published); with the key, the edge is on unless `enabled: false`.
 */
export const edgeSchema = z
    .object({
        enabled: z.boolean().default(true).meta({
            description:
                "Deploy the edge; every published host needs it. Applies when the `platform:edge` key is there: a stack without the key has no edge.",
        }),
        githubOrg: githubLogin.optional().meta({
            description:
                "GitHub organisation whose members may sign in; **required when enabled** (without it any GitHub user could).",
        }),
        githubTeams: uniqueList(teamSlug)
            .max(20)
            .default([])
            .meta({ description: "Team slugs inside `githubOrg`; when set, a user must be in one of these teams." }),
        acmeEmail: z.email({ message: "is not an email address" }).optional().meta({
            description: "Contact address registered with Let's Encrypt. Unset: none (Let's Encrypt allows it).",
        }),
        issuer: z.enum(["staging", "production"]).optional().meta({
            description:
                "Let's Encrypt endpoint; staging certificates are not browser-trusted. Unset: `staging` on dev, `production` on prd.",
        }),
        replicas: z
            .number()
            .int()
            .min(1)
            .max(10)
            .optional()
            .meta({ description: "Traefik replicas; prd refuses fewer than 2. Unset: 1 on dev, 2 on prd." }),
        authReplicas: z
            .number()
            .int()
            .min(1)
            .max(10)
            .optional()
            .meta({ description: "oauth2-proxy replicas; prd refuses fewer than 2. Unset: 1 on dev, 2 on prd." }),
        cookieDomain: domainName.optional().meta({
            description:
                "Share one sign-in over every host under this domain (the stack's domain or a parent of it). Unset: each host gets its own host-only session cookie (its own sign-in, silent after the first GitHub authorisation), the only choice on a stack hosting branch previews. Refused when it contains or lies inside a domain in `otherStackDomains`.",
        }),
        otherStackDomains: uniqueList(domainName).max(20).default([]).meta({
            description:
                "The `dns.domain` of every other stack of the platform (e.g. prd lists `dev.example.org`): a `cookieDomain` nesting with one of them is refused, since that stack's hosts (and previews) would get this stack's session.",
        }),
        sablier: z.boolean().default(false).meta({
            description:
                "Branch staging: loads the platform's own Sablier middleware into Traefik as a local plugin (`experimental.localPlugins.sablier`, its source shipped in a ConfigMap: nothing is downloaded) and sets `providers.kubernetesCRD.allowEmptyServices: true`, so a scaled-to-zero preview is routed to Sablier's middleware instead of disappearing. Traefik then watches every namespace (previews live in namespaces this stack never declares).",
        }),
    })
    .strict()
    .superRefine((e, ctx) => {
        if (e.enabled && !e.githubOrg) {
            ctx.addIssue({
                code: "custom",
                path: ["githubOrg"],
                input: e.githubOrg,
                message:
                    "is required when the edge is enabled (the GitHub organisation allowed to sign in; without it any GitHub user could)",
            });
        }
    });

export type EdgeConfig = z.output<typeof edgeSchema>;

/** What a stack without `platform:edge` gets: no edge. */
export const EDGE_OFF: EdgeConfig = { enabled: false, githubTeams: [], otherStackDomains: [], sablier: false };

/** The edge settings that depend on the environment, resolved. */
export interface EdgeSettings {
    readonly issuer: "staging" | "production";
    readonly replicas: number;
    readonly authReplicas: number;
}

export function edgeSettings(edge: EdgeConfig, environment: Environment): EdgeSettings {
    const prd = environment === "prd";
    return {
        issuer: edge.issuer ?? (prd ? "production" : "staging"),
        replicas: edge.replicas ?? (prd ? 2 : 1),
        authReplicas: edge.authReplicas ?? (prd ? 2 : 1),
    };
}

/**
 * Edge checks that need the environment; the stack schema calls it from its superRefine so the
 * issues carry the `edge.` key path like every other config error.
 */
export function refineEdgeForEnvironment(edge: EdgeConfig, environment: Environment, ctx: z.RefinementCtx): void {
    if (!edge.enabled || environment !== "prd") return;
    for (const key of ["replicas", "authReplicas"] as const) {
        const value = edge[key];
        if (value !== undefined && value < 2) {
            ctx.addIssue({
                code: "custom",
                path: ["edge", key],
                input: value,
                message: "is below 2; prd runs the edge highly available (at least 2 replicas)",
            });
        }
    }
}

/** True when a cookie for `cookieDomain` is sent to `host` (RFC 6265 domain match). */
export function cookieReaches(cookieDomain: string, host: string): boolean {
    return host === cookieDomain || host.endsWith(`.${cookieDomain}`);
}

/**
 * A shared cookie domain must reach this stack's hosts and nothing of another stack's: not a
 * sibling's domain (nor lie inside one, where the sibling may publish the very name), and not the
 * branch previews a stack hosts under its own domain (they run branch code).
 */
export function refineEdgeCookie(
    edge: EdgeConfig,
    stack: { readonly domain: string; readonly hostsPreviews: boolean },
    ctx: z.RefinementCtx,
): void {
    const cookie = edge.cookieDomain;
    if (!edge.enabled || cookie === undefined) return;
    const issue = (message: string) =>
        ctx.addIssue({ code: "custom", path: ["edge", "cookieDomain"], input: cookie, message });
    if (!cookieReaches(cookie, stack.domain)) {
        issue(
            `is neither dns.domain (${stack.domain}) nor a parent of it; the stack's hosts would never get the cookie`,
        );
    }
    edge.otherStackDomains.forEach((other, i) => {
        if (cookieReaches(cookie, other)) {
            issue(
                `contains ${other}, another stack's domain (edge.otherStackDomains[${i}]): that stack's hosts would get this stack's session; leave cookieDomain unset (host-only cookies)`,
            );
        } else if (cookieReaches(other, cookie)) {
            issue(
                `lies inside ${other}, another stack's domain (edge.otherStackDomains[${i}]), which may publish the name ${cookie} itself; leave cookieDomain unset (host-only cookies)`,
            );
        }
    });
    if (stack.hostsPreviews) {
        issue(
            `covers the branch previews <branch>--g.${stack.domain} this stack hosts (previews.enabled or edge.sablier), which run branch code; leave cookieDomain unset (host-only cookies)`,
        );
    }
}
