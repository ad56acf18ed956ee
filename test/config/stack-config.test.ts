import { ConfigError } from "../../config/errors";
import { renderStack } from "../../render/render";
import { StackFileError } from "../../render/stack-file";
import { rendered } from "../rendered";
import { devWith, writeStackFile } from "../stack-files";

/** Renders a malformed stack file and returns the error it fails with. */
async function failure(content: Record<string, unknown> | string): Promise<Error> {
    const result = renderStack({ stack: "dev", stackFile: writeStackFile(content) });
    await expect(result).rejects.toBeInstanceOf(Error);
    return result.catch((e: Error) => e) as Promise<Error>;
}

const CLUSTER = "platform:cluster";

const cases: [string, Record<string, unknown>, RegExp][] = [
    [
        "maxCount below minCount",
        devWith((c) => Object.assign(c[CLUSTER].nodePools[0], { minCount: 2, maxCount: 1 })),
        /cluster\.nodePools\[0\]\.maxCount: 1 is below minCount 2/,
    ],
    [
        "a regional pool whose minimum the zones cannot share evenly (it would start three times larger)",
        devWith((c) => {
            delete c[CLUSTER].location;
            Object.assign(c[CLUSTER].nodePools[0], { minCount: 1, maxCount: 3 });
        }),
        /cluster\.nodePools\[0\]\.minCount: 1 is not a multiple of the 3 zones of a regional cluster: .* would start with 3/,
    ],
    [
        "a pool zone outside the cluster's region",
        devWith((c) => (c[CLUSTER].nodePools[0].zones = ["us-central1-a"])),
        /cluster\.nodePools\[0\]\.zones: \["us-central1-a"\] names us-central1-a, outside the cluster's region asia-northeast1/,
    ],
    [
        "a negative minCount",
        devWith((c) => (c[CLUSTER].nodePools[0].minCount = -1)),
        /cluster\.nodePools\[0\]\.minCount: -1 is below the minimum 0/,
    ],
    [
        "a string where a number belongs",
        devWith((c) => (c[CLUSTER].nodePools[0].maxCount = "three")),
        /cluster\.nodePools\[0\]\.maxCount: "three" is not a number/,
    ],
    [
        "an unknown key in a node pool",
        devWith((c) => (c[CLUSTER].nodePools[0].machinetype = "e2-medium")),
        /cluster\.nodePools\[0\]\.machinetype: unknown key \(allowed: name, machineType/,
    ],
    [
        "an unknown top-level platform key",
        devWith((c) => (c["platform:clustr"] = { mode: "gke" })),
        /clustr: unknown key \(allowed: environment, gcp, bootstrap, cluster/,
    ],
    [
        "an environment that is neither dev nor prd",
        devWith((c) => (c["platform:environment"] = "staging")),
        /environment: "staging" is not one of "dev", "prd"/,
    ],
    [
        "a release channel that does not exist",
        devWith((c) => (c[CLUSTER].releaseChannel = "FAST")),
        /cluster\.releaseChannel: "FAST" is not one of "RAPID", "REGULAR", "STABLE"/,
    ],
    [
        "a CIDR with host bits set",
        devWith((c) => (c["platform:network"].subnetCidr = "10.10.0.1/20")),
        /network\.subnetCidr: "10\.10\.0\.1\/20" is not an IPv4 CIDR block/,
    ],
    [
        "overlapping pod and service ranges",
        devWith((c) => (c["platform:network"].servicesCidr = "10.21.0.0/20")),
        /network\.servicesCidr: "10\.21\.0\.0\/20" overlaps network\.podsCidr 10\.20\.0\.0\/14/,
    ],
    [
        "the whole internet as an authorized network",
        devWith((c) => (c[CLUSTER].authorizedNetworks = [{ name: "all", cidr: "0.0.0.0/0" }])),
        /cluster\.authorizedNetworks\[0\]\.cidr: "0\.0\.0\.0\/0" opens the control plane to the whole internet/,
    ],
    [
        "a domain with an upper-case label and no dot",
        devWith((c) => (c["platform:dns"].domain = "Example")),
        /dns\.domain: "Example" is not a domain name/,
    ],
    [
        "a missing domain",
        devWith((c) => delete c["platform:dns"].domain),
        /dns\.domain: is required \(expected string\)/,
    ],
    [
        "no node pools on gke",
        devWith((c) => (c[CLUSTER].nodePools = [])),
        /cluster\.nodePools: \[\] must list at least one node pool when mode is gke/,
    ],
    [
        "two pools with one name",
        devWith((c) => c[CLUSTER].nodePools.push({ ...c[CLUSTER].nodePools[0] })),
        /cluster\.nodePools\[1\]\.name: "general" repeats cluster\.nodePools\[0\]\.name$/m,
    ],
    [
        "an authorized network listed twice",
        devWith((c) => c[CLUSTER].authorizedNetworks.push({ name: "club-room-2", cidr: "203.0.113.0/28" })),
        /cluster\.authorizedNetworks\[1\]\.cidr: "203\.0\.113\.0\/28" repeats cluster\.authorizedNetworks\[0\]\.cidr$/m,
    ],
    [
        "a Grafana organisation listed twice (GitHub logins ignore case)",
        devWith((c) => c["platform:monitoring"].grafana.organizations.push("Example-Club")),
        /monitoring\.grafana\.organizations\[1\]: "Example-Club" repeats monitoring\.grafana\.organizations\[0\]$/m,
    ],
    [
        "a pool name over the 40-character limit",
        devWith((c) => (c[CLUSTER].nodePools[0].name = "a".repeat(41))),
        /cluster\.nodePools\[0\]\.name: "a{41}" is longer than 40 characters/,
    ],
    [
        "existing mode without a context",
        devWith((c) => (c[CLUSTER] = { mode: "existing" })),
        /cluster\.context: \(missing\) is required when mode is existing/,
    ],
    [
        "gke mode without a project",
        devWith((c) => delete c["gcp:project"]),
        /gcp\.project: \(missing\) is required when cluster\.mode is gke/,
    ],
    [
        "a maintenance time that is not HH:MM",
        devWith((c) => (c[CLUSTER].maintenanceStart = "25:00")),
        /cluster\.maintenanceStart: "25:00" is not a time HH:MM/,
    ],
];

describe("stack config validation", () => {
    it.each(cases)("rejects %s, naming the key and the value", async (_what, config, message) => {
        const error = await failure(config);
        expect(error).toBeInstanceOf(ConfigError);
        expect(error.message).toMatch(message);
    });

    it("reports every problem at once, not only the first", async () => {
        const error = await failure(
            devWith((c) => {
                c[CLUSTER].releaseChannel = "FAST";
                c["platform:dns"].ttl = 5;
            }),
        );
        expect((error as ConfigError).problems).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^cluster\.releaseChannel/),
                expect.stringMatching(/^dns\.ttl: 5 is below the minimum 30/),
            ]),
        );
    });

    it("rejects a stack file that is not a mapping", async () => {
        const error = await failure("- just\n- a list\n");
        expect(error).toBeInstanceOf(StackFileError);
        expect(error.message).toMatch(/is not a mapping/);
    });

    it("rejects a config section that is not a mapping", async () => {
        const error = await failure("config: [1, 2]\n");
        expect(error.message).toMatch(/config: is not a mapping/);
    });

    it("rejects YAML that does not parse", async () => {
        const error = await failure("config:\n  platform:dns: {domain: [\n");
        expect(error.message).toMatch(/is not valid YAML/);
    });

    it("accepts the committed dev and prd files and fills documented defaults", async () => {
        const dev = await rendered("dev");
        const pool = dev.resources.find((r) => r.type === "gcp:container/nodePool:NodePool")!;
        expect((pool.inputs.nodeConfig as Record<string, unknown>).diskType).toBe("pd-balanced");
        const cluster = dev.resources.find((r) => r.type === "gcp:container/cluster:Cluster")!;
        expect(cluster.inputs.masterAuthorizedNetworksConfig).toBeDefined();
        expect((cluster.inputs.releaseChannel as { channel: string }).channel).toBe("REGULAR");
    });
});
