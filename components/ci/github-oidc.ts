import * as gcp from "@pulumi/gcp";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";

/** GitHub's OIDC issuer: every Actions job can ask it for a token describing the job. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** Token claims copied to attributes, so IAM bindings can name them. */
export const ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
    "google.subject": "assertion.sub",
    "attribute.repository": "assertion.repository",
    "attribute.repository_id": "assertion.repository_id",
    "attribute.repository_owner_id": "assertion.repository_owner_id",
    "attribute.environment": "assertion.environment",
    "attribute.ref": "assertion.ref",
    "attribute.event_name": "assertion.event_name",
};

export interface GithubOidcEnvironment {
    /** GitHub environment name (the deploy job's `environment:`), e.g. dev or prd. */
    readonly name: string;
    /** Project roles of the environment's deployer service account. */
    readonly roles: readonly string[];
    /** The only ref whose jobs may act as it, `refs/heads/main`; `*` for any. @default refs/heads/main */
    readonly ref?: string;
    /** The GitHub events whose jobs may act as it. @default ["push"] */
    readonly events?: readonly string[];
    /** The KMS key it encrypts and decrypts with. @default GithubOidcArgs.secretsKey */
    readonly secretsKey?: string;
}

/** GitHub ids of the users and teams who may approve a job of an environment. */
export interface PreviewerReviewers {
    readonly users: readonly number[];
    readonly teams: readonly number[];
}

/**
 * The previewer's environment as GitHub should hold it: a job waits for one of the reviewers, who
 * may not approve their own run, and admins cannot skip the wait. No deployment branch policy:
 * a pull request's job runs on `refs/pull/<n>/merge`, which no branch pattern matches.
 */
export function previewerEnvironmentArgs(
    repositoryName: string,
    environment: string,
    reviewers: PreviewerReviewers,
): github.RepositoryEnvironmentArgs {
    return {
        repository: repositoryName,
        environment,
        reviewers: [{ users: [...reviewers.users], teams: [...reviewers.teams] }],
        preventSelfReview: true,
        canAdminsBypass: false,
    };
}

/** Which GitHub jobs the provider admits: jobs of one environment, from one ref (or any) and listed events. */
export interface AdmittedJobs {
    readonly environment: string;
    /** `refs/heads/<branch>`, or `*` for any ref. */
    readonly ref: string;
    readonly events: readonly string[];
}

const quote = (v: string) => JSON.stringify(v);

/**
 * The platform provider's attribute condition: tokens of one repository of one owner (by their
 * numeric ids, which a rename, a transfer or a new repository taking the name do not carry), and
 * only from a listed environment, each with its ref and events. A token without an environment (a
 * pull request's job, a fork's, any other workflow) matches no clause and is refused at the door.
 * Only `==`, `&&`, `||` and string literals, so a test can evaluate it as JavaScript.
 */
export function platformAttributeCondition(
    repositoryId: number,
    repositoryOwnerId: number,
    jobs: readonly AdmittedJobs[],
): string {
    if (jobs.length === 0) throw new Error("the platform provider needs at least one admitted environment");
    const clauses = jobs.map((j) => {
        const parts = [`assertion.environment == ${quote(j.environment)}`];
        if (j.ref !== "*") parts.push(`assertion.ref == ${quote(j.ref)}`);
        const events = [...new Set(j.events)].map((e) => `assertion.event_name == ${quote(e)}`);
        parts.push(events.length === 1 ? events[0]! : `(${events.join(" || ")})`);
        return `(${parts.join(" && ")})`;
    });
    return [
        `assertion.repository_id == ${quote(String(repositoryId))}`,
        `assertion.repository_owner_id == ${quote(String(repositoryOwnerId))}`,
        `(${clauses.join(" || ")})`,
    ].join(" && ");
}

/**
 * The condition on a deployer's `roles/resourcemanager.projectIamAdmin`: it may add or remove
 * project grants of these roles only (IAM's `modifiedGrantsByRole`), so it cannot grant itself, or
 * anything the program runs, a role the program does not grant; not owner, not its own roles.
 */
export function grantCondition(roles: readonly string[]): string {
    const list = [...new Set(roles)].sort().map(quote).join(", ");
    return `api.getAttribute("iam.googleapis.com/modifiedGrantsByRole", []).hasOnly([${list}])`;
}

/** The project-level role that can change project IAM: granted to a deployer only with grantCondition. */
export const PROJECT_IAM_ADMIN = "roles/resourcemanager.projectIamAdmin";

/** Claims the app repositories' provider maps: enough to name a repository by id, nothing more. */
export const APP_ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
    "google.subject": "assertion.sub",
    "attribute.repository_id": "assertion.repository_id",
    "attribute.ref": "assertion.ref",
};

/** One app repository's keyless push: its id and the registry packages (images) it may write. */
export interface AppPushGrant {
    /** The app, for resource names. */
    readonly app: string;
    /** `owner/name`, for descriptions only. */
    readonly repository: string;
    /** GitHub's numeric repository id: the grant is by id, which a rename or transfer keeps. */
    readonly repositoryId: number;
    /** The Artifact Registry repository its images live in. */
    readonly registry: { readonly project: string; readonly location: string; readonly repositoryId: string };
    /** Package (image) names in that repository, e.g. `uploader-api`. */
    readonly packages: readonly string[];
}

/** The app provider's condition: tokens of the listed repositories, from main or a tag, only. */
export function appAttributeCondition(repositoryIds: readonly number[]): string {
    const ids = [...new Set(repositoryIds)].sort((a, b) => a - b).map((id) => `"${id}"`);
    return `assertion.repository_id in [${ids.join(", ")}] && (assertion.ref == "refs/heads/main" || assertion.ref.startsWith("refs/tags/"))`;
}

/** The IAM condition limiting an app's writer grant to its own packages of the registry repository. */
export function packageCondition(grant: AppPushGrant): string {
    const repo = `projects/${grant.registry.project}/locations/${grant.registry.location}/repositories/${grant.registry.repositoryId}`;
    return grant.packages
        .map((p) => `resource.name.startsWith("${repo}/packages/${encodeURIComponent(p)}")`)
        .join(" || ");
}

export interface GithubOidcArgs {
    /** GCP project the pool and service accounts live in. */
    readonly project: string;
    /** The GitHub repository, `owner/name`, for descriptions (the provider trusts the ids). */
    readonly repository: string;
    /** Its numeric id: the provider admits tokens of this repository only. */
    readonly repositoryId: number;
    /** Its owner's numeric id: checked too, so a transferred repository is no longer trusted. */
    readonly repositoryOwnerId: number;
    /** The stack's KMS key (`projects/.../cryptoKeys/<k>`): deployers encrypt and decrypt, the previewer decrypts, on it only. */
    readonly secretsKey: string;
    /** The only project roles a deployer's projectIamAdmin may grant (grantCondition). */
    readonly grantableRoles: readonly string[];
    /** Workload Identity pool ID. */
    readonly poolId: string;
    /** Provider ID inside the pool. */
    readonly providerId: string;
    /** One deployer service account per environment. */
    readonly environments: readonly GithubOidcEnvironment[];
    /** Roles of the read-only previewer; omit for no previewer. @default no previewer */
    readonly previewerRoles?: readonly string[];
    /** The GitHub environment whose pull-request jobs may act as the previewer (prd: with reviewers). @default `preview` */
    readonly previewerEnvironment?: string;
    /**
     * Required reviewers of the previewer's environment: the program creates that environment on
     * GitHub with them (needs githubToken). @default none (the environment is set up by hand)
     */
    readonly previewerReviewers?: PreviewerReviewers;
    /** GitHub token allowed to administer the repository's environments (a secret). @default none */
    readonly githubToken?: pulumi.Input<string>;
    /** App repositories that push their own images. @default none (no app provider) */
    readonly apps?: readonly AppPushGrant[];
    /** Provider ID of the app repositories' provider. @default github-apps */
    readonly appProviderId?: string;
    /** What creates the registry repository the app grants name (the gcp layer). @default none */
    readonly registryDependsOn?: readonly pulumi.Resource[];
    /**
     * Pulumi `protect` on the pool and its provider (prd): deleted, they stay soft-deleted for 30
     * days, their IDs cannot be reused meanwhile, and CI cannot deploy. @default false
     */
    readonly protect?: boolean;
}

/** The previewer's GitHub environment. */
function previewerEnvironment(args: GithubOidcArgs): string {
    return args.previewerEnvironment ?? "preview";
}

/** Every job the platform provider admits: each deployer's, and the previewer's pull requests. */
export function admittedJobs(args: GithubOidcArgs): AdmittedJobs[] {
    const jobs: AdmittedJobs[] = args.environments.map((e) => ({
        environment: e.name,
        ref: e.ref ?? "refs/heads/main",
        events: e.events ?? ["push"],
    }));
    if (args.previewerRoles) jobs.push({ environment: previewerEnvironment(args), ref: "*", events: ["pull_request"] });
    return jobs;
}

/** `roles/container.admin` -> `container-admin`, for child names. */
function roleSlug(role: string): string {
    return role
        .split("/")
        .pop()!
        .replace(/[^A-Za-z0-9]+/g, "-")
        .toLowerCase();
}

/**
 * Keyless CI for GitHub Actions: a Workload Identity Federation pool whose OIDC provider admits
 * tokens of one repository (by id) and only from the listed environments, refs and events; one
 * deployer service account per environment that only a job running in that GitHub environment may
 * impersonate (so the dev job cannot act as prd); an optional read-only previewer for
 * `pulumi preview` of pull requests, behind a GitHub environment of its own (prd's has reviewers).
 * The stack's secrets key is bound per key, no service account key exists.
 */
export class GithubOidc extends pulumi.ComponentResource {
    readonly pool: gcp.iam.WorkloadIdentityPool;
    readonly provider: gcp.iam.WorkloadIdentityPoolProvider;
    /** Full provider resource name, the `workload_identity_provider` of google-github-actions/auth. */
    readonly providerName: pulumi.Output<string>;
    /** Deployer service account per environment name. */
    readonly deployers: Record<string, gcp.serviceaccount.Account>;
    readonly previewer?: gcp.serviceaccount.Account;
    /** The app repositories' provider, when any app names its source repository. */
    readonly appProvider?: gcp.iam.WorkloadIdentityPoolProvider;

    constructor(name: string, args: GithubOidcArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:ci:GithubOidc", name, {}, opts);
        const child = { parent: this };
        const kept = { parent: this, protect: args.protect === true };
        const { project } = args;

        this.pool = new gcp.iam.WorkloadIdentityPool(
            `${name}-pool`,
            {
                project,
                workloadIdentityPoolId: args.poolId,
                displayName: "GitHub Actions",
                description: `Keyless CI for ${args.repository}`,
            },
            kept,
        );
        this.provider = new gcp.iam.WorkloadIdentityPoolProvider(
            `${name}-provider`,
            {
                project,
                workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
                workloadIdentityPoolProviderId: args.providerId,
                displayName: "GitHub Actions OIDC",
                attributeMapping: { ...ATTRIBUTE_MAPPING },
                // Without a condition any GitHub repository could exchange its tokens here; with
                // the environments' refs and events in it, a job of the repository outside them
                // (a pull request, another branch, another workflow) gets no token either.
                attributeCondition: platformAttributeCondition(
                    args.repositoryId,
                    args.repositoryOwnerId,
                    admittedJobs(args),
                ),
                oidc: { issuerUri: GITHUB_ISSUER },
            },
            kept,
        );
        this.providerName = this.provider.name;

        const principalSet = (attribute: string, value: string) =>
            pulumi.interpolate`principalSet://iam.googleapis.com/${this.pool.name}/attribute.${attribute}/${value}`;

        const account = (
            role: string,
            accountId: string,
            display: string,
            roles: readonly string[],
            member: pulumi.Output<string>,
            key: { readonly id: string; readonly role: string },
        ) => {
            const sa = new gcp.serviceaccount.Account(
                `${name}-${role}`,
                {
                    project,
                    accountId,
                    displayName: display,
                    description: `Impersonated by ${args.repository} through ${args.poolId}; has no key`,
                },
                child,
            );
            const saMember = pulumi.interpolate`serviceAccount:${sa.email}`;
            for (const r of roles) {
                const condition =
                    r === PROJECT_IAM_ADMIN
                        ? {
                              title: "grants the program's roles only",
                              description: "No other role, its own and owner included (docs/security.md)",
                              expression: grantCondition(args.grantableRoles),
                          }
                        : undefined;
                new gcp.projects.IAMMember(
                    `${name}-${role}-${roleSlug(r)}`,
                    { project, role: r, member: saMember, ...(condition ? { condition } : {}) },
                    child,
                );
            }
            // The stack's secrets: on its own key, never project-wide (that would reach every key).
            new gcp.kms.CryptoKeyIAMMember(
                `${name}-${role}-secrets-key`,
                { cryptoKeyId: key.id, role: key.role, member: saMember },
                child,
            );
            new gcp.serviceaccount.IAMMember(
                `${name}-${role}-wif`,
                { serviceAccountId: sa.name, role: "roles/iam.workloadIdentityUser", member },
                child,
            );
            return sa;
        };

        this.deployers = {};
        for (const env of args.environments) {
            this.deployers[env.name] = account(
                `${env.name}-deployer`,
                `ci-${env.name}-deployer`,
                `CI deployer (${env.name})`,
                env.roles,
                principalSet("environment", env.name),
                { id: env.secretsKey ?? args.secretsKey, role: "roles/cloudkms.cryptoKeyEncrypterDecrypter" },
            );
        }
        if (args.previewerRoles) {
            this.previewer = account(
                "previewer",
                "ci-previewer",
                "CI previewer (read-only)",
                args.previewerRoles,
                principalSet("environment", previewerEnvironment(args)),
                { id: args.secretsKey, role: "roles/cloudkms.cryptoKeyDecrypter" },
            );
        }

        // The previewer decrypts the stack's secrets for code of any pull request: its environment's
        // reviewers are the gate (prd must have them, config/schema.ts), declared here rather than
        // left to someone's clicks so a change of them shows in a preview diff.
        if (this.previewer && args.previewerReviewers) {
            if (args.githubToken === undefined) {
                throw new Error(`${name}: previewerReviewers needs githubToken to create the GitHub environment`);
            }
            const [owner, repositoryName] = args.repository.split("/") as [string, string];
            const provider = new github.Provider(
                `${name}-github`,
                { token: pulumi.secret(args.githubToken), owner },
                { parent: this },
            );
            new github.RepositoryEnvironment(
                `${name}-previewer-environment`,
                previewerEnvironmentArgs(repositoryName, previewerEnvironment(args), args.previewerReviewers),
                { parent: this, provider },
            );
        }

        // App repositories get a provider of their own in the same pool. It maps no `repository`
        // and no `environment`, so their tokens can never match the deployers' or the previewer's
        // principal sets; it admits only the listed repository ids, and only from main or a tag.
        const apps = args.apps ?? [];
        if (apps.length > 0) {
            this.appProvider = new gcp.iam.WorkloadIdentityPoolProvider(
                `${name}-apps-provider`,
                {
                    project,
                    workloadIdentityPoolId: this.pool.workloadIdentityPoolId,
                    workloadIdentityPoolProviderId: args.appProviderId ?? "github-apps",
                    displayName: "GitHub Actions OIDC (apps)",
                    description: `Image pushes of ${apps.map((a) => a.repository).join(", ")}`.slice(0, 256),
                    attributeMapping: { ...APP_ATTRIBUTE_MAPPING },
                    attributeCondition: appAttributeCondition(apps.map((a) => a.repositoryId)),
                    oidc: { issuerUri: GITHUB_ISSUER },
                },
                child,
            );
            for (const grant of apps) {
                new gcp.artifactregistry.RepositoryIamMember(
                    `${name}-push-${grant.app}`,
                    {
                        project: grant.registry.project,
                        location: grant.registry.location,
                        repository: grant.registry.repositoryId,
                        role: "roles/artifactregistry.writer",
                        member: principalSet("repository_id", String(grant.repositoryId)),
                        condition: {
                            title: `${grant.app} images only`,
                            description: `${grant.repository} pushes ${grant.packages.join(", ")}`,
                            expression: packageCondition(grant),
                        },
                    },
                    { ...child, dependsOn: [this.appProvider, ...(args.registryDependsOn ?? [])] },
                );
            }
        }

        this.registerOutputs({
            providerName: this.providerName,
            deployers: Object.fromEntries(Object.entries(this.deployers).map(([k, sa]) => [k, sa.email])),
            previewer: this.previewer?.email,
        });
    }
}
