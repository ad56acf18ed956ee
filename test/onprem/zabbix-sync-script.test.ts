// JSON answers and manifests are untyped data here; `any` reads them without ceremony.

// The sync script's protocol handling, without a Zabbix: a fake fetch or a scripted client.
// test/integration/zabbix-sync.itest.ts runs it against a real Zabbix 6.0.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import {
    Client,
    createClient,
    desiredHost,
    MACROS,
    main,
    sync,
    ZabbixError,
} from "../../components/onprem/zabbix-sync/sync";

interface Sent {
    headers: Record<string, string>;
    body: { method: string; auth?: string; params: unknown };
}

/** A fetch answering apiinfo.version with `version` and everything else with `result`. */
function fakeFetch(version: string, sent: Sent[], failFirst = 0, failWith: "refused" | "503" = "refused") {
    let calls = 0;
    return async (_url: string, init: { headers: Record<string, string>; body: string }) => {
        calls++;
        if (calls <= failFirst) {
            if (failWith === "refused") throw new Error("connect ECONNREFUSED 10.0.0.1:80");
            return { status: 503, text: async () => "<html>starting</html>" };
        }
        const body = JSON.parse(init.body);
        sent.push({ headers: init.headers, body });
        const result = body.method === "apiinfo.version" ? version : [];
        return { status: 200, text: async () => JSON.stringify({ jsonrpc: "2.0", result, id: body.id }) };
    };
}

describe("zabbix sync script: talking to the API", () => {
    it("asks the version without a token, then sends the token in `auth` to 6.0", async () => {
        const sent: Sent[] = [];
        const client = createClient({
            url: "http://z/api_jsonrpc.php",
            token: "tok",
            fetch: fakeFetch("6.0.14", sent),
        });
        await client.connect();
        await client.call("host.get", {});
        expect(sent[0]!.body.method).toBe("apiinfo.version");
        expect(sent[0]!.body.auth).toBeUndefined();
        expect(sent[0]!.headers.Authorization).toBeUndefined();
        expect(sent[1]!.body.auth).toBe("tok");
        expect(sent[1]!.headers.Authorization).toBeUndefined();
    });

    it.each(["6.4.0", "7.0.5"])("sends a Bearer header, not `auth`, to %s", async (version) => {
        const sent: Sent[] = [];
        const client = createClient({ url: "http://z/api_jsonrpc.php", token: "tok", fetch: fakeFetch(version, sent) });
        await client.connect();
        await client.call("host.get", {});
        expect(sent[1]!.headers.Authorization).toBe("Bearer tok");
        expect(sent[1]!.body.auth).toBeUndefined();
        expect(sent[1]!.headers["Content-Type"]).toBe("application/json-rpc");
    });

    it.each(["refused", "503"] as const)("retries while the server starts (%s)", async (failWith) => {
        const logs: string[] = [];
        const client = createClient({
            url: "http://z/api_jsonrpc.php",
            token: "tok",
            fetch: fakeFetch("7.0.0", [], 3, failWith),
            retryIntervalMs: 5,
            waitSeconds: 5,
            log: (m) => logs.push(m),
        });
        await expect(client.connect()).resolves.toEqual([7, 0]);
        expect(logs.filter((l) => l.startsWith("waiting for the Zabbix API"))).toHaveLength(3);
    });

    it("gives up with a clear message when the API never answers", async () => {
        const client = createClient({
            url: "http://z/api_jsonrpc.php",
            token: "tok",
            fetch: fakeFetch("7.0.0", [], 1000),
            retryIntervalMs: 5,
            waitSeconds: 0.05,
        });
        await expect(client.connect()).rejects.toThrow(/did not answer in time \(last error: connect ECONNREFUSED/);
    });

    it("does not retry an API error: it names the method and Zabbix's message", async () => {
        let calls = 0;
        const client = createClient({
            url: "http://z/api_jsonrpc.php",
            token: "tok",
            fetch: async () => {
                calls++;
                return {
                    status: 200,
                    text: async () =>
                        JSON.stringify({
                            jsonrpc: "2.0",
                            error: { code: -32602, message: "Invalid params.", data: "Not authorized." },
                        }),
                };
            },
        });
        await expect(client.connect()).rejects.toThrow(
            new ZabbixError("apiinfo.version: Invalid params. Not authorized."),
        );
        expect(calls).toBe(1);
    });

    it("refuses to start without URL, or without a token or a login", async () => {
        await expect(main({})).rejects.toThrow("ZABBIX_URL is not set");
        await expect(main({ ZABBIX_URL: "http://z" })).rejects.toThrow(
            "neither ZABBIX_TOKEN (or ZABBIX_TOKEN_FILE) nor ZABBIX_USER and ZABBIX_PASSWORD is set",
        );
        await expect(main({ ZABBIX_URL: "http://z", ZABBIX_USER: "Admin" })).rejects.toThrow(/nor ZABBIX_USER/);
    });

    it("refuses to start without its fingerprint key, rather than keying fingerprints with its API credential", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "zabbix-sync-main-"));
        const inventory = path.join(dir, "inventory.json");
        writeFileSync(inventory, JSON.stringify({ hosts: [] }));
        const base = { ZABBIX_URL: "http://z", ZABBIX_TOKEN: "t", INVENTORY_FILE: inventory, CREDENTIALS_FILE: "" };
        await expect(main(base)).rejects.toThrow("FINGERPRINT_KEY_FILE is not set");
        writeFileSync(path.join(dir, "key"), "\n");
        await expect(main({ ...base, FINGERPRINT_KEY_FILE: path.join(dir, "key") })).rejects.toThrow(/is empty/);
    });

    it.each([
        ["7.0.5", "bearer"],
        ["6.0.14", "auth-field"],
    ] as const)("without a token, logs in on %s, sends the session like a token, logs out", async (version, how) => {
        const sent: Sent[] = [];
        const fetch = async (_url: string, init: { headers: Record<string, string>; body: string }) => {
            const body = JSON.parse(init.body);
            sent.push({ headers: init.headers, body });
            const result =
                body.method === "apiinfo.version" ? version : body.method === "user.login" ? "sess-42" : true;
            return { status: 200, text: async () => JSON.stringify({ jsonrpc: "2.0", result, id: body.id }) };
        };
        const client = createClient({ url: "http://z/api_jsonrpc.php", fetch });
        await client.connect();
        await client.login!("Admin", "pw-1");
        await client.call("host.get", {});
        await client.logout!();
        expect(sent.map((x) => x.body.method)).toEqual(["apiinfo.version", "user.login", "host.get", "user.logout"]);
        const [, login, get, logout] = sent;
        expect(login!.body.params).toEqual({ username: "Admin", password: "pw-1" });
        expect(login!.body.auth ?? login!.headers.Authorization).toBeUndefined();
        for (const x of [get!, logout!]) {
            if (how === "bearer") expect(x.headers.Authorization).toBe("Bearer sess-42");
            else expect(x.body.auth).toBe("sess-42");
        }
    });
});

/** A client answering from a script of method -> result, recording every call. */
function scripted(version: [number, number], answers: Record<string, (params: any) => unknown>) {
    const calls: { method: string; params: any }[] = [];
    const client: Client = {
        version,
        mode: "bearer",
        connect: async () => version,
        call: async (method, params) => {
            calls.push({ method, params });
            const answer = answers[method];
            if (!answer) throw new Error(`unexpected ${method}`);
            return answer(params);
        },
    };
    return { client, calls };
}

const managed = { tag: "managed-by", value: "platform-onprem-dev" };

describe("zabbix sync script: what it changes", () => {
    it("deletes only hosts that carry its own tag and left the inventory", async () => {
        const { client, calls } = scripted([7, 0], {
            "hostgroup.get": () => [{ groupid: "5", name: "On-prem" }],
            "host.get": (p) =>
                p.tags
                    ? [
                          { hostid: "8", host: "old-board", tags: [managed] },
                          { hostid: "9", host: "made-by-hand", tags: [{ tag: "owner", value: "me" }] },
                          {
                              hostid: "10",
                              host: "other-stack",
                              tags: [{ tag: "managed-by", value: "platform-onprem-prd" }],
                          },
                      ]
                    : [],
            "host.create": () => ({ hostids: ["11"] }),
            "host.delete": () => ({}),
        });
        const inventory = {
            managedTag: managed,
            hosts: [{ name: "esp32-01", address: "10.0.0.5", groups: ["On-prem"], templates: [] }],
        };
        const result = await sync({ client, inventory });
        expect(result).toEqual({ created: ["esp32-01"], updated: [], unchanged: [], deleted: ["old-board"] });
        expect(calls.filter((c) => c.method === "host.delete").map((c) => c.params)).toEqual([["8"]]);
        const query = calls.find((c) => c.method === "host.get" && c.params.tags)!.params;
        expect(query.tags).toEqual([{ ...managed, operator: 1 }]);
        // 7.0 dropped selectGroups; the per-host lookup asks for selectHostGroups.
        expect(calls.find((c) => c.method === "host.get" && c.params.filter)!.params.selectHostGroups).toBeDefined();
    });

    it("logs in when it has no token and logs out even when the run fails", async () => {
        const { client } = scripted([7, 0], {
            "hostgroup.get": () => {
                throw new ZabbixError("hostgroup.get: No permissions.");
            },
        });
        const events: string[] = [];
        client.login = async (u) => void events.push(`login ${u}`);
        client.logout = async () => void events.push("logout");
        const inventory = {
            managedTag: managed,
            hosts: [{ name: "b", address: "10.0.0.9", groups: ["G"], templates: [] }],
        };
        await expect(sync({ client, inventory, login: { username: "Admin", password: "pw" } })).rejects.toThrow(
            "No permissions",
        );
        expect(events).toEqual(["login Admin", "logout"]);
        // With a token it does not log in.
        events.length = 0;
        await expect(
            sync({ client, inventory, token: "tok", login: { username: "Admin", password: "pw" } }),
        ).rejects.toThrow();
        expect(events).toEqual(["logout"]);
    });

    it("leaves a host alone when Zabbix already matches, even if it hides secrets from host.get", async () => {
        const host = {
            name: "sw",
            address: "10.0.0.2",
            groups: ["Net"],
            templates: ["Generic by SNMP"],
            snmp: { version: "2c", port: 161 },
        };
        const want = desiredHost(host, { sw: { snmp: { community: "c0mm" } } }, managed);
        const { client, calls } = scripted([7, 0], {
            "hostgroup.get": () => [{ groupid: "7", name: "Net" }],
            "template.get": () => [{ templateid: "100", host: "Generic by SNMP", name: "Generic by SNMP" }],
            "host.get": (p) =>
                p.tags
                    ? []
                    : [
                          {
                              hostid: "3",
                              host: "sw",
                              name: "sw",
                              description: "",
                              ipmi_authtype: "-1",
                              ipmi_privilege: "2",
                              ipmi_username: "",
                              hostgroups: [{ groupid: "7" }],
                              parentTemplates: [{ templateid: "100" }],
                              tags: want.tags,
                              // Secret macros come back without their value.
                              macros: want.macros.map(({ value: _hidden, ...m }: any, i: number) => ({
                                  hostmacroid: String(i + 1),
                                  ...m,
                              })),
                              // 7.x-style: the community is not returned.
                              interfaces: [
                                  {
                                      interfaceid: "1",
                                      type: "2",
                                      ip: "10.0.0.2",
                                      dns: "",
                                      port: "161",
                                      useip: "1",
                                      main: "1",
                                      details: { version: "2", bulk: "1" },
                                  },
                              ],
                          },
                      ],
        });
        const result = await sync({
            client,
            inventory: { managedTag: managed, hosts: [host] },
            credentials: { sw: { snmp: { community: "c0mm" } } },
        });
        expect(result.unchanged).toEqual(["sw"]);
        expect(calls.map((c) => c.method)).not.toContain("host.update");
    });

    it("fails naming the host when its credentials are missing", async () => {
        const { client } = scripted([6, 0], {});
        const inventory = {
            managedTag: managed,
            hosts: [
                { name: "srv-01", address: "10.0.0.11", groups: ["G"], templates: [], ipmi: { address: "10.0.1.11" } },
            ],
        };
        await expect(sync({ client, inventory, credentials: {} })).rejects.toThrow(
            "host srv-01: IPMI credentials (username) is missing",
        );
    });

    it("asks the BMC for privilege user unless the inventory names another level", () => {
        const cred = { "srv-01": { ipmi: { username: "u", password: "p" } } };
        const host = { name: "srv-01", address: "10.0.0.11", groups: [], templates: [] };
        const plain = desiredHost({ ...host, ipmi: { address: "10.0.1.11" } }, cred, managed);
        const operator = desiredHost({ ...host, ipmi: { address: "10.0.1.11", privilege: "operator" } }, cred, managed);
        // Zabbix's ipmi_privilege: 1 callback, 2 user, 3 operator, 4 admin, 5 OEM.
        expect([plain.ipmi_privilege, operator.ipmi_privilege]).toEqual(["2", "3"]);
    });

    it("refuses an inventory without its managed tag (it could not tell its hosts from others)", async () => {
        const { client } = scripted([6, 0], {});
        await expect(sync({ client, inventory: { hosts: [] } })).rejects.toThrow("managedTag");
    });
});

describe("zabbix sync script: site proxies", () => {
    const inventory = {
        managedTag: managed,
        hosts: [
            { name: "esp32-01", address: "192.168.40.101", groups: ["On-prem"], templates: [], proxy: "site-festival" },
            { name: "router", address: "10.50.0.1", groups: ["On-prem"], templates: [], proxy: "site-contest" },
        ],
    };

    it.each([
        [[6, 0] as [number, number], { host: "site-festival", status: 5 }, { proxy_hostid: "31" }],
        [
            [7, 0] as [number, number],
            { name: "site-festival", operating_mode: 0 },
            { monitored_by: "1", proxyid: "31" },
        ],
    ])(
        "on %j creates the missing proxy in active mode and puts each host on its site's proxy",
        async (version, create, fields) => {
            const key = version[0] >= 7 ? "name" : "host";
            const { client, calls } = scripted(version, {
                "hostgroup.get": () => [{ groupid: "5", name: "On-prem" }],
                "proxy.get": () => [{ proxyid: "30", [key]: "site-contest" }],
                "proxy.create": () => ({ proxyids: ["31"] }),
                "host.get": () => [],
                "host.create": () => ({ hostids: ["11"] }),
            });
            const result = await sync({ client, inventory });
            expect(result.created).toEqual(["esp32-01", "router"]);
            expect(calls.filter((c) => c.method === "proxy.create").map((c) => c.params)).toEqual([create]);
            const created = calls.filter((c) => c.method === "host.create").map((c) => c.params);
            expect(created[0]).toMatchObject(fields);
            const contest = version[0] >= 7 ? { monitored_by: "1", proxyid: "30" } : { proxy_hostid: "30" };
            expect(created[1]).toMatchObject(contest);
        },
    );

    it("moves a host whose proxy differs and asks host.get for the proxy field", async () => {
        const { client, calls } = scripted([6, 0], {
            "hostgroup.get": () => [{ groupid: "5", name: "On-prem" }],
            "proxy.get": () => [
                { proxyid: "30", host: "site-contest" },
                { proxyid: "31", host: "site-festival" },
            ],
            "host.get": (p) =>
                p.filter?.host?.[0] === "router"
                    ? [
                          {
                              hostid: "12",
                              host: "router",
                              name: "router",
                              description: "",
                              proxy_hostid: "0",
                              tags: [managed],
                          },
                      ]
                    : [],
            "host.create": () => ({ hostids: ["11"] }),
            "host.update": () => ({ hostids: ["12"] }),
        });
        await sync({ client, inventory });
        expect(calls.find((c) => c.method === "host.get" && c.params.filter)!.params.output).toContain("proxy_hostid");
        const update = calls.find((c) => c.method === "host.update")!.params;
        expect(update).toMatchObject({ hostid: "12", proxy_hostid: "30" });
    });

    const psk = "ab".repeat(32);
    const proxies = { "site-festival": { identity: "site-festival-prd", psk } };

    it.each([
        [[6, 0] as [number, number], { host: "site-festival", status: 5 }],
        [[7, 0] as [number, number], { name: "site-festival", operating_mode: 0 }],
    ])("on %j creates a proxy with a PSK that accepts only PSK connections", async (version, mode) => {
        const { client, calls } = scripted(version, {
            "hostgroup.get": () => [{ groupid: "5", name: "On-prem" }],
            "proxy.get": () => [],
            "proxy.create": () => ({ proxyids: ["31"] }),
            "host.get": () => [],
            "host.create": () => ({ hostids: ["11"] }),
        });
        await sync({ client, inventory, proxies });
        const created = calls.filter((c) => c.method === "proxy.create").map((c) => c.params);
        // tls_accept 2: PSK only; the site's proxy without a key (contest here) stays as it was.
        expect(created).toContainEqual({
            ...mode,
            tls_accept: 2,
            tls_psk_identity: "site-festival-prd",
            tls_psk: psk,
            description: expect.stringContaining("PSK identity: site-festival-prd"),
        });
        expect(created.find((p) => (p.host ?? p.name) === "site-contest")).not.toHaveProperty("tls_accept");
    });

    it("updates an existing proxy's PSK only when its accept mode or recorded identity differs", async () => {
        const answers = (tls: Record<string, string>) => ({
            "hostgroup.get": () => [{ groupid: "5", name: "On-prem" }],
            "proxy.get": () => [
                { proxyid: "30", host: "site-contest", tls_accept: "1", description: "" },
                { proxyid: "31", host: "site-festival", ...tls },
            ],
            "proxy.update": () => ({ proxyids: ["31"] }),
            "host.get": () => [],
            "host.create": () => ({ hostids: ["11"] }),
        });
        // The API returns neither identity nor key: the description records the identity set and a
        // keyed fingerprint of identity and key, which is what the second run compares.
        const plain = scripted([6, 0], answers({ tls_accept: "1", description: "" }));
        await sync({ client: plain.client, inventory, proxies });
        const [update] = plain.calls.filter((c) => c.method === "proxy.update").map((c) => c.params);
        expect(update).toMatchObject({
            proxyid: "31",
            tls_accept: 2,
            tls_psk_identity: "site-festival-prd",
            tls_psk: psk,
        });
        const recorded: string = update.description;
        expect(recorded).toContain("PSK identity: site-festival-prd");
        expect(recorded).not.toContain(psk);
        const rotated = scripted([6, 0], answers({ tls_accept: "2", description: recorded.replace("-prd", "-old") }));
        await sync({ client: rotated.client, inventory, proxies });
        expect(rotated.calls.filter((c) => c.method === "proxy.update")).toHaveLength(1);
        // A new key under the same identity (a replaced RandomBytes) is pushed too.
        const newKey = { ...proxies, "site-festival": { ...proxies["site-festival"]!, psk: "cd".repeat(32) } };
        const rekeyed = scripted([6, 0], answers({ tls_accept: "2", description: recorded }));
        await sync({ client: rekeyed.client, inventory, proxies: newKey });
        expect(rekeyed.calls.filter((c) => c.method === "proxy.update").map((c) => c.params.tls_psk)).toEqual([
            "cd".repeat(32),
        ]);
        const same = scripted([6, 0], answers({ tls_accept: "2", description: recorded }));
        await sync({ client: same.client, inventory, proxies });
        expect(same.calls.filter((c) => c.method === "proxy.update")).toEqual([]);
        expect(same.calls.find((c) => c.method === "proxy.get")!.params.output).toContain("description");
    });
});

describe("zabbix sync script: credentials as secret macros", () => {
    const server = {
        name: "srv",
        address: "10.0.0.11",
        groups: ["Servers"],
        templates: [],
        ipmi: { address: "10.0.100.11" },
    };
    const firewall = {
        name: "fw",
        address: "10.0.0.3",
        groups: ["Net"],
        templates: [],
        snmp: { version: "3" },
    };
    const credentials = {
        srv: { ipmi: { username: "ADMIN", password: "ipmi-secret-1" } },
        fw: { snmp: { securityName: "zbx", authPassphrase: "auth-secret-2", privPassphrase: "priv-secret-3" } },
    };
    const values = ["ADMIN", "ipmi-secret-1", "zbx", "auth-secret-2", "priv-secret-3"];

    it("puts every credential into a host macro of type secret and only names the macro elsewhere", () => {
        const srv = desiredHost(server, credentials, managed, "key");
        const fw = desiredHost(firewall, credentials, managed, "key");
        expect(srv.ipmi_username).toBe(MACROS.ipmiUsername);
        expect(srv.ipmi_password).toBe(MACROS.ipmiPassword);
        const details = fw.interfaces.find((i: any) => i.type === "2").details;
        expect([details.securityname, details.authpassphrase, details.privpassphrase]).toEqual([
            MACROS.snmpSecurityName,
            MACROS.snmpAuthPassphrase,
            MACROS.snmpPrivPassphrase,
        ]);
        for (const want of [srv, fw]) {
            expect(want.macros.length).toBeGreaterThan(0);
            for (const m of want.macros) expect(m.type).toBe("1");
            // Outside the macros' values, no credential appears; not in the descriptions either.
            const { macros, ...rest } = want;
            const text = JSON.stringify([rest, macros.map(({ value: _v, ...m }: any) => m)]);
            for (const v of values) expect(text).not.toContain(v);
        }
        expect(Object.fromEntries(srv.macros.map((m: any) => [m.macro, m.value]))).toEqual({
            [MACROS.ipmiUsername]: "ADMIN",
            [MACROS.ipmiPassword]: "ipmi-secret-1",
        });
    });

    it("fingerprints a value under a key: another value or another key gives another description", () => {
        const a = desiredHost(server, credentials, managed, "key").macros;
        const rotated = { srv: { ipmi: { username: "ADMIN", password: "ipmi-secret-9" } } };
        const b = desiredHost(server, rotated, managed, "key").macros;
        const c = desiredHost(server, credentials, managed, "other-key").macros;
        const pw = (ms: any[]) => ms.find((m) => m.macro === MACROS.ipmiPassword).description;
        expect(pw(b)).not.toBe(pw(a));
        expect(pw(c)).not.toBe(pw(a));
        expect(desiredHost(server, credentials, managed, "key").macros).toEqual(a);
    });

    function serverInZabbix(macros: any[]) {
        return {
            hostid: "3",
            host: "srv",
            name: "srv",
            description: "",
            ipmi_authtype: "-1",
            ipmi_privilege: "2",
            ipmi_username: MACROS.ipmiUsername,
            ipmi_password: MACROS.ipmiPassword,
            hostgroups: [{ groupid: "7" }],
            parentTemplates: [],
            tags: [managed],
            macros,
            interfaces: [
                { interfaceid: "1", type: "1", ip: "10.0.0.11", dns: "", port: "10050", useip: "1", main: "1" },
                { interfaceid: "2", type: "3", ip: "10.0.100.11", dns: "", port: "623", useip: "1", main: "1" },
            ],
        };
    }

    it("creates a host with its macros, then updates only the macro whose credential was rotated", async () => {
        const created = scripted([6, 0], {
            "hostgroup.get": () => [{ groupid: "7", name: "Servers" }],
            "host.get": () => [],
            "host.create": () => ({ hostids: ["3"] }),
        });
        await sync({
            client: created.client,
            token: "tok",
            inventory: { managedTag: managed, hosts: [server] },
            credentials,
        });
        const create = created.calls.find((c) => c.method === "host.create")!.params;
        expect(create.macros.map((m: any) => [m.macro, m.value, m.type])).toEqual([
            [MACROS.ipmiPassword, "ipmi-secret-1", "1"],
            [MACROS.ipmiUsername, "ADMIN", "1"],
        ]);

        // Zabbix holds the macros as created, values hidden, plus one a person added.
        const stored = [
            ...create.macros.map(({ value: _v, ...m }: any, i: number) => ({ hostmacroid: String(10 + i), ...m })),
            { hostmacroid: "99", macro: "{$MY_NOTE}", type: "0", description: "" },
        ];
        const rotated = { srv: { ipmi: { username: "ADMIN", password: "ipmi-secret-9" } } };
        const again = scripted([6, 0], {
            "hostgroup.get": () => [{ groupid: "7", name: "Servers" }],
            "host.get": (p) => (p.tags ? [] : [serverInZabbix(stored)]),
            "usermacro.update": () => ({ hostmacroids: ["10"] }),
        });
        const same = await sync({
            client: again.client,
            token: "tok",
            inventory: { managedTag: managed, hosts: [server] },
            credentials,
        });
        expect(same.unchanged).toEqual(["srv"]);
        expect(again.calls.map((c) => c.method).filter((m) => /usermacro|host\.update/.test(m))).toEqual([]);

        const result = await sync({
            client: again.client,
            token: "tok",
            inventory: { managedTag: managed, hosts: [server] },
            credentials: rotated,
        });
        expect(result.updated).toEqual(["srv"]);
        const writes = again.calls.filter((c) => /usermacro|host\.update/.test(c.method));
        expect(writes.map((c) => [c.method, c.params.hostmacroid, c.params.value])).toEqual([
            ["usermacro.update", "10", "ipmi-secret-9"],
        ]);
    });
});
