import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Application } from "./components/apps/application";
import { GcpContext } from "./components/apps/google-identity";
import { SablierServer } from "./components/apps/sablier";
import { GithubOidc } from "./components/ci/github-oidc";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { Edge, EdgeGcp } from "./components/edge/edge";
import { Publisher } from "./components/edge/types";
import { addARecord, Dns } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { IngressAddress } from "./components/gcp/ingress-address";
import { Network } from "./components/gcp/network";
import { Registry } from "./components/gcp/registry";
import { GitOps } from "./components/gitops/gitops";
import { Monitoring } from "./components/monitoring/monitoring";
import type { ScrapeTarget } from "./components/monitoring/scrapes";
import { Onprem } from "./components/onprem/onprem";
import { loadConfig } from "./config/load";
import { ExistingPlan, GkePlan, Plan, resolveBranchPreview, resolvePlan } from "./config/plan";
import { OUTPUTS_VERSION, StackOutputs } from "./contract/outputs";
import { branchPreview } from "./program/branch-preview";

// The composition root: the stack file is resolved once into a plan (config/plan.ts); each layer
// below is one call, in the order of the architecture diagram (docs/design.md). Nothing here
// decides a setting: what a layer is given comes from the plan or from a layer built before it.

/** The cluster, whichever way it came to be, and the GCP pieces the Kubernetes layers build on. */
interface Base {
    readonly provider: k8s.Provider;
    readonly outputs: Partial<StackOutputs>;
    /** Zone, ingress IP and Workload Identity for the edge (gke only). */
    readonly edgeGcp?: EdgeGcp;
    /** Project, region and Workload Identity pool for apps and Flux (gke only). */
    readonly gcp?: GcpContext;
    /** The app image registry (gke only). */
    readonly registry?: Registry;
}

/** GCP: network -> GKE cluster (and its provider); DNS zone, ingress address and registry beside it. */
function gkeBase(p: GkePlan): Base {
    const network = new Network("net", p.network);
    const gke = new GkeCluster("gke", { ...p.cluster, network: network.network.id, subnetwork: network.subnet.id });
    const dns = new Dns("dns", p.dns);
    const ingress = new IngressAddress("ingress", { project: p.project, region: p.region, protect: p.protect });
    const registry = new Registry("registry", {
        ...p.registry,
        readers: [pulumi.interpolate`serviceAccount:${gke.nodeServiceAccount.email}`],
    });
    // From the cluster, not the project id: GKE creates the pool with the first cluster, and an
    // IAM binding naming it fails before then. Every Workload Identity binding takes this.
    const workloadIdentityPool = gke.cluster.workloadIdentityConfig.apply(
        (c) => c?.workloadPool ?? gke.workloadIdentityPool,
    );
    return {
        provider: gke.provider,
        registry,
        gcp: { project: p.project, region: p.region, workloadIdentityPool },
        edgeGcp: { project: p.project, zone: dns.ref, ingressIp: ingress.address, workloadIdentityPool },
        outputs: {
            kubeconfig: gke.kubeconfig,
            clusterName: gke.cluster.name,
            clusterEndpoint: gke.endpoint,
            region: p.region,
            ingressIp: ingress.address,
            nameServers: dns.nameServers,
            artifactRegistry: registry.url,
            workloadIdentityPool: gke.workloadIdentityPool,
        },
    };
}

function existingBase(p: ExistingPlan): Base {
    return { provider: new ExistingCluster("cluster", p.existing).provider, outputs: {} };
}

/** Edge: Traefik, TLS and oauth2-proxy; every later layer routes its hosts through its publisher. */
function edgeLayer(plan: Plan, base: Base): { publisher?: Publisher; scrapeTargets: readonly ScrapeTarget[] } {
    if (!plan.edge) return { scrapeTargets: [] };
    const edge = new Edge("edge", { ...plan.edge, provider: base.provider, gcp: base.edgeGcp });
    return { publisher: edge.publisher, scrapeTargets: edge.scrapeTargets };
}

/** Monitoring: Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix. */
function monitoringLayer(plan: Plan, base: Base, edge: ReturnType<typeof edgeLayer>): Monitoring | undefined {
    if (!plan.monitoring) return undefined;
    return new Monitoring(
        "monitoring",
        { ...plan.monitoring, publisher: edge.publisher, scrapeTargets: edge.scrapeTargets },
        { providers: [base.provider] },
    );
}

/** On-prem hardware as external endpoints + Zabbix hosts as code (docs/onprem.md). */
function onpremLayer(plan: Plan, base: Base, monitoring: Monitoring | undefined): void {
    if (!plan.onprem) return;
    const { logsInToOwnZabbix, ...args } = plan.onprem;
    new Onprem("onprem", {
        ...args,
        provider: base.provider,
        zabbixLogin: logsInToOwnZabbix ? monitoring?.endpoints.zabbixLogin : undefined,
        dnsZone: base.edgeGcp?.zone,
        crdDependsOn: monitoring ? [monitoring.stack.chart] : undefined,
        zabbixDependsOn: monitoring?.zabbix ? [monitoring.zabbix.chart] : undefined,
    });
}

/** Apps: every app in its namespace envelope; Sablier for branch previews. */
function appsLayer(plan: Plan, base: Base, publisher: Publisher | undefined, monitoring: Monitoring | undefined) {
    const apps: Record<string, unknown> = {};
    const components: pulumi.Resource[] = [];
    for (const { name, args } of plan.apps) {
        const a = new Application(`app-${name}`, {
            ...args,
            provider: base.provider,
            gcp: base.gcp,
            publisher,
            crdDependsOn: monitoring ? [monitoring.stack.chart] : undefined,
        });
        components.push(a.envelope);
        apps[name] = {
            namespace: a.namespace,
            hosts: args.spec.hosts.map((h) => h.host),
            backupBucket: a.backupBucket,
        };
    }
    if (!plan.previews) return { apps, components };
    const sablier = new SablierServer("sablier", {
        ...plan.previews,
        provider: base.provider,
        apiServer: [plan.cluster.apiServer],
    });
    // Preview stacks publish `<branch>--g.<domain>` without a zone of their own: one wildcard
    // record here sends every such host to the ingress.
    if (base.edgeGcp) {
        addARecord(sablier, "previews-wildcard", base.edgeGcp.zone, `*.${plan.domain}`, base.edgeGcp.ingressIp);
    }
    return { apps, components, sablierUrl: sablier.url };
}

/** GitOps: Flux, the platform repository, image automation for every app image. */
function gitopsLayer(plan: Plan, base: Base, namespaces: readonly pulumi.Resource[]): GitOps | undefined {
    if (!plan.gitops) return undefined;
    return new GitOps("gitops", {
        ...plan.gitops,
        provider: base.provider,
        gcp: base.gcp,
        syncNamespacesDependOn: namespaces,
    });
}

function monitoringOutputs(monitoring: Monitoring | undefined): Partial<StackOutputs> {
    if (!monitoring) return {};
    const e = monitoring.endpoints;
    return {
        monitoringNamespace: e.namespace,
        blackboxAddress: e.blackboxAddress,
        ...(e.zabbixApiUrl ? { zabbixApiUrl: e.zabbixApiUrl, zabbixAdminSecretName: e.zabbixAdminSecretName } : {}),
        grafanaUrl: `https://${e.hosts.grafana}`,
    };
}

export = async (): Promise<Record<string, unknown>> => {
    const config = loadConfig();
    if (config.stack.preview) return branchPreview(resolveBranchPreview(config));
    const plan = resolvePlan(config);

    const base = plan.cluster.mode === "gke" ? gkeBase(plan.cluster) : existingBase(plan.cluster);
    const edge = edgeLayer(plan, base);
    const monitoring = monitoringLayer(plan, base, edge);
    onpremLayer(plan, base, monitoring);
    const { components, ...appOutputs } = appsLayer(plan, base, edge.publisher, monitoring);
    const gitops = gitopsLayer(plan, base, components);
    if (plan.ci) new GithubOidc("ci", { ...plan.ci, registryDependsOn: base.registry ? [base.registry] : [] });

    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: plan.environment,
        domain: plan.domain,
        ...base.outputs,
        ...(gitops ? { gitopsDeployKey: gitops.deployPublicKey } : {}),
        ...monitoringOutputs(monitoring),
        ...appOutputs,
    } satisfies StackOutputs;
};
