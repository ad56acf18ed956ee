import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { contentHash } from "../hash";
import { CHARTS } from "../versions";
import { pinned } from "./chart";
import type { MiddlewareRef } from "./publisher";
import type { ChartSource } from "../versions";

export interface OAuth2ProxyArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** Namespace to install into (Traefik's, where the middlewares live). */
    readonly namespace: string;
    /** The stack's domain (it names the cookie). */
    readonly domain: string;
    /**
     * Share the session over every host under this domain. Unset: each host's cookie is host-only
     * and its sign-in completes on the host itself. @default undefined (host-only)
     */
    readonly cookieDomain?: string;
    /** GitHub organisation whose members may sign in. */
    readonly githubOrg: string;
    /** Team slugs within the organisation; when set, membership in one is required. @default [] */
    readonly githubTeams?: readonly string[];
    /** GitHub OAuth app client ID (a secret Output). */
    readonly clientId: pulumi.Input<string>;
    /** GitHub OAuth app client secret (a secret Output). */
    readonly clientSecret: pulumi.Input<string>;
    /** Replicas (2 or more adds a PodDisruptionBudget and spreads them). @default 1 */
    readonly replicas?: number;
    /** Which instance: its release, Secret, middlewares and cookie. @default STACK_AUTH */
    readonly instance?: AuthInstance;
    /** What installs the traefik.io CRDs (the Traefik release); the middlewares wait for it. */
    readonly traefik: pulumi.Resource;
    /** Resources the release waits for (the namespace). @default [] */
    readonly dependsOn?: pulumi.Resource[];
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

export const OAUTH2_PROXY_RELEASE = "oauth2-proxy";
/** The container in oauth2-proxy's pods: its chart names it after the chart. Log-based alerts select it. */
export const OAUTH2_PROXY_CONTAINER = "oauth2-proxy";
/** The chart's Service (named after the release) and its port. */
export const OAUTH2_PROXY_SERVICE = { name: OAUTH2_PROXY_RELEASE, port: 80 } as const;
/** Secret with client-id, client-secret and cookie-secret, handed to the chart as `existingSecret`. */
export const OAUTH2_PROXY_SECRET = "oauth2-proxy-credentials";
/** The Traefik middlewares every private route carries, in this order. */
export const AUTH_MIDDLEWARES = { errors: "oauth2-errors", forwardAuth: "oauth2-forward-auth" } as const;

/** The names one oauth2-proxy instance uses: two instances in one namespace share none of them. */
export interface AuthInstance {
    /** Helm release, and so the Service (the chart names it after a release containing "oauth2-proxy"). */
    readonly release: string;
    /** Secret with client-id, client-secret and cookie-secret. */
    readonly secret: string;
    /** Its Traefik middlewares: errors (to the sign-in page), then forwardAuth. */
    readonly middlewares: { readonly errors: string; readonly forwardAuth: string };
    /** Start of the session cookie's name (the domain follows). */
    readonly cookiePrefix: string;
}

/** The stack's own hosts (Grafana, the apps). */
export const STACK_AUTH: AuthInstance = {
    release: OAUTH2_PROXY_RELEASE,
    secret: OAUTH2_PROXY_SECRET,
    middlewares: AUTH_MIDDLEWARES,
    cookiePrefix: "_platform_auth_",
};

/**
 * Branch previews (`<branch>--g.<domain>`, branch code): a session of their own, so a preview never
 * receives a cookie the stack's hosts accept, and no preview session opens a stack host.
 */
export const PREVIEW_AUTH: AuthInstance = {
    release: "oauth2-proxy-previews",
    secret: "oauth2-proxy-previews-credentials",
    middlewares: { errors: "oauth2-previews-errors", forwardAuth: "oauth2-previews-forward-auth" },
    cookiePrefix: "_platform_preview_auth_",
};

/** An instance's Service and port. */
export function authService(instance: AuthInstance): { readonly name: string; readonly port: number } {
    return { name: instance.release, port: OAUTH2_PROXY_SERVICE.port };
}

/** The two Traefik middlewares a route behind `instance` carries, in order (errors, then forwardAuth). */
export function authMiddlewareRefs(instance: AuthInstance, namespace: string): readonly [MiddlewareRef, MiddlewareRef] {
    return [
        { name: instance.middlewares.errors, namespace },
        { name: instance.middlewares.forwardAuth, namespace },
    ];
}

/** Headers oauth2-proxy returns on success that Traefik copies onto the request to the app. */
export const AUTH_RESPONSE_HEADERS = [
    "X-Auth-Request-User",
    "X-Auth-Request-Email",
    "X-Auth-Request-Preferred-Username",
    "X-Auth-Request-Groups",
];

/**
 * The session cookie's name, one per domain: should a stack share its cookie over a parent domain
 * (`edge.cookieDomain`), a neighbour's oauth2-proxy reading that cookie first under the same name
 * would send its users round a sign-in loop.
 */
export function oauth2ProxyCookieName(domain: string, instance: AuthInstance = STACK_AUTH): string {
    return `${instance.cookiePrefix}${domain.replace(/[^a-z0-9]+/gi, "_")}`;
}

/**
 * A short digest of the credentials, as a pod annotation: the chart reads them from the Secret as
 * environment variables, once, so a rotated client secret or cookie secret must restart the pods.
 * Sixteen hex digits of SHA-256 over high-entropy secrets reveal nothing of them.
 */
export function credentialsDigest(parts: pulumi.Input<string>[]): pulumi.Output<string> {
    return pulumi.unsecret(pulumi.all(parts).apply((p) => contentHash(...p)));
}

/** The chart values (no secret among them: credentials come from OAUTH2_PROXY_SECRET). */
export function oauth2ProxyValues(
    args: Pick<
        OAuth2ProxyArgs,
        "namespace" | "domain" | "cookieDomain" | "githubOrg" | "githubTeams" | "replicas" | "instance"
    >,
    credentialsHash?: pulumi.Input<string>,
): Record<string, unknown> {
    const replicas = args.replicas ?? 1;
    const teams = args.githubTeams ?? [];
    const instance = args.instance ?? STACK_AUTH;
    const selector = { matchLabels: { "app.kubernetes.io/name": "oauth2-proxy" } };
    return {
        replicaCount: replicas,
        config: {
            existingSecret: instance.secret,
            cookieName: oauth2ProxyCookieName(args.domain, instance),
            emailDomains: ["*"],
            // Nothing is proxied: Traefik asks /oauth2/auth and routes the apps itself.
            upstreams: ["static://202"],
        },
        extraArgs: {
            provider: "github",
            "github-org": args.githubOrg,
            ...(teams.length > 0 ? { "github-team": teams.join(",") } : {}),
            scope: "user:email read:org",
            // Host-only by default: prd's domain contains dev's, and dev's its branch previews, so a
            // cookie on `.<domain>` would hand prd's session to dev and dev's to branch code. Without
            // redirect-url the callback is `https://<the host>/oauth2/callback` (X-Forwarded-Host), so the
            // session lands on the host that asked; Traefik's errors middleware passes a relative `rd`,
            // so no redirect needs a whitelisted domain.
            ...(args.cookieDomain !== undefined
                ? { "cookie-domain": `.${args.cookieDomain}`, "whitelist-domain": `.${args.cookieDomain}` }
                : {}),
            "cookie-secure": "true",
            "cookie-samesite": "lax",
            // Org and team membership is checked at sign-in (GitHub issues no refresh token), so
            // a day bounds how long someone removed from the organisation keeps access.
            "cookie-expire": "24h",
            "reverse-proxy": "true",
            "set-xauthrequest": "true",
        },
        resources: {
            requests: { cpu: "10m", memory: "32Mi" },
            limits: { cpu: "200m", memory: "128Mi" },
        },
        podDisruptionBudget: replicas >= 2 ? { enabled: true, minAvailable: 1 } : { enabled: false },
        affinity:
            replicas >= 2
                ? {
                      podAntiAffinity: {
                          preferredDuringSchedulingIgnoredDuringExecution: [
                              {
                                  weight: 100,
                                  podAffinityTerm: { labelSelector: selector, topologyKey: "kubernetes.io/hostname" },
                              },
                          ],
                      },
                  }
                : {},
        metrics: { enabled: true },
        ...(credentialsHash !== undefined ? { podAnnotations: { "platform/credentials-hash": credentialsHash } } : {}),
        // It never calls the Kubernetes API (GitHub login, sessions in the cookie): no token mounted.
        serviceAccount: { automountServiceAccountToken: false },
        // The session lives in the cookie; no Redis, so no wait-for-redis init container.
        sessionStorage: { type: "cookie" },
        initContainers: { waitForRedis: { enabled: false } },
    };
}

/**
 * oauth2-proxy with GitHub login restricted to an organisation (and teams), and the Traefik
 * middlewares that put it in front of a route: errors (401-403 to the sign-in page) wrapping
 * forwardAuth (asks /oauth2/auth, copies the identity headers).
 */
export class OAuth2Proxy extends pulumi.ComponentResource {
    readonly chart: k8s.helm.v4.Chart;
    readonly errorsMiddleware: k8s.apiextensions.CustomResource;
    readonly forwardAuthMiddleware: k8s.apiextensions.CustomResource;

    constructor(name: string, args: OAuth2ProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:OAuth2Proxy", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        const instance = args.instance ?? STACK_AUTH;

        const cookieSecret = new random.RandomPassword(
            `${name}-cookie-secret`,
            { length: 32, special: false },
            { parent: this },
        );
        const credentials = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: instance.secret, namespace: args.namespace },
                type: "Opaque",
                stringData: {
                    "client-id": pulumi.secret(args.clientId),
                    "client-secret": pulumi.secret(args.clientSecret),
                    "cookie-secret": pulumi.secret(cookieSecret.result),
                },
            },
            { ...k8sOpts, dependsOn: args.dependsOn ?? [] },
        );

        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: instance.release,
                namespace: args.namespace,
                ...pinned(CHARTS.oauth2Proxy, args.charts),
                // The cookie secret enters the digest by its identity, not its value: a generated value
                // is unknown in a preview, and a chart with an unknown value shows as deleted there.
                // Replacing it (`pulumi up --replace`) needs a restart by hand (docs/operations.md).
                values: oauth2ProxyValues(
                    args,
                    credentialsDigest([args.clientId, args.clientSecret, `generated:${name}-cookie-secret`]),
                ),
            },
            { ...k8sOpts, dependsOn: [credentials, ...(args.dependsOn ?? [])] },
        );

        const svc = authService(instance);
        const service = `http://${svc.name}.${args.namespace}.svc.cluster.local`;
        this.forwardAuthMiddleware = new k8s.apiextensions.CustomResource(
            `${name}-forward-auth`,
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "Middleware",
                metadata: { name: instance.middlewares.forwardAuth, namespace: args.namespace },
                spec: {
                    forwardAuth: {
                        address: `${service}/oauth2/auth`,
                        trustForwardHeader: true,
                        authResponseHeaders: AUTH_RESPONSE_HEADERS,
                    },
                },
            },
            { ...k8sOpts, dependsOn: [args.traefik] },
        );
        this.errorsMiddleware = new k8s.apiextensions.CustomResource(
            `${name}-errors`,
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "Middleware",
                metadata: { name: instance.middlewares.errors, namespace: args.namespace },
                spec: {
                    errors: {
                        status: ["401-403"],
                        service: { name: svc.name, port: svc.port },
                        query: "/oauth2/sign_in?rd={url}",
                    },
                },
            },
            { ...k8sOpts, dependsOn: [args.traefik] },
        );

        this.registerOutputs({ service: svc.name });
    }
}
