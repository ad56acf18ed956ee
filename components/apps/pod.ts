import * as k8s from "@pulumi/kubernetes";

type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;
type Probe = k8s.types.input.core.v1.Probe;

/** Labels every object of an app carries; `component` tells the web pods from the data stores. */
export function appLabels(app: string, component: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": app,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The selector part of appLabels (stable across releases). */
export function selectorLabels(app: string, component: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/component": component };
}

/** Pod-level settings the restricted Pod Security Standard asks for. */
export function podSecurityContext(fsGroup?: number): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        seccompProfile: { type: "RuntimeDefault" },
        ...(fsGroup !== undefined ? { fsGroup, fsGroupChangePolicy: "OnRootMismatch" } : {}),
    };
}

/** Container-level settings: a fixed non-root UID, read-only root filesystem, no capabilities. */
export function containerSecurityContext(uid: number): k8s.types.input.core.v1.SecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: uid,
        runAsGroup: uid,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
    };
}

/** emptyDir volumes and their mounts for the paths a container must write. */
export function writable(prefix: string, paths: readonly string[]): { volumes: Volume[]; mounts: VolumeMount[] } {
    const volumes: Volume[] = [];
    const mounts: VolumeMount[] = [];
    paths.forEach((mountPath, i) => {
        const name = `${prefix}-w${i}`.slice(0, 63);
        volumes.push({ name, emptyDir: { sizeLimit: "512Mi" } });
        mounts.push({ name, mountPath });
    });
    return { volumes, mounts };
}

export interface ProbeSpec {
    readonly path?: string;
    readonly port?: number;
    readonly initialDelaySeconds?: number;
    readonly periodSeconds?: number;
}

/** An HTTP GET probe when a path is given, a TCP connect otherwise. */
export function probe(spec: ProbeSpec | undefined, defaultPort: number, failureThreshold = 3): Probe {
    const port = spec?.port ?? defaultPort;
    return {
        ...(spec?.path ? { httpGet: { path: spec.path, port } } : { tcpSocket: { port } }),
        initialDelaySeconds: spec?.initialDelaySeconds ?? 5,
        periodSeconds: spec?.periodSeconds ?? 10,
        timeoutSeconds: 3,
        failureThreshold,
    };
}

/** ConfigMap key for a file path (keys allow only [-._a-zA-Z0-9]). */
export function fileKey(path: string): string {
    return path.replace(/^\/+/, "").replace(/[^-._a-zA-Z0-9]/g, "_");
}

/** A Service port name (IANA: at most 15 characters, a letter among them). */
export function portName(container: string, i: number): string {
    return container.length <= 15 && /[a-z]/.test(container) ? container : `port-${i}`;
}
