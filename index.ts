import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GithubOidc } from "./components/ci/github-oidc";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { Dns } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { IngressAddress } from "./components/gcp/ingress-address";
import { Network } from "./components/gcp/network";
import { Registry } from "./components/gcp/registry";
import { loadConfig, LoadedConfig } from "./config/load";
import { DEFAULT_DEPLOYER_ROLES } from "./config/sections/ci";
import { OUTPUTS_VERSION } from "./contract/outputs";

/** What the Kubernetes layers build on, whichever way the cluster came to be. */
interface Base {
    readonly provider: k8s.Provider;
    readonly outputs: Record<string, unknown>;
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
    const base = config.stack.cluster.mode === "gke" ? gkeBase(config) : existingBase(config);
    keylessCi(config);
    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: config.stack.environment,
        domain: config.stack.dns.domain,
        ...base.outputs,
    };
};
