import { z } from "zod";

/** `platform:gitops`: filled in by the gitops layer. */
export const gitopsSchema = z.object({}).strict();

export type GitopsConfig = z.output<typeof gitopsSchema>;
