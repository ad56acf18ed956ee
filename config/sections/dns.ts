import { z } from "zod";
import { domainName } from "../validators";

/** The public DNS zone every host of the stack lives under. */
export const dnsSchema = z
    .object({
        domain: domainName.meta({
            description: "The stack's domain, e.g. `example.org`; every host it publishes is it or under it.",
        }),
        dnssec: z
            .boolean()
            .default(true)
            .meta({ description: "Sign the zone with DNSSEC (add the DS record at the registrar)." }),
        ttl: z
            .number()
            .int()
            .min(30)
            .max(86400)
            .default(300)
            .meta({ description: "TTL of the records the platform writes, in seconds." }),
    })
    .strict();

export type DnsConfig = z.output<typeof dnsSchema>;
