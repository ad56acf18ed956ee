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
    "roles/resourcemanager.projectIamAdmin",
    "roles/cloudkms.cryptoKeyEncrypterDecrypter",
    // Grafana's Cloud SQL instance, its database and user (the VPC peering is compute.networkAdmin's).
    "roles/cloudsql.admin",
];

/** Read-only roles for `pulumi preview` from pull requests of this repository. */
export const DEFAULT_PREVIEWER_ROLES = [
    "roles/viewer",
    "roles/iam.securityReviewer",
    "roles/cloudkms.cryptoKeyDecrypter",
];

const role = z
    .string()
    .regex(/^(roles|projects\/[a-z][a-z0-9-]+\/roles|organizations\/[0-9]+\/roles)\/[A-Za-z0-9_.]+$/, {
        message: "is not an IAM role (e.g. roles/container.admin)",
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
            .meta({ description: "The only GitHub repository trusted, `owner/name`; required when `enabled`." }),
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
    });

export type CiConfig = z.output<typeof ciSchema>;
