/**
 * What the apps layer is given for one app: `platform:apps.<name>` resolved, every default filled
 * in. config/ builds it (config/sections/apps.ts holds the schema and checks the two agree).
 */

/** CPU and memory of a container, as Kubernetes quantities. */
export type Sizes = {
    readonly cpu: string;
    readonly memory: string;
};

export type ContainerResources = {
    readonly requests: Sizes;
    readonly limits: Sizes;
};

/** An HTTP (path) or TCP (no path) probe. */
export interface ProbeSpec {
    readonly path?: string;
    readonly port?: number;
    readonly initialDelaySeconds: number;
    readonly periodSeconds: number;
}

/** A secret env value: generated (length) or read from an existing Secret. */
export type SecretEnvSpec = { readonly generate: number } | { readonly secret: string; readonly key: string };

export interface ContainerSpec {
    readonly name: string;
    /** `<repository>:<tag>`. */
    readonly image: string;
    readonly imagePolicy: "timestamp" | { readonly semver: string };
    readonly port?: number;
    readonly metricsPort?: number;
    readonly command?: string[];
    readonly args?: string[];
    readonly env: Record<string, string>;
    readonly secretEnv: Record<string, SecretEnvSpec>;
    readonly resources: ContainerResources;
    readonly readiness?: ProbeSpec;
    readonly liveness?: ProbeSpec;
    readonly writablePaths: string[];
    readonly files: Record<string, string>;
    readonly storeEnv: boolean;
    readonly runAsUser: number;
}

export interface HostSpec {
    readonly host: string;
    readonly auth: "github" | "public";
    readonly container?: string;
    readonly paths?: string[];
    readonly websockets: boolean;
}

export interface OnpremEgressSpec {
    readonly name: string;
    readonly port: number;
    readonly protocol: "TCP" | "UDP";
    readonly cidr?: string;
}

export interface MysqlSpec {
    readonly database?: string;
    readonly storage: string;
    readonly resources: ContainerResources;
    readonly urlEnv: string;
    readonly urlScheme: string;
    readonly backup?: { readonly schedule: string; readonly retentionDays: number };
}

export interface AppSpec {
    readonly namespace?: string;
    readonly podSecurity: "restricted" | "baseline";
    readonly containers: ContainerSpec[];
    readonly replicas: number;
    readonly autoscale?: { readonly min: number; readonly max: number; readonly cpuPercent: number };
    readonly singleReplicaReason?: string;
    readonly minAvailable?: number;
    readonly hosts: HostSpec[];
    readonly metrics?: { readonly path: string; readonly interval: string; readonly container?: string };
    readonly redis?: { readonly memory: string; readonly persistence?: boolean; readonly storage: string };
    readonly mysql?: MysqlSpec;
    readonly onprem: OnpremEgressSpec[];
    readonly google?: { readonly roles: string[] };
    /** The app's own GitHub repository, which may push its images keylessly (main and tags only). */
    readonly source?: { readonly repository: string; readonly repositoryId: number };
    readonly quota: {
        readonly cpu: string;
        readonly memory: string;
        readonly cpuLimit?: string;
        readonly memoryLimit?: string;
        readonly pods: number;
        readonly storage: string;
    };
    readonly limits: { readonly defaultRequest: Sizes; readonly default: Sizes; readonly max: Sizes };
}

/** Requests and limits of the containers the platform adds (Redis, the backup job's containers). */
export const PLATFORM_RESOURCES = {
    redis: (memory: string) => ({ requests: { cpu: "100m", memory }, limits: { cpu: "500m", memory } }),
    backup: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "512Mi" } },
} as const;
