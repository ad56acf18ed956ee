import { z } from "zod";

/** `platform:monitoring`: filled in by the monitoring layer. */
export const monitoringSchema = z.object({}).strict();

export type MonitoringConfig = z.output<typeof monitoringSchema>;
