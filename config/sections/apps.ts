import { z } from "zod";
import { cidr, dnsLabel } from "../validators";
import type { Environment } from "../../contract/environment";

/** `registry[:port]/path/name:tag`: lower-case repository, a tag, no digest (Flux setters rewrite the tag). */
const IMAGE_REF =
    /^(?<repository>(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*):(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/;
/** Tags Flux's timestamp policy orders: `{sha}-{YYYYMMDDHHmmss}`. */
const TIMESTAMP_TAG = /^[0-9a-f]{7,40}-[0-9]{14}$/;
/** Kubernetes quantity, e.g. 500m, 1, 256Mi, 10Gi. */
const QUANTITY = /^[0-9]+(\.[0-9]+)?(m|k|M|G|T|Ki|Mi|Gi|Ti)?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits `repo:tag`; undefined when the text is not an image reference with a tag. */
export function parseImage(ref: string): { repository: string; tag: string } | undefined {
    const m = IMAGE_REF.exec(ref);
    return m?.groups ? { repository: m.groups.repository!, tag: m.groups.tag! } : undefined;
}

const quantity = z.string().regex(QUANTITY, { message: "is not a Kubernetes quantity (e.g. 500m, 1, 256Mi, 2Gi)" });
const port = z.number().int().min(1).max(65535);
const envName = z.string().regex(ENV_NAME, { message: "is not an environment variable name" });

const resourcesSchema = z
    .object({
        /** What the scheduler reserves. @default { cpu: 100m, memory: 128Mi } */
        requests: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: "100m", memory: "128Mi" }),
        /** The ceiling; memory above it is OOM-killed. @default { cpu: 500m, memory: 256Mi } */
        limits: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: "500m", memory: "256Mi" }),
    })
    .strict();

const probeSchema = z
    .object({
        /** HTTP GET path; without it the probe is a TCP connect. */
        path: z.string().startsWith("/").optional(),
        /** Port to probe. @default the container's port */
        port: port.optional(),
        /** Seconds before the first probe. @default 5 */
        initialDelaySeconds: z.number().int().min(0).max(600).default(5),
        /** Seconds between probes. @default 10 */
        periodSeconds: z.number().int().min(1).max(300).default(10),
    })
    .strict();

/** A secret environment variable: a generated random value, or a key of a Secret made outside Pulumi. */
const secretEnvSchema = z.union([
    z.object({ generate: z.number().int().min(16).max(128) }).strict(),
    z.object({ secret: dnsLabel(253), key: z.string().min(1) }).strict(),
]);

const containerSchema = z
    .object({
        /** Container name, a DNS label; also the Flux policy's `<container>` part. */
        name: dnsLabel(30),
        /** `<repository>:<tag>`, the line Flux bumps; carries `# {"$imagepolicy": "flux-system:<app>-<container>-<env>"}`. */
        image: z.string().refine((v) => parseImage(v) !== undefined, {
            message: "is not an image reference <registry>/<path>:<tag> (lower-case repository, a tag)",
        }),
        /** How Flux picks the newest tag: `timestamp` (`{sha}-{YYYYMMDDHHmmss}`) or `{ semver: <range> }`. @default timestamp */
        imagePolicy: z
            .union([z.literal("timestamp"), z.object({ semver: z.string().min(1) }).strict()])
            .default("timestamp"),
        /** The port the container serves on (the Service port of the same number). */
        port: port.optional(),
        /** Port of the Prometheus endpoint when it differs from `port`. @default port */
        metricsPort: port.optional(),
        /** Overrides the image's entrypoint. @default the image's */
        command: z.array(z.string()).optional(),
        /** Overrides the image's arguments. @default the image's */
        args: z.array(z.string()).optional(),
        /** Plain (non-secret) environment. @default {} */
        env: z.record(envName, z.string()).default({}),
        /** Secret environment: `{ generate: <length> }` or `{ secret, key }`. @default {} */
        secretEnv: z.record(envName, secretEnvSchema).default({}),
        /** Requests and limits. @default requests 100m/128Mi, limits 500m/256Mi */
        resources: resourcesSchema.default(resourcesSchema.parse({})),
        /** Readiness probe. @default TCP on port */
        readiness: probeSchema.optional(),
        /** Liveness probe. @default TCP on port */
        liveness: probeSchema.optional(),
        /** Writable directories (emptyDir), the root filesystem being read-only. @default ["/tmp"] */
        writablePaths: z.array(z.string().startsWith("/")).default(["/tmp"]),
        /** Config files: absolute path to content; mounted from a ConfigMap whose hash rolls the pods. @default {} */
        files: z.record(z.string().startsWith("/"), z.string()).default({}),
        /** Gets the data stores' credentials and URLs (REDIS_URL, DATABASE_URL, ...). @default true */
        storeEnv: z.boolean().default(true),
        /** UID the container runs as (never 0). @default 10001 */
        runAsUser: z.number().int().min(1).max(2147483647).default(10001),
    })
    .strict();

const hostSchema = z
    .object({
        /** Fully qualified host under the stack's domain. */
        host: z.string().min(1),
        /** `github` (oauth2-proxy, members only) or `public` (declared). */
        auth: z.enum(["github", "public"]),
        /** The container serving it. @default the first container with a port */
        container: dnsLabel(30).optional(),
        /** Path prefixes. @default ["/"] */
        paths: z.array(z.string().startsWith("/")).optional(),
        /** Documents that the host carries WebSockets (Traefik proxies them as-is). @default false */
        websockets: z.boolean().default(false),
    })
    .strict();

const onpremEgressSchema = z
    .object({
        /** Name of the on-prem endpoint (its Service in namespace `onprem`). */
        name: dnsLabel(),
        /** Port the app connects to. */
        port,
        /** @default TCP */
        protocol: z.enum(["TCP", "UDP"]).default("TCP"),
        /** Address range of the host(s) behind it; the on-prem inventory supplies it when omitted. */
        cidr: cidr(16, 32).optional(),
    })
    .strict();

const mysqlSchema = z
    .object({
        /** Database name. @default the app name with '-' as '_' */
        database: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
            .optional(),
        /** Size of the data volume. @default 10Gi */
        storage: quantity.default("10Gi"),
        /** Resources of the MySQL container. @default requests 250m/512Mi, limits 1/1Gi */
        resources: resourcesSchema.default({
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "1", memory: "1Gi" },
        }),
        /** Environment variable the composed URL is put in. @default DATABASE_URL */
        urlEnv: envName.default("DATABASE_URL"),
        /** Scheme of that URL (e.g. mysql+pymysql for SQLAlchemy). @default mysql */
        urlScheme: z
            .string()
            .regex(/^[a-z][a-z0-9+.-]*$/)
            .default("mysql"),
        /** Nightly mysqldump to a Cloud Storage bucket; required on prd. */
        backup: z
            .object({
                /** Cron schedule in UTC. */
                schedule: z.string().regex(/^(\S+\s+){4}\S+$/, { message: "is not a cron schedule (5 fields)" }),
                /** Days a dump is kept (older object versions too). @default 30 */
                retentionDays: z.number().int().min(1).max(3650).default(30),
            })
            .strict()
            .optional(),
    })
    .strict();

const redisSchema = z
    .object({
        /** Memory limit; maxmemory is set a little below it. @default 256Mi */
        memory: quantity.default("256Mi"),
    })
    .strict();

const quotaSchema = z
    .object({
        /** Sum of CPU requests in the namespace. @default 2 */
        cpu: quantity.default("2"),
        /** Sum of memory requests in the namespace. @default 4Gi */
        memory: quantity.default("4Gi"),
        /** Sum of CPU limits. @default twice cpu */
        cpuLimit: quantity.optional(),
        /** Sum of memory limits. @default memory */
        memoryLimit: quantity.optional(),
        /** Pods in the namespace. @default 20 */
        pods: z.number().int().min(1).max(1000).default(20),
        /** Persistent volume storage in the namespace. @default 50Gi */
        storage: quantity.default("50Gi"),
    })
    .strict();

export const appSchema = z
    .object({
        /** Namespace of the app. @default the app name */
        namespace: dnsLabel().optional(),
        /** Pod Security Standards level; anything below restricted is an explicit choice. @default restricted */
        podSecurity: z.enum(["restricted", "baseline"]).default("restricted"),
        /** Containers of the pod (API and frontend are two). */
        containers: z.array(containerSchema).min(1).max(10),
        /** Fixed replica count (ignored when autoscale is set). @default 1 */
        replicas: z.number().int().min(0).max(100).default(1),
        /** HorizontalPodAutoscaler on CPU. @default none */
        autoscale: z
            .object({
                min: z.number().int().min(1).max(100),
                max: z.number().int().min(1).max(100),
                cpuPercent: z.number().int().min(10).max(100).default(70),
            })
            .strict()
            .optional(),
        /** Why the app runs one pod on prd (the `platform/single-replica` annotation the policy asks for). @default none */
        singleReplicaReason: z.string().min(10).optional(),
        /** PodDisruptionBudget minAvailable. @default replicas - 1 (when more than one) */
        minAvailable: z.number().int().min(1).max(100).optional(),
        /** Hosts published through the edge. @default [] */
        hosts: z.array(hostSchema).default([]),
        /** Prometheus scrape path, when the app exposes metrics. @default none */
        metrics: z
            .object({
                /** Container exposing them. @default the first */
                container: dnsLabel(30).optional(),
                path: z.string().startsWith("/").default("/metrics"),
                interval: z
                    .string()
                    .regex(/^[0-9]+[sm]$/)
                    .default("30s"),
            })
            .strict()
            .optional(),
        /** Redis for shared state and pub/sub; its URL lands in REDIS_URL. @default none */
        redis: redisSchema.optional(),
        /** MySQL with generated credentials; its URL lands in `urlEnv`. @default none */
        mysql: mysqlSchema.optional(),
        /** On-prem endpoints the app connects to (egress allowed to exactly these). @default [] */
        onprem: z.array(onpremEgressSchema).default([]),
        /** Google APIs the app calls as its own Google service account (Workload Identity, gke only). @default none */
        google: z
            .object({ roles: z.array(z.string().regex(/^roles\/[A-Za-z0-9_.]+$/)).min(1) })
            .strict()
            .optional(),
        /** ResourceQuota of the namespace. @default cpu 2, memory 4Gi, pods 20, storage 50Gi */
        quota: quotaSchema.default(quotaSchema.parse({})),
        /** LimitRange defaults for containers that set none, and the per-container maximum. */
        limits: z
            .object({
                /** Default request. @default 100m / 128Mi */
                defaultRequest: z
                    .object({ cpu: quantity, memory: quantity })
                    .strict()
                    .default({ cpu: "100m", memory: "128Mi" }),
                /** Default limit. @default 500m / 256Mi */
                default: z
                    .object({ cpu: quantity, memory: quantity })
                    .strict()
                    .default({ cpu: "500m", memory: "256Mi" }),
                /** Largest a single container may ask. @default 2 / 4Gi */
                max: z.object({ cpu: quantity, memory: quantity }).strict().default({ cpu: "2", memory: "4Gi" }),
            })
            .strict()
            .default({
                defaultRequest: { cpu: "100m", memory: "128Mi" },
                default: { cpu: "500m", memory: "256Mi" },
                max: { cpu: "2", memory: "4Gi" },
            }),
    })
    .strict();

/** `platform:apps`: every app by name (a DNS label). */
export const appsSchema = z.record(dnsLabel(40), appSchema);

export type AppsConfig = z.output<typeof appsSchema>;
export type AppConfig = z.output<typeof appSchema>;
export type ContainerConfig = z.output<typeof containerSchema>;
export type HostConfig = z.output<typeof hostSchema>;
export type MysqlConfig = z.output<typeof mysqlSchema>;
export type RedisConfig = z.output<typeof redisSchema>;
export type OnpremEgressConfig = z.output<typeof onpremEgressSchema>;

/** The per-app checks that need the whole entry or the stack around it; each message names the app. */
export function checkApp(
    name: string,
    app: AppConfig,
    stack: { environment: Environment; domain: string },
    add: (path: (string | number)[], input: unknown, message: string) => void,
): void {
    const containers = new Map(app.containers.map((c) => [c.name, c]));
    app.containers.forEach((c, i) => {
        if (app.containers.findIndex((o) => o.name === c.name) !== i)
            add(["containers", i, "name"], c.name, `repeats a container name in app ${name}`);
        const image = parseImage(c.image);
        if (image && c.imagePolicy === "timestamp" && !TIMESTAMP_TAG.test(image.tag))
            add(
                ["containers", i, "image"],
                c.image,
                `has tag ${image.tag}, which the timestamp policy cannot order; app ${name} needs tags {sha}-{YYYYMMDDHHmmss} or imagePolicy: { semver: <range> }`,
            );
    });
    const replicas = app.autoscale ? app.autoscale.min : app.replicas;
    if (app.autoscale && app.autoscale.max < app.autoscale.min)
        add(["autoscale", "max"], app.autoscale.max, `is below autoscale.min ${app.autoscale.min} (app ${name})`);
    if (app.minAvailable !== undefined && replicas <= app.minAvailable)
        add(
            [app.autoscale ? "autoscale" : "replicas", ...(app.autoscale ? ["min"] : [])],
            replicas,
            `is not above minAvailable ${app.minAvailable}: app ${name} could never be drained (raise replicas or lower minAvailable)`,
        );
    if (app.singleReplicaReason !== undefined && replicas > 1)
        add(["singleReplicaReason"], app.singleReplicaReason, `is set but app ${name} runs ${replicas} replicas`);
    app.hosts.forEach((h, i) => {
        if (h.host !== stack.domain && !h.host.endsWith(`.${stack.domain}`))
            add(["hosts", i, "host"], h.host, `is outside the stack's domain ${stack.domain} (app ${name})`);
        const c = h.container ? containers.get(h.container) : app.containers.find((x) => x.port !== undefined);
        if (!c) add(["hosts", i, "container"], h.container, `names no container of app ${name}`);
        else if (c.port === undefined)
            add(["hosts", i, "container"], h.container, `has no port to route to (app ${name})`);
    });
    if (app.metrics) {
        const c = app.metrics.container ? containers.get(app.metrics.container) : app.containers[0];
        if (!c) add(["metrics", "container"], app.metrics.container, `names no container of app ${name}`);
        else if ((c.metricsPort ?? c.port) === undefined)
            add(["metrics"], app.metrics, `needs a port or metricsPort on container ${c.name} (app ${name})`);
    }
    if (app.mysql && !app.mysql.backup && stack.environment === "prd")
        add(
            ["mysql", "backup"],
            undefined,
            `is required on prd: app ${name} would keep its MySQL data without backups`,
        );
    checkQuota(name, app, add);
    const reserved = new Set(
        [app.redis ? ["REDIS_URL", "REDIS_PASSWORD"] : [], app.mysql ? [app.mysql.urlEnv, "DB_PASSWORD"] : []].flat(),
    );
    app.containers.forEach((c, i) => {
        for (const key of [...Object.keys(c.env), ...Object.keys(c.secretEnv)])
            if (reserved.has(key))
                add(["containers", i, "env", key], key, `is set by the platform for app ${name}'s data store`);
        for (const key of Object.keys(c.env))
            if (key in c.secretEnv)
                add(["containers", i, "env", key], key, `is also in secretEnv (app ${name}); keep it in one`);
    });
}

/** Requests and limits of the containers the platform adds (Redis, the backup job's containers). */
export const PLATFORM_RESOURCES = {
    redis: (memory: string) => ({ requests: { cpu: "100m", memory }, limits: { cpu: "500m", memory } }),
    backup: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
} as const;

const MEMORY_UNITS: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
};

/** CPU cores of a quantity ("500m" -> 0.5). */
export function cpuCores(q: string): number {
    return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Bytes of a memory quantity ("256Mi" -> 268435456). */
export function memoryBytes(q: string): number {
    const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q);
    return m ? Number(m[1]) * (MEMORY_UNITS[m[2]!] ?? NaN) : NaN;
}

interface Sized {
    requests: { cpu: string; memory: string };
    limits: { cpu: string; memory: string };
}

/**
 * What the namespace needs at its largest: every web pod at maximum scale plus one rolling-update
 * surge pod, Redis, MySQL and a running backup job.
 */
export function namespaceFootprint(app: AppConfig): {
    cpu: number;
    memory: number;
    cpuLimit: number;
    memoryLimit: number;
    pods: number;
} {
    const pods = (app.autoscale ? app.autoscale.max : app.replicas) + 1;
    const parts: [Sized, number][] = app.containers.map((c) => [c.resources, pods]);
    if (app.redis) parts.push([PLATFORM_RESOURCES.redis(app.redis.memory), 1]);
    if (app.mysql) parts.push([app.mysql.resources, 1]);
    // Its init container (dump) and container (upload) run one after the other: one counts.
    if (app.mysql?.backup) parts.push([PLATFORM_RESOURCES.backup, 1]);
    const sum = (f: (s: Sized) => number) => parts.reduce((t, [s, n]) => t + f(s) * n, 0);
    return {
        cpu: sum((s) => cpuCores(s.requests.cpu)),
        memory: sum((s) => memoryBytes(s.requests.memory)),
        cpuLimit: sum((s) => cpuCores(s.limits.cpu)),
        memoryLimit: sum((s) => memoryBytes(s.limits.memory)),
        pods: pods + (app.redis ? 1 : 0) + (app.mysql ? 1 : 0) + (app.mysql?.backup ? 1 : 0),
    };
}

function fmt(n: number, kind: "cpu" | "memory"): string {
    return kind === "cpu" ? `${Math.round(n * 1000)}m` : `${Math.ceil(n / 1024 ** 2)}Mi`;
}

/** Quota checks: the app must fit its own namespace at full scale, so a burst is capped, not refused. */
export function checkQuota(
    name: string,
    app: AppConfig,
    add: (path: (string | number)[], input: unknown, message: string) => void,
): void {
    const need = namespaceFootprint(app);
    const q = app.quota;
    const have: [keyof typeof need, string, number, "cpu" | "memory"][] = [
        ["cpu", "cpu", cpuCores(q.cpu), "cpu"],
        ["memory", "memory", memoryBytes(q.memory), "memory"],
        ["cpuLimit", "cpuLimit", q.cpuLimit ? cpuCores(q.cpuLimit) : 2 * cpuCores(q.cpu), "cpu"],
        ["memoryLimit", "memoryLimit", memoryBytes(q.memoryLimit ?? q.memory), "memory"],
    ];
    for (const [key, field, limit, kind] of have)
        if (need[key] > limit + 1e-9)
            add(
                ["quota", field],
                q[field as keyof typeof q] ?? `${fmt(limit, kind)} (default)`,
                `is below the ${fmt(need[key], kind)} app ${name} needs at full scale (every pod, one surge pod and its data stores)`,
            );
    if (need.pods > q.pods)
        add(["quota", "pods"], q.pods, `is below the ${need.pods} pods app ${name} runs at full scale`);
    app.containers.forEach((c, i) => {
        for (const kind of ["cpu", "memory"] as const) {
            const size = kind === "cpu" ? cpuCores : memoryBytes;
            if (size(c.resources.limits[kind]) > size(app.limits.max[kind]))
                add(
                    ["containers", i, "resources", "limits", kind],
                    c.resources.limits[kind],
                    `is above limits.max.${kind} ${app.limits.max[kind]} of app ${name}'s namespace`,
                );
            if (size(c.resources.requests[kind]) > size(c.resources.limits[kind]))
                add(
                    ["containers", i, "resources", "requests", kind],
                    c.resources.requests[kind],
                    `is above its limit ${c.resources.limits[kind]} (app ${name})`,
                );
        }
    });
}
