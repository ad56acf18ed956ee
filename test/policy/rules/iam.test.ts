import { CLUSTER, iamRules, PROJECT_MEMBER, REGISTRY, SA_MEMBER, WIF_PROVIDER } from "../../../policy/rules/iam";
import type { RecordedResource } from "../../../render/recorder";
import { unwrapSecrets } from "../../../render/redact";
import { rendered } from "../../rendered";
import { Loose, res, ruleById, violations } from "../fixtures";

const rule = (id: string) => ruleById(iamRules, id);

/** The stack's resources with the first resource matching `pick` changed by `f`. */
function mutate(
    rs: readonly RecordedResource[],
    pick: (r: RecordedResource) => boolean,
    f: (i: Record<string, Loose>) => void,
): RecordedResource[] {
    const at = rs.findIndex(pick);
    expect(at).toBeGreaterThanOrEqual(0);
    return rs.map((r, i) => {
        if (i !== at) return r;
        const inputs = JSON.parse(JSON.stringify(unwrapSecrets(r.inputs))) as Record<string, Loose>;
        f(inputs);
        return { ...r, inputs };
    });
}

const deployerAdmin = (r: RecordedResource) =>
    r.type === PROJECT_MEMBER && r.inputs.role === "roles/resourcemanager.projectIamAdmin";
const platformProvider = (r: RecordedResource) =>
    r.type === WIF_PROVIDER && r.inputs.workloadIdentityPoolProviderId === "github-actions";
const previewerBinding = (r: RecordedResource) =>
    r.type === SA_MEMBER && String(r.inputs.serviceAccountId).endsWith("/ci-previewer");

describe.each(["dev", "prd"] as const)("Google Cloud IAM rules over the rendered %s stack", (stack) => {
    let rs: RecordedResource[];
    beforeAll(async () => {
        rs = [...(await rendered(stack)).resources];
    });

    it("find nothing wrong, and have something to look at", () => {
        for (const r of iamRules)
            expect({ rule: r.id, found: violations(r, rs, stack) }).toEqual({ rule: r.id, found: [] });
        for (const t of [WIF_PROVIDER, SA_MEMBER, PROJECT_MEMBER, CLUSTER, REGISTRY])
            expect(rs.some((r) => r.type === t)).toBe(true);
    });

    it.each<[string, (r: RecordedResource) => boolean, (i: Record<string, Loose>) => void, RegExp]>([
        [
            "gcp-wif-trust-by-id",
            platformProvider,
            (i) => (i.attributeCondition = 'assertion.repository == "example-club/platform"'),
            /does not match assertion\.repository_id.*|matches assertion\.repository \(a name/,
        ],
        ["gcp-wif-trust-by-id", platformProvider, (i) => (i.attributeCondition = ""), /is empty/],
        [
            "gcp-wif-bound-to-environment",
            previewerBinding,
            (i) => (i.member = String(i.member).replace(/attribute\.environment\/.*$/, "attribute.repository/o/r")),
            /not to one GitHub environment/,
        ],
        [
            "gcp-no-project-kms-crypto",
            (r) => r.type === PROJECT_MEMBER,
            (i) => (i.role = "roles/cloudkms.cryptoKeyDecrypter"),
            /granted on the whole project; grant it on the key/,
        ],
        [
            "gcp-iam-admin-limited",
            deployerAdmin,
            (i) => delete i.condition,
            /has no condition limiting which roles it may grant/,
        ],
        [
            "gcp-iam-admin-limited",
            deployerAdmin,
            (i) =>
                (i.condition.expression = String(i.condition.expression).replace(
                    "hasOnly([",
                    'hasOnly(["roles/owner", ',
                )),
            /may grant roles\/owner/,
        ],
        ["gcp-iam-admin-limited", (r) => r.type === PROJECT_MEMBER, (i) => (i.role = "roles/editor"), /roles\/editor/],
        [
            "gke-secrets-encryption",
            (r) => r.type === CLUSTER,
            (i) => delete i.databaseEncryption,
            /databaseEncryption is not ENCRYPTED/,
        ],
        [
            "gke-dns-endpoint-iam-only",
            (r) => r.type === CLUSTER,
            (i) => delete i.controlPlaneEndpointsConfig.dnsEndpointConfig.enableK8sTokensViaDns,
            /enableK8sTokensViaDns is not false/,
        ],
        [
            "registry-immutable-tags",
            (r) => r.type === REGISTRY,
            (i) => delete i.dockerConfig,
            /immutableTags is not true/,
        ],
    ])("%s catches a change", (id, pick, f, message) => {
        const found = violations(rule(id), mutate(rs, pick, f), stack);
        expect(found.length).toBeGreaterThan(0);
        for (const v of found) expect(v).toMatch(message);
    });

    it("gcp-workload-no-admin: a project admin role for cert-manager's account (as before) is caught", () => {
        const account = rs.find(
            (r) => r.type === "gcp:serviceaccount/account:Account" && r.inputs.accountId === "cert-manager-dns01",
        );
        expect(account).toBeDefined();
        const planted = res(PROJECT_MEMBER, "cert-manager-dns-admin", {
            project: "p",
            role: "roles/dns.admin",
            member: `serviceAccount:cert-manager-dns01@${String(account!.inputs.project)}.iam.gserviceaccount.com`,
        });
        const found = violations(rule("gcp-workload-no-admin"), [...rs, planted], stack);
        expect(found).toEqual([
            expect.stringMatching(
                /roles\/dns\.admin on the project for .* which Kubernetes service account cert-manager\/cert-manager acts as/,
            ),
        ]);
    });
});
