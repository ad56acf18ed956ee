import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GithubOidc } from "../../components/ci/github-oidc";
import { stackSchema } from "../../config/schema";
import { renderStack, ROOT } from "../../render/render";
import { recordResources } from "../harness";
import { unwrapSecrets } from "../../render/redact";

const unwrap = (v: unknown) => unwrapSecrets(v) as Record<string, any>;
import { rendered } from "../rendered";
import { stackProblems } from "../stack-files";

const POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool";
const PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const SA = "gcp:serviceaccount/account:Account";
const SA_BINDING = "gcp:serviceaccount/iAMMember:IAMMember";
/** Long-lived Google credentials: a service account key, an HMAC key for one, an API key. */
const GOOGLE_KEY = /^gcp:(serviceaccount\/key:Key|storage\/hmacKey:HmacKey|projects\/apiKey:ApiKey)$/;

const IDS = {
    repository: "example-club/platform",
    repositoryId: 612340000,
    repositoryOwnerId: 90123456,
    secretsKey: "projects/club-bootstrap/locations/global/keyRings/pulumi/cryptoKeys/stacks",
    grantableRoles: ["roles/logging.logWriter"],
};

const bootstrap = () =>
    new GithubOidc("ci", {
        ...IDS,
        project: "club-bootstrap",
        poolId: "github",
        providerId: "github-actions",
        environments: [
            { name: "dev", roles: ["roles/container.admin"] },
            { name: "prd", roles: ["roles/container.admin", "roles/dns.admin"] },
        ],
        previewerRoles: ["roles/viewer"],
        previewerEnvironment: "prd-preview",
    });

describe("GithubOidc", () => {
    it("trusts GitHub's issuer for one repository only, by id, from the listed environments", async () => {
        const h = await recordResources(bootstrap);
        const provider = h.inputs(h.one(PROVIDER));
        expect(provider.oidc.issuerUri).toBe("https://token.actions.githubusercontent.com");
        expect(provider.attributeCondition).toBe(
            'assertion.repository_id == "612340000" && assertion.repository_owner_id == "90123456" && (' +
                '(assertion.environment == "dev" && assertion.ref == "refs/heads/main" && assertion.event_name == "push") || ' +
                '(assertion.environment == "prd" && assertion.ref == "refs/heads/main" && assertion.event_name == "push") || ' +
                '(assertion.environment == "prd-preview" && assertion.event_name == "pull_request"))',
        );
        expect(provider.attributeMapping["attribute.environment"]).toBe("assertion.environment");
        expect(provider.attributeMapping["attribute.repository"]).toBe("assertion.repository");
        expect(h.inputs(h.one(POOL)).workloadIdentityPoolId).toBe("github");
    });

    it("gives each environment its own deployer, impersonable only from that GitHub environment", async () => {
        const h = await recordResources(bootstrap);
        const ids = h.ofType(SA).map((r) => h.inputs(r).accountId);
        expect(ids.sort()).toEqual(["ci-dev-deployer", "ci-prd-deployer", "ci-previewer"]);
        const bindings = h.ofType(SA_BINDING).map((r) => h.inputs(r));
        const forSa = (id: string) => bindings.filter((b) => String(b.serviceAccountId).endsWith(`/${id}`));
        const pool =
            "principalSet://iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/github";
        expect(forSa("ci-dev-deployer").map((b) => b.member)).toEqual([`${pool}/attribute.environment/dev`]);
        expect(forSa("ci-prd-deployer").map((b) => b.member)).toEqual([`${pool}/attribute.environment/prd`]);
        expect(forSa("ci-previewer").map((b) => b.member)).toEqual([`${pool}/attribute.environment/prd-preview`]);
        for (const b of bindings) expect(b.role).toBe("roles/iam.workloadIdentityUser");
    });

    it("grants each deployer exactly its environment's roles", async () => {
        const h = await recordResources(bootstrap);
        const grants = h
            .ofType("gcp:projects/iAMMember:IAMMember")
            .map((r) => h.inputs(r))
            .map((g) => `${String(g.member).split(":")[1]!.split("@")[0]} ${g.role}`);
        expect(grants.sort()).toEqual([
            "ci-dev-deployer roles/container.admin",
            "ci-prd-deployer roles/container.admin",
            "ci-prd-deployer roles/dns.admin",
            "ci-previewer roles/viewer",
        ]);
    });

    it("binds the stack's secrets key per key: deployers encrypt and decrypt, the previewer decrypts", async () => {
        const h = await recordResources(bootstrap);
        const keys = h
            .ofType("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
            .map((r) => h.inputs(r))
            .map((k) => `${String(k.member).split(":")[1]!.split("@")[0]} ${k.role} ${k.cryptoKeyId}`);
        expect(keys.sort()).toEqual([
            `ci-dev-deployer roles/cloudkms.cryptoKeyEncrypterDecrypter ${IDS.secretsKey}`,
            `ci-prd-deployer roles/cloudkms.cryptoKeyEncrypterDecrypter ${IDS.secretsKey}`,
            `ci-previewer roles/cloudkms.cryptoKeyDecrypter ${IDS.secretsKey}`,
        ]);
    });

    it("lets a deployer's projectIamAdmin grant the program's roles only", async () => {
        const h = await recordResources(
            () =>
                new GithubOidc("ci", {
                    ...IDS,
                    project: "club-dev",
                    poolId: "github",
                    providerId: "github-actions",
                    environments: [{ name: "dev", roles: ["roles/resourcemanager.projectIamAdmin", "roles/viewer"] }],
                }),
        );
        const grants = h.ofType("gcp:projects/iAMMember:IAMMember").map((r) => h.inputs(r));
        const admin = grants.find((g) => g.role === "roles/resourcemanager.projectIamAdmin")!;
        expect(admin.condition.expression).toBe(
            'api.getAttribute("iam.googleapis.com/modifiedGrantsByRole", []).hasOnly(["roles/logging.logWriter"])',
        );
        expect(grants.find((g) => g.role === "roles/viewer")!.condition).toBeUndefined();
    });

    it("recognises the key types it must never create", () => {
        expect(GOOGLE_KEY.test("gcp:serviceaccount/key:Key")).toBe(true);
        expect(GOOGLE_KEY.test("gcp:storage/hmacKey:HmacKey")).toBe(true);
        // The Flux deploy key is an SSH key for GitHub, not a Google credential.
        expect(GOOGLE_KEY.test("tls:index/privateKey:PrivateKey")).toBe(false);
    });

    it("creates no previewer when none is asked for", async () => {
        const h = await recordResources(
            () =>
                new GithubOidc("ci", {
                    ...IDS,
                    project: "club-dev",
                    poolId: "github",
                    providerId: "github-actions",
                    environments: [{ name: "dev", roles: ["roles/viewer"] }],
                }),
        );
        expect(h.ofType(SA).map((r) => h.inputs(r).accountId)).toEqual(["ci-dev-deployer"]);
        // No previewer: no pull-request clause in the provider's condition either.
        expect(h.inputs(h.one(PROVIDER)).attributeCondition).not.toContain("pull_request");
    });
});

describe("platform:ci in the stacks", () => {
    it.each(["dev", "prd"] as const)(
        "%s renders the pool, a repository-bound provider and its deployer, and no key",
        async (stack) => {
            const r = await rendered(stack);
            const types = r.resources.map((x) => x.type);
            expect(types).toContain(POOL);
            const provider = r.resources.find((x) => x.type === PROVIDER)!;
            expect(String(provider.inputs.attributeCondition)).toMatch(
                /^assertion\.repository_id == "\d+" && assertion\.repository_owner_id == "\d+" && \(/,
            );
            const accounts = r.resources.filter((x) => x.type === SA).map((x) => x.inputs.accountId);
            expect(accounts).toContain(`ci-${stack}-deployer`);
            expect(accounts).not.toContain(`ci-${stack === "dev" ? "prd" : "dev"}-deployer`);
            // No service account key, HMAC key or API key anywhere in the stack.
            expect(types.filter((t) => GOOGLE_KEY.test(t))).toEqual([]);
            expect(r.errors).toEqual([]);
        },
    );
});

describe("a bootstrap stack holding every environment's deployer", () => {
    it("renders one pool, a repository-bound provider and one deployer per environment, no key", async () => {
        const text = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace(
            /  platform:ci:\n(    .*\n)+/,
            "  platform:ci:\n    enabled: true\n    repository: example-club/platform\n    repositoryId: 1\n    repositoryOwnerId: 2\n" +
                "    secretsKey: projects/club-boot/locations/global/keyRings/pulumi/cryptoKeys/dev\n" +
                "    environments:\n      - name: dev\n      - name: prd\n        roles: [roles/container.admin]\n" +
                "        secretsKey: projects/club-boot/locations/global/keyRings/pulumi/cryptoKeys/prd\n",
        );
        const stackFile = path.join(mkdtempSync(path.join(tmpdir(), "ci-bootstrap-")), "Pulumi.bootstrap.yaml");
        writeFileSync(stackFile, text);
        const r = await renderStack({ stack: "dev", stackFile });
        expect(r.resources.filter((x) => x.type === POOL)).toHaveLength(1);
        // The platform's provider, and the app repositories' (dev's apps name their sources).
        expect(r.resources.filter((x) => x.type === PROVIDER).map((x) => x.inputs.attributeCondition)).toEqual([
            expect.stringMatching(/^assertion\.repository_id == "1" && assertion\.repository_owner_id == "2" && /),
            expect.stringMatching(/^assertion\.repository_id in \[/),
        ]);
        // Only the bindings of GitHub identities (other layers bind Kubernetes service accounts).
        const members = r.resources
            .filter((x) => x.type === SA_BINDING && String(x.inputs.member).startsWith("principalSet://"))
            .map(
                (x) =>
                    `${String(x.inputs.serviceAccountId).split("/").pop()} ${String(x.inputs.member).split("/attribute.")[1]}`,
            );
        expect(members.sort()).toEqual([
            "ci-dev-deployer environment/dev",
            "ci-prd-deployer environment/prd",
            "ci-previewer environment/dev-preview",
        ]);
        // Each environment's deployer on its own key: dev's cannot decrypt prd's secrets.
        const keys = r.resources
            .filter(
                (x) =>
                    x.type === "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember" &&
                    String(x.inputs.member).startsWith("serviceAccount:ci-"),
            )
            .map(
                (x) =>
                    `${String(x.inputs.member).split(":")[1]!.split("@")[0]} ${String(x.inputs.cryptoKeyId).split("/").pop()}`,
            );
        expect(keys.sort()).toEqual(["ci-dev-deployer dev", "ci-prd-deployer prd", "ci-previewer dev"]);
        const prdRoles = r.resources
            .filter(
                (x) =>
                    x.type === "gcp:projects/iAMMember:IAMMember" &&
                    String(x.inputs.member).includes("ci-prd-deployer@"),
            )
            .map((x) => x.inputs.role);
        expect(prdRoles).toEqual(["roles/container.admin"]);
        expect(r.resources.map((x) => x.type).filter((t) => GOOGLE_KEY.test(t))).toEqual([]);
    });
});

describe("the previewer's environment", () => {
    it("may not be a deployer's: a pull request's job would then act as that deployer", async () => {
        const text = readFileSync(path.join(ROOT, "Pulumi.prd.yaml"), "utf8").replace(
            "    previewer: true\n",
            "    previewer: true\n    previewerEnvironment: prd\n",
        );
        const stackFile = path.join(mkdtempSync(path.join(tmpdir(), "ci-clash-")), "Pulumi.prd.yaml");
        writeFileSync(stackFile, text);
        await expect(renderStack({ stack: "prd", stackFile })).rejects.toThrow(
            /ci\.previewerEnvironment: "prd" is also environments\[0\]\.name; the previewer needs a GitHub environment of its own/,
        );
    });
});

describe("platform:ci config", () => {
    const base = {
        environment: "dev",
        gcp: { project: "club-dev", region: "asia-northeast1" },
        cluster: { nodePools: [{ name: "general", machineType: "e2-standard-4", zones: ["asia-northeast1-a"] }] },
        dns: { domain: "dev.example.org" },
    };
    const problems = (ci: unknown, extra: Record<string, unknown> = {}): string[] => {
        return stackProblems({ ...base, ...extra, ci });
    };

    it("is off by default", () => {
        expect(stackSchema.parse(base).ci.enabled).toBe(false);
    });

    const ok = {
        enabled: true,
        repository: "o/r",
        repositoryId: 1,
        repositoryOwnerId: 2,
        secretsKey: "projects/club-dev/locations/global/keyRings/pulumi/cryptoKeys/dev",
    };

    it("needs the repository, its ids and the stack's key when enabled", () => {
        expect(problems({ enabled: true })).toEqual([
            expect.stringMatching(/^ci\.repository: \(missing\) is required when enabled/),
            expect.stringMatching(/^ci\.repositoryId: \(missing\) is required when enabled .*--jq \.id\)$/),
            expect.stringMatching(/^ci\.repositoryOwnerId: \(missing\) is required when enabled .*--jq \.owner\.id\)$/),
            expect.stringMatching(/^ci\.secretsKey: \(missing\) is required when enabled .*cryptoKeys/),
        ]);
        expect(problems(ok)).toEqual([]);
    });

    it("rejects a repository that is not owner/name, an id that is not a number, a key that is not a key", () => {
        expect(problems({ ...ok, repository: "platform" })).toEqual([
            expect.stringMatching(/^ci\.repository: "platform" is not a GitHub repository/),
        ]);
        expect(problems({ ...ok, repositoryId: "example-club/platform" })).toEqual([
            expect.stringMatching(/^ci\.repositoryId: "example-club\/platform" /),
        ]);
        expect(problems({ ...ok, secretsKey: "gcpkms://projects/p/keys/k" })).toEqual([
            expect.stringMatching(/^ci\.secretsKey: "gcpkms:\/\/projects\/p\/keys\/k" is not a Cloud KMS key/),
        ]);
    });

    it("refuses project-wide KMS roles: they would reach other stacks' keys", () => {
        expect(problems({ ...ok, previewerRoles: ["roles/viewer", "roles/cloudkms.cryptoKeyDecrypter"] })).toEqual([
            "ci.previewerRoles[1]: \"roles/cloudkms.cryptoKeyDecrypter\" would reach every KMS key of the project, other stacks' included; the stack's key is bound by ci.secretsKey",
        ]);
        expect(
            problems({ ...ok, environments: [{ name: "dev", roles: ["roles/cloudkms.cryptoKeyEncrypterDecrypter"] }] }),
        ).toEqual([expect.stringMatching(/^ci\.environments\[0\]\.roles\[0\]: .* would reach every KMS key/)]);
    });

    it("rejects a deployer ref that is not a branch", () => {
        expect(problems({ ...ok, environments: [{ name: "dev", ref: "main" }] })).toEqual([
            expect.stringMatching(
                /^ci\.environments\[0\]\.ref: "main" is not a branch ref \(refs\/heads\/<branch>\) or \*/,
            ),
        ]);
    });

    it("rejects two deployers for one environment", () => {
        const p = problems({ ...ok, environments: [{ name: "dev" }, { name: "dev" }] });
        expect(p).toEqual([
            expect.stringMatching(/^ci\.environments\[1\]\.name: "dev" repeats ci\.environments\[0\]\.name$/),
        ]);
    });

    it("rejects a role that is not an IAM role", () => {
        const p = problems({ ...ok, previewerRoles: ["viewer"] });
        expect(p).toEqual([expect.stringMatching(/^ci\.previewerRoles\[0\]: "viewer" is not an IAM role/)]);
    });

    it("needs a GCP project", () => {
        const p = problems(ok, { gcp: { region: "asia-northeast1" }, cluster: { mode: "existing", context: "kind" } });
        expect(p).toEqual([expect.stringMatching(/^ci\.enabled: true needs gcp:project/)]);
    });
});

describe("app repositories push their own images, keylessly", () => {
    const AR_MEMBER = "gcp:artifactregistry/repositoryIamMember:RepositoryIamMember";

    it("admits the apps' repositories by id, from main or a tag only, through a provider of their own", async () => {
        const r = await rendered("dev");
        const providers = r.resources.filter((x) => x.type === PROVIDER).map((x) => unwrap(x.inputs));
        expect(providers).toHaveLength(2);
        const platform = providers.find((p) => p.workloadIdentityPoolProviderId === "github-actions")!;
        const apps = providers.find((p) => p.workloadIdentityPoolProviderId === "github-apps")!;
        // The platform's provider still admits the platform repository alone.
        expect(platform.attributeCondition).toMatch(/^assertion\.repository_id == "612340000" && /);
        expect(apps.attributeCondition).toBe(
            'assertion.repository_id in ["612345001", "612345002", "612345003", "612345004"] && (assertion.ref == "refs/heads/main" || assertion.ref.startsWith("refs/tags/"))',
        );
        // No `repository` or `environment`: an app token can never match a deployer or the previewer.
        expect(Object.keys(apps.attributeMapping).sort()).toEqual([
            "attribute.ref",
            "attribute.repository_id",
            "google.subject",
        ]);
    });

    it("grants each app writer on its own packages of the stack's registry, by repository id", async () => {
        const r = await rendered("dev");
        const grants = r.resources.filter((x) => x.type === AR_MEMBER && x.name.startsWith("ci-push-"));
        expect(grants.map((g) => g.name).sort()).toEqual([
            "ci-push-plarail",
            "ci-push-scoreserver",
            "ci-push-uploader",
            "ci-push-vote",
        ]);
        const uploader = unwrap(grants.find((g) => g.name === "ci-push-uploader")!.inputs);
        expect(uploader.role).toBe("roles/artifactregistry.writer");
        expect(uploader.repository).toBe("apps");
        expect(uploader.member).toMatch(
            /^principalSet:\/\/iam\.googleapis\.com\/.*\/attribute\.repository_id\/612345003$/,
        );
        const repo = "projects/clubplatform-dev/locations/asia-northeast1/repositories/apps/packages";
        expect(uploader.condition.expression).toBe(
            `resource.name.startsWith("${repo}/uploader-frontend") || resource.name.startsWith("${repo}/uploader-api")`,
        );
    });

    it("refuses a source for an app none of whose images is in the stack's registry", async () => {
        const file = path.join(mkdtempSync(path.join(tmpdir(), "ci-")), "Pulumi.dev.yaml");
        const text = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8").replace(
            "platform:imageFile: images/dev.yaml",
            "platform:imageFile: images/dev.yaml\n  platform:registry:\n    name: other",
        );
        writeFileSync(file, text.replace(/  platform:registry:\n    name: apps\n/, ""));
        await expect(renderStack({ stack: "dev", stackFile: file })).rejects.toThrow(
            /apps\.plarail\.source: "example-club\/plarail" would push nothing: none of app plarail's images is in this stack's registry asia-northeast1-docker\.pkg\.dev\/clubplatform-dev\/other\//,
        );
    });
});
