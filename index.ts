import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Application, GcpContext } from "./components/apps/application";
import { Preview } from "./components/apps/preview";
import { SablierServer } from "./components/apps/sablier";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { Publisher } from "./components/edge/types";
import { Dns } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { IngressAddress } from "./components/gcp/ingress-address";
import { Network } from "./components/gcp/network";
import { Registry } from "./components/gcp/registry";
import { loadConfig, LoadedConfig } from "./config/load";
import { OUTPUTS_VERSION } from "./contract/outputs";

/** What the Kubernetes layers build on, whichever way the cluster came to be. */
interface Base {
    readonly provider: k8s.Provider;
    readonly outputs: Record<string, unknown>;
    /** GCP project, region and Workload Identity pool (gke mode only). */
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
        gcp: { project, region, workloadIdentityPool: gke.workloadIdentityPool },
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

/** Apps layer: every app of platform:apps in its namespace envelope, and the preview host (Sablier). */
function appsLayer(config: LoadedConfig, base: Base, publisher: Publisher | undefined): Record<string, unknown> {
    const { stack } = config;
    const apps: Record<string, unknown> = {};
    for (const [app, spec] of Object.entries(stack.apps)) {
        const a = new Application(`app-${app}`, {
            provider: base.provider,
            app,
            spec,
            environment: stack.environment,
            gcp: base.gcp,
            publisher,
            // TODO(edge, monitoring, onprem): take traefikNamespace, prometheusNamespace, crdDependsOn
            // (the kube-prometheus-stack chart) and onpremAddresses from those layers once merged.
        });
        apps[app] = { namespace: a.namespace, hosts: spec.hosts.map((h) => h.host), backupBucket: a.backupBucket };
    }
    const out: Record<string, unknown> = { apps };
    if (stack.previews.enabled) {
        const sablier = new SablierServer("sablier", {
            provider: base.provider,
            namespace: stack.previews.namespace,
            apiServer: base.gcp ? [{ cidr: stack.cluster.masterCidr, port: 443 }] : [{ cidr: "0.0.0.0/0", port: 6443 }],
        });
        out.sablierUrl = sablier.url;
    }
    return out;
}

/** A `dev-br-<branch>` stack: one app's branch on the dev cluster, read through a StackReference. */
function previewProgram(config: LoadedConfig, publisher: Publisher | undefined): Record<string, unknown> {
    const { stack } = config;
    const p = stack.preview!;
    const dev = new pulumi.StackReference("dev", { name: p.devStack });
    const provider = new k8s.Provider("preview-k8s", {
        kubeconfig: dev.requireOutput("kubeconfig") as pulumi.Output<string>,
        enableServerSideApply: true,
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

/** The composition root: validate config, build every layer, return the stack outputs. */
export = async (): Promise<Record<string, unknown>> => {
    const config = loadConfig();
    // TODO(edge): the edge layer's Publisher (IngressRoute + DNS record + auth per host); until it is
    // merged, apps and previews declare no routes. Apps: pass `buildEdge(config, base)`. Previews: an
    // EdgePublisher over the dev stack's edge (its auth middlewares and oauth2-proxy Service in the
    // `edge` namespace, no dependsOn, the dev zone and `ingressIp` read from the StackReference).
    const publisher: Publisher | undefined = undefined;
    if (config.stack.preview) return previewProgram(config, publisher);
    const base = config.stack.cluster.mode === "gke" ? gkeBase(config) : existingBase(config);
    const apps = appsLayer(config, base, publisher);
    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: config.stack.environment,
        domain: config.stack.dns.domain,
        ...base.outputs,
        ...apps,
    };
};
