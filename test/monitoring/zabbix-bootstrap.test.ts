import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BOOTSTRAP_SCRIPT, ZABBIX_READER } from "../../components/monitoring/zabbix-bootstrap";
import { Loose } from "./fixtures";

/** A small stand-in for Zabbix 7.0's JSON-RPC API: Bearer auth, own-password change needs current_passwd. */
class FakeZabbix {
    password = "zabbix";
    sessions = new Set<string>();
    tokens = new Map<string, { name: string; userid: string; token?: string }>();
    /** Users by id; "1" is Admin, a super admin. */
    users = new Map<string, { username: string; roleid: string; usrgrpids: string[] }>([
        ["1", { username: "Admin", roleid: "3", usrgrpids: ["7"] }],
    ]);
    roles = new Map<string, { name: string; type: number; rules: Loose }>([
        ["3", { name: "Super admin role", type: 3, rules: {} }],
    ]);
    groups = new Map<string, { name: string; gui_access: number }>([
        ["7", { name: "Zabbix administrators", gui_access: 0 }],
    ]);
    nextId = 1;
    calls: string[] = [];

    handle(method: string, params: Loose, bearer?: string): { result?: unknown; error?: unknown } {
        this.calls.push(method);
        const fail = (data: string) => ({ error: { code: -32602, message: "Invalid params.", data } });
        if (method === "apiinfo.version") return bearer ? fail("no auth for apiinfo") : { result: "7.0.16" };
        if (method === "user.login") {
            if (params.username !== "Admin" || params.password !== this.password)
                return fail("Incorrect user name or password");
            const s = `s${this.nextId++}`.padEnd(32, "0");
            this.sessions.add(s);
            return { result: s };
        }
        const valid =
            bearer && (this.sessions.has(bearer) || [...this.tokens.values()].some((t) => t.token === bearer));
        if (!valid) return { error: { code: -32602, message: "Invalid params.", data: "Not authorized." } };
        switch (method) {
            case "user.get":
                return {
                    result: [...this.users.entries()]
                        .filter(([, u]) => u.username === params.filter?.username)
                        .map(([userid]) => ({ userid })),
                };
            case "user.create": {
                if (!/^.{8,}$/.test(params.passwd ?? "")) return fail("Incorrect value for field passwd.");
                if (!this.roles.has(params.roleid))
                    return fail("No permissions to referred object or it does not exist!");
                const id = String(this.nextId++);
                const usrgrpids = (params.usrgrps as { usrgrpid: string }[]).map((g) => g.usrgrpid);
                this.users.set(id, { username: params.username, roleid: params.roleid, usrgrpids });
                return { result: { userids: [id] } };
            }
            case "role.get":
                return {
                    result: [...this.roles.entries()]
                        .filter(([, r]) => r.name === params.filter?.name)
                        .map(([roleid]) => ({ roleid })),
                };
            case "role.create": {
                const id = String(this.nextId++);
                this.roles.set(id, { name: params.name, type: params.type, rules: params.rules });
                return { result: { roleids: [id] } };
            }
            case "usergroup.get":
                return {
                    result: [...this.groups.entries()]
                        .filter(([, g]) => g.name === params.filter?.name)
                        .map(([usrgrpid]) => ({ usrgrpid })),
                };
            case "usergroup.create": {
                const id = String(this.nextId++);
                this.groups.set(id, { name: params.name, gui_access: params.gui_access ?? 0 });
                return { result: { usrgrpids: [id] } };
            }
            case "user.update":
                if (params.current_passwd !== this.password) return fail("Incorrect current password.");
                this.password = params.passwd;
                this.sessions.clear();
                return { result: { userids: [params.userid] } };
            case "host.get":
                return { result: [] };
            case "token.get":
                return {
                    result: [...this.tokens.entries()]
                        .filter(([, t]) => t.name === params.filter.name)
                        .map(([id, t]) =>
                            Object.fromEntries(
                                (params.output as string[]).map((f) => [f, f === "tokenid" ? id : t.userid]),
                            ),
                        ),
                };
            case "token.delete":
                for (const id of params as string[]) this.tokens.delete(id);
                return { result: { tokenids: params } };
            case "token.create": {
                if ([...this.tokens.values()].some((t) => t.name === params.name))
                    return fail("API token already exists.");
                const id = String(this.nextId++);
                this.tokens.set(id, { name: params.name, userid: params.userid ?? "1" });
                return { result: { tokenids: [id] } };
            }
            case "token.generate":
                return {
                    result: (params as string[]).map((id) => {
                        const token = `${id}`.padStart(64, "a");
                        this.tokens.get(id)!.token = token;
                        return { tokenid: id, token };
                    }),
                };
            default:
                return fail(`unknown method ${method}`);
        }
    }
}

function body(req: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
        let text = "";
        req.on("data", (c: Buffer) => (text += c.toString()));
        req.on("end", () => resolve(text));
    });
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<[Server, string]> {
    return new Promise((resolve) => {
        const server = createServer(handler);
        server.listen(0, "127.0.0.1", () =>
            resolve([server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`]),
        );
    });
}

const hasCurl = existsSync("/usr/bin/curl") || existsSync("/bin/curl");
const describeIfCurl = hasCurl ? describe : describe.skip;

describeIfCurl("Zabbix bootstrap script against a fake Zabbix 7.0 API", () => {
    let zabbix: FakeZabbix;
    let patches: { path: string; body: Loose; auth?: string }[];
    let servers: Server[] = [];
    let zabbixUrl = "";
    let kubeUrl = "";
    const saDir = mkdtempSync(path.join(tmpdir(), "sa-"));
    const script = path.join(mkdtempSync(path.join(tmpdir(), "bs-")), "bootstrap.sh");
    writeFileSync(path.join(saDir, "token"), "sa-token");
    writeFileSync(path.join(saDir, "ca.crt"), "unused over http");
    writeFileSync(script, BOOTSTRAP_SCRIPT);

    beforeEach(async () => {
        zabbix = new FakeZabbix();
        patches = [];
        const [z, zu] = await listen(async (req, res) => {
            const rpc = JSON.parse(await body(req));
            const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
            res.setHeader("Content-Type", "application/json");
            res.end(JSON.stringify({ jsonrpc: "2.0", ...zabbix.handle(rpc.method, rpc.params, bearer), id: rpc.id }));
        });
        const [k, ku] = await listen(async (req, res) => {
            patches.push({ path: req.url!, body: JSON.parse(await body(req)), auth: req.headers.authorization });
            res.statusCode = req.url!.includes("/deployments/") ? 404 : 200;
            res.end("{}");
        });
        servers = [z, k];
        zabbixUrl = `${zu}/api_jsonrpc.php`;
        kubeUrl = ku;
    });

    afterEach(async () => {
        await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    });

    function run(grafanaToken = ""): Promise<{ code: number; out: string }> {
        const env = {
            PATH: process.env.PATH,
            ZABBIX_URL: zabbixUrl,
            KUBE_API: kubeUrl,
            SA_DIR: saDir,
            NAMESPACE: "monitoring",
            TOKEN_SECRET_NAME: "zabbix-api-token",
            ADMIN_USER: "Admin",
            ADMIN_PASSWORD: "GeneratedPassw0rd",
            GRAFANA_TOKEN: grafanaToken,
        };
        return new Promise((resolve) => {
            execFile("sh", [script], { env, timeout: 30000 }, (err, stdout, stderr) =>
                resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
            );
        });
    }

    it("replaces the default Admin password and writes a fresh API token into the Secret", async () => {
        const r = await run();
        expect(r.out).toContain("Admin password replaced");
        expect(r.code).toBe(0);
        expect(zabbix.password).toBe("GeneratedPassw0rd");
        const secretPatch = patches.find((p) => p.path === "/api/v1/namespaces/monitoring/secrets/zabbix-api-token")!;
        const token = secretPatch.body.stringData.token as string;
        const reader = [...zabbix.users.entries()].find(([, u]) => u.username === ZABBIX_READER.user);
        expect(reader).toBeDefined();
        expect([...zabbix.tokens.values()]).toEqual([{ name: "grafana", userid: reader![0], token }]);
        expect(secretPatch.auth).toBe("Bearer sa-token");
        // The token Secret is all it writes: Grafana is rolled by the program (Monitoring).
        expect(patches.map((p) => p.path)).toEqual(["/api/v1/namespaces/monitoring/secrets/zabbix-api-token"]);
    });

    it("changes nothing when the password is set and the token still works", async () => {
        const first = await run();
        expect(first.code).toBe(0);
        const token = patches[0]!.body.stringData.token as string;
        patches = [];
        const again = await run(token);
        expect(again.code).toBe(0);
        expect(again.out).toContain("Grafana API token is valid");
        expect(patches).toEqual([]);
        expect(zabbix.tokens.size).toBe(1);
    });

    it("replaces a token that no longer works instead of failing on the duplicate name", async () => {
        await run();
        patches = [];
        const r = await run("0".repeat(64));
        expect(r.code).toBe(0);
        expect(zabbix.tokens.size).toBe(1);
        const fresh = [...zabbix.tokens.values()][0]!.token;
        expect(patches[0]!.body.stringData.token).toBe(fresh);
    });

    it("issues the token to a read-only user: every host group, only *.get methods, no frontend", async () => {
        const r = await run();
        expect(r.code).toBe(0);
        const [, reader] = [...zabbix.users.entries()].find(([, u]) => u.username === ZABBIX_READER.user)!;
        const role = zabbix.roles.get(reader.roleid)!;
        expect(role.name).toBe(ZABBIX_READER.role);
        // Type 3 (Super admin) sees every host group, so hosts the on-prem sync adds later too.
        expect(role.type).toBe(3);
        expect(role.rules["api.access"]).toBe(1);
        expect(role.rules["api.mode"]).toBe(1);
        expect(role.rules.api).toEqual(["*.get"]);
        expect(reader.usrgrpids.map((g) => zabbix.groups.get(g))).toEqual([
            { name: ZABBIX_READER.group, gui_access: 3 },
        ]);
        expect([...zabbix.tokens.values()].map((t) => t.userid)).not.toContain("1");
    });

    it("replaces a working token that belongs to Admin (the previous bootstrap's) with the reader's", async () => {
        zabbix.password = "GeneratedPassw0rd";
        zabbix.tokens.set("900", { name: "grafana", userid: "1", token: "b".repeat(64) });
        const r = await run("b".repeat(64));
        expect(r.code).toBe(0);
        expect(r.out).not.toContain("Grafana API token is valid");
        const tokens = [...zabbix.tokens.values()];
        expect(tokens).toHaveLength(1);
        expect(tokens[0]!.userid).not.toBe("1");
        expect(patches[0]!.body.stringData.token).toBe(tokens[0]!.token);
    });

    it("creates the reader, its role and group once", async () => {
        await run();
        const token = patches[0]!.body.stringData.token as string;
        const sizes = [zabbix.users.size, zabbix.roles.size, zabbix.groups.size];
        await run(token);
        expect([zabbix.users.size, zabbix.roles.size, zabbix.groups.size]).toEqual(sizes);
        expect(zabbix.calls.filter((c) => c.endsWith(".create") && !c.startsWith("token"))).toHaveLength(3);
    });

    it("fails loudly when neither the generated nor the default password logs in", async () => {
        zabbix.password = "someone-changed-it";
        const r = await run();
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("cannot log in as Admin");
        expect(patches).toEqual([]);
    });
});
