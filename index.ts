import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { Edge, EdgeGcp } from "./components/edge/edge";
import { authHost, checkHosts, HostClaim } from "./components/edge/hosts";
import { NoEdgePublisher } from "./components/edge/publisher";
import { Publisher } from "./components/edge/types";
import { Dns } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { IngressAddress } from "./components/gcp/ingress-address";
import { Network } from "./components/gcp/network";
import { Registry } from "./components/gcp/registry";
import { GitOps } from "./components/gitops/gitops";
import { ConfigError } from "./config/errors";
import { assertOnpremCredentials } from "./components/onprem/credentials";
import { Onprem } from "./components/onprem/onprem";
import { Monitoring } from "./components/monitoring/monitoring";
import { loadConfig, LoadedConfig } from "./config/load";
import { edgeSettings } from "./config/sections/edge";
import { OUTPUTS_VERSION } from "./contract/outputs";

/** What the Kubernetes layers build on, whichever way the cluster came to be. */
interface Base {
    readonly provider: k8s.Provider;
    readonly outputs: Record<string, unknown>;
    /** Zone, ingress IP and Workload Identity for the edge; only when the program made the cluster. */
    readonly edgeGcp?: EdgeGcp;
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
    const dns = new Dns("dns", stack.dns);
    const ingress = new IngressAddress("ingress", { project, region, protect: prd });
    const registry = new Registry("registry", {
        project,
        region,
        repositoryId: stack.registry.name,
        untaggedRetentionDays: stack.registry.untaggedRetentionDays,
        keepRecent: stack.registry.keepRecent,
        readers: [pulumi.interpolate`serviceAccount:${gke.nodeServiceAccount.email}`],
    });

    return {
        provider: gke.provider,
        edgeGcp: {
            project,
            zone: dns.ref,
            ingressIp: ingress.address,
            // From the cluster, so the Workload Identity binding waits until the pool exists.
            workloadIdentityPool: gke.cluster.workloadIdentityConfig.apply(
                (c) => c?.workloadPool ?? gke.workloadIdentityPool,
            ),
        },
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
    return hosts;
}

/** Edge: Traefik, TLS and oauth2-proxy; returns the publisher every later layer routes hosts through. */
function buildEdge(config: LoadedConfig, base: Base): Publisher {
    const { stack, secrets } = config;
    if (!stack.edge.enabled) return new NoEdgePublisher(stack.dns.domain);
    const settings = edgeSettings(stack.edge, stack.environment);
    return new Edge("edge", {
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
    }).publisher;
}

/** Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix; the outputs the on-prem layer reads. */
function monitoringLayer(config: LoadedConfig, base: Base, publisher: Publisher): Monitoring | undefined {
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
            publisher: config.stack.edge.enabled ? publisher : undefined,
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
        ...(e.zabbixApiUrl ? { zabbixApiUrl: e.zabbixApiUrl, zabbixAdminSecret: e.zabbixAdminSecret } : {}),
        grafanaUrl: `https://${e.hosts.grafana}`,
    };
}

/** On-prem hardware as external endpoints + Zabbix hosts as code (docs/onprem.md). */
function onpremLayer(config: LoadedConfig, base: Base, monitoring: Monitoring | undefined): void {
    const onprem = config.stack.onprem;
    if (Object.keys(onprem.hosts).length === 0) return;
    const endpoints = monitoring?.endpoints;
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
        zabbixApiToken: config.secrets.zabbixApiToken,
        dnsZone: base.edgeGcp?.zone,
        crdDependsOn: monitoring ? [monitoring.stack.chart] : undefined,
        zabbixDependsOn: monitoring?.zabbix ? [monitoring.zabbix.chart] : undefined,
    });
}

/** The composition root: validate config, build every layer, return the stack outputs. */
export = async (): Promise<Record<string, unknown>> => {
    const config = loadConfig();
    const problems = checkHosts(declaredHosts(config), config.stack.dns.domain);
    if (problems.length > 0) throw new ConfigError(problems);
    assertOnpremCredentials(config.stack.onprem);
    const base = config.stack.cluster.mode === "gke" ? gkeBase(config) : existingBase(config);

    const publisher = buildEdge(config, base);
    const monitoring = monitoringLayer(config, base, publisher);
    onpremLayer(config, base, monitoring);

    const { gitops: gitopsConfig, gcp } = config.stack;
    const gitops = gitopsConfig.enabled
        ? new GitOps("gitops", {
              provider: base.provider,
              environment: config.stack.environment,
              config: gitopsConfig,
              // TODO(apps layer): pass the apps layer's AppImage list (config/images.ts); the merger wires it.
              images: [],
              gcp:
                  config.stack.cluster.mode === "gke"
                      ? { project: gcp.project!, workloadIdentityPool: `${gcp.project!}.svc.id.goog` }
                      : undefined,
              secrets: {
                  githubToken: config.secrets.gitopsGithubToken,
                  webhookUrl: config.secrets.gitopsWebhookUrl,
                  ghcrToken: config.secrets.gitopsGhcrToken,
              },
          })
        : undefined;

    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: config.stack.environment,
        domain: config.stack.dns.domain,
        ...base.outputs,
        ...(gitops ? { gitopsDeployKey: gitops.deployPublicKey } : {}),
        ...monitoringOutputs(monitoring),
    };
};
