import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DnsZone } from "../gcp/dns";
import { CertManager } from "./cert-manager";
import { DefaultCertificate } from "./default-certificate";
import { edgeRateLimits, EdgeHardening } from "./hardening";
import { authHost } from "./hosts";
import { IngressPolicies } from "./ingress-policies";
import {
    authMiddlewareRefs,
    authService,
    OAuth2Proxy,
    OAUTH2_PROXY_RELEASE,
    PREVIEW_AUTH,
    STACK_AUTH,
} from "./oauth2-proxy";
import { EdgePublisher } from "./publisher";
import { Traefik, TRAEFIK_RELEASE, traefikSelector } from "./traefik";
import { TraefikAccess } from "./traefik-access";
import { declaredBefore, defaultDenyDeclaredBy, PlatformNamespace } from "../cluster/platform-namespace";
import {
    ApiServerAddress,
    apiServerEgress,
    dnsEgress,
    EgressPolicies,
    everyPodEgress,
    internetEgress,
} from "../cluster/egress";
import type { ScrapeTarget } from "../monitoring/scrapes";
import type { ChartSource } from "../versions";

/** What the edge needs from Google Cloud; absent for a cluster outside GCP. */
export interface EdgeGcp {
    /** GCP project of the DNS zone. */
    readonly project: string;
    /** The stack's Cloud DNS zone. */
    readonly zone: DnsZone;
    /** The reserved ingress IP: Traefik's LoadBalancer binds it and every A record points at it. */
    readonly ingressIp: pulumi.Input<string>;
    /** Workload Identity pool, as an Output of the cluster (the pool exists once the cluster does). */
    readonly workloadIdentityPool: pulumi.Input<string>;
}

export interface EdgeArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** The stack's domain. */
    readonly domain: string;
    /** GitHub organisation whose members may sign in. */
    readonly githubOrg: string;
    /** Team slugs within it. @default [] */
    readonly githubTeams?: readonly string[];
    /** GitHub OAuth app client ID (secret). */
    readonly clientId: pulumi.Input<string>;
    /** GitHub OAuth app client secret (secret). */
    readonly clientSecret: pulumi.Input<string>;
    /** Let's Encrypt endpoint (used only with `gcp`). */
    readonly issuer: "staging" | "production";
    /** ACME contact address. @default none */
    readonly acmeEmail?: string;
    /** Traefik replicas. */
    readonly replicas: number;
    /** oauth2-proxy replicas. */
    readonly authReplicas: number;
    /** Anti-affinity, spread and PodDisruptionBudgets (prd). */
    readonly highAvailability: boolean;
    /** Branch staging support in Traefik. @default false */
    readonly sablier?: boolean;
    /**
     * Branch previews run on this stack's domain: a second oauth2-proxy (PREVIEW_AUTH) with its own
     * cookie secret and name signs them in. @default false
     */
    readonly previewAuth?: boolean;
    /**
     * Traefik reads every namespace (ClusterRole): a stack hosting branch previews, whose namespaces
     * it never declares. Otherwise it reads only the namespaces routes are published into, each
     * through its own Role (TraefikAccess), and the program calls `sealRoutes()` once every layer
     * has published. @default false
     */
    readonly watchEveryNamespace?: boolean;
    /** One session shared by every host under this domain. @default host-only cookies, one per host */
    readonly cookieDomain?: string;
    /** Cloud DNS, static IP and Workload Identity; without it: self-signed TLS, no DNS records. @default none */
    readonly gcp?: EdgeGcp;
    /** Namespace of Traefik, oauth2-proxy, the middlewares and the certificate. */
    readonly namespace: string;
    /** Where pods reach the API server (Traefik's and cert-manager's egress). */
    readonly apiServer: readonly ApiServerAddress[];
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

/**
 * The edge layer: Traefik as the only public entry, cert-manager with a wildcard certificate,
 * oauth2-proxy with its middlewares, and the publisher every layer uses to publish a host.
 */
export class Edge extends pulumi.ComponentResource {
    readonly publisher: EdgePublisher;
    readonly traefik: Traefik;
    readonly certManager: CertManager;
    readonly oauth2Proxy: OAuth2Proxy;
    /** The branch previews' oauth2-proxy, when the stack hosts previews. */
    readonly previewAuth?: OAuth2Proxy;
    readonly namespace: string;
    /** The metrics Services of Traefik and cert-manager, for the monitoring layer to scrape. */
    readonly scrapeTargets: readonly ScrapeTarget[];
    /** Traefik's per-namespace read access; absent when it watches every namespace. */
    private readonly access?: TraefikAccess;

    constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:Edge", name, {}, opts);
        const namespace = args.namespace;
        this.namespace = namespace;
        const provider = args.provider;
        const child = { parent: this };

        const ns = new PlatformNamespace(
            `${name}-ns`,
            {
                provider,
                namespace,
                podSecurity: { level: "restricted" },
                // Traefik (up to the replicas edge.replicas asks for) and oauth2-proxy.
                quota: { cpu: "4", memory: "4Gi", cpuLimit: "8", memoryLimit: "8Gi", pods: 20 },
                defaultDeny: "ingress-and-egress",
                childAliases: {
                    ...declaredBefore(this, {
                        namespace: `${name}-ns`,
                        quota: `${name}-quota`,
                        limits: `${name}-limits`,
                    }),
                    "default-deny": defaultDenyDeclaredBy(this, name, "platform:edge:IngressPolicies"),
                },
            },
            child,
        ).namespace;

        // Only Traefik takes traffic from outside; oauth2-proxy only from Traefik; metrics from the cluster.
        const traefikPods = traefikSelector(namespace);
        new IngressPolicies(
            `${name}-policies`,
            {
                provider,
                namespace,
                dependsOn: [ns],
                allow: [
                    {
                        name: "traefik-entrypoints",
                        podLabels: traefikPods,
                        ports: [8000, 8443],
                        from: "anywhere",
                        why: "Traefik's entrypoints serve the internet",
                    },
                    { name: "traefik-metrics", podLabels: traefikPods, ports: [9100], from: "cluster" },
                    {
                        name: "oauth2-proxy",
                        podLabels: { "app.kubernetes.io/name": OAUTH2_PROXY_RELEASE },
                        ports: [4180],
                        from: { podLabels: traefikPods },
                    },
                    {
                        name: "oauth2-proxy-metrics",
                        podLabels: { "app.kubernetes.io/name": OAUTH2_PROXY_RELEASE },
                        ports: [44180],
                        from: "cluster",
                    },
                ],
            },
            child,
        );

        // What leaves the edge: Traefik to the API server (its providers) and to the pods it routes
        // to, in any namespace (branch previews appear in namespaces this stack never declares; each
        // namespace's own ingress policies decide what Traefik may reach there); oauth2-proxy to
        // GitHub. Traefik downloads nothing (its one plugin is local). Nothing reaches the metadata server.
        new EgressPolicies(
            `${name}-egress`,
            {
                provider,
                namespace,
                dependsOn: [ns],
                allow: [
                    { name: "dns", egress: [dnsEgress()] },
                    { name: "traefik-api-server", podLabels: traefikPods, egress: apiServerEgress(args.apiServer) },
                    { name: "traefik-backends", podLabels: traefikPods, egress: [everyPodEgress()] },
                    {
                        name: "oauth2-proxy-github",
                        podLabels: { "app.kubernetes.io/name": OAUTH2_PROXY_RELEASE },
                        egress: [internetEgress([443])],
                    },
                ],
            },
            child,
        );

        // The chart's ServiceAccount is named after the release.
        this.access = args.watchEveryNamespace
            ? undefined
            : new TraefikAccess({ provider, traefikNamespace: namespace, serviceAccount: TRAEFIK_RELEASE });
        this.access?.grant(this, namespace);
        this.traefik = new Traefik(
            `${name}-traefik`,
            {
                provider,
                charts: args.charts,
                namespace,
                watch: this.access ? { namespaces: this.access.namespaces, grants: this.access.grants } : undefined,
                replicas: args.replicas,
                highAvailability: args.highAvailability,
                loadBalancerIP: args.gcp?.ingressIp,
                sablier: args.sablier ?? false,
                dependsOn: [ns],
            },
            child,
        );

        const hardening = new EdgeHardening(
            `${name}-hardening`,
            { provider, namespace, traefik: this.traefik.chart },
            child,
        );

        this.certManager = new CertManager(
            `${name}-cert-manager`,
            {
                provider,
                charts: args.charts,
                domain: args.domain,
                replicas: args.highAvailability ? 2 : 1,
                apiServer: args.apiServer,
                cloudDns: args.gcp
                    ? {
                          project: args.gcp.project,
                          zoneName: args.gcp.zone.zoneName,
                          workloadIdentityPool: args.gcp.workloadIdentityPool,
                          issuer: args.issuer,
                          email: args.acmeEmail,
                      }
                    : undefined,
            },
            child,
        );

        new DefaultCertificate(
            `${name}-tls`,
            {
                provider,
                domain: args.domain,
                namespace,
                issuerName: this.certManager.issuerName,
                certManager: [this.certManager.chart, this.certManager.issuer, ns],
                traefik: this.traefik.chart,
            },
            child,
        );

        // Both proxies sign in with the same GitHub OAuth app and organisation.
        const signIn = {
            provider,
            charts: args.charts,
            namespace,
            domain: args.domain,
            githubOrg: args.githubOrg,
            githubTeams: args.githubTeams,
            clientId: args.clientId,
            clientSecret: args.clientSecret,
            traefik: this.traefik.chart,
            dependsOn: [ns],
        };
        this.oauth2Proxy = new OAuth2Proxy(
            `${name}-oauth2-proxy`,
            { ...signIn, instance: STACK_AUTH, cookieDomain: args.cookieDomain, replicas: args.authReplicas },
            child,
        );

        // Branch code reads every request sent to its host, cookies included. A session of the stack's
        // proxy must never reach it, nor a preview's session open a stack host: previews sign in with
        // a proxy of their own (own cookie secret and name, host-only), whose middlewares only the
        // preview stacks use (program/branch-preview.ts). Same GitHub OAuth app: GitHub accepts a
        // redirect_uri on a sub-domain of the registered callback host (docs/edge.md).
        if (args.previewAuth) {
            this.previewAuth = new OAuth2Proxy(`${name}-preview-auth`, { ...signIn, instance: PREVIEW_AUTH }, child);
        }

        this.scrapeTargets = [this.traefik.scrapeTarget, this.certManager.scrapeTarget];

        this.publisher = new EdgePublisher({
            provider,
            domain: args.domain,
            authMiddlewares: authMiddlewareRefs(STACK_AUTH, namespace),
            authService: { ...authService(STACK_AUTH), namespace },
            dependsOn: [
                this.traefik.chart,
                this.oauth2Proxy.errorsMiddleware,
                this.oauth2Proxy.forwardAuthMiddleware,
                ...hardening.objects,
            ],
            dns: args.gcp ? { zone: args.gcp.zone, address: args.gcp.ingressIp } : undefined,
            // Outside GCP the issuer is self-signed; on GCP, Let's Encrypt staging is not trusted either.
            trustedCertificates: args.gcp !== undefined && args.issuer === "production",
            rateLimits: edgeRateLimits(namespace),
            access: this.access,
        });

        // The sign-in host: oauth2-proxy's own pages and the OAuth callback, open to everyone.
        this.publisher.route(this, `${name}-auth`, {
            host: authHost(args.domain),
            namespace,
            service: authService(STACK_AUTH).name,
            port: authService(STACK_AUTH).port,
            auth: "public",
            middlewares: [edgeRateLimits(namespace).login],
        });

        this.registerOutputs({ namespace, authHost: authHost(args.domain) });
    }

    /**
     * Every layer has published its routes: fixes the namespaces Traefik watches, which its release
     * waits for. Without it, a stack whose Traefik watches only routed namespaces never installs
     * Traefik.
     */
    sealRoutes(): void {
        this.access?.seal();
    }
}
