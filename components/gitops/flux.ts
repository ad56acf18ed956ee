import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { METADATA_EGRESS_ANNOTATION } from "../../contract/annotations";
import { CHARTS, pinned } from "../versions";
import { FLUX_NAMESPACE } from "./names";
import { declaredBefore, PlatformNamespace } from "../cluster/platform-namespace";
import { metadataServerEgress } from "../cluster/egress";
import type { ChartSource } from "../versions";

export interface FluxArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /**
     * Google service account the image-reflector-controller acts as (Workload Identity): its email,
     * a plain string so the chart's values stay known in a preview. @default none
     */
    readonly reflectorServiceAccount?: string;
    /** What the chart waits for besides its namespace (the reflector's identity and its grants). @default [] */
    readonly dependsOn?: pulumi.Resource[];
    /** Namespace whose pods may scrape the controllers' metrics on 8080. @default none (nothing scrapes them) */
    readonly metricsNamespace?: string;
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

type Resources = { requests: Record<string, string>; limits: Record<string, string> };

/** Requests and limits per controller: the sources and kustomize work hardest (clones, builds). */
export const CONTROLLER_RESOURCES: Readonly<Record<string, Resources>> = {
    sourceController: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    kustomizeController: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "1Gi" } },
    helmController: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    notificationController: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "250m", memory: "256Mi" } },
    imageReflectionController: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
    imageAutomationController: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
};

/** Egress the controllers need: DNS, git over SSH, HTTPS (GitHub, registries, the API server). */
const EGRESS_PORTS = [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
    { protocol: "TCP", port: 22 },
    { protocol: "TCP", port: 443 },
    // The API server behind the `kubernetes` Service listens on 6443 outside GKE (kind, kubeadm).
    { protocol: "TCP", port: 6443 },
];

/**
 * The Flux controllers (source, kustomize, helm, notification, image reflector and image
 * automation) from the community flux2 chart, in a restricted namespace whose traffic is denied
 * unless listed here. The chart's own NetworkPolicies are off in favour of these, which render shows.
 */
/** Six controllers with headroom for a reconcile storm. */
const FLUX_BUDGET = { cpu: "2", memory: "4Gi", cpuLimit: "8", memoryLimit: "8Gi", pods: 15 };

export class Flux extends pulumi.ComponentResource {
    readonly namespace: k8s.core.v1.Namespace;
    readonly chart: k8s.helm.v4.Chart;

    constructor(name: string, args: FluxArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:Flux", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const labels = { "app.kubernetes.io/part-of": "flux" };

        const ns = new PlatformNamespace(
            `${name}-ns`,
            {
                provider: args.provider,
                namespace: FLUX_NAMESPACE,
                labels,
                podSecurity: { level: "restricted" },
                quota: FLUX_BUDGET,
                defaultDeny: "ingress-and-egress",
                childAliases: declaredBefore(this, {
                    namespace: `${name}-ns`,
                    quota: `${name}-ns-quota`,
                    limits: `${name}-ns-limits`,
                    "default-deny": `${name}-netpol-default-deny`,
                }),
            },
            { parent: this },
        );
        this.namespace = ns.namespace;

        const policies = this.networkPolicies(name, args.metricsNamespace, child);

        const controller = (key: string, extra: Record<string, unknown> = {}) => ({
            create: true,
            resources: CONTROLLER_RESOURCES[key],
            ...extra,
        });
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                ...pinned(CHARTS.flux2, args.charts),
                namespace: FLUX_NAMESPACE,
                values: {
                    installCRDs: true,
                    // No `cli` values: they configure only the pre-install `flux check` hook Job, which
                    // helm.v4.Chart never runs (test/charts/hooks.test.ts).
                    sourceController: controller("sourceController"),
                    kustomizeController: controller("kustomizeController"),
                    helmController: controller("helmController"),
                    notificationController: controller("notificationController"),
                    imageAutomationController: controller("imageAutomationController"),
                    imageReflectionController: controller("imageReflectionController", {
                        serviceAccount: {
                            create: true,
                            automount: true,
                            annotations: args.reflectorServiceAccount
                                ? { "iam.gke.io/gcp-service-account": args.reflectorServiceAccount }
                                : {},
                        },
                    }),
                    sourceWatcher: { create: false },
                    policies: { create: false },
                    prometheus: { podMonitor: { create: false } },
                    watchAllNamespaces: true,
                    logLevel: "info",
                },
            },
            { ...child, dependsOn: [ns, ...policies, ...(args.dependsOn ?? [])] },
        );

        this.registerOutputs({ namespace: FLUX_NAMESPACE });
    }

    private networkPolicies(
        name: string,
        metricsNamespace: string | undefined,
        opts: pulumi.CustomResourceOptions,
    ): k8s.networking.v1.NetworkPolicy[] {
        const policy = (
            role: string,
            spec: k8s.types.input.networking.v1.NetworkPolicySpec,
            annotations?: Record<string, string>,
        ) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-netpol-${role}`,
                { metadata: { name: role, namespace: FLUX_NAMESPACE, ...(annotations ? { annotations } : {}) }, spec },
                { ...opts, dependsOn: [this.namespace] },
            );
        // The default deny comes with the namespace (PlatformNamespace).
        return [
            // Controllers fetch artifacts from source-controller and send events to notification-controller.
            policy("allow-same-namespace", {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ podSelector: {} }] }],
                egress: [{ to: [{ podSelector: {} }] }],
            }),
            ...(metricsNamespace === undefined
                ? []
                : [
                      policy("allow-metrics", {
                          podSelector: {},
                          policyTypes: ["Ingress"],
                          ingress: [
                              {
                                  from: [
                                      {
                                          namespaceSelector: {
                                              matchLabels: { "kubernetes.io/metadata.name": metricsNamespace },
                                          },
                                      },
                                  ],
                                  ports: [{ protocol: "TCP", port: 8080 }],
                              },
                          ],
                      }),
                  ]),
            policy(
                "allow-egress",
                {
                    podSelector: {},
                    policyTypes: ["Egress"],
                    egress: [{ ports: EGRESS_PORTS }, ...metadataServerEgress()],
                },
                {
                    [METADATA_EGRESS_ANNOTATION]:
                        "image-reflector-controller reads Artifact Registry as a Google service account (Workload Identity)",
                },
            ),
        ];
    }
}
