import { z } from "zod";
import { ConfigError, parseOrThrow } from "../../config/errors";
import { stackSchema } from "../../config/schema";
import { uniqueKeysOf, uniqueList } from "../../config/unique";
import { stackConfig, stackProblems } from "../stack-files";

type AnySchema = z.core.$ZodType;

/** Every list in a schema, by key path (`apps.*.containers`), with the keys it refuses repeats of. */
function lists(schema: AnySchema, path = ""): { path: string; keys?: readonly string[] }[] {
    const def = schema._zod.def as unknown as Record<string, any>;
    switch (def.type) {
        case "default":
        case "optional":
        case "nullable":
        case "prefault":
        case "readonly":
            return lists(def.innerType, path);
        case "pipe":
            return lists(def.in, path);
        case "object":
            return Object.entries(def.shape as Record<string, AnySchema>).flatMap(([k, v]) =>
                lists(v, path ? `${path}.${k}` : k),
            );
        case "record":
            return lists(def.valueType, `${path}.*`);
        case "union":
            return (def.options as AnySchema[]).flatMap((o) => lists(o, path));
        case "array":
            return [{ path, keys: uniqueKeysOf(schema) }, ...lists(def.element, `${path}[]`)];
        default:
            return [];
    }
}

/** Lists where the same entry twice means something: arguments are positional. */
const REPEATS_ALLOWED: Record<string, string> = {
    "apps.*.containers[].command": "a command line may repeat a word",
    "apps.*.containers[].args": "arguments may repeat (e.g. two --flag values)",
};

/** The stack file's config in the shape the schema reads (`platform:x` -> `x`, `gcp:*` -> gcp). */
function raw(stack: string): Record<string, any> {
    const out: Record<string, any> = { gcp: {} };
    for (const [key, value] of Object.entries(stackConfig(stack))) {
        const [ns, name] = key.split(":") as [string, string];
        if (ns === "platform") out[name] = structuredClone(value);
        else if (ns === "gcp") out.gcp[name] = value;
    }
    return out;
}

function problems(config: Record<string, any>): string[] {
    return stackProblems(config);
}

describe("lists in the stack config", () => {
    it("every list refuses a repeated entry, except those where a repeat means something", () => {
        const all = lists(stackSchema);
        // The walk reaches the lists (so an empty result below means something).
        expect(all).toEqual(
            expect.arrayContaining([
                { path: "cluster.nodePools", keys: ["name"] },
                { path: "cluster.authorizedNetworks", keys: ["name", "cidr"] },
                { path: "onprem.hosts.*.ports", keys: ["name", "port"] },
                { path: "apps.*.containers[].command", keys: undefined },
            ]),
        );
        const unchecked = all
            .filter((l) => l.keys === undefined)
            .map((l) => l.path)
            .filter((p) => !(p in REPEATS_ALLOWED));
        expect(unchecked).toEqual([]);
    });

    it("the helper names both entries, by field or by value", () => {
        const pools = z.object({ pools: uniqueList(z.object({ name: z.string() }), "name") });
        const issues = (v: unknown) => {
            try {
                parseOrThrow(pools, v);
                return [];
            } catch (e) {
                return (e as ConfigError).problems;
            }
        };
        expect(issues({ pools: [{ name: "a" }, { name: "b" }, { name: "a" }] })).toEqual([
            'pools[2].name: "a" repeats pools[0].name',
        ]);
        const orgs = z.object({ orgs: uniqueList(z.string(), { key: (o) => o.toLowerCase() }) });
        expect(() => parseOrThrow(orgs, { orgs: ["Acme", "other", "acme"] })).toThrow(
            'orgs[2]: "acme" repeats orgs[0]',
        );
        expect(issues({ pools: [{ name: "a" }, { name: "b" }] })).toEqual([]);
    });

    // One case per list: the stack file with one entry repeated, and the message naming both.
    const cases: [string, "dev" | "prd", (c: Record<string, any>) => void, string][] = [
        [
            "cluster.nodePools",
            "prd",
            (c) => c.cluster.nodePools.push({ ...c.cluster.nodePools[0], machineType: "e2-standard-8" }),
            'cluster.nodePools[2].name: "burst" repeats cluster.nodePools[0].name',
        ],
        [
            "cluster.authorizedNetworks (cidr)",
            "dev",
            (c) => c.cluster.authorizedNetworks.push({ name: "office", cidr: "203.0.113.0/28" }),
            'cluster.authorizedNetworks[1].cidr: "203.0.113.0/28" repeats cluster.authorizedNetworks[0].cidr',
        ],
        [
            "apps hosts",
            "dev",
            (c) => c.apps.vote.hosts.push({ host: "vote.dev.example.org", auth: "github" }),
            'apps.vote.hosts[1].host: "vote.dev.example.org" repeats apps.vote.hosts[0].host',
        ],
        [
            "apps containers",
            "dev",
            (c) => (c.apps.uploader.containers[1].name = "frontend"),
            'apps.uploader.containers[1].name: "frontend" repeats apps.uploader.containers[0].name',
        ],
        [
            "apps onprem egress",
            "prd",
            (c) => c.apps.plarail.onprem.push({ name: "plarail-controller", port: 50051 }),
            "apps.plarail.onprem[1]: ",
        ],
        [
            "snmpTraps.sourceRanges",
            "prd",
            (c) => c.monitoring.zabbix.snmpTraps.sourceRanges.push("203.0.113.0/28"),
            'monitoring.zabbix.snmpTraps.sourceRanges[1]: "203.0.113.0/28" repeats monitoring.zabbix.snmpTraps.sourceRanges[0]',
        ],
        [
            "grafana organizations (case-insensitive)",
            "prd",
            (c) => c.monitoring.grafana.organizations.push("Example-Club"),
            'monitoring.grafana.organizations[1]: "Example-Club" repeats monitoring.grafana.organizations[0]',
        ],
        [
            "grafana teamIds",
            "prd",
            (c) => c.monitoring.grafana.teamIds.push(1234567),
            "monitoring.grafana.teamIds[1]: 1234567 repeats monitoring.grafana.teamIds[0]",
        ],
        [
            "edge githubTeams",
            "prd",
            (c) => c.edge.githubTeams.push("infra"),
            'edge.githubTeams[2]: "infra" repeats edge.githubTeams[0]',
        ],
        [
            "ci environments",
            "dev",
            (c) => (c.ci.environments = [{ name: "dev" }, { name: "prd" }, { name: "dev" }]),
            'ci.environments[2].name: "dev" repeats ci.environments[0].name',
        ],
        [
            "on-prem host ports (number)",
            "dev",
            (c) => c["onprem"].hosts["plarail-controller"].ports.push({ name: "grpc2", port: 50051 }),
            "onprem.hosts.plarail-controller.ports[2].port: 50051 repeats onprem.hosts.plarail-controller.ports[0].port",
        ],
        [
            "on-prem Zabbix templates",
            "dev",
            (c) => c["onprem"].hosts["contest-router"].zabbix.templates.push("Cisco IOS by SNMP"),
            'onprem.hosts.contest-router.zabbix.templates[1]: "Cisco IOS by SNMP" repeats onprem.hosts.contest-router.zabbix.templates[0]',
        ],
    ];

    it.each(cases)("%s: a repeat is refused, naming both entries", (_what, stack, edit, message) => {
        const c = raw(stack);
        expect(problems(c)).toEqual([]);
        edit(c);
        const found = problems(c);
        expect(found).toHaveLength(1);
        expect(found[0]!.startsWith(message)).toBe(true);
    });
});
