import { z } from "zod";
import type { SecretKey } from "../secrets";

/** A Flux duration such as `30s`, `5m` or `1h30m` (the pattern Flux's CRDs accept). */
export const fluxDuration = z
    .string()
    .regex(/^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/, { message: "is not a duration (e.g. 30s, 5m, 1h30m)" });

/** `ssh://git@github.com/<owner>/<repo>`: the one URL form Flux's SSH transport and GitHub deploy keys share. */
export const GITHUB_SSH_URL =
    /^ssh:\/\/git@github\.com\/([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100}?)(?:\.git)?$/;

/** Owner and repository name of a GitHub SSH URL; undefined when the URL is not one. */
export function githubRepo(url: string): { readonly owner: string; readonly name: string } | undefined {
    const m = GITHUB_SSH_URL.exec(url);
    return m ? { owner: m[1]!, name: m[2]! } : undefined;
}

/** A git branch name: no spaces, `..`, `~^:?*[\`, leading `-` or `/`, trailing `/` or `.lock`. */
const branchName = z
    .string()
    .min(1)
    .max(200)
    .refine(
        (b) =>
            /^[A-Za-z0-9._/-]+$/.test(b) &&
            !b.includes("..") &&
            !b.includes("//") &&
            !/^[-/.]/.test(b) &&
            !/(\/|\.lock|\.)$/.test(b),
        { message: "is not a git branch name (letters, digits, '.', '_', '-', '/'; no '..')" },
    );

const repositorySchema = z
    .object({
        url: z
            .string()
            .refine((u) => githubRepo(u) !== undefined, {
                message: "is not a GitHub SSH URL of the form ssh://git@github.com/<owner>/<repo>",
            })
            .meta({
                description:
                    "`ssh://git@github.com/<owner>/<repo>`. Flux's SSH transport needs this form; the scp form `git@github.com:owner/repo` is rejected.",
            }),
        branch: branchName.default("main").meta({ description: "The branch Flux reads and image updates start from." }),
    })
    .strict();

const notificationsSchema = z
    .object({
        type: z
            .enum(["slack", "discord"])
            .meta({ description: "Where Flux posts events; the webhook URL is the `gitopsWebhookUrl` secret." }),
        channel: z.string().min(1).max(80).optional().meta({
            description:
                "Slack channel. Not allowed for Discord, whose webhooks post to their own channel. Unset: the webhook's channel.",
        }),
        severity: z
            .enum(["info", "error"])
            .default("info")
            .meta({ description: "`info`: deploys, image updates and failures. `error`: failures only." }),
    })
    .strict()
    .superRefine((n, ctx) => {
        if (n.type === "discord" && n.channel !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["channel"],
                input: n.channel,
                message: "only applies to slack; a Discord webhook posts to the channel it was created in",
            });
        }
    });

/** `platform:gitops`: Flux, the platform repository it syncs, image automation and notifications. */
export const gitopsSchema = z
    .object({
        enabled: z.boolean().default(false).meta({ description: "Installs the whole layer; needs `repository`." }),
        repository: repositorySchema.optional().meta({
            description: "The platform repository Flux reads and image automation pushes to; required when `enabled`.",
        }),
        interval: fluxDuration.default("5m").meta({
            description: "How often the repository is fetched and `clusters/<env>/` is re-applied (Flux duration).",
        }),
        imageScanInterval: fluxDuration
            .default("5m")
            .meta({ description: "How often each app image repository's tags are listed." }),
        registerDeployKey: z.boolean().default(false).meta({
            description:
                "Registers the deploy key on GitHub with write access (needs the `gitopsGithubToken` secret). When off, add the `gitopsDeployKey` output by hand.",
        }),
        ghcrUsername: z
            .string()
            .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "is not a GitHub user name" })
            .optional()
            .meta({
                description:
                    "ghcr.io user for private images' tags (needs the `gitopsGhcrToken` secret). Unset: ghcr.io images are read anonymously.",
            }),
        notifications: notificationsSchema.optional().meta({
            description:
                "Flux events to Slack or Discord (needs the `gitopsWebhookUrl` secret). Unset: no Provider or Alert.",
        }),
        metricsNamespace: z
            .string()
            .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "is not a namespace name" })
            .max(63)
            .optional()
            .meta({
                description:
                    "The only namespace allowed to scrape the controllers' metrics on port 8080. Unset: the monitoring layer's namespace (none when monitoring is off).",
            }),
    })
    .strict()
    .superRefine((g, ctx) => {
        if (g.enabled && !g.repository) {
            ctx.addIssue({
                code: "custom",
                path: ["repository"],
                input: g.repository,
                message:
                    "is required when gitops.enabled is true (set url: ssh://git@github.com/<owner>/<repo>, or enabled: false)",
            });
        }
    });

export type GitopsConfig = z.output<typeof gitopsSchema>;

/** The stack secrets a gitops section calls for, with the reason (config/required-secrets.ts lists them). */
export function gitopsSecretNeeds(g: GitopsConfig): { readonly key: SecretKey; readonly because: string }[] {
    if (!g.enabled) return [];
    const needs: { key: SecretKey; because: string }[] = [];
    if (g.registerDeployKey) needs.push({ key: "gitopsGithubToken", because: "gitops.registerDeployKey is true" });
    if (g.notifications)
        needs.push({ key: "gitopsWebhookUrl", because: `gitops.notifications.type is ${g.notifications.type}` });
    if (g.ghcrUsername) needs.push({ key: "gitopsGhcrToken", because: "gitops.ghcrUsername is set" });
    return needs;
}
