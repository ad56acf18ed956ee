import * as pulumi from "@pulumi/pulumi";
import type { ApplicationArgs } from "../components/apps/application";
import type { PreviewArgs } from "../components/apps/preview";
import type { SablierServerArgs } from "../components/apps/sablier";
import type { AppPushGrant, GithubOidcArgs } from "../components/ci/github-oidc";
import type { ExistingClusterArgs } from "../components/cluster/existing-cluster";
import type { EdgeArgs } from "../components/edge/edge";
import { authHost, checkHosts, HostClaim } from "../components/edge/hosts";
import type { DnsArgs } from "../components/gcp/dns";
import type { PrivateDnsArgs } from "../components/gcp/private-dns";
import type { CloudSqlPostgresArgs } from "../components/gcp/cloud-sql-postgres";
import type { GkeClusterArgs } from "../components/gcp/gke-cluster";
import { platformLogAlerts } from "../components/gcp/log-alerts";
import type { LogsArgs } from "../components/gcp/logs";
import { OAUTH2_PROXY_CONTAINER } from "../components/edge/oauth2-proxy";
import { CERT_MANAGER_NAMESPACE } from "../components/edge/cert-manager";
import type { NetworkArgs } from "../components/gcp/network";
import type { RegistryArgs } from "../components/gcp/registry";
import type { GitOpsArgs } from "../components/gitops/gitops";
import { DATA_STORAGE_CLASS } from "../components/cluster/data-storage-class";
import { NODE_ROLES } from "../components/gcp/gke-cluster";
import { FLUX_NAMESPACE } from "../components/gitops/names";
import { blackboxAddress, nodeExporterNamespaceName, zabbixApiUrl } from "../components/monitoring/addresses";
import { LOG_ALERT_RELAY } from "../components/monitoring/log-alert-relay";
import type { MonitoringArgs } from "../components/monitoring/monitoring";
import type { OnpremArgs } from "../components/onprem/onprem";
import { SitePlan, sitePlans, ZabbixTrapperPlan, zabbixTrapperPlan } from "../components/onprem/sites";
import { vpnSharedSecret } from "../components/onprem/vpn-secrets";
import { appImages } from "./images";
import { ConfigError } from "./errors";
import { LoadedConfig } from "./load";
import { assertOnpremCredentials } from "./onprem-credentials";
import { syncLogsInToOwnZabbix } from "./required-secrets";
import { DEFAULT_DEPLOYER_ROLES } from "./sections/ci";
import { edgeSettings } from "./sections/edge";
import { githubRepo } from "./sections/gitops";
import { cloudSqlSchema, DEFAULT_LOG_RETENTION_DAYS, monitoringSettings } from "./sections/monitoring";
import { devStackProblems, previewHost, previewNamespace } from "./sections/preview";
import { SecretKey } from "./secrets";
import { chartSource } from "./sections/charts";
import { ChartPin, CHARTS, chartFile, ChartSource, CLOUD_SQL } from "../components/versions";
import { existsSync } from "node:fs";
import { posix } from "node:path";

/**
 * The stack file resolved once into what each layer is given: every default filled in, every
 * prd/dev difference decided, every namespace named here and handed to each layer that needs it.
 * Layers take these as their args; what only exists while the program runs (the provider, another
 * layer's resources, GCP outputs) index.ts adds when it wires the layers together.
 */
export interface Plan {
    readonly stackName: string;
    readonly environment: "dev" | "prd";
    readonly domain: string;
    /** The namespace of each layer that runs; a layer that does not run has none. */
    readonly namespaces: Namespaces;
    /** Where every chart comes from (`platform:charts`). */
    readonly charts: ChartSource;
    readonly cluster: GkePlan | ExistingPlan;
    /** The edge's args but what the cluster gives (index.ts): the provider, GCP, the API server's address. */
    readonly edge?: Omit<EdgeArgs, "provider" | "gcp" | "apiServer">;
    readonly monitoring?: Omit<
        MonitoringArgs,
        "publisher" | "scrapeTargets" | "snmpTrapAddress" | "apiServer" | "zabbixTrapper"
    >;
    readonly onprem?: OnpremPlan;
    readonly apps: readonly AppPlan[];
    readonly previews?: Omit<SablierServerArgs, "provider" | "apiServer">;
    readonly gitops?: Omit<GitOpsArgs, "provider" | "gcp" | "syncNamespacesDependOn">;
    readonly ci?: Omit<GithubOidcArgs, "registryDependsOn">;
    /** `platform:bootstrap`: the first deploy, platform only; absent otherwise. */
    readonly bootstrap?: BootstrapPlan;
}

/** What a bootstrap run leaves out and tells the user to do before the next. */
export interface BootstrapPlan {
    /** The apps of the stack file, none of which is declared this run. */
    readonly appsHeldBack: readonly string[];
    /** Every app image (`<repository>:<tag>`) in the registry this stack creates: push these next. */
    readonly imagesToPush: readonly string[];
    /** That registry, `<region>-docker.pkg.dev/<project>/<repository>`; absent outside gke. */
    readonly registry?: string;
}

export interface Namespaces {
    readonly edge?: string;
    readonly monitoring?: string;
    readonly onprem?: string;
    readonly flux?: string;
    readonly previews?: string;
    /** App name to its namespace. */
    readonly apps: Readonly<Record<string, string>>;
}

export interface GkePlan {
    readonly mode: "gke";
    readonly project: string;
    readonly region: string;
    readonly protect: boolean;
    readonly network: Omit<NetworkArgs, never>;
    readonly cluster: Omit<GkeClusterArgs, "network" | "subnetwork">;
    readonly dns: DnsArgs;
    readonly registry: Omit<RegistryArgs, "readers">;
    /** Where pods reach the API server (Sablier's egress): the control plane's range on 443. */
    readonly apiServer: { readonly cidr: string; readonly port: number };
    /** The StorageClass for data volumes index.ts declares (prd: reclaimPolicy Retain). @default none */
    readonly dataStorageClass?: string;
    /** Reserve a static IP for the SNMP trap receiver (monitoring.zabbix.snmpTraps on). */
    readonly snmpTrapAddress: boolean;
    /** The private zone for on-prem hosts with `dns: true` (`<onprem.dnsSubdomain>.<domain>`); none when no host asks. */
    readonly onpremDns?: Omit<PrivateDnsArgs, "network">;
    /** The on-prem sites this stack connects to (each `vpn` one with its pre-shared key). */
    readonly sites: readonly { readonly plan: SitePlan; readonly sharedSecret?: pulumi.Output<string> }[];
    /** The Zabbix server's trapper behind an internal load balancer, for the watched sites' proxies (Zabbix on, a site watched). */
    readonly zabbixTrapper?: ZabbixTrapperPlan;
    /** Cloud SQL for Grafana (monitoring.grafana.database without host); none otherwise. */
    readonly grafanaDatabase?: Omit<CloudSqlPostgresArgs, "network" | "dependsOn">;
    /** Log retention and log-based alerts (monitoring on); none otherwise. */
    readonly logs?: LogsArgs;
}

export interface ExistingPlan {
    readonly mode: "existing";
    readonly existing: ExistingClusterArgs;
    /** Outside GKE the API server's address is not known: 6443 anywhere. */
    readonly apiServer: { readonly cidr: string; readonly port: number };
}

export interface OnpremPlan extends Omit<
    OnpremArgs,
    "provider" | "dnsZone" | "crdDependsOn" | "zabbixDependsOn" | "zabbixLogin"
> {
    /** The sync signs in to the stack's own Zabbix (monitoring's login) rather than with a token. */
    readonly logsInToOwnZabbix: boolean;
}

export interface AppPlan {
    readonly name: string;
    readonly args: Omit<ApplicationArgs, "provider" | "gcp" | "publisher" | "crdDependsOn">;
}

/** A `dev-br-<branch>` stack: one app branch on the dev cluster. */
export interface BranchPreviewPlan {
    readonly environment: "dev";
    readonly domain: string;
    /** The dev stack, read through a StackReference. */
    readonly devStack: string;
    /** The dev stack's edge namespace (its middlewares and oauth2-proxy). */
    readonly edgeNamespace: string;
    readonly preview: Omit<PreviewArgs, "provider" | "sablierUrl" | "publisher" | "gcp">;
    readonly gcp?: { readonly project: string; readonly region: string; readonly workloadIdentityPool: string };
}

/** The edge always runs in this namespace; other layers and preview stacks read it from the plan. */
const EDGE_NAMESPACE = "edge";

/** A secret the config requires; loadConfig has already refused a stack that lacks one. */
function secret(config: LoadedConfig, key: SecretKey): pulumi.Output<string> {
    const value = config.secrets[key];
    if (value === undefined) throw new Error(`internal: secret ${key} was not checked by loadConfig`);
    return value;
}

/** The organization the CLI runs the stack in; undefined when it reports none (older CLIs). */
function organization(): string | undefined {
    try {
        return pulumi.getOrganization();
    } catch {
        return undefined;
    }
}

/** The branch preview stack's plan. */
export function resolveBranchPreview(config: LoadedConfig): BranchPreviewPlan {
    const { stack } = config;
    const p = stack.preview!;
    const problems = devStackProblems(p.devStack, { project: pulumi.getProject(), organization: organization() });
    if (problems.length > 0) throw new ConfigError(problems);
    const spec = stack.apps[p.app]!;
    return {
        environment: "dev",
        domain: stack.dns.domain,
        devStack: p.devStack,
        edgeNamespace: EDGE_NAMESPACE,
        preview: {
            app: p.app,
            spec: { ...spec, containers: spec.containers.map((c) => ({ ...c, image: p.images[c.name] ?? c.image })) },
            branch: p.branch,
            namespace: previewNamespace(p.app, p.branch),
            host: previewHost(p.branch, stack.dns.domain),
            idleAfter: p.idleAfter,
            traefikNamespace: EDGE_NAMESPACE,
        },
        gcp: stack.gcp.project
            ? {
                  project: stack.gcp.project,
                  region: stack.gcp.region,
                  workloadIdentityPool: `${stack.gcp.project}.svc.id.goog`,
              }
            : undefined,
    };
}

/**
 * The whole plan of a platform stack. Throws a ConfigError for what the schema cannot see alone:
 * hosts claimed twice or outside the domain, credentials the inventory names but the secret lacks.
 */
export function resolvePlan(config: LoadedConfig): Plan {
    const { stack } = config;
    const environment = stack.environment;
    const prd = environment === "prd";
    const domain = stack.dns.domain;
    const problems = checkHosts(declaredHosts(config), domain);
    if (problems.length > 0) throw new ConfigError(problems);
    assertOnpremCredentials(stack.onprem);

    const charts = chartSource(stack.charts, process.cwd());
    checkChartFolder(charts, chartsUsed(stack));

    const hasOnprem = Object.keys(stack.onprem.hosts).length > 0;
    // prd's data volumes outlive their claims (components/cluster/data-storage-class.ts).
    const dataStorageClass = prd && stack.cluster.mode === "gke" ? DATA_STORAGE_CLASS : undefined;
    const m = stack.monitoring;
    // The first deploy declares no app: their images cannot be in the registry it creates.
    const apps = stack.bootstrap ? {} : stack.apps;
    const namespaces: Namespaces = {
        edge: stack.edge.enabled ? EDGE_NAMESPACE : undefined,
        monitoring: m.enabled ? m.namespace : undefined,
        onprem: hasOnprem ? stack.onprem.namespace : undefined,
        flux: stack.gitops.enabled ? FLUX_NAMESPACE : undefined,
        previews: stack.previews.enabled ? stack.previews.namespace : undefined,
        apps: Object.fromEntries(Object.entries(apps).map(([app, spec]) => [app, spec.namespace ?? app])),
    };

    return {
        stackName: config.stackName,
        environment,
        domain,
        namespaces,
        charts,
        cluster: clusterPlan(config),
        edge: withCharts(edgePlan(config, namespaces), charts),
        monitoring: m.enabled
            ? {
                  config: monitoringSettings(m),
                  domain,
                  grafanaOAuthClientId: secret(config, "grafanaOAuthClientId"),
                  grafanaOAuthClientSecret: secret(config, "grafanaOAuthClientSecret"),
                  alertmanagerWebhookUrl: secret(config, "alertmanagerWebhookUrl"),
                  // An existing PostgreSQL; the Cloud SQL one is the GCP base's (GkePlan.grafanaDatabase).
                  grafanaDatabase:
                      m.grafana.database?.host !== undefined
                          ? { host: m.grafana.database.host, password: secret(config, "grafanaDatabasePassword") }
                          : undefined,
                  edgeNamespace: namespaces.edge,
                  onpremNamespace: namespaces.onprem,
                  charts,
                  protect: prd,
                  dataStorageClass,
              }
            : undefined,
        onprem: hasOnprem ? onpremPlan(config, namespaces) : undefined,
        apps: Object.entries(apps).map(([app, spec]) => ({
            name: app,
            args: {
                app,
                spec: { ...spec, namespace: namespaces.apps[app] },
                environment,
                traefikNamespace: namespaces.edge,
                prometheusNamespace: namespaces.monitoring,
                dataStorageClass,
                onpremAddresses: Object.fromEntries(
                    Object.entries(stack.onprem.hosts).map(([n, h]) => [n, [`${h.address}/32`]]),
                ),
            },
        })),
        previews:
            namespaces.previews && namespaces.edge
                ? { namespace: namespaces.previews, traefikNamespace: namespaces.edge }
                : undefined,
        gitops: withCharts(gitopsPlan(config, namespaces, apps), charts),
        bootstrap: stack.bootstrap ? bootstrapPlan(stack) : undefined,
        ci: stack.ci.enabled ? ciPlan(config) : undefined,
    };

    function clusterPlan(c: LoadedConfig): GkePlan | ExistingPlan {
        const s = c.stack;
        if (s.cluster.mode !== "gke") {
            return {
                mode: "existing",
                existing: { context: s.cluster.context!, kubeconfigPath: s.cluster.kubeconfigPath },
                apiServer: { cidr: "0.0.0.0/0", port: 6443 },
            };
        }
        const project = s.gcp.project!;
        const region = s.gcp.region;
        const clusterName = s.cluster.name ?? `platform-${environment}`;
        const sites = sitePlans(s.onprem.sites, s.onprem.hosts, c.stackName, s.network);
        return {
            mode: "gke",
            project,
            region,
            protect: prd,
            network: { region, ...s.network, masterCidr: s.cluster.masterCidr },
            cluster: {
                project,
                clusterName,
                location: s.cluster.location ?? region,
                masterCidr: s.cluster.masterCidr,
                releaseChannel: s.cluster.releaseChannel,
                authorizedNetworks: s.cluster.authorizedNetworks,
                dnsEndpoint: s.cluster.dnsEndpoint,
                maintenanceStart: s.cluster.maintenanceStart,
                deletionProtection: s.cluster.deletionProtection ?? prd,
                nodePools: s.cluster.nodePools,
            },
            dns: { ...s.dns, protect: prd },
            registry: {
                project,
                region,
                protect: prd,
                repositoryId: s.registry.name,
                untaggedRetentionDays: s.registry.untaggedRetentionDays,
                keepRecent: s.registry.keepRecent,
            },
            apiServer: { cidr: s.cluster.masterCidr, port: 443 },
            dataStorageClass: prd ? DATA_STORAGE_CLASS : undefined,
            snmpTrapAddress:
                s.monitoring.enabled && s.monitoring.zabbix.enabled && s.monitoring.zabbix.snmpTraps.enabled,
            grafanaDatabase: grafanaCloudSql(s, project, region, prd),
            sites: sites.map((site) => ({
                plan: site,
                sharedSecret:
                    site.mode === "vpn"
                        ? secret(c, "onpremVpnSecrets").apply((t) => vpnSharedSecret(t, site.name))
                        : undefined,
            })),
            zabbixTrapper:
                s.monitoring.enabled && s.monitoring.zabbix.enabled
                    ? zabbixTrapperPlan(sites, s.network.subnetCidr)
                    : undefined,
            onpremDns: Object.values(s.onprem.hosts).some((h) => h.dns)
                ? { domain: `${s.onprem.dnsSubdomain}.${s.dns.domain}`, ttl: s.dns.ttl }
                : undefined,
            logs: logsPlan(c, project, clusterName, namespaces),
        };
    }
}

/**
 * The project's log retention and the log-based alerts, with monitoring (a relay in its namespace
 * hands the alerts to Alertmanager). Every namespace the stack deploys into is watched for crash loops.
 */
function logsPlan(config: LoadedConfig, project: string, clusterName: string, ns: Namespaces): LogsArgs | undefined {
    const { stack } = config;
    if (!stack.monitoring.enabled) return undefined;
    const l = stack.monitoring.logs;
    const certManager = ns.edge ? CERT_MANAGER_NAMESPACE : undefined;
    const namespaces = [
        ns.edge,
        certManager,
        ns.monitoring,
        ns.monitoring !== undefined ? nodeExporterNamespaceName(ns.monitoring) : undefined,
        ns.onprem,
        ns.flux,
        ns.previews,
        ...Object.values(ns.apps),
    ];
    return {
        project,
        stack: config.stackName,
        retentionDays: l.retentionDays ?? DEFAULT_LOG_RETENTION_DAYS[stack.environment],
        alerts: l.alerts
            ? platformLogAlerts({
                  project,
                  clusterName,
                  edgeNamespace: ns.edge,
                  authContainer: OAUTH2_PROXY_CONTAINER,
                  fluxNamespace: ns.flux,
                  crashLoopNamespaces: namespaces.filter((n): n is string => n !== undefined),
                  authFailuresPer5m: l.authFailuresPer5m,
              })
            : [],
        // The relay runs in the monitoring namespace, which exists whenever logs are planned.
        relay: l.alerts ? { namespace: ns.monitoring!, serviceAccount: LOG_ALERT_RELAY.serviceAccount } : undefined,
    };
}

/** The Cloud SQL instance for Grafana when the config asks for a database without a host. */
function grafanaCloudSql(
    s: LoadedConfig["stack"],
    project: string,
    region: string,
    prd: boolean,
): GkePlan["grafanaDatabase"] {
    const db = s.monitoring.enabled ? s.monitoring.grafana.database : undefined;
    if (!db || db.host !== undefined) return undefined;
    const size = db.cloudSql ?? cloudSqlSchema.parse({});
    return {
        project,
        region,
        version: CLOUD_SQL.grafanaPostgres,
        tier: size.tier,
        diskSizeGb: size.diskSizeGb,
        highAvailability: size.highAvailability ?? prd,
        database: db.name,
        user: db.user,
        backups: prd,
        protect: prd,
        maintenanceStart: s.cluster.maintenanceStart,
    };
}

function edgePlan(config: LoadedConfig, namespaces: Namespaces): Plan["edge"] {
    const { stack } = config;
    if (!stack.edge.enabled || !namespaces.edge) return undefined;
    const settings = edgeSettings(stack.edge, stack.environment);
    return {
        namespace: namespaces.edge,
        domain: stack.dns.domain,
        githubOrg: stack.edge.githubOrg!,
        githubTeams: stack.edge.githubTeams,
        clientId: secret(config, "githubOAuthClientId"),
        clientSecret: secret(config, "githubOAuthClientSecret"),
        issuer: settings.issuer,
        acmeEmail: stack.edge.acmeEmail,
        replicas: settings.replicas,
        authReplicas: settings.authReplicas,
        highAvailability: stack.environment === "prd",
        sablier: stack.edge.sablier,
        previewAuth: stack.previews.enabled || stack.edge.sablier,
        // Previews appear in namespaces this stack never declares: Traefik must watch them all.
        watchEveryNamespace: stack.previews.enabled || stack.edge.sablier,
        cookieDomain: stack.edge.cookieDomain,
    };
}

function onpremPlan(config: LoadedConfig, namespaces: Namespaces): OnpremPlan {
    const { stack } = config;
    const o = stack.onprem;
    const monitoringNs = namespaces.monitoring;
    const ownZabbix = monitoringNs && stack.monitoring.zabbix.enabled ? zabbixApiUrl(monitoringNs) : undefined;
    const problems: string[] = [];
    const probeAddress = o.blackboxAddress ?? (monitoringNs ? blackboxAddress(monitoringNs) : undefined);
    if (!probeAddress)
        problems.push(
            "onprem.blackboxAddress: is required when monitoring is off (the host probes go through a blackbox exporter)",
        );
    const apiUrl = o.zabbix.apiUrl ?? ownZabbix;
    if (!apiUrl && o.zabbix.sync)
        problems.push(
            "onprem.zabbix.apiUrl: is required when the stack runs no Zabbix (monitoring.zabbix off) and onprem.zabbix.sync is true",
        );
    if (problems.length > 0) throw new ConfigError(problems);
    const logsIn = syncLogsInToOwnZabbix(stack);
    return {
        config: {
            ...o,
            namespace: namespaces.onprem!,
            blackboxAddress: probeAddress!,
            zabbix: { ...o.zabbix, apiUrl: apiUrl ?? "" },
        },
        stack: config.stackName,
        credentials: config.secrets.onpremCredentials,
        zabbixApiToken: logsIn ? undefined : config.secrets.zabbixApiToken,
        logsInToOwnZabbix: logsIn,
    };
}

/** The images a bootstrap run names: those in the registry this stack creates (gke only). */
function bootstrapPlan(stack: LoadedConfig["stack"]): BootstrapPlan {
    const registry =
        stack.cluster.mode === "gke"
            ? `${stack.gcp.region}-docker.pkg.dev/${stack.gcp.project!}/${stack.registry.name}`
            : undefined;
    const images = appImages(stack)
        .filter((i) => registry !== undefined && i.repository.startsWith(`${registry}/`))
        .map((i) => `${i.repository}:${i.tag}`);
    return {
        appsHeldBack: Object.keys(stack.apps),
        imagesToPush: [...new Set(images)].sort(),
        ...(registry ? { registry } : {}),
    };
}

/** The warning a bootstrap run prints: what it left out, and the next two steps by name. */
export function bootstrapMessage(stackName: string, b: BootstrapPlan): string {
    const push =
        b.imagesToPush.length > 0
            ? `push these images to ${b.registry!} (docker push <image>):\n${b.imagesToPush.map((i) => `  ${i}`).join("\n")}\n`
            : "no app image lives in a registry this stack creates.\n";
    return (
        `platform:bootstrap is true: the platform only. Not deployed: ${b.appsHeldBack.join(", ") || "(no apps)"}.\n` +
        `Next: ${push}` +
        `Then: pulumi config set platform:bootstrap false --stack ${stackName} && pulumi up --stack ${stackName}\n` +
        "(On a stack whose apps already run, bootstrap deletes them.)"
    );
}

function gitopsPlan(config: LoadedConfig, namespaces: Namespaces, apps: LoadedConfig["stack"]["apps"]): Plan["gitops"] {
    const { stack } = config;
    const g = stack.gitops;
    if (!g.enabled || !g.repository) return undefined;
    const repo = githubRepo(g.repository.url)!;
    return {
        environment: stack.environment,
        repository: { url: g.repository.url, branch: g.repository.branch, owner: repo.owner, name: repo.name },
        interval: g.interval,
        imageScanInterval: g.imageScanInterval,
        metricsNamespace: g.metricsNamespace ?? namespaces.monitoring,
        // Image automation only for deployed apps: a bootstrap run's images are not pushed yet.
        images: appImages({ apps }),
        imageUpdatePath: imageUpdatePath(stack.imageFile),
        syncNamespaces: Object.values(namespaces.apps),
        deployKeyToken: g.registerDeployKey ? secret(config, "gitopsGithubToken") : undefined,
        ghcr: g.ghcrUsername ? { username: g.ghcrUsername, token: secret(config, "gitopsGhcrToken") } : undefined,
        notifications: g.notifications
            ? { ...g.notifications, webhookUrl: secret(config, "gitopsWebhookUrl") }
            : undefined,
    };
}

/**
 * Each app that names its source repository may push the images it runs from the stack's own
 * registry (`<region>-docker.pkg.dev/<project>/<registry>/<package>`). Needs the registry, so gke.
 */
/** Keyless CI: who may act as which service account, with which key and which grants. */
function ciPlan(config: LoadedConfig): NonNullable<Plan["ci"]> {
    const { stack } = config;
    const ci = stack.ci;
    const environment = stack.environment;
    const environments = ci.environments ?? [
        { name: environment, roles: DEFAULT_DEPLOYER_ROLES, ref: "refs/heads/main", events: ["push"] },
    ];
    const previewerEnvironment = ci.previewerEnvironment ?? `${environment}-preview`;
    const clash = environments.findIndex((e) => e.name === previewerEnvironment);
    if (ci.previewer && clash >= 0) {
        throw new ConfigError([
            `ci.previewerEnvironment: ${JSON.stringify(previewerEnvironment)} is also environments[${clash}].name; the previewer needs a GitHub environment of its own (its pull-request jobs must not act as a deployer)`,
        ]);
    }
    return {
        project: stack.gcp.project!,
        repository: ci.repository!,
        repositoryId: ci.repositoryId!,
        repositoryOwnerId: ci.repositoryOwnerId!,
        secretsKey: ci.secretsKey!,
        grantableRoles: grantableRoles(config),
        poolId: ci.poolId,
        providerId: ci.providerId,
        environments,
        previewerRoles: ci.previewer ? ci.previewerRoles : undefined,
        previewerEnvironment: ci.previewer ? previewerEnvironment : undefined,
        previewerReviewers: ci.previewer ? ci.previewerReviewers : undefined,
        githubToken: ci.previewer && ci.previewerReviewers ? secret(config, "ciGithubToken") : undefined,
        apps: appPushGrants(config),
        protect: environment === "prd",
    };
}

/**
 * Every project role the program grants to what it runs (the nodes, Flux's image reader, the apps'
 * Google identities): the only ones a deployer may grant. CI's own roles are not among them, so a
 * change of those is an owner's run from a workstation (docs/security.md).
 */
export function grantableRoles(config: LoadedConfig): string[] {
    const apps = Object.values(config.stack.apps).flatMap((a) => a.google?.roles ?? []);
    return [...new Set([...NODE_ROLES, "roles/artifactregistry.reader", ...apps])].sort();
}

function appPushGrants(config: LoadedConfig): AppPushGrant[] | undefined {
    const { stack } = config;
    if (stack.cluster.mode !== "gke" || !stack.gcp.project) return undefined;
    const prefix = `${stack.gcp.region}-docker.pkg.dev/${stack.gcp.project}/${stack.registry.name}/`;
    const problems: string[] = [];
    const grants = Object.entries(stack.apps).flatMap(([app, spec]) => {
        if (!spec.source) return [];
        const packages = [
            ...new Set(
                appImages({ apps: { [app]: spec } })
                    .map((i) => i.repository)
                    .filter((r) => r.startsWith(prefix))
                    .map((r) => r.slice(prefix.length)),
            ),
        ];
        if (packages.length === 0) {
            problems.push(
                `apps.${app}.source: ${JSON.stringify(spec.source.repository)} would push nothing: none of app ${app}'s images is in this stack's registry ${prefix}`,
            );
            return [];
        }
        const registry = { project: stack.gcp.project!, location: stack.gcp.region, repositoryId: stack.registry.name };
        return [
            { app, repository: spec.source.repository, repositoryId: spec.source.repositoryId, registry, packages },
        ];
    });
    if (problems.length > 0) throw new ConfigError(problems);
    return grants.length > 0 ? grants : undefined;
}

/**
 * The folder image automation reads and writes: the image file's. Without an image file no line
 * can be bumped; `./images` keeps the automation away from the rest of the repository.
 */
export function imageUpdatePath(imageFile: string | undefined): string {
    const dir = imageFile ? posix.dirname(imageFile) : "images";
    return dir === "." ? "./" : `./${dir}`;
}

function withCharts<T extends object>(
    args: T | undefined,
    charts: ChartSource,
): (T & { charts: ChartSource }) | undefined {
    return args ? { ...args, charts } : undefined;
}

/** The pinned charts the stack's layers install. */
function chartsUsed(stack: LoadedConfig["stack"]): ChartPin[] {
    const used: ChartPin[] = [];
    if (stack.edge.enabled) used.push(CHARTS.traefik, CHARTS.certManager, CHARTS.oauth2Proxy);
    if (stack.monitoring.enabled) {
        used.push(CHARTS.kubePrometheusStack, CHARTS.blackboxExporter);
        if (stack.monitoring.zabbix.enabled) used.push(CHARTS.zabbix);
    }
    if (stack.gitops.enabled) used.push(CHARTS.flux2);
    return used;
}

/** A folder mirror must hold every chart the stack installs, or the first `pulumi up` fails half-way. */
function checkChartFolder(source: ChartSource, used: readonly ChartPin[]): void {
    if (source.kind !== "folder") return;
    const missing = used.map((pin) => chartFile(pin, source.path)).filter((f) => !existsSync(f));
    if (missing.length > 0) {
        throw new ConfigError([
            `charts.mirror: ${source.path} lacks ${missing.map((f) => f.slice(source.path.length + 1)).join(", ")} (a folder mirror holds <chart>-<version>.tgz for every pinned chart the stack installs)`,
        ]);
    }
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
