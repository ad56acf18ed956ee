import { z } from "zod";
import { credentialRefs, hostProbes, OnpremHost, OnpremProbe, OnpremSnmp } from "../../components/onprem/spec";
import { agree, Same } from "../type-check";
import { dnsLabel, ipv4, ipv4ToInt } from "../validators";

/**
 * `platform:onprem`: hardware Kubernetes cannot create (servers with IPMI, network devices with
 * SNMP, microcontroller boards, on-prem service endpoints), as one inventory. Hosts are a map keyed
 * by the host's name, so every message about a host carries its name in the key path
 * (`onprem.hosts.contest-srv-01.ipmi: ...`) and a name cannot appear twice (YAML rejects a repeated
 * key). Credentials never live here: hosts reference them by name from the `onpremCredentials`
 * stack secret.
 */

export const HOST_KINDS = ["server", "network-device", "microcontroller", "service"] as const;
export type HostKind = (typeof HOST_KINDS)[number];

/** Which kinds may carry which management interface. */
export const INTERFACE_KINDS: Readonly<Record<"ipmi" | "snmp" | "agent", readonly HostKind[]>> = {
    ipmi: ["server"],
    snmp: ["server", "network-device"],
    agent: ["server", "service"],
};

/** A Kubernetes Service/EndpointSlice port name (IANA service name: at most 15 characters). */
const portName = z
    .string()
    .max(15)
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { message: "is not a port name (lower-case letters, digits, '-')" })
    .refine((v) => /[a-z]/.test(v) && !v.includes("--"), {
        message: "is not a port name (needs a letter and no '--')",
    });

const portNumber = z.number().int().min(1).max(65535);

/** A name in the `onpremCredentials` secret. */
const credentialName = z
    .string()
    .max(63)
    .regex(/^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$/, {
        message: "is not a credential name (lower-case letters, digits, '-', '_', '.')",
    });

/** A unicast address Kubernetes accepts as an endpoint: not loopback, link-local or multicast. */
const hostAddress = ipv4.superRefine((v, ctx) => {
    const n = ipv4ToInt(v);
    if (n === undefined) return;
    const first = n >>> 24;
    const reserved =
        first === 0
            ? "is in 0.0.0.0/8"
            : first === 127
              ? "is a loopback address"
              : n >>> 16 === (169 << 8) + 254
                ? "is link-local (169.254.0.0/16)"
                : first >= 224
                  ? "is multicast or reserved (224.0.0.0/3)"
                  : undefined;
    if (reserved) {
        ctx.addIssue({
            code: "custom",
            input: v,
            message: `${reserved}; an endpoint needs a unicast address a pod can route to`,
        });
    }
});

const portSchema = z
    .object({
        /** Port name, e.g. grpc or ssh; Services and probes refer to it. */
        name: portName,
        /** Port number on the host. */
        port: portNumber,
        /** @default TCP */
        protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP"),
    })
    .strict();

const ipmiSchema = z
    .object({
        /** The BMC's address (usually a separate management network). */
        address: hostAddress,
        /** @default 623 */
        port: portNumber.default(623),
        /** Name in `onpremCredentials` of `{ username, password }`. */
        credentials: credentialName,
        /** IPMI privilege level Zabbix uses. @default admin */
        privilege: z.enum(["callback", "user", "operator", "admin", "oem"]).default("admin"),
    })
    .strict();

const snmpCommon = {
    /** The SNMP agent's address. @default the host's address */
    address: hostAddress.optional(),
    /** @default 161 */
    port: portNumber.default(161),
};

const snmpSchema = z.discriminatedUnion("version", [
    z
        .object({
            version: z.literal("2c"),
            /** Name in `onpremCredentials` of `{ community }`. */
            credentials: credentialName,
            ...snmpCommon,
        })
        .strict(),
    z
        .object({
            version: z.literal("3"),
            /** Name in `onpremCredentials` of `{ securityName, authPassphrase?, privPassphrase? }`. */
            credentials: credentialName,
            /** @default authPriv */
            securityLevel: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]).default("authPriv"),
            /** @default SHA256 */
            authProtocol: z.enum(["MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"]).default("SHA256"),
            /** @default AES128 */
            privProtocol: z.enum(["DES", "AES128", "AES192", "AES256", "AES192C", "AES256C"]).default("AES128"),
            /** SNMPv3 context name. @default "" */
            contextName: z.string().max(64).default(""),
            ...snmpCommon,
        })
        .strict(),
]);

const probeSchema = z.discriminatedUnion("module", [
    z.object({ module: z.literal("icmp") }).strict(),
    z
        .object({
            module: z.literal("tcp"),
            /** Name of one of the host's TCP ports. */
            port: portName,
        })
        .strict(),
    z
        .object({
            module: z.literal("http"),
            /** Name of one of the host's TCP ports. */
            port: portName,
            /** @default / */
            path: z
                .string()
                .regex(/^\/[^\s]*$/, { message: "is not a URL path (starts with /)" })
                .default("/"),
            /** @default http */
            scheme: z.enum(["http", "https"]).default("http"),
        })
        .strict(),
]);

const zabbixHostSchema = z
    .object({
        /** Templates to link, by technical or visible name; they must exist in Zabbix. @default [] */
        templates: z.array(z.string().min(1).max(128)).default([]),
        /** Host groups (created when missing). @default onprem.zabbix.defaultGroups */
        groups: z.array(z.string().min(1).max(255)).default([]),
        /** Add a Zabbix agent interface on this port (servers and services). */
        agentPort: portNumber.optional(),
        /** Leave the host out of Zabbix. @default false */
        skip: z.boolean().default(false),
    })
    .strict();

export const onpremHostSchema = z
    .object({
        /** What the host is; decides the interfaces it may have and its default probes. */
        kind: z.enum(HOST_KINDS),
        /** The host's IPv4 address as pods reach it. */
        address: hostAddress,
        /** One line shown in Zabbix. @default "" */
        description: z.string().max(255).default(""),
        /** Ports the Service exposes (`<host>.<namespace>.svc`). @default [] (a headless Service) */
        ports: z.array(portSchema).max(32).default([]),
        /** IPMI interface (servers only). */
        ipmi: ipmiSchema.optional(),
        /** SNMP interface (servers and network devices). */
        snmp: snmpSchema.optional(),
        /** Zabbix host settings. */
        zabbix: zabbixHostSchema.default(zabbixHostSchema.parse({})),
        /**
         * Blackbox probes. @default icmp, except a service: tcp on each TCP port (icmp without one).
         * `[]` turns probing and the host-down alert off.
         */
        probes: z.array(probeSchema).max(8).optional(),
        /** Publish `<host>.<dnsSubdomain>.<domain>` as an A record (gke mode only). @default false */
        dns: z.boolean().default(false),
    })
    .strict();

const zabbixSchema = z
    .object({
        /** Run the sync Job that keeps Zabbix's hosts equal to the inventory. @default true */
        sync: z.boolean().default(true),
        /** The Zabbix JSON-RPC endpoint. @default the monitoring layer's Zabbix web Service */
        apiUrl: z
            .string()
            .regex(/^https?:\/\/[^\s]+$/, { message: "is not an http(s) URL" })
            .optional(),
        /** Secret (in the onprem namespace) holding the API token. @default zabbix-api-token/token */
        tokenSecret: z
            .object({ name: dnsLabel(253), key: z.string().min(1).max(253) })
            .strict()
            .optional(),
        /** Groups for hosts that list none. @default ["On-prem"] */
        defaultGroups: z.array(z.string().min(1).max(255)).min(1).default(["On-prem"]),
    })
    .strict();

export const onpremSchema = z
    .object({
        /** Namespace of the Services, EndpointSlices, probes and the sync Job. @default onprem */
        namespace: dnsLabel().default("onprem"),
        /** DNS records go to `<host>.<dnsSubdomain>.<domain>`. @default onprem */
        dnsSubdomain: dnsLabel().default("onprem"),
        /** Blackbox exporter address (host:port) the probes go through. @default the monitoring layer's */
        blackboxAddress: z
            .string()
            .regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { message: "is not host:port" })
            .optional(),
        /** How often each host is probed. @default 30s */
        probeInterval: z
            .string()
            .regex(/^[0-9]+(s|m)$/, { message: "is not a duration such as 30s or 1m" })
            .default("30s"),
        zabbix: zabbixSchema.default(zabbixSchema.parse({})),
        /** The inventory, keyed by host name (a DNS label: it names the Service). @default {} */
        hosts: z.record(z.string(), onpremHostSchema).default({}),
    })
    .strict()
    .superRefine((o, ctx) => {
        const owner = new Map<string, { host: string; key: string }>();
        for (const [name, host] of Object.entries(o.hosts)) {
            const at = (...rest: (string | number)[]) => ["hosts", name, ...rest];
            if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
                ctx.addIssue({
                    code: "custom",
                    path: at(),
                    input: name,
                    message: `is not a host name (it names a Service: lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
                });
            }
            const interfaces: [keyof typeof INTERFACE_KINDS, unknown][] = [
                ["ipmi", host.ipmi],
                ["snmp", host.snmp],
                ["agent", host.zabbix.agentPort],
            ];
            for (const [iface, value] of interfaces) {
                if (value === undefined || INTERFACE_KINDS[iface].includes(host.kind)) continue;
                ctx.addIssue({
                    code: "custom",
                    path: iface === "agent" ? at("zabbix", "agentPort") : at(iface),
                    input: value,
                    message: `is not allowed: host ${name} is a ${host.kind}, which cannot have ${iface === "agent" ? "a Zabbix agent" : iface.toUpperCase()} (allowed on: ${INTERFACE_KINDS[iface].join(", ")})`,
                });
            }
            const addresses = [
                ["address", host.address],
                ["ipmi.address", host.ipmi?.address],
                ["snmp.address", host.snmp?.address],
            ] as const;
            for (const [key, address] of addresses) {
                if (address === undefined) continue;
                const first = owner.get(address);
                if (first !== undefined && first.host !== name) {
                    ctx.addIssue({
                        code: "custom",
                        path: at(...key.split(".")),
                        input: address,
                        message: `is already used by host ${first.host} (${first.key}); host ${name} needs its own address`,
                    });
                } else if (first === undefined) {
                    owner.set(address, { host: name, key });
                }
            }
            const ports = new Map<string, number>();
            const numbers = new Map<string, number>();
            host.ports.forEach((p, i) => {
                const dupName = ports.get(p.name);
                const dupNumber = numbers.get(`${p.port}/${p.protocol}`);
                if (dupName !== undefined || dupNumber !== undefined) {
                    const what = dupName !== undefined ? `name ${p.name}` : `${p.port}/${p.protocol}`;
                    ctx.addIssue({
                        code: "custom",
                        path: at("ports", i),
                        input: p,
                        message: `repeats ports[${dupName ?? dupNumber}] (${what}) of host ${name}; list each port once`,
                    });
                }
                ports.set(p.name, i);
                numbers.set(`${p.port}/${p.protocol}`, i);
            });
            (host.probes ?? []).forEach((probe, i) => {
                if (probe.module === "icmp") return;
                const port = host.ports.find((p) => p.name === probe.port);
                if (!port || port.protocol !== "TCP") {
                    ctx.addIssue({
                        code: "custom",
                        path: at("probes", i, "port"),
                        input: probe.port,
                        message: `is not one of host ${name}'s TCP ports (${
                            host.ports
                                .filter((p) => p.protocol === "TCP")
                                .map((p) => p.name)
                                .join(", ") || "none"
                        })`,
                    });
                }
            });
        }
    });

export type OnpremConfig = z.output<typeof onpremSchema>;
export type { OnpremHost, OnpremProbe, OnpremSnmp };
// The on-prem layer's own types (components/onprem/spec.ts) and this schema describe the same hosts.
agree<Same<z.output<typeof onpremHostSchema>, OnpremHost>>(true);
agree<Same<z.output<typeof probeSchema>, OnpremProbe>>(true);

export { credentialRefs, hostProbes };
