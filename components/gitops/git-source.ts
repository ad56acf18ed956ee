import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { awaitReady, NO_WAIT } from "../cluster/waits";
import * as tls from "@pulumi/tls";
import { knownHostsFile } from "./known-hosts";
import { FLUX_NAMESPACE, IMAGE_UPDATE_REFS, PLATFORM_REPOSITORY } from "./names";

/**
 * Who still pushes every other branch: people by repository role (maintain 2, write 4, admin 5,
 * GitHub's ids for the base roles) and GitHub Actions (app 15368, the revert job's GITHUB_TOKEN).
 * Deploy keys are not among them, so a Flux key pushes `flux/image-updates-*` and nothing else.
 */
export const BRANCH_BYPASS = [
    { actorType: "RepositoryRole", actorId: 2, bypassMode: "always" },
    { actorType: "RepositoryRole", actorId: 4, bypassMode: "always" },
    { actorType: "RepositoryRole", actorId: 5, bypassMode: "always" },
    { actorType: "Integration", actorId: 15368, bypassMode: "always" },
] as const;

/** The platform repository Flux reads, resolved from its SSH URL. */
export interface GitRepositorySpec {
    /** `ssh://git@github.com/<owner>/<repo>`. */
    readonly url: string;
    readonly owner: string;
    readonly name: string;
    /** Branch Flux reads. */
    readonly branch: string;
}

export interface GitSourceArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** The repository and branch Flux reads. */
    readonly repository: GitRepositorySpec;
    /** How often Flux fetches it. */
    readonly interval: string;
    /** Title of the deploy key on GitHub, e.g. `flux-dev`. */
    readonly keyTitle: string;
    /** Register the key on GitHub with write access using this token. @default not registered */
    readonly githubToken?: pulumi.Input<string>;
    /** What installs the GitRepository CRD (the Flux chart). */
    readonly crds: pulumi.Resource;
}

/**
 * The platform repository as a Flux GitRepository, read over SSH with a deploy key the program
 * generates. The private key lives only in the Kubernetes Secret (and, encrypted, in the state);
 * the public key is registered on GitHub when a token is given, else left for a person to add.
 */
export class GitSource extends pulumi.ComponentResource {
    readonly key: tls.PrivateKey;
    readonly secret: k8s.core.v1.Secret;
    readonly repository: k8s.apiextensions.CustomResource;
    /** The deploy key's public half, `ssh-ed25519 ...`. */
    readonly publicKey: pulumi.Output<string>;
    readonly deployKey?: github.RepositoryDeployKey;
    /** The ruleset that keeps deploy keys off every branch but the image-update ones. */
    readonly branchRules?: github.RepositoryRuleset;

    constructor(name: string, args: GitSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:GitSource", name, {}, opts);
        const repo = args.repository;
        const k8sOpts = { parent: this, provider: args.provider };

        this.key = new tls.PrivateKey(`${name}-key`, { algorithm: "ED25519" }, { parent: this });
        this.publicKey = this.key.publicKeyOpenssh.apply((k) => k.trim());

        const secretName = `${PLATFORM_REPOSITORY}-ssh`;
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: secretName, namespace: FLUX_NAMESPACE },
                type: "Opaque",
                stringData: {
                    identity: pulumi.secret(this.key.privateKeyOpenssh),
                    "identity.pub": this.key.publicKeyOpenssh,
                    known_hosts: knownHostsFile(),
                },
            },
            { ...k8sOpts, dependsOn: [args.crds] },
        );

        if (args.githubToken !== undefined) {
            const provider = new github.Provider(
                `${name}-github`,
                { token: pulumi.secret(args.githubToken), owner: repo.owner },
                { parent: this },
            );
            this.deployKey = new github.RepositoryDeployKey(
                `${name}-deploy-key`,
                { repository: repo.name, title: args.keyTitle, key: this.publicKey, readOnly: false },
                { parent: this, provider },
            );
            // A deploy key with write access could push any branch (main's protection aside),
            // including a branch whose pull request would run a workflow. GitHub cannot scope a
            // ruleset to one key, so this keeps every deploy key to `flux/image-updates-*`;
            // image-updates.yml refuses a bump branch that changes more than its own image file
            // (docs/security.md). Each stack declares its own, with the same rules.
            this.branchRules = new github.RepositoryRuleset(
                `${name}-deploy-key-branches`,
                {
                    repository: repo.name,
                    name: `${args.keyTitle}: deploy keys push image-update branches only`,
                    target: "branch",
                    enforcement: "active",
                    conditions: { refName: { includes: ["~ALL"], excludes: [IMAGE_UPDATE_REFS] } },
                    rules: { creation: true, update: true, deletion: true, nonFastForward: true },
                    bypassActors: BRANCH_BYPASS.map((a) => ({ ...a })),
                },
                { parent: this, provider },
            );
        }

        // The Kustomization and the image automation read this source: with the deploy key
        // registered here, they wait until Flux has fetched it (Ready), two fetch timeouts and a
        // controller start at most. A key a person adds after the run cannot make it Ready within
        // the run, so then nothing waits.
        const ready = this.deployKey ? awaitReady(300) : { annotations: NO_WAIT, customTimeouts: undefined };
        this.repository = new k8s.apiextensions.CustomResource(
            `${name}-repo`,
            {
                apiVersion: "source.toolkit.fluxcd.io/v1",
                kind: "GitRepository",
                metadata: {
                    name: PLATFORM_REPOSITORY,
                    namespace: FLUX_NAMESPACE,
                    annotations: { ...ready.annotations },
                },
                spec: {
                    url: repo.url,
                    ref: { branch: repo.branch },
                    interval: args.interval,
                    timeout: "60s",
                    secretRef: { name: secretName },
                },
            },
            {
                ...k8sOpts,
                dependsOn: [args.crds, this.secret, ...(this.deployKey ? [this.deployKey] : [])],
                ...(ready.customTimeouts ? { customTimeouts: ready.customTimeouts } : {}),
            },
        );

        this.registerOutputs({ publicKey: this.publicKey });
    }
}
