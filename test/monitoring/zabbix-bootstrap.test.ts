import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, IncomingMessage, Server, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { BOOTSTRAP_SCRIPT } from "../../components/monitoring/zabbix-bootstrap";
import { Loose } from "./fixtures";

/** A small stand-in for Zabbix 7.0's JSON-RPC API: Bearer auth, own-password change needs current_passwd. */
class FakeZabbix {
    password = "zabbix";
    sessions = new Set<string>();
    tokens = new Map<string, { name: string; token?: string }>();
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
                return { result: params.filter?.username === "Admin" ? [{ userid: "1" }] : [] };
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
                        .map(([id]) => ({ tokenid: id })),
                };
            case "token.delete":
                for (const id of params as string[]) this.tokens.delete(id);
                return { result: { tokenids: params } };
            case "token.create": {
                if ([...this.tokens.values()].some((t) => t.name === params.name))
                    return fail("API token already exists.");
                const id = String(this.nextId++);
                this.tokens.set(id, { name: params.name });
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
            GRAFANA_DEPLOYMENT: "grafana",
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
        expect([...zabbix.tokens.values()]).toEqual([{ name: "grafana", token }]);
        expect(secretPatch.auth).toBe("Bearer sa-token");
        expect(patches.some((p) => p.path === "/apis/apps/v1/namespaces/monitoring/deployments/grafana")).toBe(true);
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

    it("fails loudly when neither the generated nor the default password logs in", async () => {
        zabbix.password = "someone-changed-it";
        const r = await run();
        expect(r.code).not.toBe(0);
        expect(r.out).toContain("cannot log in as Admin");
        expect(patches).toEqual([]);
    });
});
