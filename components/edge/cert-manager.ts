import * as gcp from "@pulumi/gcp";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountEmail } from "../gcp/service-account-email";
import { awaitReady } from "../cluster/waits";
import { CHARTS } from "../versions";
import { pinned } from "./chart";
import { IngressPolicies } from "./ingress-policies";
import { declaredBefore, defaultDenyDeclaredBy, PlatformNamespace } from "../cluster/platform-namespace";
import {
    ApiServerAddress,
    apiServerEgress,
    dnsEgress,
    EgressPolicies,
    internetEgress,
    metadataServerEgress,
} from "../cluster/egress";
import type { ScrapeTarget } from "../monitoring/scrapes";
import type { ChartSource } from "../versions";

/** Let's Encrypt's ACME directories. */
export const ACME_SERVERS = {
    staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
    production: "https://acme-v02.api.letsencrypt.org/directory",
} as const;

/** Where DNS-01 challenges are answered: a Cloud DNS zone, reached through Workload Identity. */
export interface CloudDnsSolver {
    /** GCP project of the zone (and of the Google service account). */
    readonly project: string;
    /** The Cloud DNS managed zone's name: the solver is DNS admin of this zone only. */
    readonly zoneName: pulumi.Input<string>;
    /** Workload Identity pool, `<project>.svc.id.goog`; an Output of the cluster so the binding waits for it. */
    readonly workloadIdentityPool: pulumi.Input<string>;
    /** Let's Encrypt endpoint. */
    readonly issuer: "staging" | "production";
    /** Contact address for the ACME account. @default none */
    readonly email?: string;
}

export interface CertManagerArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** The stack's domain; the solver answers only for it. */
    readonly domain: string;
    /** Namespace to create and install into. @default cert-manager */
    readonly namespace?: string;
    /** Where pods reach the API server (every cert-manager pod talks to it). */
    readonly apiServer: readonly ApiServerAddress[];
    /** Controller and webhook replicas (2 gives a PodDisruptionBudget). @default 1 */
    readonly replicas?: number;
    /** ACME DNS-01 on Cloud DNS; without it the ClusterIssuer is self-signed (clusters outside GCP). @default self-signed */
    readonly cloudDns?: CloudDnsSolver;
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

/** Name of the Kubernetes service account the controller runs as (bound to the Google one). */
export const CERT_MANAGER_KSA = "cert-manager";
/** The namespace cert-manager runs in unless told otherwise (the edge layer never tells it). */
export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** Public resolvers the controller checks DNS-01 propagation with (its egress allows only these). */
const DNS01_RESOLVERS = ["8.8.8.8", "1.1.1.1"] as const;
/** The Helm release name, which is also the chart's `app.kubernetes.io/instance` label. */
const CERT_MANAGER_RELEASE = "cert-manager";

/** cert-manager (CRDs from the chart) and the ClusterIssuer every platform certificate uses. */
/** pulumi-kubernetes (4.18+) waits until this path has a value: the CA bundle cainjector writes. */
export const CA_INJECTED = { "pulumi.com/waitFor": "jsonpath={.webhooks[*].clientConfig.caBundle}" } as const;

export class CertManager extends pulumi.ComponentResource {
    readonly chart: k8s.helm.v4.Chart;
    readonly issuer: k8s.apiextensions.CustomResource;
    readonly issuerName: string;
    /** The controller's metrics Service (the chart's service.yaml, port 9402), for monitoring. */
    readonly scrapeTarget: ScrapeTarget;
    /** The Google service account that edits Cloud DNS; undefined outside GCP. */
    readonly dnsServiceAccount?: gcp.serviceaccount.Account;

    constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:CertManager", name, {}, opts);
        const namespace = args.namespace ?? CERT_MANAGER_NAMESPACE;
        this.scrapeTarget = {
            name: "cert-manager",
            namespace,
            serviceLabels: {
                "app.kubernetes.io/name": "cert-manager",
                "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
                "app.kubernetes.io/component": "controller",
            },
            port: "http-metrics",
        };
        const replicas = args.replicas ?? 1;
        const k8sOpts = { parent: this, provider: args.provider };

        const ns = new PlatformNamespace(
            `${name}-ns`,
            {
                provider: args.provider,
                namespace,
                podSecurity: { level: "restricted" },
                // Limits: 3 components x 2 replicas x 500m in prd, plus one rolling-update surge pod.
                quota: { cpu: "1", memory: "1Gi", cpuLimit: "4", memoryLimit: "2Gi", pods: 10 },
                defaultDeny: "ingress-and-egress",
                childAliases: {
                    ...declaredBefore(this, {
                        namespace: `${name}-ns`,
                        quota: `${name}-quota`,
                        limits: `${name}-limits`,
                    }),
                    "default-deny": defaultDenyDeclaredBy(this, name, "platform:edge:IngressPolicies"),
                },
            },
            { parent: this },
        ).namespace;

        // The API server calls the webhook; Prometheus scrapes every component on 9402.
        new IngressPolicies(
            `${name}-policies`,
            {
                provider: args.provider,
                namespace,
                dependsOn: [ns],
                allow: [
                    {
                        name: "webhook",
                        podLabels: { "app.kubernetes.io/component": "webhook" },
                        ports: [10250],
                        from: "anywhere",
                        why: "the API server calls the webhook from the control plane, an address outside the cluster's pods",
                    },
                    {
                        name: "metrics",
                        podLabels: { "app.kubernetes.io/instance": CERT_MANAGER_RELEASE },
                        ports: [9402],
                        from: "cluster",
                    },
                ],
            },
            { parent: this },
        );

        // Every pod talks to the API server. With DNS-01 the controller also reaches Let's Encrypt
        // and the Cloud DNS API (HTTPS outside), the public resolvers it checks propagation with
        // (dns01RecursiveNameservers below) and the metadata server, for its Workload Identity token.
        const controller = {
            "app.kubernetes.io/instance": CERT_MANAGER_RELEASE,
            "app.kubernetes.io/component": "controller",
        };
        new EgressPolicies(
            `${name}-egress`,
            {
                provider: args.provider,
                namespace,
                dependsOn: [ns],
                allow: [
                    { name: "dns", egress: [dnsEgress()] },
                    { name: "api-server", egress: apiServerEgress(args.apiServer) },
                    ...(args.cloudDns
                        ? [
                              {
                                  name: "acme-dns01",
                                  podLabels: controller,
                                  egress: [
                                      internetEgress([443]),
                                      {
                                          to: DNS01_RESOLVERS.map((ip) => ({ ipBlock: { cidr: `${ip}/32` } })),
                                          ports: [
                                              { protocol: "UDP", port: 53 },
                                              { protocol: "TCP", port: 53 },
                                          ],
                                      },
                                  ],
                              },
                              {
                                  name: "workload-identity",
                                  podLabels: controller,
                                  egress: metadataServerEgress(),
                                  metadataServer:
                                      "cert-manager's controller edits Cloud DNS as its Google service account (Workload Identity)",
                              },
                          ]
                        : []),
                ],
            },
            { parent: this },
        );

        const saAnnotations: Record<string, string> = {};
        const waitFor: pulumi.Resource[] = [ns];
        const solver = args.cloudDns;
        if (solver) {
            const accountId = "cert-manager-dns01";
            const gsa = new gcp.serviceaccount.Account(
                `${name}-dns`,
                {
                    project: solver.project,
                    accountId,
                    displayName: "cert-manager DNS-01 solver (Workload Identity, no keys)",
                },
                { parent: this },
            );
            this.dnsServiceAccount = gsa;
            // DNS admin of the stack's zone only, not of the project (every zone in it): the
            // issuer names the zone (hostedZoneName), so the solver never lists the project's zones.
            const dnsAdmin = new gcp.dns.DnsManagedZoneIamMember(
                `${name}-dns-zone-admin`,
                {
                    project: solver.project,
                    managedZone: solver.zoneName,
                    role: "roles/dns.admin",
                    member: pulumi.interpolate`serviceAccount:${gsa.email}`,
                },
                { parent: this },
            );
            const wiUser = new gcp.serviceaccount.IAMMember(
                `${name}-wi-user`,
                {
                    serviceAccountId: gsa.name,
                    role: "roles/iam.workloadIdentityUser",
                    member: pulumi.interpolate`serviceAccount:${solver.workloadIdentityPool}[${namespace}/${CERT_MANAGER_KSA}]`,
                },
                { parent: this },
            );
            // Known before the account exists, so the chart's values are known in a preview; the
            // chart waits for the account's grants below.
            saAnnotations["iam.gke.io/gcp-service-account"] = serviceAccountEmail(accountId, solver.project);
            waitFor.push(dnsAdmin, wiUser);
        }

        const resources = {
            requests: { cpu: "20m", memory: "64Mi" },
            limits: { cpu: "500m", memory: "256Mi" },
        };
        const ha = replicas >= 2;
        const pdb = ha ? { enabled: true, minAvailable: 1 } : { enabled: false };
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: CERT_MANAGER_RELEASE,
                namespace,
                ...pinned(CHARTS.certManager, args.charts),
                values: {
                    crds: { enabled: true, keep: true },
                    global: { leaderElection: { namespace } },
                    replicaCount: replicas,
                    podDisruptionBudget: pdb,
                    resources,
                    serviceAccount: { create: true, name: CERT_MANAGER_KSA, annotations: saAnnotations },
                    // Check propagation against public resolvers, not the cluster's (split-horizon) DNS.
                    dns01RecursiveNameservers: DNS01_RESOLVERS.map((ip) => `${ip}:53`).join(","),
                    dns01RecursiveNameserversOnly: true,
                    webhook: {
                        replicaCount: replicas,
                        podDisruptionBudget: pdb,
                        resources,
                        // The API server trusts the webhook only once cainjector has copied its CA
                        // into these configurations; an issuer created before that fails with x509
                        // (a known first-install race). Pulumi waits for the CA on both, so the
                        // chart is ready, and the issuer created, only after the injection.
                        mutatingWebhookConfigurationAnnotations: CA_INJECTED,
                        validatingWebhookConfigurationAnnotations: CA_INJECTED,
                    },
                    cainjector: { replicaCount: replicas, podDisruptionBudget: pdb, resources },
                    // startupapicheck is a post-install hook Job, which helm.v4.Chart never runs; the
                    // waits above do what it would check (test/charts/hooks.test.ts keeps its values out).
                    prometheus: { enabled: true },
                },
            },
            { ...k8sOpts, dependsOn: waitFor },
        );

        this.issuerName = solver ? `letsencrypt-${solver.issuer}` : "selfsigned";
        const spec = solver
            ? {
                  acme: {
                      server: ACME_SERVERS[solver.issuer],
                      ...(solver.email ? { email: solver.email } : {}),
                      privateKeySecretRef: { name: `${this.issuerName}-account` },
                      solvers: [
                          {
                              selector: { dnsZones: [args.domain] },
                              // No serviceAccountSecretRef: the controller's Workload Identity is used.
                              dns01: { cloudDNS: { project: solver.project, hostedZoneName: solver.zoneName } },
                          },
                      ],
                  },
              }
            : { selfSigned: {} };
        // The wildcard Certificate waits for this: created before the issuer is Ready (its ACME
        // account registered), its first issuance fails and cert-manager backs off. Registering
        // takes seconds; five minutes covers a slow ACME directory.
        const ready = awaitReady(300);
        this.issuer = new k8s.apiextensions.CustomResource(
            `${name}-issuer`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "ClusterIssuer",
                metadata: { name: this.issuerName, annotations: ready.annotations },
                spec,
            },
            { ...k8sOpts, dependsOn: [this.chart], customTimeouts: ready.customTimeouts },
        );

        this.registerOutputs({ issuerName: this.issuerName });
    }
}
