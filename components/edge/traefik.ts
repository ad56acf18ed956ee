import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS } from "../versions";
import { sablierLocalPlugin } from "./sablier-plugin";
import { pinned } from "./chart";
import { entrypointMiddlewares } from "./hardening";
import type { ScrapeTarget } from "../monitoring/scrapes";
import type { ChartSource } from "../versions";

export interface TraefikArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** Namespace to install into (must exist). */
    readonly namespace: string;
    /** Replicas of the proxy. */
    readonly replicas: number;
    /** Spread replicas over nodes (required) and zones, and guard them with a PodDisruptionBudget. */
    readonly highAvailability: boolean;
    /** Reserved IP for the LoadBalancer Service. @default an ephemeral address */
    readonly loadBalancerIP?: pulumi.Input<string>;
    /** Branch staging: the Sablier middleware (a local plugin) and `allowEmptyServices`. @default false */
    readonly sablier?: boolean;
    /** Resources the release waits for (the namespace). @default [] */
    readonly dependsOn?: pulumi.Resource[];
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
    /**
     * Watch only these namespaces, readable through the given Roles (TraefikAccess), which the
     * release waits for. @default every namespace, through the chart's ClusterRole
     */
    readonly watch?: { readonly namespaces: Promise<string[]>; readonly grants: Promise<pulumi.Resource[]> };
}

/** Helm release name; the chart derives the Service name and the pod labels from it. */
export const TRAEFIK_RELEASE = "traefik";

/** The labels the chart selects Traefik pods by, for anti-affinity and spread. */
export function traefikSelector(namespace: string): Record<string, string> {
    return { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": `${TRAEFIK_RELEASE}-${namespace}` };
}

/** The ports the LoadBalancer exposes, each to the chart's container port of the same name. */
const EXPOSED_PORTS = [
    { name: "web", port: 80 },
    { name: "websecure", port: 443 },
] as const;

/**
 * The LoadBalancer Service in front of Traefik, as the chart rendered it before it became the
 * component's own: same name, selector and ports, on the reserved IP when there is one.
 */
export function traefikService(namespace: string, loadBalancerIP?: pulumi.Input<string>) {
    return {
        metadata: { name: TRAEFIK_RELEASE, namespace, labels: traefikSelector(namespace) },
        spec: {
            type: "LoadBalancer",
            // Keep client addresses (access logs, rate limits); nodes without a Traefik pod fail the LB check.
            externalTrafficPolicy: "Local",
            ...(loadBalancerIP !== undefined ? { loadBalancerIP } : {}),
            selector: traefikSelector(namespace),
            ports: EXPOSED_PORTS.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: "TCP" })),
        },
    };
}

/** The chart values: pure, so tests can read what the release gets. */
export function traefikValues(
    args: Omit<TraefikArgs, "provider" | "dependsOn" | "loadBalancerIP" | "watch"> & {
        /** The namespaces Traefik watches, each readable through a Role of the program's. @default every namespace */
        readonly namespaces?: readonly string[];
    },
): Record<string, unknown> {
    const selector = { matchLabels: traefikSelector(args.namespace) };
    const ha = args.highAvailability;
    const sablier = args.sablier ?? false;
    return {
        deployment: { replicas: args.replicas },
        podDisruptionBudget: ha ? { enabled: true, minAvailable: 1 } : { enabled: false },
        // Two replicas never share a node; zones are spread when the cluster has several.
        affinity: ha
            ? {
                  podAntiAffinity: {
                      requiredDuringSchedulingIgnoredDuringExecution: [
                          { labelSelector: selector, topologyKey: "kubernetes.io/hostname" },
                      ],
                  },
              }
            : {},
        topologySpreadConstraints: ha
            ? [
                  {
                      maxSkew: 1,
                      topologyKey: "topology.kubernetes.io/zone",
                      whenUnsatisfiable: "ScheduleAnyway",
                      labelSelector: selector,
                  },
              ]
            : [],
        // With required anti-affinity a surge pod needs a spare node; replace one pod at a time instead.
        updateStrategy: ha
            ? { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } }
            : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        resources: {
            requests: { cpu: "100m", memory: "128Mi" },
            limits: { cpu: "1", memory: "512Mi" },
        },
        // Every host goes through IngressRoutes made by the publisher (which adds auth); no plain Ingress.
        ingressClass: { enabled: false },
        providers: {
            kubernetesCRD: {
                enabled: true,
                // Routes in app namespaces use the auth middlewares and oauth2-proxy in the edge namespace.
                allowCrossNamespace: true,
                // A Service with no ready pod answers 503 (seen by the 5xx alert) instead of its route
                // vanishing into a 404; scaled-to-zero previews rely on it for Sablier to wake them.
                allowEmptyServices: true,
                ...(args.namespaces ? { namespaces: [...args.namespaces] } : {}),
            },
            kubernetesIngress: { enabled: false },
        },
        // Watching listed namespaces: no ClusterRole, and the Roles are the program's (TraefikAccess),
        // declared after the namespaces they live in; `namespaced` keeps Traefik off cluster-scoped
        // resources (nodes), which it could no longer read.
        ...(args.namespaces ? { rbac: { enabled: false, namespaced: true } } : {}),
        // Our own Sablier middleware, from the chart's ConfigMap: no plugin is downloaded at start.
        experimental: { plugins: {}, localPlugins: sablier ? { sablier: sablierLocalPlugin() } : {} },
        ingressRoute: { dashboard: { enabled: false }, healthcheck: { enabled: false } },
        ports: {
            // Entrypoint middlewares run before every route's own (forwardAuth included): forged identity
            // headers are gone before oauth2-proxy's answer sets them, on public routes too.
            web: {
                http: {
                    redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } },
                    middlewares: entrypointMiddlewares(args.namespace),
                },
            },
            websecure: { http: { tls: { enabled: true }, middlewares: entrypointMiddlewares(args.namespace) } },
        },
        // JSON access logs without request headers (cookies) or query strings (OAuth codes, tokens in URLs).
        accessLog: {
            enabled: true,
            format: "json",
            fields: { headers: { defaultMode: "drop" }, queryParameters: { defaultMode: "drop" } },
        },
        metrics: {
            prometheus: {
                entryPoint: "metrics",
                addEntryPointsLabels: true,
                addRoutersLabels: true,
                addServicesLabels: true,
                // A `traefik-metrics` Service, scraped through the monitoring layer's ServiceMonitor
                // (Edge.scrapeTargets).
                service: { enabled: true },
            },
        },
        // The LoadBalancer Service is the component's own (traefikService): its reserved IP is known
        // only once the address exists, and a chart with an unknown value shows as deleted in a preview.
        service: { enabled: false },
        global: { checkNewVersion: false, sendAnonymousUsage: false },
    };
}

/** Traefik, the only public entry: LoadBalancer on the reserved IP, HTTP to HTTPS, CRD provider. */
export class Traefik extends pulumi.ComponentResource {
    /** The release; custom resources of the traefik.io group depend on it (it installs the CRDs). */
    readonly chart: k8s.helm.v4.Chart;
    /** The LoadBalancer Service, on the reserved IP. */
    readonly service: k8s.core.v1.Service;
    readonly serviceName: string = TRAEFIK_RELEASE;
    /** The chart's `traefik-metrics` Service (labels from its service-metrics template), for monitoring. */
    readonly scrapeTarget: ScrapeTarget;

    constructor(name: string, args: TraefikArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:Traefik", name, {}, opts);
        this.scrapeTarget = {
            name: "traefik",
            namespace: args.namespace,
            serviceLabels: { ...traefikSelector(args.namespace), "app.kubernetes.io/component": "metrics" },
            port: "metrics",
        };
        const dependsOn: pulumi.Resource[] = args.dependsOn ?? [];
        const watch = args.watch;
        const values = watch
            ? pulumi.output(watch.namespaces).apply((namespaces) => traefikValues({ ...args, namespaces }))
            : traefikValues(args);
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            { name: TRAEFIK_RELEASE, namespace: args.namespace, ...pinned(CHARTS.traefik, args.charts), values },
            {
                parent: this,
                provider: args.provider,
                dependsOn: watch ? pulumi.output(watch.grants).apply((grants) => [...dependsOn, ...grants]) : dependsOn,
            },
        );
        // The chart rendered this Service before (as `<chart>:<namespace>/traefik`); the alias keeps it,
        // so the load balancer and its address stay put.
        this.service = new k8s.core.v1.Service(`${name}-service`, traefikService(args.namespace, args.loadBalancerIP), {
            parent: this,
            provider: args.provider,
            dependsOn: args.dependsOn ?? [],
            aliases: [{ name: `${name}-chart:${args.namespace}/${TRAEFIK_RELEASE}`, parent: this.chart }],
        });
        this.registerOutputs({ serviceName: this.serviceName });
    }
}
