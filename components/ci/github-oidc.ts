import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** GitHub's OIDC issuer: every Actions job can ask it for a token describing the job. */
export const GITHUB_ISSUER = "https://token.actions.githubusercontent.com";

/** Token claims copied to attributes, so IAM bindings can name them. */
export const ATTRIBUTE_MAPPING: Readonly<Record<string, string>> = {
    "google.subject": "assertion.sub",
    "attribute.repository": "assertion.repository",
    "attribute.environment": "assertion.environment",
    "attribute.ref": "assertion.ref",
    "attribute.event_name": "assertion.event_name",
};

export interface GithubOidcEnvironment {
    /** GitHub environment name (the deploy job's `environment:`), e.g. dev or prd. */
    readonly name: string;
    /** Project roles of the environment's deployer service account. */
    readonly roles: readonly string[];
}

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
    /** The only GitHub repository trusted, `owner/name`. */
    readonly repository: string;
    /** Workload Identity pool ID. */
    readonly poolId: string;
    /** Provider ID inside the pool. */
    readonly providerId: string;
    /** One deployer service account per environment. */
    readonly environments: readonly GithubOidcEnvironment[];
    /** Roles of the read-only previewer; omit for no previewer. @default no previewer */
    readonly previewerRoles?: readonly string[];
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
 * tokens of one repository only, and one deployer service account per environment that only a job
 * running in that GitHub environment may impersonate (so the dev job cannot act as prd). An optional
 * read-only previewer serves `pulumi preview` in pull requests. No service account key exists.
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
                // Without a condition any GitHub repository could exchange its tokens here.
                attributeCondition: `assertion.repository == "${args.repository}"`,
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
            for (const r of roles) {
                new gcp.projects.IAMMember(
                    `${name}-${role}-${roleSlug(r)}`,
                    { project, role: r, member: pulumi.interpolate`serviceAccount:${sa.email}` },
                    child,
                );
            }
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
            );
        }
        if (args.previewerRoles) {
            this.previewer = account(
                "previewer",
                "ci-previewer",
                "CI previewer (read-only)",
                args.previewerRoles,
                principalSet("repository", args.repository),
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
