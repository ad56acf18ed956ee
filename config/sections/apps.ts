import { z } from "zod";

/** `platform:apps`: filled in by the apps layer. */
export const appsSchema = z.object({}).strict();

export type AppsConfig = z.output<typeof appsSchema>;
