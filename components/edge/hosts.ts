/** A host some part of the stack wants to publish, and who wants it (for error messages). */
export interface HostClaim {
    readonly host: string;
    /** What publishes it, e.g. `app vote` or `monitoring grafana`. */
    readonly owner: string;
}

/**
 * Why `host` cannot be published under `domain`, or undefined when it can. The wildcard certificate
 * covers the domain and one label under it, so deeper names are refused too.
 */
export function hostProblem(host: string, domain: string): string | undefined {
    if (host !== domain && !host.endsWith(`.${domain}`)) {
        return `is outside the stack's domain ${domain}; use ${domain} or <name>.${domain}`;
    }
    const prefix = host === domain ? "" : host.slice(0, -(domain.length + 1));
    if (prefix.includes(".")) {
        return `is more than one label under ${domain}; the wildcard certificate covers only ${domain} and <name>.${domain}`;
    }
    if (prefix !== "" && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(prefix)) {
        return `is not a valid host name under ${domain} (lower-case letters, digits and '-')`;
    }
    return undefined;
}

/**
 * Every problem with a set of claimed hosts: a host outside the domain (or too deep for the
 * certificate), or one host claimed twice, naming the owners. Pure, for config validation.
 */
export function checkHosts(hosts: readonly HostClaim[], domain: string): string[] {
    const problems: string[] = [];
    const owners = new Map<string, string>();
    for (const { host, owner } of hosts) {
        const problem = hostProblem(host, domain);
        if (problem) problems.push(`host ${host} (${owner}) ${problem}`);
        const first = owners.get(host);
        if (first !== undefined) {
            problems.push(`host ${host} is claimed by both ${first} and ${owner}; a host can be published once`);
        } else {
            owners.set(host, owner);
        }
    }
    return problems;
}

/** The hosts the edge itself publishes. */
export function authHost(domain: string): string {
    return `auth.${domain}`;
}
