import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES } from "../versions";
import { containerSecurityContext, podSecurityContext } from "./pod";
import { declaredBefore, PlatformNamespace } from "../cluster/platform-namespace";

export interface SablierServerArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Namespace of the server. */
    readonly namespace: string;
    /** Namespace of Traefik, whose Sablier plugin calls the server. */
    readonly traefikNamespace: string;
    /** Where the Kubernetes API answers from inside a pod (post-DNAT), e.g. the GKE control plane range on 443. */
    readonly apiServer: readonly { readonly cidr: string; readonly port: number }[];
}

export const SABLIER_PORT = 10000;
const UID = 65532;

/**
 * The Sablier server: Traefik's Sablier plugin asks it to scale a preview's workloads (labelled
 * `sablier.enable`/`sablier.group`) up on the first request and back to zero after the session ends.
 * It may only read and scale Deployments and StatefulSets.
 */
export class SablierServer extends pulumi.ComponentResource {
    /** `http://sablier.<ns>.svc.cluster.local:10000`, what the plugin middleware's sablierUrl is. */
    readonly url: string;

    constructor(name: string, args: SablierServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:SablierServer", name, {}, { ...opts, providers: [args.provider] });
        const child = { parent: this, provider: args.provider };
        const nsName = args.namespace;
        const labels = { "app.kubernetes.io/name": "sablier", "app.kubernetes.io/component": "server" };
        const namespace = new PlatformNamespace(
            `${name}-ns`,
            {
                provider: args.provider,
                namespace: nsName,
                podSecurity: { level: "restricted" },
                quota: { cpu: "500m", memory: "512Mi", cpuLimit: "1", memoryLimit: "1Gi", pods: 5 },
                defaultDeny: "ingress-and-egress",
                childAliases: declaredBefore(this, {
                    namespace: `${name}-ns`,
                    quota: `${name}-quota`,
                    limits: `${name}-limits`,
                    "default-deny": `${name}-default-deny`,
                }),
            },
            { parent: this },
        ).name;
        const sa = new k8s.core.v1.ServiceAccount(`${name}-sa`, { metadata: { name: "sablier", namespace } }, child);
        const role = new k8s.rbac.v1.ClusterRole(
            `${name}-role`,
            {
                metadata: { name: "platform-sablier" },
                rules: [
                    {
                        apiGroups: ["apps"],
                        resources: ["deployments", "statefulsets"],
                        verbs: ["get", "list", "watch"],
                    },
                    {
                        apiGroups: ["apps"],
                        resources: ["deployments/scale", "statefulsets/scale"],
                        verbs: ["get", "patch", "update"],
                    },
                ],
            },
            child,
        );
        new k8s.rbac.v1.ClusterRoleBinding(
            `${name}-binding`,
            {
                metadata: { name: "platform-sablier" },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
                subjects: [{ kind: "ServiceAccount", name: "sablier", namespace: nsName }],
            },
            child,
        );
        const policy = (n: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(`${name}-${n}`, { metadata: { name: n, namespace }, spec }, child);
        policy("allow-from-traefik", {
            podSelector: { matchLabels: labels },
            policyTypes: ["Ingress"],
            ingress: [
                {
                    from: [
                        {
                            namespaceSelector: {
                                matchLabels: { "kubernetes.io/metadata.name": args.traefikNamespace },
                            },
                        },
                    ],
                    ports: [{ protocol: "TCP", port: SABLIER_PORT }],
                },
            ],
        });
        policy("allow-to-apiserver", {
            podSelector: { matchLabels: labels },
            policyTypes: ["Egress"],
            egress: args.apiServer.map((a) => ({
                to: [{ ipBlock: { cidr: a.cidr } }],
                ports: [{ protocol: "TCP", port: a.port }],
            })),
        });
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deploy`,
            {
                metadata: { name: "sablier", namespace, labels },
                spec: {
                    replicas: 1,
                    selector: { matchLabels: labels },
                    template: {
                        metadata: { labels },
                        spec: {
                            serviceAccountName: "sablier",
                            securityContext: podSecurityContext(),
                            containers: [
                                {
                                    name: "sablier",
                                    image: IMAGES.sablier,
                                    args: ["start", "--provider.name=kubernetes", `--server.port=${SABLIER_PORT}`],
                                    ports: [{ name: "http", containerPort: SABLIER_PORT }],
                                    readinessProbe: {
                                        httpGet: { path: "/health", port: SABLIER_PORT },
                                        periodSeconds: 10,
                                    },
                                    livenessProbe: {
                                        httpGet: { path: "/health", port: SABLIER_PORT },
                                        periodSeconds: 20,
                                        failureThreshold: 6,
                                    },
                                    resources: {
                                        requests: { cpu: "50m", memory: "64Mi" },
                                        limits: { cpu: "250m", memory: "128Mi" },
                                    },
                                    securityContext: containerSecurityContext(UID),
                                    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                                },
                            ],
                            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
                        },
                    },
                },
            },
            { ...child, dependsOn: [sa] },
        );
        new k8s.core.v1.Service(
            `${name}-svc`,
            {
                metadata: { name: "sablier", namespace, labels },
                spec: { selector: labels, ports: [{ name: "http", port: SABLIER_PORT, targetPort: SABLIER_PORT }] },
            },
            { ...child, dependsOn: [deployment] },
        );
        this.url = `http://sablier.${nsName}.svc.cluster.local:${SABLIER_PORT}`;
        this.registerOutputs({ url: this.url });
    }
}
