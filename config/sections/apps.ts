import { AppSpec, ContainerSpec, HostSpec, PLATFORM_RESOURCES } from "../../components/apps/spec";
import { agree, Same } from "../type-check";
import { z } from "zod";
import { uniqueList } from "../unique";
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
        requests: z
            .object({ cpu: quantity, memory: quantity })
            .strict()
            .default({ cpu: "100m", memory: "128Mi" })
            .meta({ description: "What the scheduler reserves." }),
        limits: z
            .object({ cpu: quantity, memory: quantity })
            .strict()
            .default({ cpu: "500m", memory: "256Mi" })
            .meta({ description: "The ceiling; memory above it is OOM-killed." }),
    })
    .strict();

const probeSchema = z
    .object({
        path: z
            .string()
            .startsWith("/")
            .optional()
            .meta({ description: "HTTP GET path; without it the probe is a TCP connect." }),
        port: port.optional().meta({ description: "Port to probe. Unset: the container's `port`." }),
        initialDelaySeconds: z
            .number()
            .int()
            .min(0)
            .max(600)
            .default(5)
            .meta({ description: "Seconds before the first probe." }),
        periodSeconds: z.number().int().min(1).max(300).default(10).meta({ description: "Seconds between probes." }),
    })
    .strict();

/** A secret environment variable: a generated random value, or a key of a Secret made outside Pulumi. */
const secretEnvSchema = z.union([
    z.object({ generate: z.number().int().min(16).max(128) }).strict(),
    z.object({ secret: dnsLabel(253), key: z.string().min(1) }).strict(),
]);

const containerSchema = z
    .object({
        name: dnsLabel(30).meta({
            description: "A DNS label; also the `<container>` part of the Flux policy name.",
        }),
        image: z
            .string()
            .refine((v) => parseImage(v) !== undefined, {
                message: "is not an image reference <registry>/<path>:<tag> (lower-case repository, a tag)",
            })
            .optional()
            .meta({
                description:
                    "`<repository>:<tag>` of an image Flux does not bump. Unset: the container's line in the image file (`platform:imageFile`), which Flux bumps; a container has its image in exactly one of the two.",
            }),
        imagePolicy: z
            .union([z.literal("timestamp"), z.object({ semver: z.string().min(1) }).strict()])
            .default("timestamp")
            .meta({
                description:
                    "How Flux picks the newest tag: `timestamp` (tags `{sha}-{YYYYMMDDHHmmss}`, checked) or `{ semver: <range> }`.",
            }),
        port: port.optional().meta({
            description: "The port served; the Service exposes the same number, and probes default to TCP on it.",
        }),
        metricsPort: port
            .optional()
            .meta({ description: "Port of the Prometheus endpoint when it differs from `port`. Unset: `port`." }),
        command: z
            .array(z.string())
            .optional()
            .meta({ description: "Overrides the image's entrypoint. Unset: the image's." }),
        args: z
            .array(z.string())
            .optional()
            .meta({ description: "Overrides the image's arguments. Unset: the image's." }),
        env: z.record(envName, z.string()).default({}).meta({ description: "Plain (non-secret) environment." }),
        secretEnv: z.record(envName, secretEnvSchema).default({}).meta({
            description:
                "Secret environment: `NAME: { generate: <length> }` (random, kept in the Secret `<app>-generated`) or `NAME: { secret, key }` (a key of a Secret made outside Pulumi).",
        }),
        resources: resourcesSchema
            .default(resourcesSchema.parse({}))
            .meta({ description: "Requests and limits of the container." }),
        readiness: probeSchema.optional().meta({ description: "Readiness probe. Unset: TCP on `port`." }),
        liveness: probeSchema.optional().meta({ description: "Liveness probe. Unset: the readiness probe's spec." }),
        writablePaths: uniqueList(z.string().startsWith("/"))
            .default(["/tmp"])
            .meta({ description: "Writable directories, each an emptyDir (the root filesystem is read-only)." }),
        files: z.record(z.string().startsWith("/"), z.string()).default({}).meta({
            description:
                "Config files: absolute path to content, from a ConfigMap mounted read-only at the path; a change rolls the pods.",
        }),
        storeEnv: z.boolean().default(true).meta({
            description:
                "Receives the data stores' credentials and URLs (`REDIS_URL`, `DATABASE_URL`, ...); turn off for e.g. an nginx frontend.",
        }),
        runAsUser: z
            .number()
            .int()
            .min(1)
            .max(2147483647)
            .default(10001)
            .meta({ description: "UID the container runs as (never 0)." }),
    })
    .strict();

const hostSchema = z
    .object({
        host: z.string().min(1).meta({ description: "Fully qualified host: `dns.domain` or under it." }),
        auth: z.enum(["github", "public"]).meta({
            description:
                "`github`: behind oauth2-proxy's GitHub login (the edge's `githubOrg` and `githubTeams`). `public`: declared open to anyone.",
        }),
        container: dnsLabel(30)
            .optional()
            .meta({ description: "The container serving it. Unset: the first container with a `port`." }),
        paths: uniqueList(z.string().startsWith("/"))
            .optional()
            .meta({ description: 'Path prefixes routed to it. Unset: `["/"]`.' }),
        websockets: z
            .boolean()
            .default(false)
            .meta({ description: "Documents that the host carries WebSockets (Traefik proxies them as-is)." }),
    })
    .strict();

const onpremEgressSchema = z
    .object({
        name: dnsLabel().meta({
            description: "Name of the on-prem endpoint (its Service in the on-prem layer's namespace).",
        }),
        port: port.meta({ description: "Port the app connects to." }),
        protocol: z.enum(["TCP", "UDP"]).default("TCP").meta({ description: "Protocol of that port." }),
        cidr: cidr(16, 32).optional().meta({
            description:
                "Address range of the host(s) behind it. Unset: the address of the on-prem inventory host of that `name` (`<address>/32`).",
        }),
    })
    .strict();

const mysqlSchema = z
    .object({
        database: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/)
            .optional()
            .meta({ description: "Database name. Unset: the app name with `-` as `_`." }),
        storage: quantity.default("10Gi").meta({ description: "Size of the data volume." }),
        resources: resourcesSchema
            .default({
                requests: { cpu: "250m", memory: "512Mi" },
                limits: { cpu: "1", memory: "1Gi" },
            })
            .meta({ description: "Requests and limits of the MySQL container." }),
        urlEnv: envName
            .default("DATABASE_URL")
            .meta({ description: "Environment variable the composed URL is put in." }),
        urlScheme: z
            .string()
            .regex(/^[a-z][a-z0-9+.-]*$/)
            .default("mysql")
            .meta({ description: "Scheme of that URL (e.g. `mysql+pymysql` for SQLAlchemy)." }),
        backup: z
            .object({
                schedule: z
                    .string()
                    .regex(/^(\S+\s+){4}\S+$/, { message: "is not a cron schedule (5 fields)" })
                    .meta({ description: "Cron schedule of the dump, in UTC." }),
                retentionDays: z
                    .number()
                    .int()
                    .min(1)
                    .max(3650)
                    .default(30)
                    .meta({ description: "Days a dump is kept (overwritten object versions too)." }),
            })
            .strict()
            .optional()
            .meta({
                description: "Nightly `mysqldump` to a versioned Cloud Storage bucket (gke only); required on prd.",
            }),
    })
    .strict();

const redisSchema = z
    .object({
        memory: quantity
            .default("256Mi")
            .meta({ description: "Memory limit; Redis's `maxmemory` is set a little below it." }),
        persistence: z.boolean().optional().meta({
            description:
                "Append-only file (`appendonly yes`, fsync every second) on its own volume, so the data survives a pod restart. Unset: on for prd, off for dev; prd refuses `false`.",
        }),
        storage: quantity.default("1Gi").meta({
            description:
                "Size of the volume with persistence (the append-only file grows to about twice the data before Redis rewrites it).",
        }),
    })
    .strict();

const quotaSchema = z
    .object({
        cpu: quantity.default("2").meta({ description: "Sum of CPU requests in the namespace." }),
        memory: quantity.default("4Gi").meta({ description: "Sum of memory requests in the namespace." }),
        cpuLimit: quantity.optional().meta({ description: "Sum of CPU limits. Unset: twice `cpu`." }),
        memoryLimit: quantity.optional().meta({ description: "Sum of memory limits. Unset: `memory`." }),
        pods: z.number().int().min(1).max(1000).default(20).meta({ description: "Pods in the namespace." }),
        storage: quantity.default("50Gi").meta({ description: "Persistent volume storage in the namespace." }),
    })
    .strict();

export const appSchema = z
    .object({
        namespace: dnsLabel().optional().meta({ description: "Namespace of the app. Unset: the app name." }),
        podSecurity: z.enum(["restricted", "baseline"]).default("restricted").meta({
            description:
                "Pod Security Standard enforced. `baseline` is an explicit choice: warn and audit stay `restricted`, and the namespace gets a `platform/pod-security-justification` annotation.",
        }),
        containers: uniqueList(containerSchema, "name")
            .min(1)
            .max(10)
            .meta({ description: "The pod's containers (an API and its frontend are two); at least one." }),
        replicas: z
            .number()
            .int()
            .min(0)
            .max(100)
            .default(1)
            .meta({ description: "Fixed replica count (ignored with `autoscale`)." }),
        autoscale: z
            .object({
                min: z.number().int().min(1).max(100).meta({ description: "Fewest replicas." }),
                max: z.number().int().min(1).max(100).meta({ description: "Most replicas; not below `min`." }),
                cpuPercent: z
                    .number()
                    .int()
                    .min(10)
                    .max(100)
                    .default(70)
                    .meta({ description: "Target average CPU use, in percent of the requests." }),
            })
            .strict()
            .optional()
            .meta({ description: "An HPA on CPU; Pulumi then leaves `spec.replicas` alone. Unset: none." }),
        singleReplicaReason: z.string().min(10).optional().meta({
            description:
                "Why the app runs exactly one pod: it rolls with `Recreate` (the old pod stops before the new one starts, never two at once), and the reason is the `platform/single-replica` annotation the guardrails' `workload-replicas` rule reads on prd (Redis and MySQL carry their own). Not with `replicas` above 1 or `autoscale`.",
        }),
        minAvailable: z.number().int().min(1).max(100).optional().meta({
            description:
                "PodDisruptionBudget `minAvailable`; must be below `replicas` (or `autoscale.min`). Unset: `maxUnavailable: 1`. Only an app with more than one replica gets a PodDisruptionBudget.",
        }),
        hosts: uniqueList(hostSchema, "host")
            .default([])
            .meta({ description: "Hosts published through the edge, each once." }),
        metrics: z
            .object({
                container: dnsLabel(30).optional().meta({ description: "Container exposing them. Unset: the first." }),
                path: z.string().startsWith("/").default("/metrics").meta({ description: "HTTP path scraped." }),
                interval: z
                    .string()
                    .regex(/^[0-9]+[sm]$/)
                    .default("30s")
                    .meta({ description: "Scrape interval, in `s` or `m`." }),
            })
            .strict()
            .optional()
            .meta({
                description:
                    "A ServiceMonitor on the container's `metricsPort` (or `port`), when the app exposes metrics. Unset: none.",
            }),
        redis: redisSchema
            .optional()
            .meta({ description: "Redis for shared state and pub/sub; its URL lands in `REDIS_URL`. Unset: none." }),
        mysql: mysqlSchema.optional().meta({
            description: "MySQL on its own volume with generated credentials; its URL lands in `urlEnv`. Unset: none.",
        }),
        onprem: uniqueList(onpremEgressSchema, { key: (e) => `${e.name}:${e.port}/${e.protocol}` })
            .default([])
            .meta({
                description: "On-prem endpoints the app connects to; egress is allowed to exactly these.",
            }),
        google: z
            .object({
                roles: uniqueList(z.string().regex(/^roles\/[A-Za-z0-9_.]+$/))
                    .min(1)
                    .meta({ description: "Project roles of that service account (`roles/...`)." }),
            })
            .strict()
            .optional()
            .meta({
                description:
                    "Google APIs the app calls as its own Google service account, via Workload Identity (gke only). Unset: none.",
            }),
        source: z
            .object({
                repository: z
                    .string()
                    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, {
                        message: "is not a GitHub repository (owner/name)",
                    })
                    .meta({
                        description: "The app's GitHub repository, `owner/name` (for people; the grant uses the id).",
                    }),
                repositoryId: z.number().int().positive().meta({
                    description:
                        "Its numeric repository id (`gh api repos/<owner>/<name> --jq .id`): survives renames and transfers, unlike the name.",
                }),
            })
            .strict()
            .optional()
            .meta({
                description:
                    "The app's source repository. With `ci.enabled` on gke, its workflows on main or a tag may push the app's images (their packages in the stack's registry) through the Workload Identity pool, without a key. Unset: no one but the deployers may push.",
            }),
        quota: quotaSchema.default(quotaSchema.parse({})).meta({
            description:
                "ResourceQuota of the namespace; it must hold the app at full scale (every pod, one rolling-update surge pod, its data stores and a running backup job).",
        }),
        limits: z
            .object({
                defaultRequest: z
                    .object({ cpu: quantity, memory: quantity })
                    .strict()
                    .default({ cpu: "100m", memory: "128Mi" })
                    .meta({ description: "Request of a container that sets none." }),
                default: z
                    .object({ cpu: quantity, memory: quantity })
                    .strict()
                    .default({ cpu: "500m", memory: "256Mi" })
                    .meta({ description: "Limit of a container that sets none." }),
                max: z
                    .object({ cpu: quantity, memory: quantity })
                    .strict()
                    .default({ cpu: "2", memory: "4Gi" })
                    .meta({ description: "Largest limit a single container may ask for." }),
            })
            .strict()
            .default({
                defaultRequest: { cpu: "100m", memory: "128Mi" },
                default: { cpu: "500m", memory: "256Mi" },
                max: { cpu: "2", memory: "4Gi" },
            })
            .meta({
                description: "LimitRange of the namespace: defaults for containers, and the per-container maximum.",
            }),
    })
    .strict();

/** `platform:apps`: every app by name (a DNS label). */
export const appsSchema = z.record(dnsLabel(40), appSchema);

/** A container as the stack file gives it: its image may come from the image file instead. */
export type StackContainer = Omit<ContainerSpec, "image"> & { readonly image?: string };
/** An app as the stack file gives it, before the image file fills in its images. */
export type StackApp = Omit<AppSpec, "containers"> & { readonly containers: StackContainer[] };

/** Apps with every image resolved: what the apps and gitops layers are given. */
export type AppsConfig = Record<string, AppSpec>;
export type AppConfig = AppSpec;
// The apps layer's own types (components/apps/spec.ts) and this schema describe the same thing,
// except that an image may still be missing here (config/images.ts fills it from the image file).
agree<Same<z.output<typeof appSchema>, StackApp>>(true);
agree<Same<z.output<typeof containerSchema>, StackContainer>>(true);
agree<Same<z.output<typeof hostSchema>, HostSpec>>(true);

/**
 * Problems of an image a container runs, wherever it is written (`add` knows the key path): a
 * timestamp policy needs tags `{sha}-{YYYYMMDDHHmmss}`, which it can order.
 */
export function imageProblems(app: string, image: string, policy: ContainerSpec["imagePolicy"]): string[] {
    const ref = parseImage(image);
    if (!ref) return ["is not an image reference <registry>/<path>:<tag> (lower-case repository, a tag)"];
    if (policy === "timestamp" && !TIMESTAMP_TAG.test(ref.tag))
        return [
            `has tag ${ref.tag}, which the timestamp policy cannot order; app ${app} needs tags {sha}-{YYYYMMDDHHmmss} or imagePolicy: { semver: <range> }`,
        ];
    return [];
}

/** The per-app checks that need the whole entry or the stack around it; each message names the app. */
export function checkApp(
    name: string,
    app: StackApp,
    stack: { environment: Environment; domain: string },
    add: (path: (string | number)[], input: unknown, message: string) => void,
): void {
    const containers = new Map(app.containers.map((c) => [c.name, c]));
    app.containers.forEach((c, i) => {
        // A malformed reference is the schema's to report; here only what the policy needs.
        if (c.image !== undefined && parseImage(c.image))
            for (const p of imageProblems(name, c.image, c.imagePolicy)) add(["containers", i, "image"], c.image, p);
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
    else if (app.singleReplicaReason !== undefined && app.autoscale)
        add(
            ["singleReplicaReason"],
            app.singleReplicaReason,
            `is set but app ${name} autoscales up to ${app.autoscale.max} replicas (one pod only: drop autoscale)`,
        );
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
    if (app.redis?.persistence === false && stack.environment === "prd")
        add(
            ["redis", "persistence"],
            false,
            `is refused on prd: app ${name}'s Redis would lose its data on every pod restart`,
        );
    const volumes = [
        app.mysql ? memoryBytes(app.mysql.storage) : 0,
        app.redis && (app.redis.persistence ?? stack.environment === "prd") ? memoryBytes(app.redis.storage) : 0,
    ].reduce((a, b) => a + b, 0);
    if (volumes > memoryBytes(app.quota.storage))
        add(
            ["quota", "storage"],
            app.quota.storage,
            `is below the ${fmt(volumes, "memory")} of volumes app ${name} claims (MySQL and Redis)`,
        );
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
export function namespaceFootprint(app: StackApp): {
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
    app: StackApp,
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
