import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Application } from "./components/apps/application";
import { GcpContext } from "./components/apps/google-identity";
import { SablierServer } from "./components/apps/sablier";
import { GithubOidc } from "./components/ci/github-oidc";
import { DataStorageClass } from "./components/cluster/data-storage-class";
import { ExistingCluster } from "./components/cluster/existing-cluster";
import { keepCrds } from "./components/cluster/keep-crds";
import { namespaceOrder } from "./components/cluster/namespace-order";
import { Edge, EdgeGcp } from "./components/edge/edge";
import { Publisher } from "./components/edge/types";
import { addARecord, Dns, DnsZone } from "./components/gcp/dns";
import { GkeCluster } from "./components/gcp/gke-cluster";
import { LogAlertRelayTarget, Logs } from "./components/gcp/logs";
import { Network } from "./components/gcp/network";
import { PrivateDns } from "./components/gcp/private-dns";
import { PrivateServiceAccess } from "./components/gcp/private-service-access";
import { SiteGateway } from "./components/gcp/site-gateway";
import { SiteVpn } from "./components/gcp/site-vpn";
import { CloudSqlPostgres } from "./components/gcp/cloud-sql-postgres";
import type { GrafanaDatabaseConnection } from "./components/monitoring/settings";
import { Registry } from "./components/gcp/registry";
import { StaticAddress } from "./components/gcp/static-address";
import { GitOps } from "./components/gitops/gitops";
import { Monitoring } from "./components/monitoring/monitoring";
import type { ScrapeTarget } from "./components/monitoring/scrapes";
import { Onprem } from "./components/onprem/onprem";
import { ProxyPsk, SiteBundle } from "./components/onprem/site-bundle";
import { bundleHasServices } from "./components/onprem/site-compose";
import { loadConfig } from "./config/load";
import { bootstrapMessage, ExistingPlan, GkePlan, Plan, resolveBranchPreview, resolvePlan } from "./config/plan";
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
    /** Reserved IP of the SNMP trap receiver (gke, traps on). */
    readonly snmpTrapAddress?: pulumi.Output<string>;
    /** The private zone on-prem hosts' records go in (gke, a host with `dns: true`). */
    readonly onpremZone?: DnsZone;
    /** Grafana's Cloud SQL database (gke, monitoring.grafana.database without host). */
    readonly grafanaDatabase?: GrafanaDatabaseConnection;
    /** The log alerts' subscription and the Google account monitoring's relay pulls it as (gke, log alerts on). */
    readonly logAlerts?: LogAlertRelayTarget;
    /** The Zabbix trapper's internal load balancer address and sources (gke, a site watched). */
    readonly zabbixTrapper?: { readonly address: pulumi.Output<string>; readonly sourceRanges: readonly string[] };
    /** The watched sites' proxies' pre-shared keys, for the Zabbix sync (gke, a site watched). */
    readonly proxyPsks?: readonly ProxyPsk[];
}

/** GCP: network -> GKE cluster (and its provider); DNS zone, ingress address and registry beside it. */
function gkeBase(p: GkePlan): Base {
    const network = new Network("net", p.network);
    const gke = new GkeCluster("gke", { ...p.cluster, network: network.network.id, subnetwork: network.subnet.id });
    const dns = new Dns("dns", p.dns);
    // On-prem addresses are private: their names live in a zone only the VPC resolves.
    const onpremDns = p.onpremDns
        ? new PrivateDns("onprem-dns", { ...p.onpremDns, network: network.network.id })
        : undefined;
    // DNS records and registrars point at it. It was its own component type before StaticAddress.
    const ingress = new StaticAddress(
        "ingress",
        { project: p.project, region: p.region, description: "Ingress load balancer", protect: p.protect },
        { aliases: [{ type: "platform:gcp:IngressAddress" }] },
    );
    // prd: a StorageClass whose volumes outlive their claims; the data stores' PVCs name it.
    if (p.dataStorageClass) new DataStorageClass("data-storage", { provider: gke.provider, name: p.dataStorageClass });
    const grafanaDb = p.grafanaDatabase ? grafanaDatabase(p.grafanaDatabase, network) : undefined;
    // Switches and routers are configured with this address: it must outlive the Service.
    const traps = p.snmpTrapAddress
        ? new StaticAddress("snmp-traps", {
              project: p.project,
              region: p.region,
              description: "SNMP trap receiver (Zabbix) load balancer",
              protect: p.protect,
          })
        : undefined;
    // The watched sites' Zabbix proxies send to this address through their tunnels: it must stay put.
    const trapper = p.zabbixTrapper
        ? new StaticAddress("zabbix-trapper", {
              project: p.project,
              region: p.region,
              description: "Zabbix trapper (internal load balancer) for on-prem sites' proxies",
              protect: p.protect,
              internal: { subnetwork: network.subnet.id, address: p.zabbixTrapper.address },
          })
        : undefined;
    const sites = siteConnectivity(p, network);
    const registry = new Registry("registry", {
        ...p.registry,
        readers: [pulumi.interpolate`serviceAccount:${gke.nodeServiceAccount.email}`],
    });
    // From the cluster, not the project id: GKE creates the pool with the first cluster, and an
    // IAM binding naming it fails before then. Every Workload Identity binding takes this.
    const workloadIdentityPool = gke.cluster.workloadIdentityConfig.apply(
        (c) => c?.workloadPool ?? gke.workloadIdentityPool,
    );
    // GKE ships container logs and events to Cloud Logging: their retention and log-based alerts.
    const logs = p.logs ? new Logs("logs", { ...p.logs, workloadIdentityPool }) : undefined;
    return {
        provider: gke.provider,
        registry,
        gcp: { project: p.project, region: p.region, workloadIdentityPool },
        edgeGcp: { project: p.project, zone: dns.ref, ingressIp: ingress.address, workloadIdentityPool },
        snmpTrapAddress: traps?.address,
        onpremZone: onpremDns?.ref,
        grafanaDatabase: grafanaDb,
        logAlerts: logs?.relay,
        ...(trapper && p.zabbixTrapper
            ? { zabbixTrapper: { address: trapper.address, sourceRanges: p.zabbixTrapper.sourceRanges } }
            : {}),
        proxyPsks: sites.proxyPsks,
        outputs: {
            kubeconfig: gke.kubeconfig,
            clusterName: gke.cluster.name,
            clusterEndpoint: gke.endpoint,
            region: p.region,
            ingressIp: ingress.address,
            nameServers: dns.nameServers,
            artifactRegistry: registry.url,
            workloadIdentityPool: gke.workloadIdentityPool,
            ...(traps ? { snmpTrapAddress: traps.address } : {}),
            ...sites.outputs,
        },
    };
}

/**
 * Each on-prem site's path into the VPC: HA VPN + BGP, or a WireGuard gateway VM; and what the
 * site's machine runs, its bundle (docs/onprem.md, Sites and The site bundle).
 */
function siteConnectivity(
    p: GkePlan,
    network: Network,
): { outputs: Partial<StackOutputs>; proxyPsks: readonly ProxyPsk[] } {
    if (p.sites.length === 0) return { outputs: {}, proxyPsks: [] };
    const info: Record<string, unknown> = {};
    const tunnels: Record<string, pulumi.Output<string>> = {};
    const bundles: Record<string, pulumi.Output<Record<string, string>>> = {};
    const proxyPsks: ProxyPsk[] = [];
    const zabbixServer = p.zabbixTrapper?.address;
    for (const { plan: site, sharedSecret } of p.sites) {
        const about = { mode: site.mode, ranges: site.ranges, monitoredBy: site.monitoredBy, watched: site.watched };
        let tunnelConfig: pulumi.Output<string> | undefined;
        if (site.gateway) {
            const gw = new SiteGateway(`site-${site.name}`, {
                site: { ...site, gateway: site.gateway },
                project: p.project,
                region: p.region,
                network: network.network.id,
                subnetwork: network.subnet.id,
                protect: p.protect,
                zabbixServer,
            });
            info[site.name] = {
                ...about,
                gatewayAddress: gw.address,
                gatewayPublicKey: gw.gatewayPublicKey,
                sitePublicKey: gw.sitePublicKey,
            };
            tunnels[site.name] = gw.siteConfig;
            tunnelConfig = gw.siteConfig;
        } else if (site.vpn) {
            const vpn = new SiteVpn(`site-${site.name}`, {
                site: { ...site, vpn: site.vpn },
                project: p.project,
                region: p.region,
                network: network.network.id,
                sharedSecret: sharedSecret!,
                zabbixServer,
            });
            info[site.name] = { ...about, vpnAddresses: vpn.addresses };
        }
        const bundleArgs = { stack: pulumi.getStack(), site, zabbixServer: site.watched ? zabbixServer : undefined };
        // A site this stack neither watches (with Zabbix or flows) nor tunnels to runs nothing of this stack's.
        if (!bundleHasServices(bundleArgs)) continue;
        const bundle = new SiteBundle(`site-${site.name}-bundle`, { ...bundleArgs, tunnelConfig });
        bundles[site.name] = bundle.files;
        if (bundle.psk) proxyPsks.push(bundle.psk);
    }
    return {
        outputs: {
            onpremSites: info,
            onpremSiteTunnels: pulumi.secret(tunnels),
            onpremSiteBundles: pulumi.secret(bundles),
        },
        proxyPsks,
    };
}

/** Cloud SQL for Grafana with a private IP: the VPC's private services access, then the instance. */
function grafanaDatabase(args: NonNullable<GkePlan["grafanaDatabase"]>, network: Network): GrafanaDatabaseConnection {
    const access = new PrivateServiceAccess("private-services", { network: network.network.id });
    const db = new CloudSqlPostgres("grafana-db", {
        ...args,
        network: network.network.id,
        dependsOn: [access.connection],
    });
    return { host: db.host, password: db.password, dependsOn: [db.database, db.user] };
}

function existingBase(p: ExistingPlan): Base {
    return { provider: new ExistingCluster("cluster", p.existing).provider, outputs: {} };
}

/** Edge: Traefik, TLS and oauth2-proxy; every later layer routes its hosts through its publisher. */
function edgeLayer(
    plan: Plan,
    base: Base,
): { publisher?: Publisher; scrapeTargets: readonly ScrapeTarget[]; sealRoutes: () => void } {
    if (!plan.edge) return { scrapeTargets: [], sealRoutes: () => undefined };
    const edge = new Edge("edge", {
        ...plan.edge,
        provider: base.provider,
        gcp: base.edgeGcp,
        apiServer: [plan.cluster.apiServer],
    });
    return { publisher: edge.publisher, scrapeTargets: edge.scrapeTargets, sealRoutes: () => edge.sealRoutes() };
}

/** Monitoring: Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix. */
function monitoringLayer(plan: Plan, base: Base, edge: ReturnType<typeof edgeLayer>): Monitoring | undefined {
    if (!plan.monitoring) return undefined;
    return new Monitoring(
        "monitoring",
        {
            ...plan.monitoring,
            publisher: edge.publisher,
            scrapeTargets: edge.scrapeTargets,
            snmpTrapAddress: base.snmpTrapAddress,
            apiServer: [plan.cluster.apiServer],
            zabbixTrapper: base.zabbixTrapper,
            grafanaDatabase: plan.monitoring.grafanaDatabase ?? base.grafanaDatabase,
            logAlerts: base.logAlerts,
        },
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
        proxyPsks: base.proxyPsks,
        dnsZone: base.onpremZone,
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
    // Before any resource: every object waits for the Namespace it names (components/cluster/namespace-order.ts).
    pulumi.runtime.registerStackTransformation(namespaceOrder());
    const config = loadConfig();
    // Charts' CRDs outlive their charts (deleting one deletes every resource of its kind); prd protects them.
    pulumi.runtime.registerResourceTransform(keepCrds({ protect: config.stack.environment === "prd" }));
    if (config.stack.preview) return branchPreview(resolveBranchPreview(config));
    const plan = resolvePlan(config);

    const base = plan.cluster.mode === "gke" ? gkeBase(plan.cluster) : existingBase(plan.cluster);
    const edge = edgeLayer(plan, base);
    const monitoring = monitoringLayer(plan, base, edge);
    onpremLayer(plan, base, monitoring);
    const { components, ...appOutputs } = appsLayer(plan, base, edge.publisher, monitoring);
    // The apps were the last to publish routes: Traefik's namespaces are known, its release can go.
    edge.sealRoutes();
    const gitops = gitopsLayer(plan, base, components);
    if (plan.ci) new GithubOidc("ci", { ...plan.ci, registryDependsOn: base.registry ? [base.registry] : [] });
    // The first deploy: say, by name, what to push before the apps can be declared.
    if (plan.bootstrap) void pulumi.log.warn(bootstrapMessage(plan.stackName, plan.bootstrap));

    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: plan.environment,
        domain: plan.domain,
        ...base.outputs,
        ...(gitops ? { gitopsDeployKey: gitops.deployPublicKey } : {}),
        ...monitoringOutputs(monitoring),
        ...appOutputs,
        ...(plan.bootstrap ? { imagesToPush: [...plan.bootstrap.imagesToPush] } : {}),
    } satisfies StackOutputs;
};
