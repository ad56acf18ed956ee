/**
 * What the on-prem layer is given: `platform:onprem` resolved, every default filled in and every
 * address of another layer decided (config/plan.ts). config/sections/onprem.ts holds the schema
 * and checks that its hosts agree with these types.
 */

import type { OnpremSite } from "./sites";

export type HostKind = "server" | "network-device" | "microcontroller" | "service";

export interface OnpremPort {
    readonly name: string;
    readonly port: number;
    readonly protocol: "TCP" | "UDP" | "SCTP";
}

export interface OnpremIpmi {
    readonly address: string;
    readonly port: number;
    /** Name of an entry in the `onpremCredentials` secret. */
    readonly credentials: string;
    readonly privilege: "callback" | "user" | "operator" | "admin" | "oem";
}

export type OnpremSnmp =
    | { readonly version: "2c"; readonly address?: string; readonly port: number; readonly credentials: string }
    | {
          readonly version: "3";
          readonly address?: string;
          readonly port: number;
          readonly credentials: string;
          readonly securityLevel: "noAuthNoPriv" | "authNoPriv" | "authPriv";
          readonly authProtocol: "MD5" | "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512";
          readonly privProtocol: "DES" | "AES128" | "AES192" | "AES256" | "AES192C" | "AES256C";
          readonly contextName: string;
      };

export type OnpremProbe =
    | { readonly module: "icmp" }
    | { readonly module: "tcp"; readonly port: string }
    | { readonly module: "http"; readonly port: string; readonly path: string; readonly scheme: "http" | "https" };

export interface OnpremHost {
    readonly kind: HostKind;
    /** The site (`onprem.sites` key) the host is at; required once any site is declared. @default none */
    readonly site?: string;
    readonly address: string;
    readonly description: string;
    readonly ports: OnpremPort[];
    readonly ipmi?: OnpremIpmi;
    readonly snmp?: OnpremSnmp;
    readonly zabbix: {
        readonly templates: string[];
        readonly groups: string[];
        readonly agentPort?: number;
        readonly skip: boolean;
    };
    /** @default see hostProbes */
    readonly probes?: OnpremProbe[];
    readonly dns: boolean;
}

/** The on-prem layer's settings. */
export interface OnpremSettings {
    /** Namespace of the Services, EndpointSlices, probes and the sync Job, decided once for every layer. */
    readonly namespace: string;
    /** DNS records go to `<host>.<dnsSubdomain>.<domain>`, in a private zone of that name. */
    readonly dnsSubdomain: string;
    /** Probe interval, e.g. 60s. */
    readonly probeInterval: string;
    /** Blackbox exporter host:port the probes go through (the monitoring layer's unless configured). */
    readonly blackboxAddress: string;
    readonly zabbix: {
        readonly sync: boolean;
        /** The Zabbix JSON-RPC endpoint (the monitoring layer's unless configured). */
        readonly apiUrl: string;
        /** @default zabbix-api-token/token */
        readonly tokenSecret?: { readonly name: string; readonly key: string };
        readonly defaultGroups: string[];
    };
    readonly hosts: Readonly<Record<string, OnpremHost>>;
    /** The sites the hosts are at (components/onprem/sites.ts). @default {} */
    readonly sites?: Readonly<Record<string, OnpremSite>>;
}

/** The probes a host gets: its own list, or icmp (a service: tcp on each TCP port). */
export function hostProbes(host: OnpremHost): OnpremProbe[] {
    if (host.probes) return host.probes;
    const tcp = host.ports.filter((p) => p.protocol === "TCP");
    if (host.kind === "service" && tcp.length > 0) return tcp.map((p) => ({ module: "tcp" as const, port: p.name }));
    return [{ module: "icmp" }];
}

/** The `onpremCredentials` entries a host references, with the key that names each. */
export function credentialRefs(host: OnpremHost): { key: string; name: string; use: "ipmi" | "snmp" }[] {
    const refs: { key: string; name: string; use: "ipmi" | "snmp" }[] = [];
    if (host.ipmi) refs.push({ key: "ipmi.credentials", name: host.ipmi.credentials, use: "ipmi" });
    if (host.snmp) refs.push({ key: "snmp.credentials", name: host.snmp.credentials, use: "snmp" });
    return refs;
}
