import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { OnpremSettings } from "./spec";
import { OnpremSite, zabbixProxyName } from "./sites";

/** Tag the sync puts on every host it manages; it deletes only hosts carrying it. */
export const MANAGED_TAG = "managed-by";

/** One host as the sync script reads it: interfaces, groups, templates; never a credential. */
export interface SyncHost {
    readonly name: string;
    readonly address: string;
    readonly description: string;
    readonly groups: readonly string[];
    readonly templates: readonly string[];
    readonly tags: readonly { tag: string; value: string }[];
    readonly agent?: { port: number };
    /** The Zabbix proxy (active) the host is polled through: its site's. @default the server */
    readonly proxy?: string;
    readonly ipmi?: { address: string; port: number; privilege: string };
    readonly snmp?: {
        version: "2c" | "3";
        address?: string;
        port: number;
        securityLevel?: string;
        authProtocol?: string;
        privProtocol?: string;
        contextName?: string;
    };
}

export interface SyncInventory {
    readonly managedTag: { tag: string; value: string };
    readonly hosts: readonly SyncHost[];
}

/** The value of the managed tag: one per stack, so two stacks sharing a Zabbix never prune each other. */
export function managedTagValue(stack: string): string {
    return `platform-onprem-${stack}`;
}

/** The inventory the sync Job reads (the ConfigMap's `inventory.json`), hosts sorted by name. */
export function syncInventory(
    onprem: Pick<OnpremSettings, "hosts" | "sites"> & {
        readonly zabbix: Pick<OnpremSettings["zabbix"], "defaultGroups">;
    },
    stack: string,
): SyncInventory {
    const hosts: SyncHost[] = Object.entries(onprem.hosts)
        .filter(([, h]) => !h.zabbix.skip && watchedBy(h.site, onprem.sites, stack))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, h]) => {
            let snmp: SyncHost["snmp"];
            if (h.snmp?.version === "2c") {
                snmp = { version: "2c", address: h.snmp.address, port: h.snmp.port };
            } else if (h.snmp) {
                snmp = {
                    version: "3",
                    address: h.snmp.address,
                    port: h.snmp.port,
                    securityLevel: h.snmp.securityLevel,
                    authProtocol: h.snmp.authProtocol,
                    privProtocol: h.snmp.privProtocol,
                    contextName: h.snmp.contextName,
                };
            }
            return {
                name,
                address: h.address,
                description: h.description,
                groups: h.zabbix.groups.length > 0 ? h.zabbix.groups : onprem.zabbix.defaultGroups,
                templates: h.zabbix.templates,
                tags: [{ tag: "onprem-kind", value: h.kind }],
                ...(h.zabbix.agentPort !== undefined ? { agent: { port: h.zabbix.agentPort } } : {}),
                ...(h.ipmi
                    ? { ipmi: { address: h.ipmi.address, port: h.ipmi.port, privilege: h.ipmi.privilege } }
                    : {}),
                ...(snmp ? { snmp } : {}),
                ...(h.site ? { proxy: zabbixProxyName(h.site) } : {}),
            };
        });
    return { managedTag: { tag: MANAGED_TAG, value: managedTagValue(stack) }, hosts };
}

/**
 * Whether the stack monitors a host: a host at a site only in the site's `monitoredBy` stack (one
 * site, one watcher: nothing pages twice); a host at no site in every stack.
 */
export function watchedBy(
    site: string | undefined,
    sites: Readonly<Record<string, OnpremSite>> | undefined,
    stack: string,
): boolean {
    if (site === undefined) return true;
    return sites?.[site]?.monitoredBy === stack;
}

/** The sync program the Job runs, read from beside this file. */
export const SYNC_SCRIPT_PATH = path.join(__dirname, "zabbix-sync", "sync.js");

export function syncScript(): string {
    return readFileSync(SYNC_SCRIPT_PATH, "utf8");
}

/**
 * Short hash of what the Job runs on: the inventory and the script. It goes into the Job's name,
 * so a change makes Pulumi replace the Job and the sync runs again.
 */
export function inventoryHash(inventory: SyncInventory, script: string): string {
    return createHash("sha256")
        .update(JSON.stringify(inventory))
        .update("\0")
        .update(script)
        .digest("hex")
        .slice(0, 10);
}
