import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { METADATA_EGRESS_ANNOTATION } from "../../contract/annotations";

export type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** Where pods reach the API server: GKE's control-plane range on 443, or 6443 anywhere elsewhere. */
export interface ApiServerAddress {
    readonly cidr: string;
    readonly port: number;
}

/** GKE metadata server addresses Workload Identity tokens come from (classic and Dataplane V2). */
export const METADATA_SERVER = [
    { cidr: "169.254.169.254/32", port: 80 },
    { cidr: "169.254.169.252/32", port: 988 },
];

/** Private ranges an egress to the internet never reaches (those go through explicit rules). */
export const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

/** Link-local addresses, the metadata server's among them: no ipBlock here reaches them by accident. */
export const LINK_LOCAL = "169.254.0.0/16";

const tcp = (port: number) => ({ protocol: "TCP", port });

/** DNS: the cluster's kube-dns pods, UDP and TCP 53. */
export function dnsEgress(): EgressRule {
    return {
        to: [
            {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
            },
        ],
        ports: [
            { protocol: "UDP", port: 53 },
            { protocol: "TCP", port: 53 },
        ],
    };
}

/** The Kubernetes API server. */
export function apiServerEgress(apiServer: readonly ApiServerAddress[]): EgressRule[] {
    return apiServer.map((a) => ({ to: [{ ipBlock: { cidr: a.cidr } }], ports: [tcp(a.port)] }));
}

/** Addresses outside the cluster and the VPC (the internet: GitHub, Let's Encrypt, Google APIs, webhooks) on `ports`. */
export function internetEgress(ports: readonly number[]): EgressRule {
    return {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...PRIVATE_RANGES, LINK_LOCAL] } }],
        ports: ports.map(tcp),
    };
}

/** Any address but link-local (on-prem hosts, nodes), on `ports`, or every port and protocol (ICMP too) when none are given. */
export function anyAddressEgress(ports?: readonly number[]): EgressRule {
    return {
        to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [LINK_LOCAL] } }],
        ...(ports ? { ports: ports.map(tcp) } : {}),
    };
}

/** Every pod of every namespace (their own ingress policies decide what they accept). */
export function everyPodEgress(): EgressRule {
    return { to: [{ namespaceSelector: {} }] };
}

/** The pods of this namespace. */
export function sameNamespaceEgress(): EgressRule {
    return { to: [{ podSelector: {} }] };
}

/** GKE's metadata server (Workload Identity tokens), on both addresses it answers at. */
export function metadataServerEgress(): EgressRule[] {
    return METADATA_SERVER.map((m) => ({ to: [{ ipBlock: { cidr: m.cidr } }], ports: [tcp(m.port)] }));
}

/** One way out of a namespace whose egress is denied by default. */
export interface EgressAllow {
    /** Policy `allow-egress-<name>`. */
    readonly name: string;
    /** The pods it lets out. @default every pod of the namespace */
    readonly podLabels?: Readonly<Record<string, string>>;
    /** Where to. */
    readonly egress: readonly EgressRule[];
    /** Why these pods need the metadata server (Workload Identity); required when `egress` reaches it. @default none */
    readonly metadataServer?: string;
}

export interface EgressPoliciesArgs {
    /** The cluster's provider. @default the provider the parent passes down */
    readonly provider?: k8s.Provider;
    /** Namespace whose default deny covers egress (PlatformNamespace `ingress-and-egress`). */
    readonly namespace: string;
    /** What may leave; the default deny refuses the rest. */
    readonly allow: readonly EgressAllow[];
    /** Resources the policies wait for (the namespace). @default [] */
    readonly dependsOn?: pulumi.Resource[];
}

/** One NetworkPolicy per way out of a namespace whose egress is denied by default. */
export class EgressPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: EgressPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:EgressPolicies", name, {}, opts);
        const k8sOpts = {
            parent: this,
            ...(args.provider ? { provider: args.provider } : {}),
            dependsOn: args.dependsOn ?? [],
        };
        for (const a of args.allow) {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${a.name}`,
                {
                    metadata: {
                        name: `allow-egress-${a.name}`,
                        namespace: args.namespace,
                        ...(a.metadataServer
                            ? { annotations: { [METADATA_EGRESS_ANNOTATION]: a.metadataServer } }
                            : {}),
                    },
                    spec: {
                        podSelector: a.podLabels ? { matchLabels: { ...a.podLabels } } : {},
                        policyTypes: ["Egress"],
                        egress: [...a.egress],
                    },
                },
                k8sOpts,
            );
        }
        this.registerOutputs({ namespace: args.namespace });
    }
}
