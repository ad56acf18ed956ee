import { z } from "zod";

/** The Artifact Registry Docker repository the apps' images are pushed to. */
export const registrySchema = z
    .object({
        name: z
            .string()
            .regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
                message: "is not a repository ID (lower-case letters, digits, '-')",
            })
            .default("apps")
            .meta({ description: "Artifact Registry repository ID." }),
        untaggedRetentionDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .default(30)
            .meta({ description: "Untagged images older than this many days are deleted." }),
        keepRecent: z
            .number()
            .int()
            .min(1)
            .max(1000)
            .default(20)
            .meta({ description: "Versions kept per image regardless of age." }),
    })
    .strict();

export type RegistryConfig = z.output<typeof registrySchema>;
