import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { Loose } from "../policy/fixtures";

type Config = Record<string, Loose>;

/** A malformed stack file and the key its error must name. */
export interface HostileCase {
    readonly name: string;
    /** What the error must mention: `key.path:` for config errors, a phrase for file errors. */
    readonly expect: string;
    /** The stack file's text. */
    readonly text: string;
}

const ROOT = path.resolve(__dirname, "../..");

/**
 * The project's own dev stack file, parsed: every case breaks one thing in it, so whatever other
 * layers add to the stack file stays valid and the error is about the planted key alone.
 */
export function baseStack(): { config: Config } {
    return parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")) as { config: Config };
}

const long = (n: number, c = "a") => c.repeat(n);

/** A case built by changing the dev stack's config. */
function mutated(name: string, expect: string, change: (c: Config) => void): HostileCase {
    const doc = baseStack();
    change(doc.config);
    return { name, expect, text: stringify(doc) };
}

const pool = (c: Config) => c["platform:cluster"].nodePools[0] as Config;

export const CASES: readonly HostileCase[] = [
    // wrong types
    mutated("environment is a number", "environment:", (c) => (c["platform:environment"] = 3)),
    mutated("cluster is a string", "cluster:", (c) => (c["platform:cluster"] = "big")),
    mutated("network is a list", "network:", (c) => (c["platform:network"] = ["10.0.0.0/8"])),
    mutated("dns is null", "dns:", (c) => (c["platform:dns"] = null)),
    mutated("minCount is text", "cluster.nodePools[0].minCount:", (c) => (pool(c).minCount = "two")),
    mutated("spot is yes-as-text", "cluster.nodePools[0].spot:", (c) => (pool(c).spot = "yes")),
    mutated(
        "deletionProtection is text",
        "cluster.deletionProtection:",
        (c) => (c["platform:cluster"].deletionProtection = "on"),
    ),
    mutated("subnetCidr is a number", "network.subnetCidr:", (c) => (c["platform:network"].subnetCidr = 10)),
    mutated("dnssec is text", "dns.dnssec:", (c) => (c["platform:dns"].dnssec = "on")),
    mutated("nodePools is a mapping", "cluster.nodePools:", (c) => (c["platform:cluster"].nodePools = { general: {} })),
    // missing required keys
    // Declared in Pulumi.yaml without a default: the CLI refuses the stack first, and so does render.
    mutated(
        "environment missing",
        "missing configuration value 'platform:environment'",
        (c) => delete c["platform:environment"],
    ),
    mutated("gcp project missing in gke mode", "gcp.project:", (c) => delete c["gcp:project"]),
    mutated("cluster missing", "cluster:", (c) => delete c["platform:cluster"]),
    mutated("dns missing", "dns:", (c) => delete c["platform:dns"]),
    mutated("dns domain missing", "dns.domain:", (c) => delete c["platform:dns"].domain),
    mutated("node pools empty in gke mode", "cluster.nodePools:", (c) => (c["platform:cluster"].nodePools = [])),
    mutated("machineType missing", "cluster.nodePools[0].machineType:", (c) => delete pool(c).machineType),
    mutated(
        "authorized network without a name",
        "cluster.authorizedNetworks[0].name:",
        (c) => delete c["platform:cluster"].authorizedNetworks[0].name,
    ),
    mutated(
        "existing mode without a context",
        "cluster.context:",
        (c) => (c["platform:cluster"] = { mode: "existing" }),
    ),
    // unknown keys
    mutated("unknown platform key", "foo: unknown key", (c) => (c["platform:foo"] = "bar")),
    mutated("unknown cluster key", "cluster.autopilot: unknown key", (c) => (c["platform:cluster"].autopilot = true)),
    mutated("unknown node pool key", "cluster.nodePools[0].gpu: unknown key", (c) => (pool(c).gpu = "nvidia-l4")),
    mutated("unknown network key", "network.vpcName: unknown key", (c) => (c["platform:network"].vpcName = "x")),
    mutated("unknown dns key", "dns.zone: unknown key", (c) => (c["platform:dns"].zone = "x")),
    mutated("unknown registry key", "registry.format: unknown key", (c) => (c["platform:registry"].format = "npm")),
    // out-of-range numbers and bad enums
    mutated("negative minCount", "cluster.nodePools[0].minCount:", (c) => (pool(c).minCount = -1)),
    mutated("maxCount above 1000", "cluster.nodePools[0].maxCount:", (c) => (pool(c).maxCount = 5000)),
    mutated("maxCount below minCount", "cluster.nodePools[0].maxCount:", (c) =>
        Object.assign(pool(c), { minCount: 3, maxCount: 2 }),
    ),
    mutated("fractional disk size", "cluster.nodePools[0].diskSizeGb:", (c) => (pool(c).diskSizeGb = 50.5)),
    mutated("tiny disk", "cluster.nodePools[0].diskSizeGb:", (c) => (pool(c).diskSizeGb = 5)),
    mutated("dns ttl too low", "dns.ttl:", (c) => (c["platform:dns"].ttl = 10)),
    mutated("dns ttl too high", "dns.ttl:", (c) => (c["platform:dns"].ttl = 100000)),
    mutated(
        "retention of zero days",
        "registry.untaggedRetentionDays:",
        (c) => (c["platform:registry"].untaggedRetentionDays = 0),
    ),
    mutated("keepRecent above 1000", "registry.keepRecent:", (c) => (c["platform:registry"].keepRecent = 1001)),
    mutated("unknown environment", "environment:", (c) => (c["platform:environment"] = "staging")),
    mutated(
        "unknown release channel",
        "cluster.releaseChannel:",
        (c) => (c["platform:cluster"].releaseChannel = "EXTENDED"),
    ),
    mutated("unknown disk type", "cluster.nodePools[0].diskType:", (c) => (pool(c).diskType = "nvme")),
    mutated(
        "unknown taint effect",
        "cluster.nodePools[0].taints[0].effect:",
        (c) => (pool(c).taints = [{ key: "k", effect: "NoSchedule" }]),
    ),
    mutated("unknown cluster mode", "cluster.mode:", (c) => (c["platform:cluster"].mode = "eks")),
    mutated(
        "maintenance at 25:00",
        "cluster.maintenanceStart:",
        (c) => (c["platform:cluster"].maintenanceStart = "25:00"),
    ),
    // invalid CIDRs
    mutated("subnet without a prefix", "network.subnetCidr:", (c) => (c["platform:network"].subnetCidr = "10.10.0.0")),
    mutated(
        "octet above 255",
        "cluster.authorizedNetworks[0].cidr:",
        (c) => (c["platform:cluster"].authorizedNetworks[0].cidr = "300.1.2.0/24"),
    ),
    mutated("host bits set", "cluster.masterCidr:", (c) => (c["platform:cluster"].masterCidr = "172.16.0.1/28")),
    mutated(
        "control plane range not a /28",
        "cluster.masterCidr:",
        (c) => (c["platform:cluster"].masterCidr = "172.16.0.0/24"),
    ),
    mutated("pods range too small", "network.podsCidr:", (c) => (c["platform:network"].podsCidr = "10.20.0.0/24")),
    mutated(
        "authorized network is the internet",
        "cluster.authorizedNetworks[0].cidr:",
        (c) => (c["platform:cluster"].authorizedNetworks[0].cidr = "0.0.0.0/0"),
    ),
    // overlapping ranges
    mutated(
        "pods range holds the subnet",
        "network.podsCidr:",
        (c) => (c["platform:network"].podsCidr = "10.8.0.0/14"),
    ),
    mutated(
        "services inside pods",
        "network.servicesCidr:",
        (c) => (c["platform:network"].servicesCidr = "10.20.0.0/20"),
    ),
    mutated(
        "control plane inside the subnet",
        "cluster.masterCidr:",
        (c) => (c["platform:cluster"].masterCidr = "10.10.0.0/28"),
    ),
    // duplicates
    mutated("two pools with one name", "cluster.nodePools[1].name:", (c) =>
        c["platform:cluster"].nodePools.push({ ...pool(c) }),
    ),
    // bad names and domains
    mutated("upper-case domain", "dns.domain:", (c) => (c["platform:dns"].domain = "Example.ORG")),
    mutated("single-label domain", "dns.domain:", (c) => (c["platform:dns"].domain = "localhost")),
    mutated(
        "domain label with a leading hyphen",
        "dns.domain:",
        (c) => (c["platform:dns"].domain = "-bad.example.org"),
    ),
    mutated(
        "domain label over 63 characters",
        "dns.domain:",
        (c) => (c["platform:dns"].domain = `${long(64)}.example.org`),
    ),
    mutated("cluster name over 63 characters", "cluster.name:", (c) => (c["platform:cluster"].name = long(64))),
    mutated("pool name over 63 characters", "cluster.nodePools[0].name:", (c) => (pool(c).name = long(64))),
    mutated("pool name with an underscore", "cluster.nodePools[0].name:", (c) => (pool(c).name = "general_pool")),
    mutated("registry name over 63 characters", "registry.name:", (c) => (c["platform:registry"].name = long(64))),
    mutated("registry name upper-case", "registry.name:", (c) => (c["platform:registry"].name = "Apps")),
    mutated("project id with an underscore", "gcp.project:", (c) => (c["gcp:project"] = "club_platform")),
    mutated("region not a region", "gcp.region:", (c) => (c["gcp:region"] = "tokyo")),
    mutated("location not a region or zone", "cluster.location:", (c) => (c["platform:cluster"].location = "tokyo-1")),
    mutated(
        "machine type with spaces",
        "cluster.nodePools[0].machineType:",
        (c) => (pool(c).machineType = "e2 standard 4"),
    ),
    mutated("context set in gke mode", "cluster.context:", (c) => (c["platform:cluster"].context = "kind-kind")),
    // the layers' sections: hosts, images, inventory
    mutated("two apps claiming one host", "vote.dev.example.org", (c) => {
        c["platform:apps"].scoreserver.hosts = [{ host: "vote.dev.example.org", auth: "public" }];
    }),
    mutated("an app host outside the domain", "apps.vote", (c) => {
        c["platform:apps"].vote.hosts = [{ host: "vote.example.com", auth: "public" }];
    }),
    mutated("an image reference with spaces", "apps.vote.containers[0].image:", (c) => {
        c["platform:apps"].vote.containers[0].image = "vote web:latest";
    }),
    mutated("an image tagged latest on a timestamp policy", "apps.vote.containers[0]", (c) => {
        c["platform:apps"].vote.containers[0].image =
            "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:latest";
    }),
    mutated("an app name over 63 characters", `apps.${long(64)}`, (c) => {
        c["platform:apps"][long(64)] = c["platform:apps"].vote;
    }),
    mutated("two on-prem hosts with one address", "onprem.hosts.", (c) => {
        const hosts = c["platform:onprem"].hosts;
        const [first, second] = Object.keys(hosts);
        hosts[second!].address = hosts[first!].address;
    }),
    mutated("an on-prem address that is not an IP", "onprem.hosts.", (c) => {
        const hosts = c["platform:onprem"].hosts;
        hosts[Object.keys(hosts)[0]!].address = "300.1.2.3";
    }),
    // files that are not a stack mapping
    { name: "YAML that is a list", expect: "is not a mapping", text: "- config\n- platform:environment: dev\n" },
    { name: "YAML that is a scalar", expect: "is not a mapping", text: "just some text\n" },
    {
        name: "config that is a list",
        expect: "config: is not a mapping",
        text: "config:\n  - platform:environment: dev\n",
    },
    { name: "YAML that does not parse", expect: "is not valid YAML", text: "config:\n  platform:dns: {domain: [\n" },
    {
        name: "unknown top-level key",
        expect: "unknown top-level key settings",
        text: `settings: {}\n${stringify(baseStack())}`,
    },
];
