import { z } from "zod";
import { ipv4ToInt, parseCidr } from "../components/ipv4";

// The address arithmetic lives in components/ (layers compute addresses too, and never import config/).
export { ipv4ToInt, overlaps, parseCidr, type Cidr } from "../components/ipv4";

/** RFC 1123 label: what Kubernetes names and DNS labels must be. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A lower-case DNS label of at most `max` characters (63 is the DNS and Kubernetes limit). */
export function dnsLabel(max = 63) {
    return z
        .string()
        .max(max)
        .regex(DNS_LABEL, { message: "is not a DNS label (lower-case letters, digits and '-', not at either end)" });
}

/** A fully qualified domain name without the trailing dot, e.g. `example.org`. */
export const domainName = z
    .string()
    .max(253)
    .refine((v) => v.split(".").length >= 2 && v.split(".").every((l) => l.length <= 63 && DNS_LABEL.test(l)), {
        message: "is not a domain name (lower-case labels separated by dots, e.g. example.org)",
    });

export const ipv4 = z.string().refine((v) => ipv4ToInt(v) !== undefined, { message: "is not an IPv4 address" });

/** An IPv4 CIDR block, optionally with a prefix range such as `/14../20`. */
export function cidr(minPrefix = 0, maxPrefix = 32) {
    return z.string().superRefine((v, ctx) => {
        const c = parseCidr(v);
        if (!c) {
            ctx.addIssue({
                code: "custom",
                input: v,
                message: "is not an IPv4 CIDR block with its host bits zero (e.g. 10.0.0.0/20)",
            });
        } else if (c.prefix < minPrefix || c.prefix > maxPrefix) {
            ctx.addIssue({
                code: "custom",
                input: v,
                message: `has prefix /${c.prefix}; allowed is /${minPrefix} to /${maxPrefix}`,
            });
        }
    });
}
