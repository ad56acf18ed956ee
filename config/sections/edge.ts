import { z } from "zod";

/** `platform:edge`: filled in by the edge layer. */
export const edgeSchema = z.object({}).strict();

export type EdgeConfig = z.output<typeof edgeSchema>;
