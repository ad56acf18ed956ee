import { z } from "zod";

/** `platform:onprem`: filled in by the onprem layer. */
export const onpremSchema = z.object({}).strict();

export type OnpremConfig = z.output<typeof onpremSchema>;
