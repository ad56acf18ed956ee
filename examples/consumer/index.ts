import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { checkContract } from "./contract";

/**
 * Another team's program: reads the platform stack's outputs through a StackReference and runs a
 * small web workload in the platform's cluster, through a Kubernetes provider built from the
 * `kubeconfig` output (which holds no credential: it authenticates with the caller's own Google
 * identity through gke-gcloud-auth-plugin).
 */
export = async (): Promise<Record<string, unknown>> => {
    const config = new pulumi.Config();
    const platform = new pulumi.StackReference("platform", { name: config.require("platformStack") });

    // Refuse a platform whose contract has moved to another major version.
    checkContract(await platform.getOutputValue("outputsVersion"));

    const provider = new k8s.Provider("platform", {
        kubeconfig: platform.requireOutput("kubeconfig") as pulumi.Output<string>,
        enableServerSideApply: true,
        // A changed kubeconfig (new endpoint, rotated CA) updates the provider; only another
        // platform stack replaces it, and every object with it.
        clusterIdentifier: `stack:${config.require("platformStack")}`,
    });
    const opts = { provider };

    const image = config.get("image") ?? pulumi.interpolate`${platform.requireOutput("artifactRegistry")}/hello:1.0.0`;
    const replicas = config.getNumber("replicas") ?? 2;
    const labels = { "app.kubernetes.io/name": "hello", "app.kubernetes.io/part-of": "platform-consumer" };

    const ns = new k8s.core.v1.Namespace(
        "hello",
        {
            metadata: {
                name: "hello",
                labels: {
                    "pod-security.kubernetes.io/enforce": "restricted",
                    "pod-security.kubernetes.io/enforce-version": "latest",
                },
            },
        },
        opts,
    );
    const namespace = ns.metadata.name;

    new k8s.apps.v1.Deployment(
        "hello",
        {
            metadata: { name: "hello", namespace, labels },
            spec: {
                replicas,
                selector: { matchLabels: labels },
                template: {
                    metadata: { labels },
                    spec: {
                        automountServiceAccountToken: false,
                        securityContext: {
                            runAsNonRoot: true,
                            runAsUser: 101,
                            runAsGroup: 101,
                            seccompProfile: { type: "RuntimeDefault" },
                        },
                        containers: [
                            {
                                name: "web",
                                image,
                                ports: [{ name: "http", containerPort: 8080 }],
                                env: [{ name: "PLATFORM_DOMAIN", value: platform.requireOutput("domain") }],
                                securityContext: {
                                    allowPrivilegeEscalation: false,
                                    readOnlyRootFilesystem: true,
                                    capabilities: { drop: ["ALL"] },
                                },
                                resources: {
                                    requests: { cpu: "50m", memory: "64Mi" },
                                    limits: { cpu: "200m", memory: "128Mi" },
                                },
                                readinessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 5 },
                                livenessProbe: { httpGet: { path: "/", port: "http" }, periodSeconds: 20 },
                                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
                            },
                        ],
                        volumes: [{ name: "tmp", emptyDir: {} }],
                    },
                },
            },
        },
        opts,
    );

    const service = new k8s.core.v1.Service(
        "hello",
        {
            metadata: { name: "hello", namespace, labels },
            spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: "http" }] },
        },
        opts,
    );

    return { namespace, service: service.metadata.name };
};
