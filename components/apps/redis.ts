import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { PLATFORM_RESOURCES } from "./spec";
import { IMAGES } from "../versions";
import { SINGLE_REPLICA_ANNOTATION } from "../../contract/annotations";
import { COMPONENTS } from "./network-policies";
import { appLabels, containerSecurityContext, podSecurityContext, selectorLabels, writable } from "./pod";

export interface RedisArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The app it serves (labels, names). */
    readonly app: string;
    /** Namespace (an Output of the envelope, so Redis waits for it). */
    readonly namespace: pulumi.Input<string>;
    /** Memory limit. @default 256Mi */
    readonly memory?: string;
    /** Extra labels on the Deployment (e.g. Sablier's). @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** Something else (Sablier) sets the replica count; Pulumi leaves spec.replicas alone. @default false */
    readonly replicasManagedElsewhere?: boolean;
    /** Append-only file on a PersistentVolumeClaim of this size and class. @default none (in memory only) */
    readonly persistence?: RedisPersistence;
}

export interface RedisPersistence {
    /** Size of the volume. */
    readonly storage: string;
    /** StorageClass of the volume. @default the cluster's default class */
    readonly storageClass?: string;
    /** Pulumi `protect` and retain-on-delete for the volume (prd). @default false */
    readonly protect?: boolean;
}

const PORT = 6379;
const UID = 999;

/** maxmemory a little below the container limit, so Redis refuses writes before the kernel kills it. */
export function maxMemory(limit: string): string {
    const m = /^([0-9]+)(Mi|Gi)$/.exec(limit);
    if (!m) return "0";
    const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
    return `${Math.floor(mib * 0.8)}mb`;
}

/** Where Redis keeps its files (the volume with persistence). */
export const REDIS_DIR = "/data";

/**
 * Redis's command line. With persistence every write goes to the append-only file, fsynced each
 * second, and the file is loaded at start: a pod restart (SIGTERM, Redis fsyncs before it exits)
 * loses nothing, a crash of the node at most the last second. Without, nothing is written at all.
 * test/data/redis.dtest.ts runs a real redis-server with exactly these.
 */
export function redisArgs(memory: string, persistent: boolean, password = "$(REDIS_PASSWORD)"): string[] {
    return [
        "--requirepass",
        password,
        "--maxmemory",
        maxMemory(memory),
        "--maxmemory-policy",
        "noeviction",
        "--save",
        "",
        "--appendonly",
        persistent ? "yes" : "no",
        ...(persistent ? ["--appendfsync", "everysec"] : []),
        "--dir",
        REDIS_DIR,
    ];
}

/**
 * Redis for an app's shared state and pub/sub between replicas: one pod, password from a generated
 * Secret; with `persistence` an append-only file on its own volume (prd: the votes survive a pod
 * restart), without it nothing on disk.
 */
export class Redis extends pulumi.ComponentResource {
    /** Secret holding `password`. */
    readonly secret: k8s.core.v1.Secret;
    readonly host: string;
    readonly port = PORT;

    constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Redis", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const svcName = `${args.app}-redis`;
        this.host = svcName;
        const labels = appLabels(args.app, COMPONENTS.redis);
        const selector = selectorLabels(args.app, COMPONENTS.redis);
        const password = new random.RandomPassword(
            `${name}-password`,
            { length: 32, special: false },
            { parent: this },
        );
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: svcName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { password: password.result },
            },
            child,
        );
        const memory = args.memory ?? "256Mi";
        const p = args.persistence;
        const keep = p?.protect ? { protect: true, retainOnDelete: true } : {};
        const pvc = p
            ? new k8s.core.v1.PersistentVolumeClaim(
                  `${name}-data`,
                  {
                      metadata: { name: `${svcName}-data`, namespace: args.namespace, labels },
                      spec: {
                          accessModes: ["ReadWriteOnce"],
                          ...(p.storageClass ? { storageClassName: p.storageClass } : {}),
                          resources: { requests: { storage: p.storage } },
                      },
                  },
                  { ...child, ...keep },
              )
            : undefined;
        const data = pvc
            ? {
                  volumes: [{ name: "data", persistentVolumeClaim: { claimName: pvc.metadata.name } }],
                  mounts: [{ name: "data", mountPath: REDIS_DIR }],
              }
            : writable("redis", [REDIS_DIR]);
        new k8s.apps.v1.Deployment(
            `${name}-deploy`,
            {
                metadata: {
                    name: svcName,
                    namespace: args.namespace,
                    labels: { ...labels, ...args.labels },
                    annotations: {
                        [SINGLE_REPLICA_ANNOTATION]: p
                            ? "one Redis per app on a ReadWriteOnce volume; its append-only file survives a restart"
                            : "one Redis per app: shared state the app rebuilds after a restart",
                    },
                },
                spec: {
                    ...(args.replicasManagedElsewhere ? {} : { replicas: 1 }),
                    strategy: { type: "Recreate" },
                    selector: { matchLabels: selector },
                    template: {
                        metadata: { labels },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: podSecurityContext(UID),
                            volumes: data.volumes,
                            containers: [
                                {
                                    name: "redis",
                                    image: IMAGES.redis,
                                    // $(REDIS_PASSWORD) is expanded by Kubernetes from the env below.
                                    args: redisArgs(memory, p !== undefined),
                                    env: [
                                        {
                                            name: "REDIS_PASSWORD",
                                            valueFrom: { secretKeyRef: { name: svcName, key: "password" } },
                                        },
                                    ],
                                    ports: [{ name: "redis", containerPort: PORT }],
                                    readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 5 },
                                    livenessProbe: {
                                        tcpSocket: { port: PORT },
                                        periodSeconds: 10,
                                        failureThreshold: 6,
                                    },
                                    resources: PLATFORM_RESOURCES.redis(memory),
                                    securityContext: containerSecurityContext(UID),
                                    volumeMounts: data.mounts,
                                },
                            ],
                        },
                    },
                },
            },
            { ...child, dependsOn: [this.secret] },
        );
        new k8s.core.v1.Service(
            `${name}-svc`,
            {
                metadata: { name: svcName, namespace: args.namespace, labels },
                spec: { selector, ports: [{ name: "redis", port: PORT, targetPort: PORT }] },
            },
            child,
        );
        this.registerOutputs({ host: this.host });
    }

    /** Env for the app: the password from the Secret, then the URL composed by `$(VAR)` expansion. */
    env(): k8s.types.input.core.v1.EnvVar[] {
        return [
            { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: this.host, key: "password" } } },
            { name: "REDIS_URL", value: `redis://:$(REDIS_PASSWORD)@${this.host}:${PORT}/0` },
        ];
    }
}
