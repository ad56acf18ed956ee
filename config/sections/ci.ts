import { z } from "zod";
import { uniqueList } from "../unique";
import { dnsLabel } from "../validators";

/** Roles the deployer of an environment needs to run `pulumi up` for this program. */
export const DEFAULT_DEPLOYER_ROLES = [
    "roles/compute.networkAdmin",
    "roles/compute.securityAdmin",
    "roles/compute.publicIpAdmin",
    "roles/container.admin",
    "roles/dns.admin",
    "roles/artifactregistry.admin",
    "roles/storage.admin",
    "roles/iam.serviceAccountAdmin",
    "roles/iam.serviceAccountUser",
    "roles/iam.workloadIdentityPoolAdmin",
    // Granted with an IAM condition naming the only roles it may grant (GithubOidc, grantableRoles).
    "roles/resourcemanager.projectIamAdmin",
    // The GKE Secrets key (its key ring, key and the GKE agent's grant); no encrypt or decrypt: the
    // stack's own secrets key is bound per key (ci.secretsKey), never for the whole project.
    "roles/cloudkms.admin",
    // Grafana's Cloud SQL instance, its database and user (the VPC peering is compute.networkAdmin's).
    "roles/cloudsql.admin",
];

/** Read-only roles for `pulumi preview` from pull requests of this repository. */
export const DEFAULT_PREVIEWER_ROLES = ["roles/viewer", "roles/iam.securityReviewer"];

/**
 * Project-wide grants of these would reach every key in the project, other stacks' included: the
 * stack's secrets key is bound on the key itself (`ci.secretsKey`).
 */
export const PROJECT_WIDE_KMS_ROLE = /^roles\/cloudkms\.(cryptoKey|cryptoOperator)/;

/** GitHub events a job may run on: the ones the platform's workflows use. */
export const GITHUB_EVENTS = ["push", "pull_request", "delete", "schedule", "workflow_dispatch"] as const;

const role = z
    .string()
    .regex(/^(roles|projects\/[a-z][a-z0-9-]+\/roles|organizations\/[0-9]+\/roles)\/[A-Za-z0-9_.]+$/, {
        message: "is not an IAM role (e.g. roles/container.admin)",
    });

/** A Cloud KMS key's resource name, as a `gcpkms://` secrets provider names it. */
const cryptoKey = z
    .string()
    .regex(
        /^projects\/[a-z][a-z0-9-]{4,28}[a-z0-9]\/locations\/[a-z0-9-]+\/keyRings\/[A-Za-z0-9_-]{1,63}\/cryptoKeys\/[A-Za-z0-9_-]{1,63}$/,
        {
            message: "is not a Cloud KMS key (projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>)",
        },
    );

/**
 * A GitHub numeric id (repository, owner, user or team): ids survive renames and transfers, names
 * do not. The error says what was given and the minimum.
 */
const githubId = z.number().int().min(1);

/** GitHub takes at most six required reviewers per environment, users and teams together. */
export const MAX_ENVIRONMENT_REVIEWERS = 6;

/** Who must approve a job of the previewer's environment before it runs (and decrypts the stack's secrets). */
const reviewersSchema = z
    .object({
        users: uniqueList(githubId)
            .default([])
            .meta({ description: "GitHub user ids (`gh api users/<login> --jq .id`)." }),
        teams: uniqueList(githubId)
            .default([])
            .meta({ description: "GitHub team ids (`gh api orgs/<org>/teams/<slug> --jq .id`)." }),
    })
    .strict()
    .superRefine((r, ctx) => {
        const total = r.users.length + r.teams.length;
        if (total === 0) {
            ctx.addIssue({
                code: "custom",
                path: [],
                input: r,
                message: "lists no reviewer; give at least one user or team id in users or teams",
            });
        }
        if (total > MAX_ENVIRONMENT_REVIEWERS) {
            ctx.addIssue({
                code: "custom",
                path: [],
                input: r,
                message: `lists ${total} reviewers (users and teams together); GitHub takes at most ${MAX_ENVIRONMENT_REVIEWERS}: name a team instead of its members`,
            });
        }
    });

const environmentSchema = z
    .object({
        name: dnsLabel(12).meta({
            description:
                "The GitHub environment whose deploy jobs may impersonate this deployer (`ci-<name>-deployer`), e.g. `dev` or `prd`.",
        }),
        roles: uniqueList(role)
            .min(1)
            .max(40)
            .default(DEFAULT_DEPLOYER_ROLES)
            .meta({ description: "Project roles of that deployer: what `pulumi up` of this program touches." }),
        ref: z
            .string()
            .regex(/^(refs\/heads\/[A-Za-z0-9._\/-]+|\*)$/, {
                message: "is not a branch ref (refs/heads/<branch>) or * (any ref)",
            })
            .default("refs/heads/main")
            .meta({
                description:
                    "The only git ref whose jobs may act as this deployer; `*` for any (the previews deployer, which reaches the dev cluster only).",
            }),
        events: uniqueList(z.enum(GITHUB_EVENTS))
            .min(1)
            .default(["push"])
            .meta({ description: "The GitHub events whose jobs may act as this deployer." }),
        secretsKey: cryptoKey.optional().meta({
            description:
                "The KMS key this deployer may encrypt and decrypt with, when it is not `ci.secretsKey` (a bootstrap project holding several environments' deployers).",
        }),
    })
    .strict();

/**
 * `platform:ci`: keyless CI. When enabled, the stack creates a Workload Identity Federation pool
 * and an OIDC provider that trusts GitHub Actions tokens of one repository only, one deployer
 * service account per environment (impersonable only by jobs running in that GitHub environment),
 * and optionally a read-only previewer. No service account key is ever created.
 */
export const ciSchema = z
    .object({
        enabled: z.boolean().default(false).meta({
            description: "Create the pool, provider and service accounts; needs `gcp:project`.",
        }),
        repository: z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, {
                message: "is not a GitHub repository (owner/name)",
            })
            .optional()
            .meta({
                description:
                    "The GitHub repository, `owner/name`, for descriptions; the provider trusts `repositoryId` and `repositoryOwnerId`. Required when `enabled`.",
            }),
        repositoryId: githubId.optional().meta({
            description:
                "Its numeric id (`gh api repos/<owner>/<name> --jq .id`): the provider admits its tokens only. Required when `enabled`.",
        }),
        repositoryOwnerId: githubId.optional().meta({
            description:
                "Its owner's numeric id (`gh api repos/<owner>/<name> --jq .owner.id`): a transferred repository stops being trusted. Required when `enabled`.",
        }),
        secretsKey: cryptoKey.optional().meta({
            description:
                "The stack's own Cloud KMS key (its `gcpkms://` secrets provider): the deployers may encrypt and decrypt with it, the previewer decrypt, each on this key only. Required when `enabled`.",
        }),
        poolId: z
            .string()
            .regex(/^[a-z][a-z0-9-]{3,30}[a-z0-9]$/, {
                message: "is not a pool ID (4-32 lower-case letters, digits, '-')",
            })
            .default("github")
            .meta({ description: "Workload Identity pool ID." }),
        providerId: z
            .string()
            .regex(/^[a-z][a-z0-9-]{3,30}[a-z0-9]$/, {
                message: "is not a provider ID (4-32 lower-case letters, digits, '-')",
            })
            .default("github-actions")
            .meta({ description: "Provider ID in the pool." }),
        environments: uniqueList(environmentSchema, "name").max(10).optional().meta({
            description:
                "The deployers to create, one per environment; list several in a shared bootstrap project. Unset: one for the stack's `environment`, with the default roles.",
        }),
        previewer: z.boolean().default(true).meta({
            description: "Also create the read-only previewer `ci-previewer` for pull requests of the repository.",
        }),
        previewerEnvironment: dnsLabel(40).optional().meta({
            description:
                "The GitHub environment whose pull-request jobs may act as the previewer (it decrypts the stack's secrets: give prd's required reviewers). Default `<environment>-preview`.",
        }),
        previewerReviewers: reviewersSchema.optional().meta({
            description:
                "Required reviewers of the previewer's GitHub environment, which the program then creates (needs the `ciGithubToken` secret): a pull request's preview waits for one of them. Required on prd when `previewer` is true.",
        }),
        previewerRoles: uniqueList(role)
            .min(1)
            .max(40)
            .default(DEFAULT_PREVIEWER_ROLES)
            .meta({ description: "Project roles of the previewer." }),
    })
    .strict()
    .superRefine((c, ctx) => {
        if (!c.enabled) return;
        if (!c.repository) {
            ctx.addIssue({
                code: "custom",
                path: ["repository"],
                input: c.repository,
                message: "is required when enabled is true (the GitHub repository, owner/name)",
            });
        }
        const ids = [
            ["repositoryId", c.repositoryId, "the repository's numeric id: gh api repos/<owner>/<name> --jq .id"],
            [
                "repositoryOwnerId",
                c.repositoryOwnerId,
                "its owner's numeric id: gh api repos/<owner>/<name> --jq .owner.id",
            ],
            [
                "secretsKey",
                c.secretsKey,
                "the stack's Cloud KMS key, projects/<p>/locations/<l>/keyRings/<r>/cryptoKeys/<k>",
            ],
        ] as const;
        for (const [key, value, what] of ids) {
            if (value === undefined)
                ctx.addIssue({
                    code: "custom",
                    path: [key],
                    input: value,
                    message: `is required when enabled is true (${what})`,
                });
        }
        const kms = (path: (string | number)[], roles: readonly string[]) =>
            roles.forEach((r, i) => {
                if (PROJECT_WIDE_KMS_ROLE.test(r))
                    ctx.addIssue({
                        code: "custom",
                        path: [...path, i],
                        input: r,
                        message:
                            "would reach every KMS key of the project, other stacks' included; the stack's key is bound by ci.secretsKey",
                    });
            });
        kms(["previewerRoles"], c.previewerRoles);
        (c.environments ?? []).forEach((e, i) => kms(["environments", i, "roles"], e.roles));
    });

export type CiConfig = z.output<typeof ciSchema>;
