import { unwrapSecrets } from "../../render/redact";
import { privateRange } from "../../components/gcp/dns";
import type { Json } from "../k8s";
import type { Environment } from "../../contract/environment";
import { ALWAYS, Enforcement, PRD_MANDATORY, PRD_ONLY, RecordedResource, Rule } from "../types";

export const CLUSTER = "gcp:container/cluster:Cluster";
export const NODE_POOL = "gcp:container/nodePool:NodePool";
export const MANAGED_ZONE = "gcp:dns/managedZone:ManagedZone";
export const RECORD_SET = "gcp:dns/recordSet:RecordSet";

type Props = Record<string, Json>;

/** A rule over resources of the given types, on their plain inputs. */
function gcpRule(
    id: string,
    types: readonly string[],
    description: string,
    benchmark: string,
    enforcement: Readonly<Record<Environment, Enforcement>>,
    check: (p: Props, r: RecordedResource) => string[],
): Rule {
    return {
        id,
        description,
        benchmark,
        enforcement,
        check: (r) => (types.includes(r.type) ? check(unwrapSecrets(r.inputs) as Props, r) : []),
    };
}

/** Node settings live in `nodeConfig` on pools and on the cluster (its default pool). */
function nodeConfigs(p: Props, r: RecordedResource): [string, Props][] {
    if (r.type === NODE_POOL || p.nodeConfig) return [["nodeConfig", (p.nodeConfig ?? {}) as Props]];
    return [];
}

function isOpenCidr(cidr: unknown): boolean {
    return typeof cidr === "string" && /\/0$/.test(cidr.trim());
}

export const gkeRules: Rule[] = [
    gcpRule(
        "gke-private-nodes",
        [CLUSTER, NODE_POOL],
        "Nodes have no public IPs (privateClusterConfig.enablePrivateNodes; no pool turns it off).",
        "CIS GKE 5.6.5 (clusters created with private nodes)",
        PRD_MANDATORY,
        (p, r) => {
            if (r.type === NODE_POOL)
                return p.networkConfig?.enablePrivateNodes === false
                    ? ["networkConfig.enablePrivateNodes is false"]
                    : [];
            return p.privateClusterConfig?.enablePrivateNodes === true
                ? []
                : ["privateClusterConfig.enablePrivateNodes is not true"];
        },
    ),
    gcpRule(
        "gke-workload-identity",
        [CLUSTER, NODE_POOL],
        "Workload Identity is on (workloadIdentityConfig.workloadPool) and nodes serve the GKE metadata server (workloadMetadataConfig.mode GKE_METADATA) with legacy metadata endpoints disabled.",
        "CIS GKE 5.2.2 (Workload Identity), 5.4.1 (legacy metadata APIs disabled), 5.4.2 (GKE Metadata Server enabled)",
        PRD_MANDATORY,
        (p, r) => {
            const out: string[] = [];
            if (r.type === CLUSTER && !p.workloadIdentityConfig?.workloadPool)
                out.push("workloadIdentityConfig.workloadPool is not set");
            for (const [path, nc] of nodeConfigs(p, r)) {
                if (nc.workloadMetadataConfig?.mode !== "GKE_METADATA")
                    out.push(`${path}.workloadMetadataConfig.mode is not GKE_METADATA`);
                if (nc.metadata?.["disable-legacy-endpoints"] === "false")
                    out.push(`${path}.metadata.disable-legacy-endpoints is "false"`);
            }
            return out;
        },
    ),
    gcpRule(
        "gke-shielded-nodes",
        [CLUSTER, NODE_POOL],
        "Shielded GKE nodes with secure boot and integrity monitoring.",
        "CIS GKE 5.5.5 (Shielded GKE Nodes), 5.5.6 (integrity monitoring), 5.5.7 (secure boot)",
        PRD_MANDATORY,
        (p, r) => {
            const out: string[] = [];
            if (r.type === CLUSTER && p.enableShieldedNodes === false) out.push("enableShieldedNodes is false");
            for (const [path, nc] of nodeConfigs(p, r)) {
                if (nc.shieldedInstanceConfig?.enableSecureBoot !== true)
                    out.push(`${path}.shieldedInstanceConfig.enableSecureBoot is not true`);
                if (nc.shieldedInstanceConfig?.enableIntegrityMonitoring === false)
                    out.push(`${path}.shieldedInstanceConfig.enableIntegrityMonitoring is false`);
            }
            return out;
        },
    ),
    gcpRule(
        "gke-node-service-account",
        [CLUSTER, NODE_POOL],
        "Nodes run as a dedicated, least-privilege service account (not the Compute Engine default) on Container-Optimized OS.",
        "CIS GKE 5.2.1 (not the Compute Engine default service account), 5.5.1 (COS containerd images)",
        PRD_MANDATORY,
        (p, r) =>
            nodeConfigs(p, r).flatMap(([path, nc]) => {
                const out: string[] = [];
                const sa = nc.serviceAccount;
                if (!sa || sa === "default" || /-compute@developer\.gserviceaccount\.com$/.test(String(sa)))
                    out.push(`${path}.serviceAccount is the Compute Engine default; use a dedicated account`);
                if (nc.imageType !== undefined && !/^COS_CONTAINERD$/i.test(String(nc.imageType)))
                    out.push(`${path}.imageType is ${String(nc.imageType)}, not COS_CONTAINERD`);
                return out;
            }),
    ),
    gcpRule(
        "gke-node-auto-repair-upgrade",
        [NODE_POOL],
        "Every node pool has auto-repair and auto-upgrade on.",
        "CIS GKE 5.5.2 (auto-repair), 5.5.3 (auto-upgrade)",
        PRD_MANDATORY,
        (p) =>
            (["autoRepair", "autoUpgrade"] as const)
                .filter((f) => p.management?.[f] !== true)
                .map((f) => `management.${f} is not true`),
    ),
    gcpRule(
        "gke-release-channel",
        [CLUSTER],
        "The cluster follows a release channel (RAPID, REGULAR or STABLE).",
        "CIS GKE 5.5.4 (automate GKE version management using release channels)",
        PRD_MANDATORY,
        (p) =>
            ["RAPID", "REGULAR", "STABLE"].includes(p.releaseChannel?.channel)
                ? []
                : [`releaseChannel.channel is ${JSON.stringify(p.releaseChannel?.channel ?? null)}`],
    ),
    gcpRule(
        "gke-authorized-networks",
        [CLUSTER],
        "Control plane authorized networks are on, list no 0.0.0.0/0 and do not admit all Google Cloud public IPs.",
        "CIS GKE 5.6.3 (control plane authorized networks)",
        ALWAYS,
        (p) => {
            const cfg = p.masterAuthorizedNetworksConfig;
            if (!cfg) return ["masterAuthorizedNetworksConfig is not set; the IP endpoint is open to every address"];
            const out: string[] = ((cfg.cidrBlocks ?? []) as { cidrBlock?: string; displayName?: string }[])
                .filter((b) => isOpenCidr(b.cidrBlock))
                .map((b) => `masterAuthorizedNetworksConfig.cidrBlocks[${b.displayName ?? "?"}] is ${b.cidrBlock}`);
            if (cfg.gcpPublicCidrsAccessEnabled === true)
                out.push("masterAuthorizedNetworksConfig.gcpPublicCidrsAccessEnabled is true");
            return out;
        },
    ),
    gcpRule(
        "gke-no-legacy-abac",
        [CLUSTER],
        "Legacy ABAC authorization is off.",
        "CIS GKE 5.8.3 (Legacy Authorization (ABAC) disabled)",
        ALWAYS,
        (p) => (p.enableLegacyAbac === true ? ["enableLegacyAbac is true"] : []),
    ),
    gcpRule(
        "gke-no-client-certificate",
        [CLUSTER],
        "No client certificate is issued; no basic auth.",
        "CIS GKE 5.8.1 (authentication using client certificates disabled); basic auth, an older item, is refused too",
        ALWAYS,
        (p) => {
            const out: string[] = [];
            if (p.masterAuth?.clientCertificateConfig?.issueClientCertificate === true)
                out.push("masterAuth.clientCertificateConfig.issueClientCertificate is true");
            if (p.masterAuth?.username || p.masterAuth?.password) out.push("masterAuth sets basic-auth credentials");
            return out;
        },
    ),
    gcpRule(
        "gke-deletion-protection",
        [CLUSTER],
        "On prd the cluster has GKE deletion protection and Pulumi `protect`.",
        "Rationale: deleting the prd cluster loses every volume and takes every public host down; two locks, one in GCP and one in the Pulumi state",
        PRD_ONLY,
        (p, r) => {
            const out: string[] = [];
            if (p.deletionProtection === false) out.push("deletionProtection is false");
            if (!r.protect) out.push("the resource is not protected (resource option protect: true)");
            return out;
        },
    ),
    gcpRule(
        "dns-dnssec",
        [MANAGED_ZONE],
        "Every public Cloud DNS zone is signed with DNSSEC.",
        "CIS Google Cloud Platform Foundation 3.3 (DNSSEC enabled for Cloud DNS)",
        PRD_MANDATORY,
        (p) =>
            (p.visibility ?? "public") === "public" && p.dnssecConfig?.state !== "on"
                ? [`dnssecConfig.state is ${JSON.stringify(p.dnssecConfig?.state ?? null)}, not "on"`]
                : [],
    ),
    {
        id: "dns-no-private-address-public",
        description:
            "No record in a public Cloud DNS zone points at a private address (RFC 1918, RFC 6598): on-prem and VPC names belong in a private zone bound to the VPC.",
        benchmark:
            "Rationale: a private address in public DNS tells the whole internet the event network's layout, and only the VPC can reach it anyway",
        enforcement: ALWAYS,
        crossResource: true,
        check(r, ctx) {
            if (r.type !== RECORD_SET) return [];
            const p = unwrapSecrets(r.inputs) as Props;
            const zone = ctx.resources.find(
                (z) => z.type === MANAGED_ZONE && (unwrapSecrets(z.inputs) as Props).name === p.managedZone,
            );
            const visibility = zone ? ((unwrapSecrets(zone.inputs) as Props).visibility ?? "public") : undefined;
            if (visibility !== "public") return [];
            return ((p.rrdatas ?? []) as string[])
                .filter((ip) => typeof ip === "string" && privateRange(ip) !== undefined)
                .map(
                    (ip) =>
                        `${String(p.name)} -> ${ip} (${privateRange(ip)}) in public zone ${String(p.managedZone)}; put it in a private zone (components/gcp/private-dns.ts)`,
                );
        },
    },
];
