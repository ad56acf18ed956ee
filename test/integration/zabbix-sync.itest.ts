// JSON answers and manifests are untyped data here; `any` reads them without ceremony.

// The on-prem Zabbix sync against a real Zabbix 6.0 API (Debian's packages, PostgreSQL), started
// by scripts/ci/zabbix-up.sh, which writes ZABBIX_URL and ZABBIX_TOKEN to /tmp/zabbix-ci/env.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { hostCredentials } from "../../components/onprem/credentials";
import { syncInventory, SYNC_SCRIPT_PATH } from "../../components/onprem/inventory";
import { zabbixEnv } from "./zabbix-env";
import { createClient, MACROS, sync, SyncResult } from "../../components/onprem/zabbix-sync/sync";
import { onpremSchema } from "../../config/sections/onprem";

const { url, token } = zabbixEnv();
const client = createClient({ url, token, waitSeconds: 30 });
// Every run uses its own names and stack, so runs never see each other's hosts.
const run = randomBytes(3).toString("hex");
const stack = `it-${run}`;
const n = (host: string) => `it${run}-${host}`;
const secret = {
    "lab-ipmi": { username: "ADMIN", password: `ipmi-pw-${run}` },
    "lab-snmp": { community: `community-${run}` },
    "lab-snmpv3": { securityName: "zabbix", authPassphrase: `auth-pass-${run}`, privPassphrase: `priv-pass-${run}` },
};

function inventoryConfig(changed: boolean) {
    const hosts: Record<string, unknown> = {
        [n("srv")]: {
            kind: "server",
            address: "10.77.0.11",
            ipmi: { address: changed ? "10.77.100.99" : "10.77.100.11", credentials: "lab-ipmi" },
            zabbix: {
                templates: changed ? ["Linux by Zabbix agent"] : ["Chassis by IPMI"],
                groups: [`IT ${run}/servers`],
                agentPort: 10050,
            },
        },
        [n("switch")]: {
            kind: "network-device",
            address: "10.77.0.2",
            snmp: { version: "2c", credentials: "lab-snmp" },
            zabbix: { templates: ["Network Generic Device by SNMP"], groups: [`IT ${run}/network`] },
        },
        [n("firewall")]: {
            kind: "network-device",
            address: "10.77.0.3",
            snmp: { version: "3", credentials: "lab-snmpv3" },
            zabbix: { templates: ["Generic by SNMP"], groups: [`IT ${run}/network`] },
        },
    };
    if (!changed) {
        hosts[n("esp32")] = {
            kind: "microcontroller",
            address: "10.77.0.101",
            zabbix: { templates: ["ICMP Ping"], groups: [`IT ${run}/boards`] },
        };
    }
    return onpremSchema.parse({ hosts });
}

/** The stack's fingerprint key (the Secret's `fingerprint-key`), one per stack like the RandomBytes. */
const fingerprintKey = "c0ffee".repeat(10);

/** What the Job gets: the ConfigMap's inventory and the Secret's credentials, from the same code. */
function jobInputs(changed: boolean) {
    const cfg = inventoryConfig(changed);
    return {
        inventory: syncInventory(cfg, stack),
        credentials: hostCredentials(cfg, JSON.stringify(secret)),
        fingerprintKey,
    };
}

function runSync(changed: boolean): Promise<SyncResult> {
    return sync({ url, token, waitSeconds: 30, ...jobInputs(changed) });
}

/** Runs sync.js as the Job does: a node process reading the two files. */
async function runScript(changed: boolean, extraEnv: Record<string, string> = {}) {
    const dir = mkdtempSync(path.join(tmpdir(), "zabbix-sync-"));
    const { inventory, credentials } = jobInputs(changed);
    writeFileSync(path.join(dir, "inventory.json"), JSON.stringify(inventory));
    writeFileSync(path.join(dir, "credentials.json"), JSON.stringify(credentials));
    writeFileSync(path.join(dir, "fingerprint-key"), fingerprintKey);
    const env = {
        PATH: process.env.PATH ?? "",
        ZABBIX_URL: url,
        ZABBIX_TOKEN: token,
        INVENTORY_FILE: path.join(dir, "inventory.json"),
        CREDENTIALS_FILE: path.join(dir, "credentials.json"),
        FINGERPRINT_KEY_FILE: path.join(dir, "fingerprint-key"),
        ZABBIX_WAIT_SECONDS: "20",
        ...extraEnv,
    };
    try {
        const { stdout } = await promisify(execFile)(process.execPath, [SYNC_SCRIPT_PATH], { env });
        return { code: 0, out: stdout };
    } catch (e) {
        const err = e as { code: number; stdout: string; stderr: string };
        return { code: err.code, out: `${err.stdout}${err.stderr}` };
    }
}

async function getHost(name: string) {
    const [h] = await client.call("host.get", {
        output: ["hostid", "host", "ipmi_username", "ipmi_password", "ipmi_privilege"],
        filter: { host: [name] },
        selectInterfaces: ["type", "ip", "port", "details"],
        selectGroups: ["name"],
        selectParentTemplates: ["host"],
        selectTags: ["tag", "value"],
    });
    return h as Record<string, any> | undefined;
}

beforeAll(async () => {
    await client.connect();
    const groups = await client.call("hostgroup.get", { output: ["groupid"], filter: { name: ["Linux servers"] } });
    // A host a person made by hand: the sync must never touch it.
    await client.call("host.create", {
        host: n("handmade"),
        groups: [{ groupid: groups[0].groupid }],
        tags: [{ tag: "owner", value: "a person" }],
    });
});

afterAll(async () => {
    const hosts = await client.call("host.get", { output: ["hostid"], search: { host: `it${run}-` } });
    if (hosts.length > 0)
        await client.call(
            "host.delete",
            hosts.map((h: { hostid: string }) => h.hostid),
        );
});

describe("zabbix sync against a real Zabbix 6.0 API", () => {
    it("sends the token in `auth` to 6.0 (it refuses a Bearer header)", () => {
        expect(client.version[0]).toBe(6);
        expect(client.version[1]).toBeLessThan(4);
        expect(client.mode).toBe("auth-field");
    });

    it("creates every inventory host from the script the Job runs, with its interfaces, templates, groups and tags", async () => {
        const first = await runScript(false);
        expect(first.out).toContain("4 created, 0 updated, 0 unchanged, 0 deleted");
        expect(first.code).toBe(0);

        const srv = await getHost(n("srv"));
        expect(srv).toBeDefined();
        expect(srv!.interfaces.map((i: any) => [i.type, i.ip, i.port]).sort()).toEqual([
            ["1", "10.77.0.11", "10050"],
            ["3", "10.77.100.11", "623"],
        ]);
        // The IPMI fields name the host's secret macros; the values live only in those macros.
        expect(srv!.ipmi_username).toBe(MACROS.ipmiUsername);
        expect(srv!.ipmi_password).toBe(MACROS.ipmiPassword);
        // The inventory names no privilege: `user` (2), enough to read sensors.
        expect(srv!.ipmi_privilege).toBe("2");
        expect(srv!.parentTemplates.map((t: any) => t.host)).toEqual(["Chassis by IPMI"]);
        expect(srv!.groups.map((g: any) => g.name)).toEqual([`IT ${run}/servers`]);
        expect(srv!.tags).toEqual(
            expect.arrayContaining([
                { tag: "managed-by", value: `platform-onprem-${stack}` },
                { tag: "onprem-kind", value: "server" },
            ]),
        );

        const sw = await getHost(n("switch"));
        expect(sw!.interfaces).toEqual([
            expect.objectContaining({
                type: "2",
                ip: "10.77.0.2",
                port: "161",
                details: expect.objectContaining({ version: "2", community: MACROS.snmpCommunity }),
            }),
        ]);
        const fw = await getHost(n("firewall"));
        expect(fw!.interfaces[0].details).toEqual(
            expect.objectContaining({
                version: "3",
                securityname: MACROS.snmpSecurityName,
                authpassphrase: MACROS.snmpAuthPassphrase,
                privpassphrase: MACROS.snmpPrivPassphrase,
                securitylevel: "2",
                authprotocol: "3",
                privprotocol: "1",
            }),
        );
        expect((await getHost(n("esp32")))!.parentTemplates.map((t: any) => t.host)).toEqual(["ICMP Ping"]);
    });

    it("keeps the credentials in secret macros whose values the API never returns", async () => {
        const hosts = await client.call("host.get", {
            output: ["hostid", "host"],
            filter: { host: [n("srv"), n("switch"), n("firewall")] },
            selectMacros: "extend",
        });
        expect(hosts).toHaveLength(3);
        const macros = await client.call("usermacro.get", {
            output: "extend",
            hostids: hosts.map((h: any) => h.hostid),
        });
        expect(macros.map((m: any) => m.macro).sort()).toEqual(
            [
                MACROS.ipmiPassword,
                MACROS.ipmiUsername,
                MACROS.snmpCommunity,
                MACROS.snmpAuthPassphrase,
                MACROS.snmpPrivPassphrase,
                MACROS.snmpSecurityName,
            ].sort(),
        );
        for (const m of macros) {
            expect({ macro: m.macro, type: m.type }).toEqual({ macro: m.macro, type: "1" });
            expect(m.value ?? "").toBe("");
        }
        // Neither answer holds any credential value, anywhere.
        const answers = JSON.stringify([hosts, macros, await getHost(n("srv")), await getHost(n("firewall"))]);
        const planted = Object.values(secret).flatMap((c) => Object.values(c));
        for (const v of planted.filter((v) => v !== "ADMIN" && v !== "zabbix")) expect(answers).not.toContain(v);
    });

    it("changes nothing when run again with the same inventory", async () => {
        const again = await runSync(false);
        expect(again).toEqual({ created: [], updated: [], deleted: [], unchanged: expect.any(Array) });
        expect(again.unchanged.sort()).toEqual([n("esp32"), n("firewall"), n("srv"), n("switch")].sort());
    });

    it("updates a changed host and deletes the one removed from the inventory, and only that one", async () => {
        const changed = await runSync(true);
        expect(changed.created).toEqual([]);
        expect(changed.updated).toEqual([n("srv")]);
        expect(changed.deleted).toEqual([n("esp32")]);
        expect(changed.unchanged.sort()).toEqual([n("firewall"), n("switch")].sort());

        const srv = await getHost(n("srv"));
        expect(srv!.interfaces.find((i: any) => i.type === "3").ip).toBe("10.77.100.99");
        expect(srv!.parentTemplates.map((t: any) => t.host)).toEqual(["Linux by Zabbix agent"]);
        // The dropped template was cleared, not just unlinked: none of its items stay behind.
        const ipmiItems = await client.call("item.get", {
            hostids: [srv!.hostid],
            filter: { type: 12 },
            countOutput: true,
        });
        expect(Number(ipmiItems)).toBe(0);
        expect(await getHost(n("esp32"))).toBeUndefined();
    });

    it("leaves the hand-made host alone", async () => {
        const handmade = await getHost(n("handmade"));
        expect(handmade).toBeDefined();
        expect(handmade!.tags).toEqual([{ tag: "owner", value: "a person" }]);
    });

    it("is idempotent after the change too", async () => {
        const again = await runSync(true);
        expect(again.created).toEqual([]);
        expect(again.updated).toEqual([]);
        expect(again.deleted).toEqual([]);
        expect(again.unchanged).toHaveLength(3);
    });

    it("runs on a login instead of a token (a stack whose Zabbix is its own)", async () => {
        // zabbix-up.sh keeps Debian's default Admin password; the platform's bootstrap sets its own.
        // (6.0's user.get cannot list sessions; the unit tests check the logout is sent.)
        const again = await runScript(true, { ZABBIX_TOKEN: "", ZABBIX_USER: "Admin", ZABBIX_PASSWORD: "zabbix" });
        expect(again.code).toBe(0);
        expect(again.out).toContain("logged in as Admin");
        expect(again.out).toMatch(/done: 0 created, 0 updated, 3 unchanged, 0 deleted/);
        const wrong = await runScript(true, { ZABBIX_TOKEN: "", ZABBIX_USER: "Admin", ZABBIX_PASSWORD: "not-it" });
        expect(wrong.code).toBe(1);
        expect(wrong.out).toMatch(/zabbix-sync: ERROR: user\.login: /);
    });

    it("exits non-zero with a clear message when the API refuses the token", async () => {
        const bad = await runScript(true, { ZABBIX_TOKEN: "0".repeat(64) });
        expect(bad.code).toBe(1);
        expect(bad.out).toMatch(/zabbix-sync: ERROR: .*(Not authorized|not authorised|Session terminated)/i);
    });

    it("exits non-zero naming the template and its host when a template does not exist", async () => {
        const cfg = inventoryConfig(true);
        const inventory = syncInventory(cfg, stack);
        const broken = {
            ...inventory,
            hosts: inventory.hosts.map((h) => (h.name === n("switch") ? { ...h, templates: ["No Such Template"] } : h)),
        };
        await expect(
            sync({ url, token, inventory: broken, credentials: hostCredentials(cfg, JSON.stringify(secret)) }),
        ).rejects.toThrow(`template "No Such Template" (linked by ${n("switch")})`);
    });
});
