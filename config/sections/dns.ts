import { z } from "zod";
import { domainName } from "../validators";

/** The public DNS zone every host of the stack lives under. */
export const dnsSchema = z
    .object({
        /** The stack's domain; every route's host must be it or under it. */
        domain: domainName,
        /** Sign the zone with DNSSEC (add the DS record at the registrar). @default true */
        dnssec: z.boolean().default(true),
        /** TTL of the records the platform writes, in seconds. @default 300 */
        ttl: z.number().int().min(30).max(86400).default(300),
    })
    .strict();

export type DnsConfig = z.output<typeof dnsSchema>;
