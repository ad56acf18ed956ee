import { rendered } from "../rendered";
import { stackConfig } from "../stack-files";

/** RFC 1918 private and RFC 6598 shared address space, as [first, last] numbers. */
const PRIVATE: [string, number, number][] = [
    ["10.0.0.0/8", 10 << 24, (10 << 24) + 2 ** 24 - 1],
    ["172.16.0.0/12", 172 * 2 ** 24 + 16 * 2 ** 16, 172 * 2 ** 24 + 32 * 2 ** 16 - 1],
    ["192.168.0.0/16", 192 * 2 ** 24 + 168 * 2 ** 16, 192 * 2 ** 24 + 169 * 2 ** 16 - 1],
    ["100.64.0.0/10", 100 * 2 ** 24 + 64 * 2 ** 16, 100 * 2 ** 24 + 128 * 2 ** 16 - 1],
];

function privateRangeOf(ip: string): string | undefined {
    const n = ip.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
    return PRIVATE.find(([, lo, hi]) => n >= lo && n <= hi)?.[0];
}

describe.each(["dev", "prd"] as const)("render %s: DNS zones", (stack) => {
    it("the public zone holds no private (RFC 1918 / RFC 6598) address", async () => {
        const r = await rendered(stack);
        const zones = new Map(
            r.resources
                .filter((x) => x.type === "gcp:dns/managedZone:ManagedZone")
                .map((z) => [z.inputs.name as string, z.inputs.visibility as string]),
        );
        expect([...zones.values()]).toContain("public");
        const leaks = r.resources
            .filter((x) => x.type === "gcp:dns/recordSet:RecordSet")
            .filter((x) => zones.get(x.inputs.managedZone as string) === "public")
            .flatMap((x) =>
                (x.inputs.rrdatas as string[])
                    .filter((ip) => privateRangeOf(ip) !== undefined)
                    .map((ip) => `${String(x.inputs.name)} -> ${ip} (${privateRangeOf(ip)})`),
            );
        expect(leaks).toEqual([]);
    });

    it("every on-prem host with dns: true resolves inside the VPC, from a private zone bound to it", async () => {
        const r = await rendered(stack);
        const hosts = (stackConfig(stack)["platform:onprem"] as { hosts: Record<string, { dns?: boolean }> }).hosts;
        const named = Object.entries(hosts)
            .filter(([, h]) => h.dns === true)
            .map(([n]) => n);
        expect(named.length).toBeGreaterThan(0);
        const vpc = r.resources.find((x) => x.type === "gcp:compute/network:Network")!;
        const domain = (stackConfig(stack)["platform:dns"] as { domain: string }).domain;
        for (const host of named) {
            const record = r.resources.find(
                (x) => x.type === "gcp:dns/recordSet:RecordSet" && x.inputs.name === `${host}.onprem.${domain}.`,
            );
            expect(record).toBeDefined();
            const zone = r.resources.find(
                (x) => x.type === "gcp:dns/managedZone:ManagedZone" && x.inputs.name === record!.inputs.managedZone,
            )!;
            expect(zone.inputs.visibility).toBe("private");
            expect(zone.dependsOn).toContain(vpc.urn);
            expect((zone.inputs.privateVisibilityConfig as any).networks).toHaveLength(1);
        }
    });
});
