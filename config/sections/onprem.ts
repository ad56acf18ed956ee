import { z } from "zod";
import { credentialRefs, hostProbes, OnpremHost, OnpremProbe, OnpremSnmp } from "../../components/onprem/spec";
import { agree, Same } from "../type-check";
import { uniqueList } from "../unique";
import { OnpremSite, WIREGUARD_PORT } from "../../components/onprem/sites";
import { cidr, dnsLabel, ipv4, ipv4ToInt, overlaps, parseCidr } from "../validators";

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
        name: portName.meta({
            description: "Port name, e.g. `grpc` or `ssh` (unique per host); Services and probes refer to it.",
        }),
        port: portNumber.meta({ description: "Port number on the host." }),
        protocol: z.enum(["TCP", "UDP", "SCTP"]).default("TCP").meta({ description: "Protocol of the port." }),
    })
    .strict();

const ipmiSchema = z
    .object({
        address: hostAddress.meta({ description: "The BMC's address (usually a separate management network)." }),
        port: portNumber.default(623).meta({ description: "The BMC's IPMI port." }),
        credentials: credentialName.meta({
            description: "Name of the `onpremCredentials` entry holding `{ username, password }`.",
        }),
        privilege: z.enum(["callback", "user", "operator", "admin", "oem"]).default("user").meta({
            description:
                "IPMI privilege level Zabbix uses. `user` reads sensors, which is all monitoring needs; `operator` and above can power-cycle the machine, so give the BMC account no more than this.",
        }),
    })
    .strict();

const snmpCommon = {
    address: hostAddress.optional().meta({ description: "The SNMP agent's address. Unset: the host's `address`." }),
    port: portNumber.default(161).meta({ description: "The SNMP agent's port." }),
};

const snmpSchema = z.discriminatedUnion("version", [
    z
        .object({
            version: z.literal("2c").meta({ description: 'SNMP version; `"3"` adds the security settings.' }),
            credentials: credentialName.meta({
                description:
                    "Name of the `onpremCredentials` entry: `{ community }` for v2c, `{ securityName, authPassphrase?, privPassphrase? }` for v3.",
            }),
            ...snmpCommon,
        })
        .strict(),
    z
        .object({
            version: z.literal("3"),
            credentials: credentialName,
            securityLevel: z
                .enum(["noAuthNoPriv", "authNoPriv", "authPriv"])
                .default("authPriv")
                .meta({ description: "SNMPv3 security level." }),
            authProtocol: z
                .enum(["MD5", "SHA1", "SHA224", "SHA256", "SHA384", "SHA512"])
                .default("SHA256")
                .meta({ description: "SNMPv3 authentication protocol." }),
            privProtocol: z
                .enum(["DES", "AES128", "AES192", "AES256", "AES192C", "AES256C"])
                .default("AES128")
                .meta({ description: "SNMPv3 privacy (encryption) protocol." }),
            contextName: z.string().max(64).default("").meta({ description: "SNMPv3 context name." }),
            ...snmpCommon,
        })
        .strict(),
]);

const probeSchema = z.discriminatedUnion("module", [
    z
        .object({
            module: z.literal("icmp").meta({
                description:
                    "`icmp`: ping the address; `tcp`: connect to a port; `http`: a 2xx answer on a port (blackbox modules `icmp`, `tcp_connect`, `http_2xx`).",
            }),
        })
        .strict(),
    z
        .object({
            module: z.literal("tcp"),
            port: portName.meta({ description: "Name of one of the host's TCP `ports`." }),
        })
        .strict(),
    z
        .object({
            module: z.literal("http"),
            port: portName,
            path: z
                .string()
                .regex(/^\/[^\s]*$/, { message: "is not a URL path (starts with /)" })
                .default("/")
                .meta({ description: "URL path requested." }),
            scheme: z.enum(["http", "https"]).default("http").meta({ description: "URL scheme." }),
        })
        .strict(),
]);

const zabbixHostSchema = z
    .object({
        templates: uniqueList(z.string().min(1).max(128))
            .default([])
            .meta({ description: "Templates to link, by technical or visible name; they must exist in Zabbix." }),
        groups: uniqueList(z.string().min(1).max(255))
            .default([])
            .meta({ description: "Host groups, created when missing. Empty: `onprem.zabbix.defaultGroups`." }),
        agentPort: portNumber.optional().meta({
            description: "Servers and services only: add a Zabbix agent interface on this port.",
        }),
        skip: z.boolean().default(false).meta({ description: "Leave the host out of Zabbix." }),
    })
    .strict();

export const onpremHostSchema = z
    .object({
        kind: z.enum(HOST_KINDS).meta({
            description: "What the host is; decides the interfaces it may have and its default probes.",
        }),
        site: dnsLabel().optional().meta({
            description:
                "The `sites` key of the site the host is at; required once any site is declared. Its addresses must lie in the site's `ranges`.",
        }),
        address: hostAddress.meta({
            description:
                "The IPv4 address pods reach it at; not loopback, link-local or multicast; unique across the inventory.",
        }),
        description: z.string().max(255).default("").meta({ description: "One line shown in Zabbix." }),
        ports: uniqueList(portSchema, "name", { field: "port", key: (p) => `${p.port}/${p.protocol}` })
            .max(32)
            .default([])
            .meta({
                description:
                    "Ports the Service `<host>.<namespace>.svc` exposes; without any it is a headless Service resolving to `address`.",
            }),
        ipmi: ipmiSchema.optional().meta({ description: "IPMI interface; servers only." }),
        snmp: snmpSchema.optional().meta({ description: "SNMP interface; servers and network devices." }),
        zabbix: zabbixHostSchema.default(zabbixHostSchema.parse({})).meta({ description: "Zabbix host settings." }),
        // A Probe is named after its module and port: two on the same port would be one object.
        probes: uniqueList(probeSchema, { key: (p) => (p.module === "icmp" ? "icmp" : `${p.module}-${p.port}`) })
            .max(8)
            .optional()
            .meta({
                description:
                    "Blackbox probes; `[]` turns probing and the host-down alert off. Unset: `icmp`, except a `service` with TCP ports: `tcp` on each.",
            }),
        dns: z.boolean().default(false).meta({
            description:
                "Publish `<host>.<dnsSubdomain>.<domain>` as an A record in the private zone only the platform's VPC resolves (`cluster.mode: gke`), never in the public zone.",
        }),
    })
    .strict();

const siteCommon = {
    ranges: uniqueList(cidr(8, 32)).min(1).meta({
        description:
            "The site's IPv4 ranges; every address of its hosts lies in one. No two sites' ranges overlap, nor the VPC's subnet, pods, services or control plane ranges.",
    }),
    monitoredBy: dnsLabel().default("prd").meta({
        description:
            "The one stack that monitors the site: only it makes Zabbix hosts, probes and alerts for the site's hosts; other stacks get the endpoints only.",
    }),
    flows: z.boolean().default(false).meta({
        description:
            "Add a flow collector (goflow2: NetFlow v5/v9, IPFIX, sFlow) to the watcher's site bundle, for the site's routers to export to.",
    }),
};

const gatewaySchema = z
    .object({
        tunnelCidr: cidr(30, 30).meta({
            description:
                "A /30 for the WireGuard tunnel, unused elsewhere: the gateway VM takes the first address, the site's machine the second (the site's reachability probe pings it).",
        }),
        zone: z
            .string()
            .regex(/^[a-z]+-[a-z]+[0-9]-[a-z]$/, { message: "is not a zone (e.g. asia-northeast1-a)" })
            .optional()
            .meta({ description: "Zone of the gateway VM. Unset: `<gcp:region>-a`." }),
        machineType: z.string().min(1).default("e2-micro").meta({ description: "Machine type of the gateway VM." }),
        listenPort: portNumber.default(WIREGUARD_PORT).meta({ description: "UDP port WireGuard listens on." }),
    })
    .strict();

const vpnSchema = z
    .object({
        peerAddresses: uniqueList(ipv4).min(1).max(2).meta({
            description:
                "Public IPv4 addresses of the site router's VPN interfaces: one, or two for a redundant router. Each of the HA VPN gateway's two interfaces gets a tunnel.",
        }),
        peerAsn: z.number().int().min(1).max(4294967294).meta({ description: "The site router's BGP ASN." }),
        cloudAsn: z
            .number()
            .int()
            .min(64512)
            .max(65534)
            .default(64514)
            .meta({ description: "The Cloud Router's (private) BGP ASN." }),
        bgpCidrs: uniqueList(cidr(30, 30)).length(2).meta({
            description:
                "One link-local /30 (in 169.254.0.0/16) per tunnel: Cloud Router takes the first address, the site router the second.",
        }),
        probeAddress: ipv4.meta({
            description:
                "An address at the site that answers ICMP (the router's LAN side); the site's reachability probe, whose failure raises `SiteUnreachable`.",
        }),
    })
    .strict();

export const onpremSiteSchema = z.discriminatedUnion("mode", [
    z
        .object({
            mode: z.literal("gateway").meta({
                description:
                    "How the site connects: `gateway` (behind NAT, its machine dials a WireGuard gateway VM) or `vpn` (its router runs IPsec + BGP to an HA VPN gateway).",
            }),
            ...siteCommon,
            gateway: gatewaySchema.meta({ description: "With `mode: gateway`: the gateway VM and tunnel." }),
        })
        .strict(),
    z
        .object({
            mode: z.literal("vpn"),
            ...siteCommon,
            vpn: vpnSchema.meta({ description: "With `mode: vpn`: the site router's side of HA VPN and BGP." }),
        })
        .strict(),
]);

/** Whether `address` is in one of `ranges`. */
function inRanges(address: string, ranges: readonly string[]): boolean {
    const n = ipv4ToInt(address);
    return (
        n !== undefined &&
        ranges.some((r) => {
            const c = parseCidr(r);
            return c !== undefined && n >= c.start && n <= c.end;
        })
    );
}

/** Site checks that need the hosts: membership, host addresses inside the site, sites disjoint. */
function checkSites(
    o: { hosts: Record<string, z.output<typeof onpremHostSchema>>; sites: Record<string, OnpremSite> },
    ctx: z.RefinementCtx,
): void {
    const names = Object.keys(o.sites);
    for (const [name, site] of Object.entries(o.sites)) {
        if (!/^[a-z]([-a-z0-9]{0,18}[a-z0-9])?$/.test(name)) {
            ctx.addIssue({
                code: "custom",
                path: ["sites", name],
                input: name,
                message:
                    "is not a site name (lower-case letters, digits and '-', starting with a letter, at most 20 characters: it names GCP resources such as the gateway service account onprem-gw-<site>)",
            });
        }
        if (site.mode === "vpn") {
            site.vpn.bgpCidrs.forEach((c, i) => {
                if (!inRanges(c.split("/")[0]!, ["169.254.0.0/16"])) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["sites", name, "vpn", "bgpCidrs", i],
                        input: c,
                        message: "is not link-local; BGP sessions over HA VPN use /30s in 169.254.0.0/16",
                    });
                }
            });
            if (!inRanges(site.vpn.probeAddress, site.ranges)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["sites", name, "vpn", "probeAddress"],
                    input: site.vpn.probeAddress,
                    message: `is outside site ${name}'s ranges (${site.ranges.join(", ")})`,
                });
            }
        }
    }
    const owned = siteRanges(o.sites);
    for (let i = 0; i < owned.length; i++) {
        for (let j = i + 1; j < owned.length; j++) {
            const a = owned[i]!;
            const b = owned[j]!;
            if (a.site === b.site && a.key === b.key) continue;
            if (overlaps(parseCidr(a.range)!, parseCidr(b.range)!)) {
                ctx.addIssue({
                    code: "custom",
                    path: b.path,
                    input: b.range,
                    message: `overlaps onprem${a.path.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join("")} ${a.range}; site ranges and tunnels must be disjoint`,
                });
            }
        }
    }
    for (const [host, h] of Object.entries(o.hosts)) {
        if (h.site === undefined) {
            if (names.length > 0) {
                ctx.addIssue({
                    code: "custom",
                    path: ["hosts", host, "site"],
                    input: undefined,
                    message: `is required: host ${host} must name the site it is at (sites: ${names.join(", ")})`,
                });
            }
            continue;
        }
        const site = o.sites[h.site];
        if (!site) {
            ctx.addIssue({
                code: "custom",
                path: ["hosts", host, "site"],
                input: h.site,
                message: `is not a site of onprem.sites (sites: ${names.join(", ") || "none"})`,
            });
            continue;
        }
        const addresses = [
            ["address", h.address],
            ["ipmi.address", h.ipmi?.address],
            ["snmp.address", h.snmp?.address],
        ] as const;
        for (const [key, address] of addresses) {
            if (address === undefined || inRanges(address, site.ranges)) continue;
            ctx.addIssue({
                code: "custom",
                path: ["hosts", host, ...key.split(".")],
                input: address,
                message: `is outside the ranges of host ${host}'s site ${h.site} (${site.ranges.join(", ")})`,
            });
        }
    }
}

/** Every range a site owns (its ranges, its tunnel), with its key path under `onprem`. */
export function siteRanges(
    sites: Readonly<Record<string, OnpremSite>>,
): { site: string; key: string; path: (string | number)[]; range: string }[] {
    return Object.entries(sites).flatMap(([site, s]) => [
        ...s.ranges.map((range, i) => ({ site, key: "ranges", path: ["sites", site, "ranges", i], range })),
        ...(s.mode === "gateway"
            ? [{ site, key: "tunnel", path: ["sites", site, "gateway", "tunnelCidr"], range: s.gateway.tunnelCidr }]
            : []),
    ]);
}

const zabbixSchema = z
    .object({
        sync: z
            .boolean()
            .default(true)
            .meta({ description: "Run the sync Job that keeps Zabbix's hosts equal to the inventory." }),
        apiUrl: z
            .string()
            .regex(/^https?:\/\/[^\s]+$/, { message: "is not an http(s) URL" })
            .optional()
            .meta({
                description:
                    "The Zabbix JSON-RPC endpoint. Unset: the monitoring layer's Zabbix web Service (the `zabbixApiUrl` output).",
            }),
        tokenSecret: z
            .object({
                name: dnsLabel(253).meta({ description: "Name of the Secret." }),
                key: z.string().min(1).max(253).meta({ description: "Key of the token in it." }),
            })
            .strict()
            .optional()
            .meta({
                description:
                    "A Secret made elsewhere, in `namespace`, holding the API token for a Zabbix this stack does not run. Unset: the sync signs in to the stack's own Zabbix with its Admin login, or to any other with the `zabbixApiToken` secret (kept in the Secret `zabbix-api-token`).",
            }),
        defaultGroups: uniqueList(z.string().min(1).max(255))
            .min(1)
            .default(["On-prem"])
            .meta({ description: "Groups for hosts that list none." }),
    })
    .strict();

export const onpremSchema = z
    .object({
        namespace: dnsLabel()
            .default("onprem")
            .meta({ description: "Namespace of the Services, EndpointSlices, probes and the sync Job." }),
        dnsSubdomain: dnsLabel().default("onprem").meta({
            description:
                "DNS records are `<host>.<dnsSubdomain>.<domain>`, in a private zone of that name bound to the VPC.",
        }),
        blackboxAddress: z
            .string()
            .regex(/^[a-z0-9.-]+:[0-9]{1,5}$/, { message: "is not host:port" })
            .optional()
            .meta({
                description:
                    "`host:port` of the blackbox exporter the Probes go through. Unset: the monitoring layer's (the `blackboxAddress` output).",
            }),
        probeInterval: z
            .string()
            .regex(/^[0-9]+(s|m)$/, { message: "is not a duration such as 30s or 1m" })
            .default("30s")
            .meta({ description: "How often each host is probed." }),
        zabbix: zabbixSchema.default(zabbixSchema.parse({})),
        hosts: z.record(z.string(), onpremHostSchema).default({}).meta({
            description:
                "The inventory, **keyed by host name** (a DNS label starting with a letter: it names the Service).",
        }),
        sites: z.record(z.string(), onpremSiteSchema).default({}).meta({
            description:
                "The networks the hosts are at, **keyed by site name**, and how the cluster reaches each (docs/onprem.md, Sites). Every host names its site.",
        }),
    })
    .strict()
    .superRefine((o, ctx) => {
        checkSites(o, ctx);
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
agree<Same<z.output<typeof onpremSiteSchema>, OnpremSite>>(true);

export { credentialRefs, hostProbes };
