import { z } from "zod";
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
        /** Environment name: the GitHub environment the deploy job uses, e.g. dev or prd. */
        name: dnsLabel(12),
        /** Roles of its deployer service account. @default DEFAULT_DEPLOYER_ROLES */
        roles: z.array(role).min(1).max(40).default(DEFAULT_DEPLOYER_ROLES),
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
        /** Create the pool, provider and service accounts. @default false */
        enabled: z.boolean().default(false),
        /** The GitHub repository allowed to authenticate, `owner/name`. Required when enabled. */
        repository: z
            .string()
            .regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/, {
                message: "is not a GitHub repository (owner/name)",
            })
            .optional(),
        /** Workload Identity pool ID. @default github */
        poolId: z
            .string()
            .regex(/^[a-z][a-z0-9-]{3,30}[a-z0-9]$/, {
                message: "is not a pool ID (4-32 lower-case letters, digits, '-')",
            })
            .default("github"),
        /** Provider ID inside the pool. @default github-actions */
        providerId: z
            .string()
            .regex(/^[a-z][a-z0-9-]{3,30}[a-z0-9]$/, {
                message: "is not a provider ID (4-32 lower-case letters, digits, '-')",
            })
            .default("github-actions"),
        /** The deployer service accounts, one per environment. @default one for the stack's environment */
        environments: z.array(environmentSchema).max(10).optional(),
        /** Also create a read-only previewer account for pull requests of the repository. @default true */
        previewer: z.boolean().default(true),
        /** Roles of the previewer. @default DEFAULT_PREVIEWER_ROLES */
        previewerRoles: z.array(role).min(1).max(40).default(DEFAULT_PREVIEWER_ROLES),
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
        const seen = new Map<string, number>();
        (c.environments ?? []).forEach((env, i) => {
            const first = seen.get(env.name);
            if (first !== undefined) {
                ctx.addIssue({
                    code: "custom",
                    path: ["environments", i, "name"],
                    input: env.name,
                    message: `repeats environments[${first}].name; one deployer per environment`,
                });
            }
            seen.set(env.name, i);
        });
    });

export type CiConfig = z.output<typeof ciSchema>;
