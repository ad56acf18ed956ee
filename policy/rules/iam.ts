import { unwrapSecrets } from "../../render/redact";
import type { Json } from "../k8s";
import { ALWAYS, RecordedResource, Rule, RuleContext } from "../types";

// The Google Cloud boundaries of docs/security.md: who GitHub's tokens may become, who may use
// which KMS key, what the cluster's workloads and the deployers may do in the project.

export const WIF_PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
export const SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
export const PROJECT_MEMBER = "gcp:projects/iAMMember:IAMMember";
export const PROJECT_BINDING = "gcp:projects/iAMBinding:IAMBinding";
export const CLUSTER = "gcp:container/cluster:Cluster";
export const REGISTRY = "gcp:artifactregistry/repository:Repository";

type Props = Record<string, Json>;
const props = (r: RecordedResource) => unwrapSecrets(r.inputs) as Props;

/** KMS roles that encrypt or decrypt: on a project they reach every key in it. */
const KMS_CRYPTO = /^roles\/cloudkms\.(cryptoKey|cryptoOperator)/;
/** Roles that can change the project's IAM policy. */
const IAM_ADMIN = new Set(["roles/resourcemanager.projectIamAdmin", "roles/iam.securityAdmin"]);
/** Roles nothing the program declares may hold on the project. */
const BASIC = new Set(["roles/owner", "roles/editor"]);
/** A role that administers something (`roles/dns.admin`, `roles/iam.serviceAccountAdmin`, ...). */
const ADMIN_ROLE = /(\.admin$|Admin$|^roles\/(owner|editor)$)/;

/** The account id of `serviceAccount:<id>@<project>.iam.gserviceaccount.com` or `projects/<p>/serviceAccounts/<id or email>`. */
function accountId(text: string): string | undefined {
    const m = /(?:^serviceAccount:|\/serviceAccounts\/)([a-z][a-z0-9-]{4,28}[a-z0-9])(?:@|$)/.exec(text);
    return m?.[1];
}

/** Google service accounts a Kubernetes service account may act as (Workload Identity for GKE). */
function workloadAccounts(ctx: RuleContext): Map<string, string> {
    const out = new Map<string, string>();
    for (const r of ctx.resources) {
        if (r.type !== SA_MEMBER) continue;
        const p = props(r);
        const member = String(p.member ?? "");
        const ksa = /^serviceAccount:[^[]+\.svc\.id\.goog\[([^\]]+)\]$/.exec(member);
        const id = accountId(String(p.serviceAccountId ?? ""));
        if (p.role === "roles/iam.workloadIdentityUser" && ksa && id) out.set(id, ksa[1]!);
    }
    return out;
}

export const iamRules: Rule[] = [
    {
        id: "gcp-wif-trust-by-id",
        description:
            "A Workload Identity provider's attribute condition admits GitHub repositories by numeric id (assertion.repository_id), never by name (assertion.repository).",
        benchmark:
            "Rationale: a renamed, transferred or deleted repository's name can be taken by anyone; its id cannot (GitHub's OIDC hardening guidance)",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== WIF_PROVIDER) return [];
            const condition = props(r).attributeCondition;
            if (typeof condition !== "string" || condition === "")
                return ["attributeCondition is empty: every GitHub repository could exchange its tokens here"];
            const out: string[] = [];
            if (!/assertion\.repository_id\s*(==|in)/.test(condition))
                out.push("attributeCondition does not match assertion.repository_id");
            if (/assertion\.repository\s*==/.test(condition))
                out.push("attributeCondition matches assertion.repository (a name anyone can take over)");
            return out;
        },
    },
    {
        id: "gcp-wif-bound-to-environment",
        description:
            "A GitHub identity may act as a service account only through a GitHub environment (principalSet .../attribute.environment/<env>), never for a whole repository.",
        benchmark:
            "Rationale: environments carry the required reviewers and branch rules; a repository-wide binding hands the account to every pull request's job",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== SA_MEMBER) return [];
            const p = props(r);
            const member = String(p.member ?? "");
            if (!member.startsWith("principalSet://") && !member.startsWith("principal://")) return [];
            return /\/attribute\.environment\/[^/]+$/.test(member)
                ? []
                : [`${p.role} is granted to ${member}, not to one GitHub environment`];
        },
    },
    {
        id: "gcp-no-project-kms-crypto",
        description:
            "No project-level grant of a KMS role that encrypts or decrypts (roles/cloudkms.cryptoKey*, cryptoOperator): grants name the key.",
        benchmark:
            "CIS GCP 1.11 (separation of duties for KMS); rationale: a project grant reaches every key in it, other stacks' included",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== PROJECT_MEMBER && r.type !== PROJECT_BINDING) return [];
            const role = String(props(r).role ?? "");
            return KMS_CRYPTO.test(role) ? [`${role} is granted on the whole project; grant it on the key`] : [];
        },
    },
    {
        id: "gcp-iam-admin-limited",
        description:
            "No project grant of owner or editor; projectIamAdmin and iam.securityAdmin only with an IAM condition that limits the roles they may grant (modifiedGrantsByRole ... hasOnly), none of them an admin role.",
        benchmark:
            "CIS GCP 1.5 (no admin privileges for service accounts); rationale: a deployer that may grant any role may grant itself owner",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== PROJECT_MEMBER && r.type !== PROJECT_BINDING) return [];
            const p = props(r);
            const role = String(p.role ?? "");
            if (BASIC.has(role)) return [`${role} is granted on the project`];
            if (!IAM_ADMIN.has(role)) return [];
            const expression = String((p.condition as Props | undefined)?.expression ?? "");
            const m = /iam\.googleapis\.com\/modifiedGrantsByRole["'],\s*\[\]\)\.hasOnly\(\[([^\]]*)\]\)/.exec(
                expression,
            );
            if (!m)
                return [`${role} has no condition limiting which roles it may grant (modifiedGrantsByRole hasOnly)`];
            const grantable = [...m[1]!.matchAll(/"([^"]+)"/g)].map((x) => x[1]!);
            const admin = grantable.filter((g) => ADMIN_ROLE.test(g) || IAM_ADMIN.has(g) || KMS_CRYPTO.test(g));
            return admin.length > 0 ? [`${role} may grant ${admin.join(", ")}`] : [];
        },
    },
    {
        id: "gcp-workload-no-admin",
        description:
            "A Google service account that a Kubernetes service account may act as (Workload Identity) holds no admin, owner or editor role on the project; it gets admin of one resource at most (e.g. its DNS zone).",
        benchmark:
            "Rationale: a compromised pod holds exactly its account's grants (related: CIS GCP 1.5, no admin privileges for service accounts)",
        enforcement: ALWAYS,
        crossResource: true,
        check(r, ctx) {
            if (r.type !== PROJECT_MEMBER && r.type !== PROJECT_BINDING) return [];
            const p = props(r);
            const role = String(p.role ?? "");
            if (!ADMIN_ROLE.test(role)) return [];
            const members = r.type === PROJECT_MEMBER ? [String(p.member ?? "")] : ((p.members ?? []) as string[]);
            const workloads = workloadAccounts(ctx);
            return members.flatMap((m) => {
                const id = accountId(m);
                const ksa = id ? workloads.get(id) : undefined;
                return ksa ? [`${role} on the project for ${m}, which Kubernetes service account ${ksa} acts as`] : [];
            });
        },
    },
    {
        id: "gke-secrets-encryption",
        description:
            "Kubernetes Secrets are encrypted in etcd with a Cloud KMS key (databaseEncryption.state ENCRYPTED with a keyName).",
        benchmark: "CIS GKE 5.3.1 (Kubernetes Secrets encrypted using keys managed in Cloud KMS)",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== CLUSTER) return [];
            const e = (props(r).databaseEncryption ?? {}) as Props;
            return e.state === "ENCRYPTED" && typeof e.keyName === "string" && e.keyName !== ""
                ? []
                : ["databaseEncryption is not ENCRYPTED with a Cloud KMS keyName"];
        },
    },
    {
        id: "gke-dns-endpoint-iam-only",
        description:
            "When the control plane's DNS endpoint takes external traffic, it admits Google IAM credentials only: enableK8sTokensViaDns and enableK8sCertsViaDns are explicitly false.",
        benchmark:
            "Rationale: the DNS endpoint is reachable from anywhere (CI runners have no fixed address); IAM (container.clusters.connect) is then the only door",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== CLUSTER) return [];
            const dns = ((props(r).controlPlaneEndpointsConfig as Props | undefined)?.dnsEndpointConfig ?? {}) as Props;
            if (dns.allowExternalTraffic !== true) return [];
            return (["enableK8sTokensViaDns", "enableK8sCertsViaDns"] as const)
                .filter((k) => dns[k] !== false)
                .map((k) => `controlPlaneEndpointsConfig.dnsEndpointConfig.${k} is not false`);
        },
    },
    {
        id: "registry-immutable-tags",
        description: "A Docker repository in Artifact Registry has immutable tags (dockerConfig.immutableTags).",
        benchmark:
            "Rationale: a deployed tag must always mean the same image; a writer could otherwise swap it under a running workload",
        enforcement: ALWAYS,
        check(r) {
            if (r.type !== REGISTRY) return [];
            const p = props(r);
            if (p.format !== "DOCKER") return [];
            return (p.dockerConfig as Props | undefined)?.immutableTags === true
                ? []
                : ["dockerConfig.immutableTags is not true"];
        },
    },
];
