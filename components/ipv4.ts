// IPv4 addresses and CIDR blocks as numbers: shared by the config schema (config/validators.ts)
// and the layers that compute addresses (components/onprem/sites.ts).

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
