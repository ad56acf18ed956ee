import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/**
 * Request headers that carry an identity some proxy vouched for: what oauth2-proxy sets with
 * `set-xauthrequest` (and `pass-access-token`), what it sets with `pass-user-headers`, and its
 * `GAP-Auth`. An app behind the edge may trust them, so no client may send them: the entrypoint
 * deletes them from every request before any route (and forwardAuth, which sets them again from
 * oauth2-proxy's answer) sees it. `Authorization` is not among them: apps authenticate API clients
 * with it, and the forwardAuth middleware never copies it from oauth2-proxy.
 */
export const IDENTITY_HEADERS = [
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Auth-Request-Preferred-Username",
    "X-Auth-Request-Groups",
    "X-Auth-Request-Access-Token",
    "X-Auth-Request-Redirect",
    "X-Forwarded-User",
    "X-Forwarded-Email",
    "X-Forwarded-Preferred-Username",
    "X-Forwarded-Groups",
    "X-Forwarded-Access-Token",
    "GAP-Auth",
] as const;

/** The edge's own Middlewares (in Traefik's namespace). */
export const EDGE_MIDDLEWARES = {
    stripIdentity: "strip-identity-headers",
    securityHeaders: "security-headers",
    rateLimitPublic: "rate-limit-public",
    rateLimitLogin: "rate-limit-login",
} as const;

/** A year, in seconds: HSTS max-age. */
export const HSTS_SECONDS = 31_536_000;

/**
 * Per client address (Traefik's Service keeps it: `externalTrafficPolicy: Local`). Public routes:
 * generous, since a venue's voters may share one NAT address; login routes (`/oauth2/`, the
 * sign-in host): a person signs in a few times a day, a password sprayer or callback flood does not.
 */
export const RATE_LIMITS = {
    public: { average: 200, period: "1s", burst: 400 },
    login: { average: 60, period: "1m", burst: 30 },
} as const;

/** TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are not configurable, all modern). */
export const TLS_CIPHER_SUITES = [
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
] as const;

/** How an entrypoint names a Middleware of the CRD provider: `<namespace>-<name>@kubernetescrd`. */
export function crdMiddleware(namespace: string, name: string): string {
    return `${namespace}-${name}@kubernetescrd`;
}

/** The middlewares every request on an entrypoint passes first, before its route's own. */
export function entrypointMiddlewares(namespace: string): string[] {
    return [
        crdMiddleware(namespace, EDGE_MIDDLEWARES.stripIdentity),
        crdMiddleware(namespace, EDGE_MIDDLEWARES.securityHeaders),
    ];
}

/** The rate-limit middlewares the publisher puts on public and sign-in routes. */
export function edgeRateLimits(namespace: string) {
    return {
        public: { name: EDGE_MIDDLEWARES.rateLimitPublic, namespace },
        login: { name: EDGE_MIDDLEWARES.rateLimitLogin, namespace },
    } as const;
}

/** The Middleware and TLSOption objects (pure: tests read them). */
export function hardeningObjects(): { kind: string; name: string; spec: Record<string, unknown> }[] {
    return [
        {
            kind: "Middleware",
            name: EDGE_MIDDLEWARES.stripIdentity,
            // An empty value makes Traefik's headers middleware delete the header.
            spec: { headers: { customRequestHeaders: Object.fromEntries(IDENTITY_HEADERS.map((h) => [h, ""])) } },
        },
        {
            kind: "Middleware",
            name: EDGE_MIDDLEWARES.securityHeaders,
            // No includeSubDomains: a host of the stack must not decide for names under it it does not own.
            spec: { headers: { stsSeconds: HSTS_SECONDS, contentTypeNosniff: true } },
        },
        { kind: "Middleware", name: EDGE_MIDDLEWARES.rateLimitPublic, spec: { rateLimit: { ...RATE_LIMITS.public } } },
        { kind: "Middleware", name: EDGE_MIDDLEWARES.rateLimitLogin, spec: { rateLimit: { ...RATE_LIMITS.login } } },
        {
            kind: "TLSOption",
            // Traefik applies the TLSOption named `default` to every route without its own option.
            name: "default",
            spec: { minVersion: "VersionTLS12", cipherSuites: [...TLS_CIPHER_SUITES] },
        },
    ];
}

export interface EdgeHardeningArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** Traefik's namespace. */
    readonly namespace: string;
    /** What installs the traefik.io CRDs (the Traefik release). */
    readonly traefik: pulumi.Resource;
}

/**
 * What every request meets at the entrypoint: forged identity headers deleted, HSTS on the
 * response; the default TLS option (TLS 1.2+, modern suites); the rate limits routes use.
 */
export class EdgeHardening extends pulumi.ComponentResource {
    /** The Middlewares and the TLSOption; routes that name a middleware wait for them. */
    readonly objects: k8s.apiextensions.CustomResource[];

    constructor(name: string, args: EdgeHardeningArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:Hardening", name, {}, opts);
        this.objects = hardeningObjects().map(
            (o) =>
                new k8s.apiextensions.CustomResource(
                    `${name}-${o.kind === "TLSOption" ? "tls-option" : o.name}`,
                    {
                        apiVersion: "traefik.io/v1alpha1",
                        kind: o.kind,
                        metadata: { name: o.name, namespace: args.namespace },
                        spec: o.spec,
                    },
                    { parent: this, provider: args.provider, dependsOn: [args.traefik] },
                ),
        );
        this.registerOutputs({});
    }
}
