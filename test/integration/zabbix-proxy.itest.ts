// JSON answers are untyped data here; `any` reads them without ceremony.

// Site proxies against the real Zabbix 6.0 API (scripts/ci/zabbix-up.sh starts it): the sync
// creates a site's proxy in active mode and puts the site's hosts on it; a stack that does not
// watch the site makes nothing.
import { randomBytes } from "node:crypto";
import { syncInventory } from "../../components/onprem/inventory";
import { zabbixProxyName } from "../../components/onprem/sites";
import { zabbixEnv } from "./zabbix-env";
import { createClient, sync } from "../../components/onprem/zabbix-sync/sync";
import { onpremSchema } from "../../config/sections/onprem";

const { url, token } = zabbixEnv();
const client = createClient({ url, token, waitSeconds: 30 });
// Own names per run: runs never see each other's hosts or proxies.
const run = randomBytes(3).toString("hex");
const site = `it${run}`;
const stack = `it-${run}`;
const n = (host: string) => `it${run}-p-${host}`;

function inventory(monitoredBy: string) {
    const cfg = onpremSchema.parse({
        sites: {
            [site]: { mode: "gateway", ranges: ["10.78.0.0/16"], monitoredBy, gateway: { tunnelCidr: "10.79.0.0/30" } },
        },
        hosts: {
            [n("board")]: {
                kind: "microcontroller",
                site,
                address: "10.78.0.101",
                zabbix: { templates: ["ICMP Ping"] },
            },
            [n("switch")]: { kind: "network-device", site, address: "10.78.0.2", zabbix: { templates: [] } },
        },
    });
    return syncInventory(cfg, stack);
}

async function proxy(): Promise<Record<string, any> | undefined> {
    const [p] = await client.call("proxy.get", {
        output: ["proxyid", "host", "status"],
        filter: { host: [zabbixProxyName(site)] },
    });
    return p;
}

async function proxyOf(host: string): Promise<string | undefined> {
    const [h] = await client.call("host.get", { output: ["proxy_hostid"], filter: { host: [host] } });
    return h?.proxy_hostid;
}

beforeAll(async () => {
    await client.connect();
});

afterAll(async () => {
    const hosts = await client.call("host.get", { output: ["hostid"], search: { host: `it${run}-p-` } });
    if (hosts.length > 0)
        await client.call(
            "host.delete",
            hosts.map((h: { hostid: string }) => h.hostid),
        );
    const p = await proxy();
    if (p) await client.call("proxy.delete", [p.proxyid]);
});

describe("site proxies against a real Zabbix 6.0 API", () => {
    it("a stack that does not watch the site makes no host and no proxy", async () => {
        const inv = inventory("somebody-else");
        expect(inv.hosts).toEqual([]);
        const result = await sync({ url, token, waitSeconds: 30, inventory: inv, credentials: {} });
        expect(result.created).toEqual([]);
        expect(await proxy()).toBeUndefined();
    });

    it("the watcher creates the site's proxy in active mode and puts every host of the site on it", async () => {
        const result = await sync({ url, token, waitSeconds: 30, inventory: inventory(stack), credentials: {} });
        expect(result.created.sort()).toEqual([n("board"), n("switch")]);
        const p = await proxy();
        expect(p).toMatchObject({ host: zabbixProxyName(site), status: "5" });
        expect(await proxyOf(n("board"))).toBe(p!.proxyid);
        expect(await proxyOf(n("switch"))).toBe(p!.proxyid);
    });

    it("changes nothing when run again, and reuses the proxy", async () => {
        const before = (await proxy())!.proxyid;
        const result = await sync({ url, token, waitSeconds: 30, inventory: inventory(stack), credentials: {} });
        expect(result).toEqual({ created: [], updated: [], unchanged: [n("board"), n("switch")].sort(), deleted: [] });
        expect((await proxy())!.proxyid).toBe(before);
    });

    it("moves a host put on the server by hand back onto its site's proxy", async () => {
        const [h] = await client.call("host.get", { output: ["hostid"], filter: { host: [n("board")] } });
        await client.call("host.update", { hostid: h.hostid, proxy_hostid: "0" });
        const result = await sync({ url, token, waitSeconds: 30, inventory: inventory(stack), credentials: {} });
        expect(result.updated).toEqual([n("board")]);
        expect(await proxyOf(n("board"))).toBe((await proxy())!.proxyid);
    });

    it("a stack that stops watching deletes the hosts it made, not the proxy", async () => {
        const result = await sync({
            url,
            token,
            waitSeconds: 30,
            inventory: inventory("somebody-else"),
            credentials: {},
        });
        expect(result.deleted.sort()).toEqual([n("board"), n("switch")].sort());
        expect(await proxy()).toBeDefined();
    });
});

describe("site proxies with a pre-shared key, against a real Zabbix 6.0 API", () => {
    const pskSite = `ik${run}`;
    const name = zabbixProxyName(pskSite);
    const key = randomBytes(32).toString("hex");
    const keyed = (identity: string) => ({ [name]: { identity, psk: key } });
    const pskInventory = () => ({
        managedTag: { tag: "managed-by", value: `it-psk-${run}` },
        hosts: [{ name: `ik${run}-board`, address: "10.78.1.101", groups: ["On-prem"], templates: [], proxy: name }],
    });
    const get = async () => {
        const [p] = await client.call("proxy.get", {
            output: ["proxyid", "host", "status", "tls_accept", "description"],
            filter: { host: [name] },
        });
        return p as Record<string, string> | undefined;
    };

    afterAll(async () => {
        const hosts = await client.call("host.get", { output: ["hostid"], filter: { host: [`ik${run}-board`] } });
        if (hosts.length > 0) await client.call("host.delete", [hosts[0].hostid]);
        const p = await get();
        if (p) await client.call("proxy.delete", [p.proxyid]);
    });

    it("creates the proxy active, accepting PSK connections only, under the bundle's identity", async () => {
        await sync({ url, token, waitSeconds: 30, inventory: pskInventory(), proxies: keyed(`${name}-it`) });
        // tls_accept 2 = PSK. Identity and key are write-only in the API: the description records the identity.
        const p = await get();
        expect(p).toMatchObject({ status: "5", tls_accept: "2" });
        expect(p!.description).toContain(`PSK identity: ${name}-it`);
    });

    it("leaves it alone when run again, and takes a new identity when the bundle's changes", async () => {
        const lines: string[] = [];
        const log = (m: string) => lines.push(m);
        const syncAs = (identity: string) =>
            sync({ url, token, waitSeconds: 30, inventory: pskInventory(), proxies: keyed(identity), log });
        const again = await syncAs(`${name}-it`);
        expect(again).toEqual({ created: [], updated: [], unchanged: [`ik${run}-board`], deleted: [] });
        expect(lines.filter((l) => l.includes("proxy"))).toEqual([]);
        await syncAs(`${name}-it2`);
        expect(lines.filter((l) => l.startsWith("update proxy"))).toHaveLength(1);
        const p = await get();
        expect(p).toMatchObject({ tls_accept: "2" });
        expect(p!.description).toContain(`PSK identity: ${name}-it2`);
    });

    it("takes a new key under the same identity (a replaced RandomBytes), and then leaves it alone", async () => {
        const lines: string[] = [];
        const log = (m: string) => lines.push(m);
        const rekey = { [name]: { identity: `${name}-it2`, psk: randomBytes(32).toString("hex") } };
        const run = () => sync({ url, token, waitSeconds: 30, inventory: pskInventory(), proxies: rekey, log });
        const before = (await get())!.description;
        await run();
        expect(lines.filter((l) => l.startsWith("update proxy"))).toHaveLength(1);
        expect((await get())!.description).not.toBe(before);
        await run();
        expect(lines.filter((l) => l.startsWith("update proxy"))).toHaveLength(1);
    });
});
