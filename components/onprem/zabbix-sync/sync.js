#!/usr/bin/env node
// Zabbix hosts as code: makes the Zabbix hosts match the on-prem inventory, through the JSON-RPC
// API. Dependency-free CommonJS (Node 20+, global fetch), so the sync Job runs it straight from a
// ConfigMap on a stock node image and jest tests it directly.
//
// It creates or updates every inventory host (agent, IPMI and SNMP interfaces, groups, templates,
// tags), tags each host it manages with the inventory's managed tag, and deletes only hosts that
// carry that tag and are no longer in the inventory: hosts made by hand are never touched.
// A second run with the same inventory changes nothing.
//
// Credentials live only in host-level secret macros (type 1: the API never returns their value);
// the IPMI fields and SNMP interface details name the macros ({$IPMI_PASSWORD}, ...). Zabbix
// hides the value, so each macro's description carries a fingerprint (HMAC-SHA256 keyed with a
// random key of the stack's, FINGERPRINT_KEY_FILE) of host, macro and value: a rotated credential
// changes it, nobody without the key can test a guess against it, and a change of the sync's own
// API credential (a new token, a token replaced by a login) rewrites nothing.
//
// Environment (main):
//   ZABBIX_URL        the API endpoint, e.g. http://zabbix-web.monitoring.svc/api_jsonrpc.php
//   ZABBIX_TOKEN      an API token (or ZABBIX_TOKEN_FILE: a file holding it); or, without one,
//   ZABBIX_USER and ZABBIX_PASSWORD  a login (a session for this run, logged out at the end)
//   FINGERPRINT_KEY_FILE  the key of the secret macros' and proxy keys' fingerprints (required:
//                     keyed with the API credential instead, a new credential would rewrite every
//                     macro, and a guessed secret could be tested by anyone holding that credential)
//   INVENTORY_FILE    inventory JSON (hosts, interfaces, groups, templates; no credential)
//   CREDENTIALS_FILE  credentials JSON, per host: { ipmi: {username, password}, snmp: {...} }
//   PROXIES_FILE      per proxy: { identity, psk } (hex), the site bundle's pre-shared key; optional
//   ZABBIX_WAIT_SECONDS  how long to wait for the API to answer at start. Default 600.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");

/** A JSON-RPC error answer, or a transport failure once waiting is over. */
class ZabbixError extends Error {
    constructor(message) {
        super(message);
        this.name = "ZabbixError";
    }
}

/** [major, minor] of "6.0.14". */
function parseVersion(text) {
    const m = /^(\d+)\.(\d+)/.exec(String(text));
    if (!m) throw new ZabbixError(`apiinfo.version answered ${JSON.stringify(text)}, not a version`);
    return [Number(m[1]), Number(m[2])];
}

function atLeast(version, major, minor) {
    return version[0] > major || (version[0] === major && version[1] >= minor);
}

/**
 * 6.0 takes the token only in the request's `auth` field; 6.4 and later take the
 * `Authorization: Bearer` header, and 7.x expects it.
 */
function authMode(version) {
    return atLeast(version, 6, 4) ? "bearer" : "auth-field";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A client for one API endpoint. `connect()` waits for the API (the frontend may still be
 * starting), asks its version and picks the way to send the token.
 */
function createClient(opts) {
    const fetchFn = opts.fetch || globalThis.fetch;
    const log = opts.log || (() => {});
    let id = 0;
    let mode = "auth-field";
    let version = [0, 0];
    let token = opts.token;
    let session = false;

    async function post(method, params, withAuth) {
        const body = { jsonrpc: "2.0", method, params, id: ++id };
        const headers = { "Content-Type": "application/json-rpc" };
        if (withAuth && mode === "bearer") headers.Authorization = `Bearer ${token}`;
        if (withAuth && mode === "auth-field") body.auth = token;
        const res = await fetchFn(opts.url, { method: "POST", headers, body: JSON.stringify(body) });
        const text = await res.text();
        if (res.status >= 500) throw Object.assign(new Error(`HTTP ${res.status}`), { transient: true });
        let answer;
        try {
            answer = JSON.parse(text);
        } catch {
            throw Object.assign(new Error(`HTTP ${res.status}, not JSON: ${text.slice(0, 120)}`), {
                transient: true,
            });
        }
        if (answer.error) {
            const e = answer.error;
            throw new ZabbixError(`${method}: ${e.message} ${e.data || ""}`.trim());
        }
        return answer.result;
    }

    return {
        get version() {
            return version;
        },
        get mode() {
            return mode;
        },
        async connect() {
            const deadline = Date.now() + (opts.waitSeconds ?? 600) * 1000;
            const interval = opts.retryIntervalMs ?? 2000;
            for (;;) {
                try {
                    version = parseVersion(await post("apiinfo.version", {}, false));
                    break;
                } catch (e) {
                    if (e instanceof ZabbixError) throw e;
                    if (Date.now() + interval > deadline) {
                        throw new ZabbixError(
                            `the Zabbix API at ${opts.url} did not answer in time (last error: ${e.message})`,
                        );
                    }
                    log(`waiting for the Zabbix API at ${opts.url}: ${e.message}`);
                    await sleep(interval);
                }
            }
            mode = authMode(version);
            log(`Zabbix API ${version.join(".")}, token sent ${mode === "bearer" ? "as a Bearer header" : "in auth"}`);
            return version;
        },
        call(method, params) {
            return post(method, params, true);
        },
        /** Opens a session (sent like a token from then on), for a run without a token. */
        async login(username, password) {
            token = await post("user.login", { username, password }, false);
            session = true;
            log(`logged in as ${username}`);
        },
        /** Closes the session login() opened; nothing to do with a token. */
        async logout() {
            if (!session) return;
            await post("user.logout", [], true);
            session = false;
        },
    };
}

// ---------------------------------------------------------------------------------------------
// The desired state of one host.

const INTERFACE_TYPE = { agent: 1, snmp: 2, ipmi: 3 };
const SNMP_SECURITY_LEVEL = { noAuthNoPriv: 0, authNoPriv: 1, authPriv: 2 };
const SNMP_AUTH_PROTOCOL = { MD5: 0, SHA1: 1, SHA224: 2, SHA256: 3, SHA384: 4, SHA512: 5 };
const SNMP_PRIV_PROTOCOL = { DES: 0, AES128: 1, AES192: 2, AES256: 3, AES192C: 4, AES256C: 5 };
const IPMI_PRIVILEGE = { callback: 1, user: 2, operator: 3, admin: 4, oem: 5 };

function need(value, what) {
    if (value === undefined || value === null || value === "") throw new ZabbixError(`${what} is missing`);
    return value;
}

/** The host-level macros holding credentials; the sync owns these names on the hosts it manages. */
const MACROS = {
    ipmiUsername: "{$IPMI_USERNAME}",
    ipmiPassword: "{$IPMI_PASSWORD}",
    snmpCommunity: "{$SNMP_COMMUNITY}",
    snmpSecurityName: "{$SNMPV3_SECURITYNAME}",
    snmpAuthPassphrase: "{$SNMPV3_AUTHPASSPHRASE}",
    snmpPrivPassphrase: "{$SNMPV3_PRIVPASSPHRASE}",
};
const SYNC_MACROS = new Set(Object.values(MACROS));
/** Zabbix's user macro type "secret text": stored, used by the server, never returned by the API. */
const SECRET_MACRO = "1";

/**
 * SNMP interface details naming the credential macros; `secret(macro, value, what)` records the
 * value as a secret macro of the host and returns the macro's name.
 */
function snmpDetails(snmp, cred, hostName, secret) {
    const where = `host ${hostName}: SNMP credentials`;
    if (snmp.version === "2c") {
        return {
            version: "2",
            bulk: "1",
            community: secret(MACROS.snmpCommunity, cred && cred.community, `${where} (community)`),
        };
    }
    const level = snmp.securityLevel || "authPriv";
    const details = {
        version: "3",
        bulk: "1",
        securityname: secret(MACROS.snmpSecurityName, cred && cred.securityName, `${where} (securityName)`),
        securitylevel: String(SNMP_SECURITY_LEVEL[level]),
        contextname: snmp.contextName || "",
    };
    if (level !== "noAuthNoPriv") {
        details.authprotocol = String(SNMP_AUTH_PROTOCOL[snmp.authProtocol || "SHA256"]);
        details.authpassphrase = secret(MACROS.snmpAuthPassphrase, cred.authPassphrase, `${where} (authPassphrase)`);
    }
    if (level === "authPriv") {
        details.privprotocol = String(SNMP_PRIV_PROTOCOL[snmp.privProtocol || "AES128"]);
        details.privpassphrase = secret(MACROS.snmpPrivPassphrase, cred.privPassphrase, `${where} (privPassphrase)`);
    }
    return details;
}

/** What a secret macro's description holds: a keyed fingerprint of host, macro and value. */
function macroDescription(key, host, macro, value) {
    const mac = crypto.createHmac("sha256", String(key || "")).update(`${host}\0${macro}\0${value}`);
    return `zabbix-sync: set from the stack's credentials; fingerprint ${mac.digest("hex").slice(0, 32)}`;
}

/**
 * The host.create/host.update parameters for an inventory host, minus ids: group and template
 * names stay names here. Every value is a string, as host.get returns them.
 */
function desiredHost(host, credentials, managedTag, fingerprintKey = "") {
    const cred = (credentials && credentials[host.name]) || {};
    const interfaces = [];
    const macros = [];
    const secret = (macro, value, what) => {
        const v = need(value, what);
        macros.push({
            macro,
            value: String(v),
            type: SECRET_MACRO,
            description: macroDescription(fingerprintKey, host.name, macro, v),
        });
        return macro;
    };
    // Without an agent or SNMP interface the host still needs one carrying its address: simple
    // checks (the ICMP Ping template) run against a host interface. An agent interface is the
    // usual holder; with no agent items on it, nothing polls the port.
    if (host.agent || !host.snmp) {
        interfaces.push({ type: "1", ip: host.address, port: String((host.agent && host.agent.port) || 10050) });
    }
    if (host.snmp) {
        interfaces.push({
            type: "2",
            ip: host.snmp.address || host.address,
            port: String(host.snmp.port || 161),
            details: snmpDetails(host.snmp, cred.snmp, host.name, secret),
        });
    }
    const params = {
        host: host.name,
        name: host.visibleName || host.name,
        description: host.description || "",
        groups: [...(host.groups || [])].sort(),
        templates: [...(host.templates || [])].sort(),
        tags: sortTags([...(host.tags || []), managedTag]),
        ipmi_authtype: "-1",
        ipmi_privilege: "2",
        ipmi_username: "",
        ipmi_password: "",
    };
    if (host.ipmi) {
        const ipmi = cred.ipmi || {};
        interfaces.push({ type: "3", ip: host.ipmi.address, port: String(host.ipmi.port || 623) });
        // Reading sensors needs no more than `user`; the config's default is the same.
        params.ipmi_privilege = String(IPMI_PRIVILEGE[host.ipmi.privilege || "user"]);
        params.ipmi_username = secret(
            MACROS.ipmiUsername,
            ipmi.username,
            `host ${host.name}: IPMI credentials (username)`,
        );
        params.ipmi_password = secret(
            MACROS.ipmiPassword,
            ipmi.password,
            `host ${host.name}: IPMI credentials (password)`,
        );
    }
    params.macros = macros.sort((a, b) => a.macro.localeCompare(b.macro));
    params.interfaces = interfaces
        .map((i) => ({ main: "1", useip: "1", dns: "", ...i }))
        .sort((a, b) => Number(a.type) - Number(b.type));
    return params;
}

function sortTags(tags) {
    return tags
        .map((t) => ({ tag: String(t.tag), value: String(t.value ?? "") }))
        .sort((a, b) => (a.tag + "\0" + a.value).localeCompare(b.tag + "\0" + b.value));
}

// ---------------------------------------------------------------------------------------------
// Comparing with what Zabbix holds.

const sameSet = (a, b) => a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);

/** Interface fields that differ; a field the API does not return (a hidden secret) counts as equal. */
function interfaceDiffers(want, have) {
    if (!have) return true;
    for (const key of ["ip", "port", "useip", "dns", "main"]) {
        if (String(have[key]) !== want[key]) return true;
    }
    const details = have.details && !Array.isArray(have.details) ? have.details : {};
    for (const [key, value] of Object.entries(want.details || {})) {
        if (key in details && String(details[key]) !== value) return true;
        if (!(key in details) && !/passphrase|community/.test(key)) return true;
    }
    return false;
}

/** The names of the fields to change on an existing host (empty when it already matches). */
function hostChanges(want, have, ids) {
    const changes = [];
    for (const key of ["name", "description", "ipmi_authtype", "ipmi_privilege", "ipmi_username"]) {
        if (String(have[key] ?? "") !== want[key]) changes.push(key);
    }
    if ("ipmi_password" in have && String(have.ipmi_password) !== want.ipmi_password) changes.push("ipmi_password");
    const groups = (have.hostgroups || have.groups || []).map((g) => String(g.groupid));
    if (
        !sameSet(
            groups,
            want.groups.map((g) => ids.groups[g]),
        )
    )
        changes.push("groups");
    const templates = (have.parentTemplates || []).map((t) => String(t.templateid));
    if (
        !sameSet(
            templates,
            want.templates.map((t) => ids.templates[t]),
        )
    )
        changes.push("templates");
    if (JSON.stringify(sortTags(have.tags || [])) !== JSON.stringify(want.tags)) changes.push("tags");
    const current = have.interfaces || [];
    const interfacesDiffer =
        current.length !== want.interfaces.length ||
        want.interfaces.some((w) =>
            interfaceDiffers(
                w,
                current.find((c) => String(c.type) === w.type),
            ),
        );
    if (interfacesDiffer) changes.push("interfaces");
    if (macroChanges(want.macros, have.macros).length > 0) changes.push("macros");
    return changes;
}

/**
 * The usermacro calls that make the host's credential macros match: create, update (a changed
 * fingerprint or type) or delete, for the sync's own macro names only; a macro a person added
 * under another name stays.
 */
function macroChanges(want, have) {
    const current = (have || []).filter((m) => SYNC_MACROS.has(m.macro));
    const calls = [];
    for (const w of want || []) {
        const h = current.find((m) => m.macro === w.macro);
        if (!h) calls.push(["usermacro.create", w]);
        else if (String(h.type) !== w.type || String(h.description ?? "") !== w.description)
            calls.push(["usermacro.update", { hostmacroid: h.hostmacroid, ...w }]);
    }
    const wanted = new Set((want || []).map((w) => w.macro));
    const stale = current.filter((m) => !wanted.has(m.macro)).map((m) => m.hostmacroid);
    if (stale.length > 0) calls.push(["usermacro.delete", stale]);
    return calls;
}

/** host.create / host.update parameters with group and template names resolved to ids. */
function apiParams(want, ids, have) {
    const params = {
        ...want,
        groups: want.groups.map((g) => ({ groupid: ids.groups[g] })),
        templates: want.templates.map((t) => ({ templateid: ids.templates[t] })),
        interfaces: want.interfaces.map((i) => {
            const existing = have && (have.interfaces || []).find((c) => String(c.type) === i.type);
            return existing ? { ...i, interfaceid: existing.interfaceid } : i;
        }),
    };
    if (have) {
        params.hostid = have.hostid;
        delete params.host;
        // Macros are changed one by one (macroChanges): host.update's list would replace them all.
        delete params.macros;
        // A template dropped from the inventory is unlinked and cleared, so its items go too.
        const keep = new Set(params.templates.map((t) => t.templateid));
        const dropped = (have.parentTemplates || []).map((t) => String(t.templateid)).filter((id) => !keep.has(id));
        if (dropped.length > 0) params.templates_clear = dropped.map((templateid) => ({ templateid }));
    }
    return params;
}

// ---------------------------------------------------------------------------------------------
// The sync.

async function resolveGroups(client, names, create) {
    const ids = {};
    if (names.length === 0) return ids;
    const found = await client.call("hostgroup.get", { output: ["groupid", "name"], filter: { name: names } });
    for (const g of found) ids[g.name] = String(g.groupid);
    for (const name of names.filter((n) => !ids[n])) {
        if (!create) {
            ids[name] = `(new ${name})`;
            continue;
        }
        const made = await client.call("hostgroup.create", { name });
        ids[name] = String(made.groupids[0]);
    }
    return ids;
}

async function resolveTemplates(client, wanted) {
    const names = [...wanted.keys()];
    const ids = {};
    if (names.length === 0) return ids;
    for (const field of ["host", "name"]) {
        const missing = names.filter((n) => !ids[n]);
        if (missing.length === 0) break;
        const found = await client.call("template.get", {
            output: ["templateid", "host", "name"],
            filter: { [field]: missing },
        });
        for (const t of found) ids[t[field]] = String(t.templateid);
    }
    const missing = names.filter((n) => !ids[n]);
    if (missing.length > 0) {
        const lines = missing.map((n) => `template "${n}" (linked by ${wanted.get(n).join(", ")})`);
        throw new ZabbixError(`not found in Zabbix: ${lines.join("; ")}; import it or fix the inventory`);
    }
    return ids;
}

/**
 * The TLS fields of a proxy with a pre-shared key: the server accepts only PSK connections from it
 * (tls_accept 2) under this identity. The same names in 6.0 and 7.x. The API never returns the
 * identity or the key (write-only), so the description records the identity the sync last set
 * and a keyed fingerprint of identity and key: a new key under the same identity changes it too.
 */
function proxyTls(psk, key) {
    if (!psk) return {};
    return {
        tls_accept: 2,
        tls_psk_identity: String(psk.identity),
        tls_psk: String(psk.psk),
        description: pskDescription(psk, key),
    };
}

function pskDescription(psk, key) {
    const mac = crypto.createHmac("sha256", String(key || "")).update(`${psk.identity}\0${psk.psk}`);
    return `Made by the platform's Zabbix sync. PSK identity: ${psk.identity}; fingerprint ${mac.digest("hex").slice(0, 32)}`;
}

/**
 * Proxy name to id, creating missing proxies in active mode (the site's proxy dials the server;
 * nothing at the site needs to be reachable). 6.x calls the name `host` and the mode `status` 5;
 * 7.x `name` and `operating_mode` 0. A proxy with a PSK in `psks` accepts only PSK connections;
 * an existing one whose accept mode or recorded identity and key fingerprint differ is updated
 * (the API returns neither identity nor key). Proxies are never deleted: one may still be polling.
 */
async function resolveProxies(client, version, names, create, log, psks = {}, fingerprintKey = "") {
    if (names.length === 0) return {};
    const v7 = atLeast(version, 7, 0);
    const key = v7 ? "name" : "host";
    const found = await client.call("proxy.get", {
        output: ["proxyid", key, "tls_accept", "description"],
        filter: { [key]: names },
    });
    const ids = Object.fromEntries(found.map((p) => [p[key], String(p.proxyid)]));
    for (const p of found) {
        const psk = psks[p[key]];
        if (!psk || (String(p.tls_accept) === "2" && p.description === pskDescription(psk, fingerprintKey))) continue;
        log(`update proxy ${p[key]}: PSK (identity ${psk.identity})`);
        if (create) await client.call("proxy.update", { proxyid: String(p.proxyid), ...proxyTls(psk, fingerprintKey) });
    }
    for (const name of names.filter((n) => !(n in ids))) {
        log(`create proxy ${name} (active${psks[name] ? ", PSK" : ""})`);
        if (!create) {
            ids[name] = `(new ${name})`;
            continue;
        }
        const mode = v7 ? { name, operating_mode: 0 } : { host: name, status: 5 };
        const made = await client.call("proxy.create", { ...mode, ...proxyTls(psks[name], fingerprintKey) });
        ids[name] = String(made.proxyids[0]);
    }
    return ids;
}

/** The host fields that put it on its proxy (or on the server: no proxy). */
function proxyFields(version, proxyid) {
    if (atLeast(version, 7, 0)) return proxyid ? { monitored_by: "1", proxyid } : { monitored_by: "0" };
    return { proxy_hostid: proxyid || "0" };
}

function validateInventory(inventory) {
    if (!inventory || !Array.isArray(inventory.hosts)) throw new ZabbixError("inventory has no hosts list");
    const tag = inventory.managedTag;
    if (!tag || !tag.tag || !tag.value) throw new ZabbixError("inventory has no managedTag {tag, value}");
    const seen = new Set();
    for (const h of inventory.hosts) {
        if (!h || typeof h.name !== "string" || h.name === "") throw new ZabbixError("inventory host without a name");
        if (seen.has(h.name)) throw new ZabbixError(`inventory lists host ${h.name} twice`);
        seen.add(h.name);
    }
}

/**
 * Makes Zabbix match `inventory`. Returns the names of the hosts created, updated, left unchanged
 * and deleted. `dryRun` reports what it would do and changes nothing.
 */
async function sync(opts) {
    validateInventory(opts.inventory);
    const client = opts.client || createClient(opts);
    const version = await client.connect();
    if (!opts.token && opts.login) await client.login(opts.login.username, opts.login.password);
    try {
        return await reconcile(client, version, opts);
    } finally {
        await client.logout?.();
    }
}

async function reconcile(client, version, opts) {
    const { inventory, credentials = {}, proxies: proxyPsks = {}, log = () => {}, dryRun = false } = opts;
    const tag = { tag: String(inventory.managedTag.tag), value: String(inventory.managedTag.value) };
    const key = opts.fingerprintKey || opts.token || (opts.login && opts.login.password) || "";
    const desired = inventory.hosts.map((h) => desiredHost(h, credentials, tag, key));

    const groupNames = [...new Set(desired.flatMap((d) => d.groups))];
    const templateUsers = new Map();
    for (const d of desired) {
        for (const t of d.templates) templateUsers.set(t, [...(templateUsers.get(t) || []), d.host]);
    }
    const ids = {
        groups: await resolveGroups(client, groupNames, !dryRun),
        templates: await resolveTemplates(client, templateUsers),
    };
    const proxyNames = [...new Set(inventory.hosts.map((h) => h.proxy).filter(Boolean))].sort();
    const proxies = await resolveProxies(client, version, proxyNames, !dryRun, log, proxyPsks, key);
    inventory.hosts.forEach((h, i) =>
        Object.assign(desired[i], proxyFields(version, h.proxy ? proxies[h.proxy] : undefined)),
    );
    const proxyKeys = Object.keys(proxyFields(version, "any"));

    const groupsKey = atLeast(version, 6, 2) ? "selectHostGroups" : "selectGroups";
    const result = { created: [], updated: [], unchanged: [], deleted: [] };
    for (const want of desired) {
        const [have] = await client.call("host.get", {
            output: [
                "hostid",
                "host",
                "name",
                "description",
                "ipmi_authtype",
                "ipmi_privilege",
                "ipmi_username",
                "ipmi_password",
                ...proxyKeys,
            ],
            filter: { host: [want.host] },
            selectInterfaces: ["interfaceid", "type", "ip", "dns", "port", "useip", "main", "details"],
            [groupsKey]: ["groupid"],
            selectParentTemplates: ["templateid"],
            selectTags: ["tag", "value"],
            selectMacros: ["hostmacroid", "macro", "type", "description"],
        });
        try {
            if (!have) {
                log(`create ${want.host}`);
                if (!dryRun) await client.call("host.create", apiParams(want, ids));
                result.created.push(want.host);
                continue;
            }
            const changes = hostChanges(want, have, ids);
            for (const key of proxyKeys) {
                if (key in want && String(have[key] ?? "0") !== want[key]) changes.push(key);
            }
            if (changes.length === 0) {
                result.unchanged.push(want.host);
                continue;
            }
            const adopted = !(have.tags || []).some((t) => t.tag === tag.tag && t.value === tag.value);
            log(`update ${want.host}: ${changes.join(", ")}${adopted ? " (adopting a host made by hand)" : ""}`);
            if (!dryRun && changes.some((c) => c !== "macros"))
                await client.call("host.update", apiParams(want, ids, have));
            if (!dryRun) {
                for (const [method, params] of macroChanges(want.macros, have.macros)) {
                    await client.call(
                        method,
                        method === "usermacro.create" ? { hostid: have.hostid, ...params } : params,
                    );
                }
            }
            result.updated.push(want.host);
        } catch (e) {
            throw new ZabbixError(`host ${want.host}: ${e.message}`);
        }
    }

    const names = new Set(desired.map((d) => d.host));
    const tagged = await client.call("host.get", {
        output: ["hostid", "host"],
        tags: [{ tag: tag.tag, value: tag.value, operator: 1 }],
        evaltype: 0,
        selectTags: ["tag", "value"],
    });
    // The filter already asks for the tag; checking it again here means no API quirk can ever
    // make the sync delete a host it did not tag.
    const stale = tagged.filter(
        (h) => !names.has(h.host) && (h.tags || []).some((t) => t.tag === tag.tag && t.value === tag.value),
    );
    if (stale.length > 0) {
        log(`delete ${stale.map((h) => h.host).join(", ")} (tagged ${tag.tag}=${tag.value}, gone from the inventory)`);
        if (!dryRun)
            await client.call(
                "host.delete",
                stale.map((h) => h.hostid),
            );
        result.deleted.push(...stale.map((h) => h.host));
    }
    return result;
}

function readJson(file, what) {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new ZabbixError(`cannot read the ${what} ${file}: ${e.message}`);
    }
}

async function main(env = process.env) {
    const url = env.ZABBIX_URL;
    const token =
        env.ZABBIX_TOKEN || (env.ZABBIX_TOKEN_FILE ? fs.readFileSync(env.ZABBIX_TOKEN_FILE, "utf8").trim() : "");
    const login =
        env.ZABBIX_USER && env.ZABBIX_PASSWORD
            ? { username: env.ZABBIX_USER, password: env.ZABBIX_PASSWORD }
            : undefined;
    if (!url) throw new ZabbixError("ZABBIX_URL is not set");
    if (!token && !login)
        throw new ZabbixError("neither ZABBIX_TOKEN (or ZABBIX_TOKEN_FILE) nor ZABBIX_USER and ZABBIX_PASSWORD is set");
    const inventory = readJson(env.INVENTORY_FILE || "/etc/zabbix-sync/inventory.json", "inventory");
    const credentials =
        env.CREDENTIALS_FILE === ""
            ? {}
            : readJson(env.CREDENTIALS_FILE || "/etc/zabbix-sync/credentials/credentials.json", "credentials");
    // Optional: a stack that watches no site has no proxy keys.
    const proxies = env.PROXIES_FILE && fs.existsSync(env.PROXIES_FILE) ? readJson(env.PROXIES_FILE, "proxy keys") : {};
    if (!env.FINGERPRINT_KEY_FILE) throw new ZabbixError("FINGERPRINT_KEY_FILE is not set");
    const fingerprintKey = fs.readFileSync(env.FINGERPRINT_KEY_FILE, "utf8").trim();
    if (!fingerprintKey) throw new ZabbixError(`the fingerprint key file ${env.FINGERPRINT_KEY_FILE} is empty`);
    const result = await sync({
        url,
        proxies,
        fingerprintKey,
        token: token || undefined,
        login,
        inventory,
        credentials,
        waitSeconds: Number(env.ZABBIX_WAIT_SECONDS || 600),
        dryRun: env.DRY_RUN === "true",
        log: (m) => console.log(`zabbix-sync: ${m}`),
    });
    console.log(
        `zabbix-sync: done: ${result.created.length} created, ${result.updated.length} updated, ` +
            `${result.unchanged.length} unchanged, ${result.deleted.length} deleted`,
    );
    return result;
}

module.exports = {
    ZabbixError,
    MACROS,
    parseVersion,
    authMode,
    createClient,
    desiredHost,
    hostChanges,
    sync,
    main,
};

if (require.main === module) {
    main().catch((e) => {
        console.error(`zabbix-sync: ERROR: ${e.message}`);
        process.exit(1);
    });
}
