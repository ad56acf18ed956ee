import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Application } from "./components/apps/application";
import { GcpContext } from "./components/apps/google-identity";
import { Preview } from "./components/apps/preview";
import { SablierServer } from "./components/apps/sablier";
import { GithubOidc } from "./components/ci/github-oidc";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { Edge, EdgeGcp } from "./components/edge/edge";
import { authHost, checkHosts, HostClaim } from "./components/edge/hosts";
import { AUTH_MIDDLEWARES, OAUTH2_PROXY_SERVICE } from "./components/edge/oauth2-proxy";
import { EdgePublisher, NoEdgePublisher } from "./components/edge/publisher";
import type { ScrapeTarget } from "./components/monitoring/scrapes";
import { Publisher } from "./components/edge/types";
import { addARecord, Dns } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { IngressAddress } from "./components/gcp/ingress-address";
import { Network } from "./components/gcp/network";
import { Registry } from "./components/gcp/registry";
import { GitOps } from "./components/gitops/gitops";
import { appImages } from "./config/images";
import { ConfigError } from "./config/errors";
import { assertOnpremCredentials } from "./components/onprem/credentials";
import { Onprem } from "./components/onprem/onprem";
import { Monitoring } from "./components/monitoring/monitoring";
import { syncLogsInToOwnZabbix } from "./config/required-secrets";
import { loadConfig, LoadedConfig } from "./config/load";
import { edgeSettings } from "./config/sections/edge";

/** Namespace of Traefik and oauth2-proxy (the edge layer's default). */
const EDGE_NAMESPACE = "edge";
import { DEFAULT_DEPLOYER_ROLES } from "./config/sections/ci";
import { OUTPUTS_VERSION } from "./contract/outputs";

/** What the Kubernetes layers build on, whichever way the cluster came to be. */
interface Base {
    readonly provider: k8s.Provider;
    readonly outputs: Record<string, unknown>;
    /** Zone, ingress IP and Workload Identity for the edge; only when the program made the cluster. */
    readonly edgeGcp?: EdgeGcp;
    /** GCP project, region and Workload Identity pool for the apps (gke mode only). */
    readonly gcp?: GcpContext;
}

function gkeBase(config: LoadedConfig): Base {
    const { stack } = config;
    const project = stack.gcp.project!;
    const region = stack.gcp.region;
    const prd = stack.environment === "prd";
    const clusterName = stack.cluster.name ?? `platform-${stack.environment}`;

    const network = new Network("net", { region, ...stack.network, masterCidr: stack.cluster.masterCidr });
    const gke = new GkeCluster("gke", {
        project,
        clusterName,
        location: stack.cluster.location ?? region,
        network: network.network.id,
        subnetwork: network.subnet.id,
        masterCidr: stack.cluster.masterCidr,
        releaseChannel: stack.cluster.releaseChannel,
        authorizedNetworks: stack.cluster.authorizedNetworks,
        dnsEndpoint: stack.cluster.dnsEndpoint,
        maintenanceStart: stack.cluster.maintenanceStart,
        deletionProtection: stack.cluster.deletionProtection ?? prd,
        nodePools: stack.cluster.nodePools,
    });
    // Nothing below waits for the cluster: zone, address and registry are created alongside it.
    const dns = new Dns("dns", { ...stack.dns, protect: prd });
    const ingress = new IngressAddress("ingress", { project, region, protect: prd });
    const registry = new Registry("registry", {
        project,
        region,
        repositoryId: stack.registry.name,
        untaggedRetentionDays: stack.registry.untaggedRetentionDays,
        keepRecent: stack.registry.keepRecent,
        readers: [pulumi.interpolate`serviceAccount:${gke.nodeServiceAccount.email}`],
    });

    // From the cluster, not the project id: GKE creates the pool with the first cluster, and an
    // IAM binding naming it fails before then. Every Workload Identity binding takes this.
    const workloadIdentityPool = gke.cluster.workloadIdentityConfig.apply(
        (c) => c?.workloadPool ?? gke.workloadIdentityPool,
    );
    return {
        provider: gke.provider,
        gcp: { project, region, workloadIdentityPool },
        edgeGcp: { project, zone: dns.ref, ingressIp: ingress.address, workloadIdentityPool },
        outputs: {
            kubeconfig: gke.kubeconfig,
            clusterName: gke.cluster.name,
            clusterEndpoint: gke.endpoint,
            region,
            ingressIp: ingress.address,
            nameServers: dns.nameServers,
            artifactRegistry: registry.url,
            workloadIdentityPool: gke.workloadIdentityPool,
        },
    };
}

function existingBase(config: LoadedConfig): Base {
    const cluster = new ExistingCluster("cluster", {
        context: config.stack.cluster.context!,
        kubeconfigPath: config.stack.cluster.kubeconfigPath,
    });
    return { provider: cluster.provider, outputs: {} };
}

/** Every host the stack config asks for, with its owner; checked before anything is declared. */
function declaredHosts(config: LoadedConfig): HostClaim[] {
    const hosts: HostClaim[] = [];
    const { edge, monitoring, dns } = config.stack;
    if (edge.enabled) hosts.push({ host: authHost(dns.domain), owner: "edge oauth2-proxy" });
    if (edge.enabled && monitoring.enabled) {
        for (const [what, label] of Object.entries(monitoring.hosts)) {
            hosts.push({ host: `${label}.${dns.domain}`, owner: `monitoring.hosts.${what}` });
        }
    }
    for (const [app, spec] of Object.entries(config.stack.apps)) {
        for (const h of spec.hosts) hosts.push({ host: h.host, owner: `apps.${app}` });
    }
    return hosts;
}

/** What later layers get from the edge. */
interface EdgeLayer {
    /** Every later layer routes its hosts through it. */
    readonly publisher: Publisher;
    /** Traefik's and cert-manager's metrics, for monitoring to scrape. */
    readonly scrapeTargets: readonly ScrapeTarget[];
}

/** Edge: Traefik, TLS and oauth2-proxy. */
function buildEdge(config: LoadedConfig, base: Base): EdgeLayer {
    const { stack, secrets } = config;
    if (!stack.edge.enabled) return { publisher: new NoEdgePublisher(stack.dns.domain), scrapeTargets: [] };
    const settings = edgeSettings(stack.edge, stack.environment);
    const edge = new Edge("edge", {
        provider: base.provider,
        domain: stack.dns.domain,
        githubOrg: stack.edge.githubOrg!,
        githubTeams: stack.edge.githubTeams,
        clientId: secrets.githubOAuthClientId!,
        clientSecret: secrets.githubOAuthClientSecret!,
        issuer: settings.issuer,
        acmeEmail: stack.edge.acmeEmail,
        replicas: settings.replicas,
        authReplicas: settings.authReplicas,
        highAvailability: stack.environment === "prd",
        sablier: stack.edge.sablier,
        gcp: base.edgeGcp,
    });
    return { publisher: edge.publisher, scrapeTargets: edge.scrapeTargets };
}

/** Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix; the outputs the on-prem layer reads. */
function monitoringLayer(config: LoadedConfig, base: Base, edge: EdgeLayer): Monitoring | undefined {
    const m = config.stack.monitoring;
    if (!m.enabled) return undefined;
    const s = config.secrets;
    return new Monitoring(
        "monitoring",
        {
            config: m,
            domain: config.stack.dns.domain,
            grafanaOAuthClientId: s.grafanaOAuthClientId!,
            grafanaOAuthClientSecret: s.grafanaOAuthClientSecret!,
            alertmanagerWebhookUrl: s.alertmanagerWebhookUrl!,
            grafanaDatabasePassword: s.grafanaDatabasePassword,
            publisher: config.stack.edge.enabled ? edge.publisher : undefined,
            scrapeTargets: edge.scrapeTargets,
        },
        { providers: [base.provider] },
    );
}

function monitoringOutputs(monitoring: Monitoring | undefined): Record<string, unknown> {
    if (!monitoring) return {};
    const e = monitoring.endpoints;
    return {
        monitoringNamespace: e.namespace,
        blackboxAddress: e.blackboxAddress,
        ...(e.zabbixApiUrl ? { zabbixApiUrl: e.zabbixApiUrl, zabbixAdminSecretName: e.zabbixAdminSecretName } : {}),
        grafanaUrl: `https://${e.hosts.grafana}`,
    };
}

/** On-prem hardware as external endpoints + Zabbix hosts as code (docs/onprem.md). */
function onpremLayer(config: LoadedConfig, base: Base, monitoring: Monitoring | undefined): void {
    const onprem = config.stack.onprem;
    if (Object.keys(onprem.hosts).length === 0) return;
    const endpoints = monitoring?.endpoints;
    const login = syncLogsInToOwnZabbix(config.stack) ? endpoints?.zabbixLogin : undefined;
    new Onprem("onprem", {
        provider: base.provider,
        // The monitoring layer's addresses unless the stack names others.
        config: {
            ...onprem,
            blackboxAddress: onprem.blackboxAddress ?? endpoints?.blackboxAddress,
            zabbix: { ...onprem.zabbix, apiUrl: onprem.zabbix.apiUrl ?? endpoints?.zabbixApiUrl },
        },
        stack: config.stackName,
        credentials: config.secrets.onpremCredentials,
        // The stack's own Zabbix: a login (its token cannot exist before the first deploy); any
        // other Zabbix (apiUrl or tokenSecret set): the zabbixApiToken secret.
        ...(login ? { zabbixLogin: login } : { zabbixApiToken: config.secrets.zabbixApiToken }),
        dnsZone: base.edgeGcp?.zone,
        crdDependsOn: monitoring ? [monitoring.stack.chart] : undefined,
        zabbixDependsOn: monitoring?.zabbix ? [monitoring.zabbix.chart] : undefined,
    });
}

/** Apps layer: every app of platform:apps in its namespace envelope, and Sablier for branch previews. */
function appsLayer(
    config: LoadedConfig,
    base: Base,
    publisher: Publisher,
    monitoring: Monitoring | undefined,
): Record<string, unknown> {
    const { stack } = config;
    const onpremAddresses = Object.fromEntries(
        Object.entries(stack.onprem.hosts).map(([n, h]) => [n, [`${h.address}/32`]]),
    );
    const apps: Record<string, unknown> = {};
    for (const [app, spec] of Object.entries(stack.apps)) {
        const a = new Application(`app-${app}`, {
            provider: base.provider,
            app,
            spec,
            environment: stack.environment,
            gcp: base.gcp,
            publisher: stack.edge.enabled ? publisher : undefined,
            traefikNamespace: EDGE_NAMESPACE,
            prometheusNamespace: monitoring?.endpoints.namespace,
            onpremAddresses,
            crdDependsOn: monitoring ? [monitoring.stack.chart] : undefined,
        });
        apps[app] = { namespace: a.namespace, hosts: spec.hosts.map((h) => h.host), backupBucket: a.backupBucket };
    }
    const out: Record<string, unknown> = { apps };
    if (stack.previews.enabled) {
        const sablier = new SablierServer("sablier", {
            provider: base.provider,
            namespace: stack.previews.namespace,
            traefikNamespace: EDGE_NAMESPACE,
            apiServer: base.gcp ? [{ cidr: stack.cluster.masterCidr, port: 443 }] : [{ cidr: "0.0.0.0/0", port: 6443 }],
        });
        // Preview stacks publish `<branch>--g.<domain>` without a zone of their own: one wildcard
        // record here sends every such host to the ingress.
        if (base.edgeGcp) {
            addARecord(
                sablier,
                "previews-wildcard",
                base.edgeGcp.zone,
                `*.${stack.dns.domain}`,
                base.edgeGcp.ingressIp,
            );
        }
        out.sablierUrl = sablier.url;
    }
    return out;
}

/** A `dev-br-<branch>` stack: one app's branch on the dev cluster, read through a StackReference. */
function previewProgram(config: LoadedConfig): Record<string, unknown> {
    const { stack } = config;
    const p = stack.preview!;
    const dev = new pulumi.StackReference("dev", { name: p.devStack });
    const provider = new k8s.Provider("preview-k8s", {
        kubeconfig: dev.requireOutput("kubeconfig") as pulumi.Output<string>,
        enableServerSideApply: true,
    });
    // Routes through the dev stack's edge: its auth middlewares and oauth2-proxy, its wildcard record.
    const publisher = new EdgePublisher({
        provider,
        domain: stack.dns.domain,
        authMiddlewares: [
            { name: AUTH_MIDDLEWARES.errors, namespace: EDGE_NAMESPACE },
            { name: AUTH_MIDDLEWARES.forwardAuth, namespace: EDGE_NAMESPACE },
        ],
        authService: { ...OAUTH2_PROXY_SERVICE, namespace: EDGE_NAMESPACE },
        dependsOn: [],
    });
    const spec = stack.apps[p.app]!;
    const preview = new Preview("preview", {
        provider,
        app: p.app,
        spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, image: p.images[c.name] ?? c.image })) },
        branch: p.branch,
        domain: stack.dns.domain,
        sablierUrl: dev.requireOutput("sablierUrl") as pulumi.Output<string>,
        idleAfter: p.idleAfter,
        publisher,
        gcp: stack.gcp.project
            ? {
                  project: stack.gcp.project,
                  region: stack.gcp.region,
                  workloadIdentityPool: `${stack.gcp.project}.svc.id.goog`,
              }
            : undefined,
    });
    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: stack.environment,
        domain: stack.dns.domain,
        preview: { app: p.app, branch: p.branch, namespace: preview.namespace, url: `https://${preview.host}` },
    };
}

/** Keyless CI (platform:ci): the GitHub Actions pool, provider and per-environment deployers. */
function keylessCi(config: LoadedConfig): void {
    const ci = config.stack.ci;
    if (!ci.enabled) return;
    new GithubOidc("ci", {
        project: config.stack.gcp.project!,
        repository: ci.repository!,
        poolId: ci.poolId,
        providerId: ci.providerId,
        environments: ci.environments ?? [{ name: config.stack.environment, roles: DEFAULT_DEPLOYER_ROLES }],
        previewerRoles: ci.previewer ? ci.previewerRoles : undefined,
    });
}

/** The composition root: validate config, build every layer, return the stack outputs. */
export = async (): Promise<Record<string, unknown>> => {
    const config = loadConfig();
    if (config.stack.preview) return previewProgram(config);
    const problems = checkHosts(declaredHosts(config), config.stack.dns.domain);
    if (problems.length > 0) throw new ConfigError(problems);
    assertOnpremCredentials(config.stack.onprem);
    const base = config.stack.cluster.mode === "gke" ? gkeBase(config) : existingBase(config);

    const edge = buildEdge(config, base);
    const publisher = edge.publisher;
    const monitoring = monitoringLayer(config, base, edge);
    onpremLayer(config, base, monitoring);
    const apps = appsLayer(config, base, publisher, monitoring);

    const { gitops: gitopsConfig } = config.stack;
    const gitops = gitopsConfig.enabled
        ? new GitOps("gitops", {
              provider: base.provider,
              environment: config.stack.environment,
              config: gitopsConfig,
              images: appImages(config.stack),
              gcp: base.gcp,
              secrets: {
                  githubToken: config.secrets.gitopsGithubToken,
                  webhookUrl: config.secrets.gitopsWebhookUrl,
                  ghcrToken: config.secrets.gitopsGhcrToken,
              },
          })
        : undefined;

    keylessCi(config);
    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: config.stack.environment,
        domain: config.stack.dns.domain,
        ...base.outputs,
        ...(gitops ? { gitopsDeployKey: gitops.deployPublicKey } : {}),
        ...monitoringOutputs(monitoring),
        ...apps,
    };
};
