import { z } from "zod";

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

/** Parses dotted-quad IPv4; undefined when it is not one. */
export function ipv4ToInt(ip: string): number | undefined {
    const parts = ip.split(".");
    if (parts.length !== 4) return undefined;
    let n = 0;
    for (const part of parts) {
        if (!/^(0|[1-9][0-9]{0,2})$/.test(part)) return undefined;
        const v = Number(part);
        if (v > 255) return undefined;
        n = n * 256 + v;
    }
    return n;
}

export interface Cidr {
    readonly start: number;
    readonly end: number;
    readonly prefix: number;
}

/** Parses `a.b.c.d/n` with the host bits zero; undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
    const [ip, bits, ...rest] = text.split("/");
    if (rest.length > 0 || bits === undefined || !/^[0-9]{1,2}$/.test(bits)) return undefined;
    const prefix = Number(bits);
    const base = ipv4ToInt(ip ?? "");
    if (base === undefined || prefix > 32) return undefined;
    const size = 2 ** (32 - prefix);
    if (base % size !== 0) return undefined;
    return { start: base, end: base + size - 1, prefix };
}

export function overlaps(a: Cidr, b: Cidr): boolean {
    return a.start <= b.end && b.start <= a.end;
}

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
