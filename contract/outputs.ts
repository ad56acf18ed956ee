/**
 * The stack outputs other teams consume (through a StackReference). Version it: removing an
 * output or changing its secretness is a breaking change and bumps `OUTPUTS_VERSION`'s major.
 */
export const OUTPUTS_VERSION = "1.0.0";

export interface OutputSpec {
    readonly type: string;
    readonly secret: boolean;
    /** Only stacks whose cluster.mode is gke have it. */
    readonly gkeOnly: boolean;
    readonly description: string;
    readonly example: string;
}

export const OUTPUTS: Readonly<Record<string, OutputSpec>> = {
    outputsVersion: {
        type: "string",
        secret: false,
        gkeOnly: false,
        description: "Version of this output contract (semver).",
        example: '"1.0.0"',
    },
    environment: {
        type: '"dev" \\| "prd"',
        secret: false,
        gkeOnly: false,
        description: "Which environment the stack is.",
        example: '"dev"',
    },
    domain: {
        type: "string",
        secret: false,
        gkeOnly: false,
        description: "The stack's domain; every host is under it.",
        example: '"dev.example.org"',
    },
    kubeconfig: {
        type: "string (YAML)",
        secret: true,
        gkeOnly: true,
        description:
            "Kubeconfig for the cluster; authenticates through gke-gcloud-auth-plugin with the caller's own Google identity.",
        example: "apiVersion: v1 ...",
    },
    clusterName: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "GKE cluster name.",
        example: '"platform-dev"',
    },
    clusterEndpoint: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "Control plane IP endpoint.",
        example: '"34.84.10.20"',
    },
    region: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "GCP region of the cluster, NAT, IP and registry.",
        example: '"asia-northeast1"',
    },
    ingressIp: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "Reserved IP of the ingress load balancer; every public A record points here.",
        example: '"35.200.1.2"',
    },
    nameServers: {
        type: "string[]",
        secret: false,
        gkeOnly: true,
        description: "Cloud DNS name servers to set at the registrar for the domain.",
        example: '["ns-cloud-a1.googledomains.com.", ...]',
    },
    artifactRegistry: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "Image prefix for the apps: `<region>-docker.pkg.dev/<project>/<repo>`.",
        example: '"asia-northeast1-docker.pkg.dev/acme-dev/apps"',
    },
    workloadIdentityPool: {
        type: "string",
        secret: false,
        gkeOnly: true,
        description: "Workload Identity pool for binding Kubernetes to Google service accounts.",
        example: '"acme-dev.svc.id.goog"',
    },
    apps: {
        type: "Record<string, { namespace: string; hosts: string[]; backupBucket?: string }>",
        secret: false,
        gkeOnly: false,
        description:
            "Each app's namespace, published hosts and (gke, MySQL with backup) the bucket of its nightly dumps.",
        example: '{"vote": {"namespace": "vote", "hosts": ["vote.example.org"]}}',
    },
    sablierUrl: {
        type: "string",
        secret: false,
        gkeOnly: false,
        description: "Sablier server URL the branch previews' middleware calls; only when platform:previews.enabled.",
        example: '"http://sablier.sablier.svc.cluster.local:10000"',
    },
};
