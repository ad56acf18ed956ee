import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { GithubOidc } from "../../components/ci/github-oidc";
import { ConfigError, parseOrThrow } from "../../config/errors";
import { stackSchema } from "../../config/schema";
import { renderStack, ROOT } from "../../render/render";
import { recordResources } from "../harness";
import { rendered } from "../rendered";

const POOL = "gcp:iam/workloadIdentityPool:WorkloadIdentityPool";
const PROVIDER = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
const SA = "gcp:serviceaccount/account:Account";
const SA_BINDING = "gcp:serviceaccount/iAMMember:IAMMember";
/** Long-lived Google credentials: a service account key, an HMAC key for one, an API key. */
const GOOGLE_KEY = /^gcp:(serviceaccount\/key:Key|storage\/hmacKey:HmacKey|projects\/apiKey:ApiKey)$/;

const bootstrap = () =>
    new GithubOidc("ci", {
        project: "club-bootstrap",
        repository: "example-club/platform",
        poolId: "github",
        providerId: "github-actions",
        environments: [
            { name: "dev", roles: ["roles/container.admin"] },
            { name: "prd", roles: ["roles/container.admin", "roles/dns.admin"] },
        ],
        previewerRoles: ["roles/viewer"],
    });

describe("GithubOidc", () => {
    it("trusts GitHub's issuer for one repository only", async () => {
        const h = await recordResources(bootstrap);
        const provider = h.inputs(h.one(PROVIDER));
        expect(provider.oidc.issuerUri).toBe("https://token.actions.githubusercontent.com");
        expect(provider.attributeCondition).toBe('assertion.repository == "example-club/platform"');
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
        expect(forSa("ci-previewer").map((b) => b.member)).toEqual([
            `${pool}/attribute.repository/example-club/platform`,
        ]);
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
                    project: "club-dev",
                    repository: "o/r",
                    poolId: "github",
                    providerId: "github-actions",
                    environments: [{ name: "dev", roles: ["roles/viewer"] }],
                }),
        );
        expect(h.ofType(SA).map((r) => h.inputs(r).accountId)).toEqual(["ci-dev-deployer"]);
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
            expect(String(provider.inputs.attributeCondition)).toMatch(/^assertion\.repository == "[^"]+\/[^"]+"$/);
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
            "  platform:ci:\n    enabled: true\n    repository: example-club/platform\n    environments:\n      - name: dev\n      - name: prd\n        roles: [roles/container.admin]\n",
        );
        const stackFile = path.join(mkdtempSync(path.join(tmpdir(), "ci-bootstrap-")), "Pulumi.bootstrap.yaml");
        writeFileSync(stackFile, text);
        const r = await renderStack({ stack: "dev", stackFile });
        expect(r.resources.filter((x) => x.type === POOL)).toHaveLength(1);
        expect(r.resources.filter((x) => x.type === PROVIDER).map((x) => x.inputs.attributeCondition)).toEqual([
            'assertion.repository == "example-club/platform"',
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
            "ci-previewer repository/example-club/platform",
        ]);
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

describe("platform:ci config", () => {
    const base = {
        environment: "dev",
        gcp: { project: "club-dev", region: "asia-northeast1" },
        cluster: { nodePools: [{ name: "general", machineType: "e2-standard-4", zones: ["asia-northeast1-a"] }] },
        dns: { domain: "dev.example.org" },
    };
    const problems = (ci: unknown, extra: Record<string, unknown> = {}): string[] => {
        try {
            parseOrThrow(stackSchema, { ...base, ...extra, ci });
            return [];
        } catch (e) {
            if (e instanceof ConfigError) return [...e.problems];
            throw e;
        }
    };

    it("is off by default", () => {
        expect(stackSchema.parse(base).ci.enabled).toBe(false);
    });

    it("needs the repository when enabled", () => {
        expect(problems({ enabled: true })).toEqual([
            expect.stringMatching(/^ci\.repository: .*required when enabled/),
        ]);
    });

    it("rejects a repository that is not owner/name", () => {
        expect(problems({ enabled: true, repository: "platform" })).toEqual([
            expect.stringMatching(/^ci\.repository: "platform" is not a GitHub repository/),
        ]);
    });

    it("rejects two deployers for one environment", () => {
        const p = problems({ enabled: true, repository: "o/r", environments: [{ name: "dev" }, { name: "dev" }] });
        expect(p).toEqual([
            expect.stringMatching(/^ci\.environments\[1\]\.name: "dev" repeats ci\.environments\[0\]\.name$/),
        ]);
    });

    it("rejects a role that is not an IAM role", () => {
        const p = problems({ enabled: true, repository: "o/r", previewerRoles: ["viewer"] });
        expect(p).toEqual([expect.stringMatching(/^ci\.previewerRoles\[0\]: "viewer" is not an IAM role/)]);
    });

    it("needs a GCP project", () => {
        const p = problems(
            { enabled: true, repository: "o/r" },
            { gcp: { region: "asia-northeast1" }, cluster: { mode: "existing", context: "kind" } },
        );
        expect(p).toEqual([expect.stringMatching(/^ci\.enabled: true needs gcp:project/)]);
    });
});
