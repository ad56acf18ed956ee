import * as k8s from "@pulumi/kubernetes";
import { METADATA_EGRESS_ANNOTATION } from "../../contract/annotations";
import { dnsEgress, internetEgress, metadataServerEgress } from "../cluster/egress";

type PolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;
type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;

/** The web pods, the data stores and the backup job: what the policies select. */
export const COMPONENTS = { web: "web", redis: "redis", mysql: "mysql", backup: "backup" } as const;

export interface OnpremEgress {
    readonly name: string;
    readonly port: number;
    readonly protocol: "TCP" | "UDP";
    readonly cidrs: readonly string[];
}

/** What the namespace's pods need to reach and be reached by; everything else is denied. */
export interface TrafficSpec {
    /** Namespace of Traefik and the container ports it may reach on the web pods. @default none */
    readonly fromTraefik?: { readonly namespace: string; readonly ports: readonly number[] };
    /** Namespace of Prometheus and the metrics ports it may scrape. @default none */
    readonly fromPrometheus?: { readonly namespace: string; readonly ports: readonly number[] };
    /** The app has Redis pods (6379) in its namespace. */
    readonly redis: boolean;
    /** The app has MySQL pods (3306) in its namespace. */
    readonly mysql: boolean;
    /** A backup job dumps MySQL and uploads to Cloud Storage. */
    readonly backup: boolean;
    /** The web pods call Google APIs as their Google service account. */
    readonly googleApis: boolean;
    /** On-prem endpoints the web pods connect to. */
    readonly onprem: readonly OnpremEgress[];
}

function pods(app: string, component: string): Record<string, string> {
    return { "app.kubernetes.io/name": app, "app.kubernetes.io/component": component };
}

function namespacePeer(namespace: string): Peer {
    return { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } } };
}

const tcp = (port: number) => ({ protocol: "TCP", port });

/** Egress to the metadata server (tokens) and to Google APIs on 443 outside the private ranges. */
function googleEgress(): k8s.types.input.networking.v1.NetworkPolicyEgressRule[] {
    return [...metadataServerEgress(), internetEgress([443])];
}

/**
 * One named policy per allowed path, on top of the namespace's default deny for ingress and egress
 * (PlatformNamespace). Each policy selects the pods it is about and names its peers; none selects
 * every source or destination except DNS.
 */
export function networkPolicies(
    app: string,
    t: TrafficSpec,
): { name: string; spec: PolicySpec; annotations?: Record<string, string> }[] {
    const web = pods(app, COMPONENTS.web);
    const out: { name: string; spec: PolicySpec; annotations?: Record<string, string> }[] = [
        {
            name: "allow-dns",
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [dnsEgress()],
            },
        },
    ];
    if (t.fromTraefik && t.fromTraefik.ports.length > 0)
        out.push({
            name: "allow-from-traefik",
            spec: {
                podSelector: { matchLabels: web },
                policyTypes: ["Ingress"],
                ingress: [{ from: [namespacePeer(t.fromTraefik.namespace)], ports: t.fromTraefik.ports.map(tcp) }],
            },
        });
    if (t.fromPrometheus && t.fromPrometheus.ports.length > 0)
        out.push({
            name: "allow-from-prometheus",
            spec: {
                podSelector: { matchLabels: web },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [namespacePeer(t.fromPrometheus.namespace)], ports: t.fromPrometheus.ports.map(tcp) },
                ],
            },
        });
    const stores: [boolean, string, number, string[]][] = [
        [t.redis, COMPONENTS.redis, 6379, [COMPONENTS.web]],
        [t.mysql, COMPONENTS.mysql, 3306, t.backup ? [COMPONENTS.web, COMPONENTS.backup] : [COMPONENTS.web]],
    ];
    for (const [present, store, port, clients] of stores) {
        if (!present) continue;
        out.push({
            name: `allow-${store}-from-clients`,
            spec: {
                podSelector: { matchLabels: pods(app, store) },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: clients.map((c) => ({ podSelector: { matchLabels: pods(app, c) } })), ports: [tcp(port)] },
                ],
            },
        });
        for (const client of clients)
            out.push({
                name: `allow-${client}-to-${store}`,
                spec: {
                    podSelector: { matchLabels: pods(app, client) },
                    policyTypes: ["Egress"],
                    egress: [{ to: [{ podSelector: { matchLabels: pods(app, store) } }], ports: [tcp(port)] }],
                },
            });
    }
    for (const e of t.onprem)
        out.push({
            name: `allow-web-to-onprem-${e.name}`.slice(0, 63).replace(/-+$/, ""),
            spec: {
                podSelector: { matchLabels: web },
                policyTypes: ["Egress"],
                egress: [
                    {
                        to: e.cidrs.map((cidr) => ({ ipBlock: { cidr } })),
                        ports: [{ protocol: e.protocol, port: e.port }],
                    },
                ],
            },
        });
    const google: [boolean, string][] = [
        [t.googleApis, COMPONENTS.web],
        [t.backup, COMPONENTS.backup],
    ];
    for (const [needs, component] of google)
        if (needs)
            out.push({
                name: `allow-${component}-to-google-apis`,
                annotations: {
                    [METADATA_EGRESS_ANNOTATION]: `the ${component} pods call Google APIs as their Google service account (Workload Identity)`,
                },
                spec: {
                    podSelector: { matchLabels: pods(app, component) },
                    policyTypes: ["Egress"],
                    egress: googleEgress(),
                },
            });
    return out;
}
