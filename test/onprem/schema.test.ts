import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { credentialProblems } from "../../config/onprem-credentials";
import { parseOrThrow } from "../../config/errors";
import { requiredSecrets, syncLogsInToOwnZabbix } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { onpremSchema } from "../../config/sections/onprem";
import { readStack } from "../../render/stack-file";
import { ROOT } from "../../render/render";
import { stackProblems } from "../stack-files";

/** This layer's secret needs (other layers add their own for the same config). */
function ownSecrets(...args: Parameters<typeof requiredSecrets>) {
    const mine = ["onpremCredentials", "zabbixApiToken"];
    return requiredSecrets(...args).filter((n) => mine.includes(n.key));
}

/** A stack config whose only on-prem host is `host` under `name` (plus a valid neighbour). */
function stackWith(hosts: Record<string, unknown>) {
    return {
        environment: "dev",
        cluster: { mode: "existing", context: "kind" },
        dns: { domain: "dev.example.org" },
        onprem: {
            hosts: {
                "good-neighbour": { kind: "server", address: "10.9.0.1", ports: [{ name: "ssh", port: 22 }] },
                ...hosts,
            },
        },
    };
}

/** The config errors for a stack holding these hosts. */
function problems(hosts: Record<string, unknown>): string[] {
    return stackProblems(stackWith(hosts));
}

/** Exactly one problem, which must name the host (twice over: key path and text). */
function onlyProblem(hosts: Record<string, unknown>, host: string): string {
    const found = problems(hosts);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(`onprem.hosts.${host}`);
    return found[0]!;
}

const server = { kind: "server", address: "10.0.0.10" };

describe("onprem inventory: valid", () => {
    it("accepts the example inventories of both stacks", () => {
        for (const stack of ["dev", "prd"]) {
            const input = readStack({ root: ROOT, stack });
            const raw = JSON.parse(input.config["platform:onprem"]!);
            const parsed = onpremSchema.parse(raw);
            const hosts = Object.entries(parsed.hosts);
            expect(hosts.filter(([, h]) => h.kind === "server" && h.ipmi)).toHaveLength(8);
            expect(hosts.filter(([, h]) => h.kind === "network-device" && h.snmp)).toHaveLength(3);
            expect(parsed.hosts["plarail-controller"]?.kind).toBe("service");
            expect(parsed.hosts["plarail-controller"]?.ports.map((p) => [p.name, p.port])).toContainEqual([
                "grpc",
                50051,
            ]);
            expect(hosts.filter(([, h]) => h.kind === "microcontroller").length).toBeGreaterThan(0);
        }
    });

    it("fills the defaults: TCP ports, IPMI 623 with privilege user, SNMP 161, no DNS record", () => {
        const parsed = onpremSchema.parse({
            hosts: {
                a: { ...server, ports: [{ name: "ssh", port: 22 }], ipmi: { address: "10.0.1.10", credentials: "c" } },
                b: { kind: "network-device", address: "10.0.0.2", snmp: { version: "2c", credentials: "c" } },
            },
        });
        expect(parsed.hosts.a!.ports[0]!.protocol).toBe("TCP");
        expect(parsed.hosts.a!.ipmi).toEqual({ address: "10.0.1.10", port: 623, credentials: "c", privilege: "user" });
        expect(parsed.hosts.b!.snmp?.port).toBe(161);
        expect(parsed.hosts.a!.dns).toBe(false);
        expect(parsed.namespace).toBe("onprem");
    });
});

describe("onprem inventory: every malformed entry is rejected naming the host", () => {
    it("rejects a repeated host name (a repeated key in the stack file)", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "onprem-dup-"));
        const file = path.join(dir, "Pulumi.dup.yaml");
        writeFileSync(
            file,
            [
                "config:",
                "  platform:onprem:",
                "    hosts:",
                "      core-switch: {kind: network-device, address: 10.0.0.1}",
                "      core-switch: {kind: network-device, address: 10.0.0.2}",
                "",
            ].join("\n"),
        );
        expect(() => readStack({ root: ROOT, stack: "dup", stackFile: file })).toThrow(/core-switch|unique/);
    });

    it("rejects two hosts with one address, naming both", () => {
        const msg = onlyProblem({ "srv-b": { ...server, address: "10.9.0.1" } }, "srv-b");
        expect(msg).toContain("good-neighbour");
        expect(msg).toContain("10.9.0.1");
    });

    it("rejects a BMC address that is another host's address", () => {
        const msg = onlyProblem(
            { "srv-b": { ...server, ipmi: { address: "10.9.0.1", credentials: "c" } } },
            "srv-b.ipmi.address",
        );
        expect(msg).toContain("good-neighbour");
    });

    it.each([
        ["10.0.0.256", "is not an IPv4 address"],
        ["controller.local", "is not an IPv4 address"],
        ["127.0.0.1", "loopback"],
        ["169.254.10.1", "link-local"],
        ["224.0.0.5", "multicast"],
    ])("rejects the address %s", (address, why) => {
        const msg = onlyProblem({ "esp32-07": { kind: "microcontroller", address } }, "esp32-07.address");
        expect(msg).toContain(why);
        expect(msg).toContain(address);
    });

    it("rejects an unknown IPMI privilege, naming the value and the levels allowed", () => {
        const msg = onlyProblem(
            { "srv-x": { ...server, ipmi: { address: "10.0.1.10", credentials: "c", privilege: "root" } } },
            "srv-x.ipmi.privilege",
        );
        expect(msg).toContain("root");
        for (const level of ["callback", "user", "operator", "admin", "oem"]) expect(msg).toContain(level);
    });

    it("rejects an invalid IPMI address", () => {
        const msg = onlyProblem(
            { "srv-x": { ...server, ipmi: { address: "10.1.1", credentials: "c" } } },
            "srv-x.ipmi.address",
        );
        expect(msg).toContain("is not an IPv4 address");
    });

    it.each([
        [0, "is below the minimum 1"],
        [65536, "is above the maximum 65535"],
        [22.5, "is not an int"],
        ["22", "is not a number"],
    ])("rejects the port %p", (port, why) => {
        const msg = onlyProblem(
            { "ctrl-x": { kind: "service", address: "10.0.0.5", ports: [{ name: "grpc", port }] } },
            "ctrl-x.ports[0].port",
        );
        expect(msg).toContain(why);
    });

    it("rejects a bad port name, a repeated port and an unknown protocol", () => {
        expect(onlyProblem({ h: { ...server, ports: [{ name: "Bad_Name", port: 1 }] } }, "h.ports[0].name")).toContain(
            "is not a port name",
        );
        expect(
            onlyProblem(
                {
                    h: {
                        ...server,
                        ports: [
                            { name: "a", port: 1 },
                            { name: "a", port: 2 },
                        ],
                    },
                },
                "h.ports[1]",
            ),
        ).toBe('onprem.hosts.h.ports[1].name: "a" repeats onprem.hosts.h.ports[0].name');
        expect(
            onlyProblem({ h: { ...server, ports: [{ name: "a", port: 1, protocol: "ICMP" }] } }, "h.ports[0].protocol"),
        ).toContain('"ICMP" is not one of');
    });

    it.each([
        ["microcontroller", "ipmi", { address: "10.0.1.1", credentials: "c" }],
        ["network-device", "ipmi", { address: "10.0.1.1", credentials: "c" }],
        ["service", "ipmi", { address: "10.0.1.1", credentials: "c" }],
        ["microcontroller", "snmp", { version: "2c", credentials: "c" }],
        ["service", "snmp", { version: "2c", credentials: "c" }],
    ])("rejects a %s with %s", (kind, iface, value) => {
        const msg = onlyProblem({ "dev-x": { kind, address: "10.0.0.7", [iface]: value } }, `dev-x.${iface}`);
        expect(msg).toContain(`host dev-x is a ${kind}`);
        expect(msg).toContain(iface.toUpperCase());
    });

    it("rejects a Zabbix agent on a microcontroller", () => {
        const msg = onlyProblem(
            { "esp32-01": { kind: "microcontroller", address: "10.0.0.8", zabbix: { agentPort: 10050 } } },
            "esp32-01.zabbix.agentPort",
        );
        expect(msg).toContain("cannot have a Zabbix agent");
    });

    it("rejects SNMP without credentials, an unknown SNMP version and v3 with a bad protocol", () => {
        expect(
            onlyProblem(
                { sw: { kind: "network-device", address: "10.0.0.9", snmp: { version: "2c" } } },
                "sw.snmp.credentials",
            ),
        ).toContain("is required");
        expect(
            problems({
                sw: { kind: "network-device", address: "10.0.0.9", snmp: { version: "1", credentials: "c" } },
            }).join("\n"),
        ).toContain("onprem.hosts.sw.snmp");
        expect(
            onlyProblem(
                {
                    sw: {
                        kind: "network-device",
                        address: "10.0.0.9",
                        snmp: { version: "3", credentials: "c", authProtocol: "SHA999" },
                    },
                },
                "sw.snmp.authProtocol",
            ),
        ).toContain('"SHA999" is not one of');
    });

    it("rejects IPMI without credentials", () => {
        expect(onlyProblem({ srv: { ...server, ipmi: { address: "10.0.1.10" } } }, "srv.ipmi.credentials")).toContain(
            "is required",
        );
    });

    it("rejects a probe of a port the host does not have, or of a UDP port", () => {
        const msg = onlyProblem(
            {
                ctrl: {
                    kind: "service",
                    address: "10.0.0.5",
                    ports: [{ name: "grpc", port: 50051 }],
                    probes: [{ module: "tcp", port: "http" }],
                },
            },
            "ctrl.probes[0].port",
        );
        expect(msg).toContain("grpc");
        expect(
            onlyProblem(
                {
                    ctrl: {
                        kind: "service",
                        address: "10.0.0.5",
                        ports: [{ name: "dns", port: 53, protocol: "UDP" }],
                        probes: [{ module: "tcp", port: "dns" }],
                    },
                },
                "ctrl.probes[0].port",
            ),
        ).toContain("TCP ports (none)");
    });

    it("rejects a host name that cannot name a Service, and an unknown key", () => {
        expect(onlyProblem({ "9-board": { kind: "microcontroller", address: "10.0.0.8" } }, "9-board")).toContain(
            "is not a host name",
        );
        expect(onlyProblem({ Board: { kind: "microcontroller", address: "10.0.0.8" } }, "Board")).toContain(
            "is not a host name",
        );
        expect(
            onlyProblem({ board: { kind: "microcontroller", address: "10.0.0.8", mac: "x" } }, "board.mac"),
        ).toContain("unknown key");
        expect(onlyProblem({ board: { kind: "robot", address: "10.0.0.8" } }, "board.kind")).toContain(
            '"robot" is not one of',
        );
    });
});

describe("onprem credentials", () => {
    const cfg = onpremSchema.parse({
        hosts: {
            "srv-01": { ...server, ipmi: { address: "10.0.1.10", credentials: "lab-ipmi" } },
            fw: { kind: "network-device", address: "10.0.0.2", snmp: { version: "3", credentials: "fw-v3" } },
            sw: { kind: "network-device", address: "10.0.0.3", snmp: { version: "2c", credentials: "lab-snmp" } },
        },
    });
    const complete = {
        "lab-ipmi": { username: "ADMIN", password: "hunter2-ipmi" },
        "fw-v3": { securityName: "zbx", authPassphrase: "auth-secret", privPassphrase: "priv-secret" },
        "lab-snmp": { community: "c0mmunity" },
    };

    it("accepts a secret that holds every referenced credential", () => {
        expect(credentialProblems(cfg, JSON.stringify(complete))).toEqual([]);
    });

    it("rejects a referenced credential the secret lacks, naming the host and never a value", () => {
        const rest: Record<string, unknown> = { ...complete };
        delete rest["lab-snmp"];
        const found = credentialProblems(cfg, JSON.stringify(rest));
        expect(found).toHaveLength(1);
        expect(found[0]).toContain("onprem.hosts.sw.snmp.credentials");
        expect(found[0]).toContain('"lab-snmp"');
        expect(found[0]).toContain("host sw");
        expect(found.join()).not.toMatch(/hunter2|auth-secret|priv-secret/);
    });

    it("rejects an entry without the fields its use needs", () => {
        const found = credentialProblems(
            cfg,
            JSON.stringify({ ...complete, "fw-v3": { securityName: "zbx", authPassphrase: "x" } }),
        );
        expect(found).toEqual([expect.stringContaining("onprem.hosts.fw.snmp.credentials")]);
        expect(found[0]).toContain("lacks privPassphrase");
    });

    it("rejects a secret that is not a JSON object", () => {
        expect(credentialProblems(cfg, "ADMIN:hunter2")).toEqual([expect.stringContaining("is not a JSON object")]);
    });

    it("signs the sync in to the stack's own Zabbix only when no other Zabbix or token Secret is named", () => {
        const withZabbix = (zabbix: Record<string, unknown>, monitoring: Record<string, unknown> = {}) =>
            parseOrThrow(stackSchema, { ...stackWith({}), monitoring, onprem: { ...stackWith({}).onprem, zabbix } });
        expect(syncLogsInToOwnZabbix(withZabbix({}))).toBe(true);
        expect(syncLogsInToOwnZabbix(withZabbix({ apiUrl: "https://z.example.org/api_jsonrpc.php" }))).toBe(false);
        expect(syncLogsInToOwnZabbix(withZabbix({ tokenSecret: { name: "t", key: "token" } }))).toBe(false);
        expect(syncLogsInToOwnZabbix(withZabbix({}, { zabbix: { enabled: false } }))).toBe(false);
    });

    it("requires the secrets when hosts reference credentials and Zabbix sync is on", () => {
        const stack = parseOrThrow(
            stackSchema,
            stackWith({ "srv-01": { ...server, ipmi: { address: "10.0.1.10", credentials: "lab-ipmi" } } }),
        );
        const needs = ownSecrets(stack);
        // The stack's own Zabbix (monitoring's, the default) is reached with its Admin login: no token.
        expect(stack.monitoring.enabled && stack.monitoring.zabbix.enabled).toBe(true);
        expect(needs.map((n) => n.key).sort()).toEqual(["onpremCredentials"]);
        expect(needs.find((n) => n.key === "onpremCredentials")?.because).toContain("srv-01");
        const external = parseOrThrow(stackSchema, {
            ...stackWith({}),
            onprem: { ...stackWith({}).onprem, zabbix: { apiUrl: "https://zabbix.example.org/api_jsonrpc.php" } },
        });
        expect(ownSecrets(external).map((n) => n.key)).toEqual(["zabbixApiToken"]);
        expect(ownSecrets(external)[0]!.because).toContain("onprem.zabbix.apiUrl");
        const noSync = parseOrThrow(stackSchema, {
            ...stackWith({}),
            onprem: { ...stackWith({}).onprem, zabbix: { sync: false } },
        });
        expect(ownSecrets(noSync)).toEqual([]);
    });
});
