import { githubRepo } from "../../config/sections/gitops";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { GitSource, GitSourceArgs } from "../../components/gitops/git-source";
import { ClusterSync } from "../../components/gitops/cluster-sync";
import { specOf } from "./loose";
import { recordResources, valueOf } from "../harness";

const URL = "ssh://git@github.com/example-club/platform";

function build(over: Partial<Omit<GitSourceArgs, "provider" | "crds">> & { branch?: string } = {}) {
    const { branch = "main", ...rest } = over;
    let source: GitSource | undefined;
    const h = recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const crds = new random.RandomId("crds", { byteLength: 4 });
        source = new GitSource("source", {
            provider,
            repository: { url: URL, branch, ...githubRepo(URL)! },
            interval: "5m",
            keyTitle: "flux-dev",
            crds,
            ...rest,
        });
        new ClusterSync("sync", { provider, environment: "dev", interval: "5m", dependsOn: [source.repository] });
    });
    return h.then((harness) => ({ h: harness, source: source! }));
}

describe("GitSource", () => {
    it("generates an ed25519 deploy key", async () => {
        const { h } = await build();
        expect(h.inputs(h.one("tls:index/privateKey:PrivateKey")).algorithm).toBe("ED25519");
    });

    it("keeps the private key only in a Kubernetes Secret Flux's SSH transport reads, marked secret", async () => {
        const { h } = await build();
        const recorded = h.ofType("kubernetes:core/v1:Secret");
        expect(recorded).toHaveLength(1);
        const data = h.inputs(recorded[0]!).stringData;
        expect(Object.keys(data).sort()).toEqual(["identity", "identity.pub", "known_hosts"]);
        expect(data.identity).toMatch(/BEGIN OPENSSH PRIVATE KEY/);
        expect(data.known_hosts).toMatch(/^github\.com ssh-ed25519 /m);
        // Nothing render writes holds the private key.
        expect(h.redactedText()).not.toContain("BEGIN OPENSSH PRIVATE KEY");
    });

    it("points a source.toolkit.fluxcd.io/v1 GitRepository at the configured URL and branch with that secret", async () => {
        const { h } = await build({ branch: "release" });
        const repo = h.object("GitRepository", "platform");
        expect(repo.apiVersion).toBe("source.toolkit.fluxcd.io/v1");
        expect(repo.spec).toMatchObject({ url: URL, ref: { branch: "release" }, interval: "5m" });
        const secret = h.objects().find((o) => o.kind === "Secret")!;
        expect(specOf(repo).secretRef).toEqual({ name: secret.metadata.name });
    });

    it("without a token registers nothing on GitHub and exposes the public key", async () => {
        const { h, source } = await build();
        expect(h.resources.filter((r) => r.type.startsWith("github:") || r.type.includes("github"))).toEqual([]);
        expect(await valueOf(source.publicKey)).toMatch(/^ssh-ed25519 \S+/);
        expect(await valueOf(source.publicKey)).not.toMatch(/\n$/);
    });

    it("with a token keeps deploy keys to the image-update branches: a ruleset no deploy key bypasses", async () => {
        const { h } = await build({ githubToken: pulumi.secret("ghp_registertoken") });
        const rules = h.inputs(h.one("github:index/repositoryRuleset:RepositoryRuleset"));
        expect(rules.repository).toBe("platform");
        expect(rules).toMatchObject({ target: "branch", enforcement: "active" });
        expect(rules.conditions.refName).toEqual({
            includes: ["~ALL"],
            excludes: ["refs/heads/flux/image-updates-*"],
        });
        expect(rules.rules).toEqual({ creation: true, update: true, deletion: true, nonFastForward: true });
        const bypass = rules.bypassActors as { actorType: string }[];
        expect(bypass.length).toBeGreaterThan(0);
        expect(bypass.map((a) => a.actorType)).not.toContain("DeployKey");
        // Every dev and prd image-update branch stays outside it, and nothing else does.
        const outside = (ref: string) =>
            (rules.conditions.refName.excludes as string[]).some((p) =>
                new RegExp(`^${p.replace(/\*/g, "[^/]*")}$`).test(ref),
            );
        expect(outside("refs/heads/flux/image-updates-dev")).toBe(true);
        expect(outside("refs/heads/flux/image-updates-prd")).toBe(true);
        expect(outside("refs/heads/main")).toBe(false);
        expect(outside("refs/heads/preview/vote/x")).toBe(false);
    });

    it("without a token declares no ruleset (nothing on GitHub)", async () => {
        const { h } = await build();
        expect(h.ofType("github:index/repositoryRuleset:RepositoryRuleset")).toEqual([]);
    });

    it("with a token registers the public key on the repository with write access", async () => {
        const { h } = await build({ githubToken: pulumi.secret("ghp_registertoken") });
        const key = h.inputs(h.one("github:index/repositoryDeployKey:RepositoryDeployKey"));
        expect(key).toMatchObject({ repository: "platform", title: "flux-dev", readOnly: false });
        expect(key.key).toMatch(/^ssh-ed25519 /);
        expect(h.inputs(h.one("pulumi:providers:github")).owner).toBe("example-club");
        expect(h.redactedText()).not.toContain("ghp_registertoken");
        // Flux starts reading only once GitHub accepts the key.
        const deployKey = h.one("github:index/repositoryDeployKey:RepositoryDeployKey");
        expect(h.one("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository").dependsOn).toContain(deployKey.urn);
    });
});

describe("ClusterSync", () => {
    it("reconciles ./clusters/<env> from the platform repository with prune and health checks", async () => {
        const { h } = await build();
        const ks = h.object("Kustomization", "cluster-dev");
        expect(ks.apiVersion).toBe("kustomize.toolkit.fluxcd.io/v1");
        expect(ks.spec).toMatchObject({
            path: "./clusters/dev",
            prune: true,
            wait: true,
            interval: "5m",
            sourceRef: { kind: "GitRepository", name: "platform" },
        });
        expect(specOf(ks).timeout).toMatch(/^[0-9]+m$/);
    });
});
