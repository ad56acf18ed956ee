import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppSpec } from "./spec";
import { Publisher } from "../edge/types";
import { AppWorkload } from "./app-workload";
import { NamespaceEnvelope } from "./envelope";
import { accountIdFor, GcpContext, GoogleIdentity } from "./google-identity";
import { Mysql } from "./mysql";
import { MysqlBackup } from "./mysql-backup";
import { MysqlRestore } from "./mysql-restore";
import { OnpremEgress } from "./network-policies";
import { Redis } from "./redis";
import type { Environment } from "../../contract/environment";

export interface ApplicationArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** App name (the key under platform:apps). */
    readonly app: string;
    /** The app's validated config. */
    readonly spec: AppSpec;
    /** dev or prd: prd protects the database volume, credentials and backup bucket. */
    readonly environment: Environment;
    /** Present in cluster.mode gke: Google service accounts and the backup bucket need it. @default none */
    readonly gcp?: GcpContext;
    /** The edge's route publisher. @default none (hosts are not published) */
    readonly publisher?: Publisher;
    /** Namespace Traefik runs in (the only ingress source for the web pods). @default none (no edge: nothing comes in) */
    readonly traefikNamespace?: string;
    /** Namespace Prometheus runs in (may scrape the metrics port). @default none (no monitoring layer) */
    readonly prometheusNamespace?: string;
    /** On-prem endpoint name to the address ranges behind it (the on-prem inventory). @default {} */
    readonly onpremAddresses?: Readonly<Record<string, readonly string[]>>;
    /** What installs the ServiceMonitor CRD. @default [] */
    readonly crdDependsOn?: readonly pulumi.Resource[];
    /** StorageClass of the data volumes (MySQL, Redis). @default the cluster's default class */
    readonly dataStorageClass?: string;
    /** Branch preview: its own namespace, one pod, no backup, Sablier labels and middleware. @default none */
    readonly preview?: {
        readonly namespace: string;
        readonly sablierGroup: string;
        readonly middleware: { readonly name: string; readonly namespace: string };
        readonly hosts: readonly string[];
    };
}

function shortHash(text: string): string {
    return createHash("sha256").update(text).digest("hex").slice(0, 6);
}

/** The on-prem egress rules of an app, each resolved to address ranges; throws naming the app. */
export function resolveOnprem(
    app: string,
    spec: AppSpec,
    addresses: Readonly<Record<string, readonly string[]>>,
): OnpremEgress[] {
    return spec.onprem.map((e) => {
        const cidrs = e.cidr ? [e.cidr] : (addresses[e.name] ?? []);
        if (cidrs.length === 0)
            throw new Error(
                `apps.${app}.onprem: endpoint ${e.name} has no address: set its cidr or add it to the on-prem inventory`,
            );
        return { name: e.name, port: e.port, protocol: e.protocol, cidrs };
    });
}

/**
 * Everything one app runs on: its namespace envelope, Google identity, data stores, nightly backup
 * and the workload with its routes. Branch previews reuse it with `preview` set.
 */
export class Application extends pulumi.ComponentResource {
    readonly envelope: NamespaceEnvelope;
    readonly workload: AppWorkload;
    readonly namespace: string;
    readonly backupBucket?: pulumi.Output<string>;

    constructor(name: string, args: ApplicationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Application", name, {}, { ...opts, providers: [args.provider] });
        const { spec, app, provider, preview } = args;
        const ns = preview?.namespace ?? spec.namespace ?? app;
        this.namespace = ns;
        const prd = args.environment === "prd";
        const sablierLabels: Record<string, string> = preview
            ? { "sablier.enable": "true", "sablier.group": preview.sablierGroup }
            : {};

        const googleApis = spec.google !== undefined && args.gcp !== undefined;
        if (spec.google && !args.gcp)
            void pulumi.log.warn(`apps.${app}.google: Workload Identity needs cluster.mode gke; skipped`, this);
        const backup = spec.mysql?.backup !== undefined && !preview && args.gcp !== undefined;
        if (spec.mysql?.backup && !preview && !args.gcp)
            void pulumi.log.warn(`apps.${app}.mysql.backup: the bucket needs cluster.mode gke; no backup`, this);

        const identity =
            googleApis && args.gcp
                ? new GoogleIdentity(
                      `${name}-identity`,
                      {
                          project: args.gcp.project,
                          workloadIdentityPool: args.gcp.workloadIdentityPool,
                          // One Google SA per preview namespace, so two branches never share (or fight over) one.
                          accountId: accountIdFor(preview ? `${app.slice(0, 12)}-${shortHash(ns)}` : app, "app"),
                          namespace: ns,
                          kubernetesServiceAccount: app,
                          projectRoles: spec.google!.roles,
                          description: `${app} (${ns}) calling Google APIs`,
                      },
                      { parent: this },
                  )
                : undefined;

        const webPorts = [...new Set(spec.containers.flatMap((c) => (c.port !== undefined ? [c.port] : [])))];
        const metricsContainer = spec.metrics
            ? (spec.containers.find((c) => c.name === spec.metrics!.container) ?? spec.containers[0]!)
            : undefined;
        const metricsPort = metricsContainer ? (metricsContainer.metricsPort ?? metricsContainer.port) : undefined;
        this.envelope = new NamespaceEnvelope(
            `${name}-env`,
            {
                provider,
                app,
                namespace: ns,
                podSecurity: spec.podSecurity,
                quota: spec.quota,
                limits: spec.limits,
                serviceAccountName: app,
                googleServiceAccount: identity?.email,
                labels: preview ? { "platform/preview-of": app } : {},
                // MySQL's volume lives in the namespace (Redis keeps nothing: no volume). A preview's
                // data is a branch's test data and goes with the preview.
                holdsData: spec.mysql && !preview ? { protect: prd } : undefined,
                traffic: {
                    fromTraefik:
                        spec.hosts.length > 0 && args.traefikNamespace !== undefined
                            ? { namespace: args.traefikNamespace, ports: webPorts }
                            : undefined,
                    fromPrometheus:
                        metricsPort !== undefined && args.prometheusNamespace !== undefined
                            ? { namespace: args.prometheusNamespace, ports: [metricsPort] }
                            : undefined,
                    redis: spec.redis !== undefined,
                    mysql: spec.mysql !== undefined,
                    backup,
                    googleApis,
                    onprem: resolveOnprem(app, spec, args.onpremAddresses ?? {}),
                },
            },
            { parent: this },
        );
        const namespace = this.envelope.name;

        const storeEnv: k8s.types.input.core.v1.EnvVar[] = [];
        if (spec.redis) {
            const redis = new Redis(
                `${name}-redis`,
                {
                    provider,
                    app,
                    namespace,
                    memory: spec.redis.memory,
                    // prd keeps what Redis holds across restarts; previews never.
                    persistence:
                        (spec.redis.persistence ?? prd) && !preview
                            ? { storage: spec.redis.storage, storageClass: args.dataStorageClass, protect: prd }
                            : undefined,
                    labels: sablierLabels,
                    replicasManagedElsewhere: preview !== undefined,
                },
                { parent: this },
            );
            storeEnv.push(...redis.env());
        }
        if (spec.mysql) {
            const database = spec.mysql.database ?? app.replace(/-/g, "_");
            const mysql = new Mysql(
                `${name}-mysql`,
                {
                    provider,
                    app,
                    namespace,
                    database,
                    storage: spec.mysql.storage,
                    resources: spec.mysql.resources,
                    storageClass: args.dataStorageClass,
                    protect: prd && !preview,
                    labels: sablierLabels,
                    replicasManagedElsewhere: preview !== undefined,
                },
                { parent: this },
            );
            storeEnv.push(...mysql.env(spec.mysql.urlEnv, spec.mysql.urlScheme));
            if (backup && args.gcp) {
                const b = new MysqlBackup(
                    `${name}-backup`,
                    {
                        provider,
                        app,
                        namespace,
                        namespaceName: ns,
                        mysqlSecret: mysql.host,
                        database,
                        storage: spec.mysql.storage,
                        schedule: spec.mysql.backup!.schedule,
                        retentionDays: spec.mysql.backup!.retentionDays,
                        gcp: args.gcp,
                        protect: prd,
                    },
                    { parent: this, dependsOn: [mysql] },
                );
                this.backupBucket = b.bucket.name;
                new MysqlRestore(
                    `${name}-restore`,
                    {
                        provider,
                        app,
                        namespace,
                        namespaceName: ns,
                        mysqlSecret: mysql.host,
                        database,
                        storage: spec.mysql.storage,
                        bucket: b.bucket.name,
                        scriptConfigMap: b.scriptConfigMap,
                        gcp: args.gcp,
                    },
                    { parent: this, dependsOn: [mysql] },
                );
            }
        }

        const hosts = preview
            ? preview.hosts.map((host) => ({
                  host,
                  auth: "github" as const,
                  websockets: spec.hosts.some((h) => h.websockets),
                  ...(spec.hosts[0]?.container ? { container: spec.hosts[0].container } : {}),
              }))
            : spec.hosts;
        this.workload = new AppWorkload(
            `${name}-app`,
            {
                provider,
                app,
                namespace,
                namespaceName: ns,
                containers: spec.containers,
                replicas: preview ? 1 : spec.replicas,
                autoscale: preview ? undefined : spec.autoscale,
                minAvailable: spec.minAvailable,
                hosts,
                publisher: args.publisher,
                middlewares: preview ? [preview.middleware] : [],
                metrics: spec.metrics,
                crdDependsOn: args.crdDependsOn,
                serviceAccountName: app,
                storeEnv,
                labels: sablierLabels,
                replicasManagedElsewhere: preview !== undefined,
                singleReplicaReason: spec.singleReplicaReason,
            },
            { parent: this, dependsOn: [this.envelope] },
        );
        this.registerOutputs({ namespace: ns, backupBucket: this.backupBucket });
    }
}
