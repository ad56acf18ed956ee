import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SINGLE_REPLICA_ANNOTATION } from "../../contract/annotations";
import { filesHash } from "../hash";
import * as random from "@pulumi/random";
import { ContainerSpec, HostSpec } from "./spec";
import { Publisher } from "../edge/types";
import { COMPONENTS } from "./network-policies";
import {
    appLabels,
    containerSecurityContext,
    fileKey,
    podSecurityContext,
    portName,
    probe,
    selectorLabels,
    writable,
} from "./pod";

type EnvVar = k8s.types.input.core.v1.EnvVar;

export interface AppWorkloadArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** App name (labels, object names). */
    readonly app: string;
    /** Namespace (an Output of the envelope, so the workload waits for it). */
    readonly namespace: pulumi.Input<string>;
    /** Plain namespace name (routes). */
    readonly namespaceName: string;
    /** Containers of the pod, images already chosen. */
    readonly containers: readonly ContainerSpec[];
    /** Fixed replica count; ignored when autoscale is set. */
    readonly replicas: number;
    /** HorizontalPodAutoscaler bounds. @default none */
    readonly autoscale?: { readonly min: number; readonly max: number; readonly cpuPercent: number };
    /** PodDisruptionBudget minAvailable. @default maxUnavailable 1 */
    readonly minAvailable?: number;
    /** Hosts to publish. @default [] */
    readonly hosts?: readonly HostSpec[];
    /** The edge's route publisher; without one hosts are not published. @default none */
    readonly publisher?: Publisher;
    /** Extra Traefik middlewares on every route (e.g. Sablier's). @default [] */
    readonly middlewares?: readonly { readonly name: string; readonly namespace: string }[];
    /** Prometheus scraping. @default none */
    readonly metrics?: { readonly container?: string; readonly path: string; readonly interval: string };
    /** What installs the ServiceMonitor CRD (the monitoring chart). @default [] */
    readonly crdDependsOn?: readonly pulumi.Resource[];
    /** Kubernetes service account of the pods. */
    readonly serviceAccountName: string;
    /** Env every container gets first (data store credentials and URLs). @default [] */
    readonly storeEnv?: readonly EnvVar[];
    /** Extra labels on the Deployment (not the pods), e.g. Sablier's. @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** Something else (Sablier) sets the replica count; Pulumi leaves spec.replicas alone. @default false */
    readonly replicasManagedElsewhere?: boolean;
    /**
     * Why the app runs exactly one pod (annotation `platform/single-replica`); it then rolls with
     * `Recreate`, never two pods at once. @default none (rolling updates with one surge pod)
     */
    readonly singleReplicaReason?: string;
}

/** `kubernetes.io/change-cause`: what `kubectl rollout history` shows to roll back to. */
export function changeCause(containers: readonly { name: string; image: string }[]): string {
    return `images: ${containers.map((c) => `${c.name}=${c.image}`).join(", ")}`;
}

/**
 * An app's workload: one Deployment of one or more secure containers, its config files as a
 * ConfigMap whose hash rolls the pods, generated secrets, a Service, an HPA or fixed replicas, a
 * PodDisruptionBudget and spread across nodes when there is more than one pod, a ServiceMonitor
 * when it exposes metrics, and its hosts through the edge. The rest of an app (namespace, stores,
 * backup) is its Application's.
 */
export class AppWorkload extends pulumi.ComponentResource {
    readonly deployment: k8s.apps.v1.Deployment;
    readonly service: k8s.core.v1.Service;

    constructor(name: string, args: AppWorkloadArgs, opts?: pulumi.ComponentResourceOptions) {
        super(
            "platform:apps:AppWorkload",
            name,
            {},
            {
                ...opts,
                providers: [args.provider],
                // Was `App` (platform:apps:App); the alias keeps its URN and, through it, its children's.
                aliases: [...(opts?.aliases ?? []), { type: "platform:apps:App" }],
            },
        );
        const child = { parent: this, provider: args.provider };
        const labels = appLabels(args.app, COMPONENTS.web);
        const selector = selectorLabels(args.app, COMPONENTS.web);
        const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });

        // Config files: one ConfigMap; its content hash on the pod template rolls the pods on change.
        const files: Record<string, string> = {};
        for (const c of args.containers)
            for (const [path, content] of Object.entries(c.files)) files[`${c.name}/${fileKey(path)}`] = content;
        const configName = `${args.app}-files`;
        const configMap =
            Object.keys(files).length > 0
                ? new k8s.core.v1.ConfigMap(
                      `${name}-files`,
                      {
                          metadata: meta(configName),
                          data: Object.fromEntries(Object.entries(files).map(([k, v]) => [k.replace("/", "."), v])),
                      },
                      child,
                  )
                : undefined;

        // Generated secrets: random values in one Secret, reaching the containers only by reference.
        const generated: Record<string, pulumi.Output<string>> = {};
        for (const c of args.containers)
            for (const [envName, src] of Object.entries(c.secretEnv))
                if ("generate" in src && !(`${c.name}-${envName}` in generated))
                    generated[`${c.name}-${envName}`] = new random.RandomPassword(
                        `${name}-${c.name}-${envName.toLowerCase().replace(/_/g, "-")}`,
                        { length: src.generate, special: false },
                        { parent: this },
                    ).result;
        const generatedName = `${args.app}-generated`;
        const secret =
            Object.keys(generated).length > 0
                ? new k8s.core.v1.Secret(
                      `${name}-generated`,
                      { metadata: meta(generatedName), type: "Opaque", stringData: generated },
                      child,
                  )
                : undefined;

        const volumes: k8s.types.input.core.v1.Volume[] = [];
        const containers = args.containers.map((c, i) => {
            const scratch = writable(c.name, c.writablePaths);
            volumes.push(...scratch.volumes);
            const fileMounts = Object.keys(c.files).map((path) => ({
                name: "files",
                mountPath: path,
                subPath: `${c.name}.${fileKey(path)}`,
                readOnly: true,
            }));
            const secretEnv: EnvVar[] = Object.entries(c.secretEnv).map(([envName, src]) => ({
                name: envName,
                valueFrom: {
                    secretKeyRef:
                        "generate" in src
                            ? { name: generatedName, key: `${c.name}-${envName}` }
                            : { name: src.secret, key: src.key },
                },
            }));
            const plainEnv: EnvVar[] = Object.entries(c.env).map(([envName, value]) => ({ name: envName, value }));
            const ports: k8s.types.input.core.v1.ContainerPort[] = [];
            if (c.port !== undefined) ports.push({ name: portName(c.name, i), containerPort: c.port });
            if (c.metricsPort !== undefined && c.metricsPort !== c.port)
                ports.push({ name: `metrics-${i}`, containerPort: c.metricsPort });
            const probePort = c.port ?? c.metricsPort;
            return {
                name: c.name,
                image: c.image,
                ...(c.command ? { command: c.command } : {}),
                ...(c.args ? { args: c.args } : {}),
                // Store env first: `$(VAR)` in later values expands only from variables defined before.
                ...listIfAny("env", [...(c.storeEnv ? (args.storeEnv ?? []) : []), ...secretEnv, ...plainEnv]),
                ...listIfAny("ports", ports),
                ...(probePort !== undefined
                    ? {
                          readinessProbe: probe(c.readiness, probePort),
                          livenessProbe: probe(c.liveness ?? c.readiness, probePort, 6),
                      }
                    : {}),
                resources: { requests: { ...c.resources.requests }, limits: { ...c.resources.limits } },
                securityContext: containerSecurityContext(c.runAsUser),
                ...listIfAny("volumeMounts", [...scratch.mounts, ...fileMounts]),
            };
        });
        if (configMap) volumes.push({ name: "files", configMap: { name: configName } });

        const replicas = args.autoscale ? args.autoscale.min : args.replicas;
        const multi = replicas > 1;
        this.deployment = new k8s.apps.v1.Deployment(
            `${name}-deploy`,
            {
                metadata: {
                    name: args.app,
                    namespace: args.namespace,
                    labels: { ...labels, ...args.labels },
                    annotations: {
                        "kubernetes.io/change-cause": changeCause(args.containers),
                        ...(args.singleReplicaReason ? { [SINGLE_REPLICA_ANNOTATION]: args.singleReplicaReason } : {}),
                    },
                },
                spec: {
                    // With an HPA (or Sablier) the replica count is its to set; Pulumi leaves the field alone.
                    ...(args.autoscale || args.replicasManagedElsewhere ? {} : { replicas: args.replicas }),
                    revisionHistoryLimit: 10,
                    selector: { matchLabels: selector },
                    // An app that must run once (singleReplicaReason) never surges a second pod: the old
                    // pod stops before the new one starts. The rest keep serving through a rollout.
                    strategy: args.singleReplicaReason
                        ? { type: "Recreate" }
                        : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        metadata: {
                            labels,
                            annotations: {
                                "platform/config-hash": filesHash(files),
                                "kubectl.kubernetes.io/default-container": args.containers[0]!.name,
                            },
                        },
                        spec: {
                            serviceAccountName: args.serviceAccountName,
                            securityContext: podSecurityContext(),
                            containers,
                            volumes,
                            ...(multi
                                ? {
                                      topologySpreadConstraints: [
                                          "kubernetes.io/hostname",
                                          "topology.kubernetes.io/zone",
                                      ].map((topologyKey) => ({
                                          maxSkew: 1,
                                          topologyKey,
                                          whenUnsatisfiable: "ScheduleAnyway",
                                          labelSelector: { matchLabels: selector },
                                      })),
                                  }
                                : {}),
                        },
                    },
                },
            },
            { ...child, dependsOn: [configMap, secret].filter((r): r is k8s.core.v1.ConfigMap => r !== undefined) },
        );

        const servicePorts = args.containers.flatMap((c, i) => {
            const out: k8s.types.input.core.v1.ServicePort[] = [];
            if (c.port !== undefined) out.push({ name: portName(c.name, i), port: c.port, targetPort: c.port });
            if (c.metricsPort !== undefined && c.metricsPort !== c.port)
                out.push({ name: `metrics-${i}`, port: c.metricsPort, targetPort: c.metricsPort });
            return out;
        });
        this.service = new k8s.core.v1.Service(
            `${name}-svc`,
            { metadata: meta(args.app), spec: { selector, ports: servicePorts } },
            child,
        );

        if (args.autoscale)
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                {
                    metadata: meta(args.app),
                    spec: {
                        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: args.app },
                        minReplicas: args.autoscale.min,
                        maxReplicas: args.autoscale.max,
                        metrics: [
                            {
                                type: "Resource",
                                resource: {
                                    name: "cpu",
                                    target: { type: "Utilization", averageUtilization: args.autoscale.cpuPercent },
                                },
                            },
                        ],
                    },
                },
                { ...child, dependsOn: [this.deployment] },
            );
        if (multi)
            new k8s.policy.v1.PodDisruptionBudget(
                `${name}-pdb`,
                {
                    metadata: meta(args.app),
                    spec: {
                        selector: { matchLabels: selector },
                        ...(args.minAvailable !== undefined
                            ? { minAvailable: args.minAvailable }
                            : { maxUnavailable: 1 }),
                    },
                },
                child,
            );

        if (args.metrics) {
            const idx = args.metrics.container
                ? args.containers.findIndex((c) => c.name === args.metrics!.container)
                : 0;
            const c = args.containers[idx]!;
            const port =
                c.metricsPort !== undefined && c.metricsPort !== c.port ? `metrics-${idx}` : portName(c.name, idx);
            new k8s.apiextensions.CustomResource(
                `${name}-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: meta(args.app),
                    spec: {
                        selector: { matchLabels: selector },
                        endpoints: [{ port, path: args.metrics.path, interval: args.metrics.interval }],
                    },
                },
                { ...child, dependsOn: [...(args.crdDependsOn ?? [])] },
            );
        }

        for (const h of args.hosts ?? []) {
            const c = h.container
                ? args.containers.find((x) => x.name === h.container)!
                : args.containers.find((x) => x.port !== undefined)!;
            // The route name is also the IngressRoute's: `<app>-<first label of the host>`.
            args.publisher?.route(this, `${args.app}-${h.host.split(".")[0]!}`, {
                host: h.host,
                namespace: args.namespaceName,
                service: this.service.metadata.name,
                port: c.port!,
                auth: h.auth,
                ...(h.paths ? { paths: h.paths } : {}),
                middlewares: args.middlewares ?? [],
            });
        }
        this.registerOutputs({ deployment: this.deployment.metadata.name, service: this.service.metadata.name });
    }
}

/**
 * `{ [key]: list }`, or nothing for an empty list: the API server stores an empty list as none, so
 * declaring `[]` would show as drift on every refresh.
 */
function listIfAny<K extends string, T>(key: K, list: readonly T[]): { [P in K]?: T[] } {
    return (list.length > 0 ? { [key]: [...list] } : {}) as { [P in K]?: T[] };
}
