import { z } from "zod";
import { gib, MonitoringSettings } from "../../components/monitoring/settings";
import { agree, Same } from "../type-check";
import { uniqueList } from "../unique";
import { cidr, dnsLabel } from "../validators";

export { gib };

/** A Kubernetes volume size in whole gibibytes, e.g. `50Gi`. */
const gibibytes = z.string().regex(/^[1-9][0-9]{0,5}Gi$/, { message: "is not a size in whole Gi (e.g. 50Gi)" });

/** Prometheus keeps at most this share of its volume, so the disk never fills before retention acts. */
export const RETENTION_SHARE = 0.8;

/** The retentionSize Prometheus gets when the config gives none: 80% of the volume. */
export function defaultRetentionSize(volumeSize: string): string {
    return `${Math.max(1, Math.floor(gib(volumeSize) * RETENTION_SHARE))}GiB`;
}

const prometheusSchema = z
    .object({
        retention: z
            .string()
            .regex(/^[1-9][0-9]*(h|d|w|y)$/, { message: "is not a duration in h, d, w or y (e.g. 15d)" })
            .default("15d")
            .meta({ description: "How long samples are kept (`h`, `d`, `w`, `y`)." }),
        volumeSize: gibibytes.default("50Gi").meta({ description: "Prometheus's PersistentVolume (whole `Gi`)." }),
        retentionSize: z
            .string()
            .regex(/^[1-9][0-9]{0,5}GiB$/, { message: "is not a size in whole GiB (e.g. 40GiB)" })
            .optional()
            .meta({
                description:
                    "Prometheus drops the oldest blocks beyond this (whole `GiB`). Must be below `volumeSize` (the WAL and compaction need headroom), so the disk never fills: whichever of retention and retentionSize is hit first wins. Unset: 80% of `volumeSize`.",
            }),
        storageClass: dnsLabel()
            .optional()
            .meta({ description: "StorageClass of the volume. Unset: the cluster default." }),
    })
    .strict();

const alertmanagerSchema = z
    .object({
        receiver: z.enum(["slack", "discord"]).default("slack").meta({
            description:
                "Where every alert goes: a Slack or Discord incoming webhook, the `alertmanagerWebhookUrl` secret.",
        }),
        slackChannel: z
            .string()
            .regex(/^[#@][^\s]{1,80}$/, { message: "is not a Slack channel (#name or @user)" })
            .optional()
            .meta({
                description:
                    "`#channel` (or `@user`) override; only with `receiver: slack`. Unset: the webhook's own channel.",
            }),
        volumeSize: gibibytes
            .default("2Gi")
            .meta({ description: "Alertmanager's volume: silences and notification log." }),
    })
    .strict();

/** The Cloud SQL instance the stack creates for Grafana when no `host` is given. */
export const cloudSqlSchema = z
    .object({
        tier: z
            .string()
            .regex(/^db-(custom-[0-9]+-[0-9]+|g1-small|f1-micro|n1-(standard|highmem)-[0-9]+)$/, {
                message: "is not a Cloud SQL Enterprise tier (e.g. db-custom-1-3840, db-g1-small)",
            })
            .default("db-custom-1-3840")
            .meta({ description: "Machine tier (Enterprise edition): 1 vCPU and 3.75 GB by default." }),
        diskSizeGb: z
            .number()
            .int()
            .min(10)
            .max(1000)
            .default(10)
            .meta({ description: "Initial SSD size in GB; it grows by itself when nearly full." }),
        highAvailability: z.boolean().optional().meta({
            description:
                "A standby in a second zone with automatic failover (`REGIONAL`). Unset: on prd, off elsewhere.",
        }),
    })
    .strict();

const grafanaDatabaseSchema = z
    .object({
        host: z.string().min(1).max(253).optional().meta({
            description:
                "An existing PostgreSQL to use (an address or in-cluster name); its user's password is the `grafanaDatabasePassword` secret. Unset: the stack creates Cloud SQL for PostgreSQL with a private IP in its VPC and a generated password (`cluster.mode: gke` only; backups, point-in-time recovery and deletion protection on prd).",
        }),
        port: z.number().int().min(1).max(65535).default(5432).meta({ description: "PostgreSQL port." }),
        name: z.string().min(1).max(63).default("grafana").meta({ description: "Database name." }),
        user: z.string().min(1).max(63).default("grafana").meta({ description: "Database user." }),
        sslMode: z.enum(["disable", "require", "verify-full"]).default("require").meta({
            description: "TLS to the database (PostgreSQL `sslmode`); the Cloud SQL instance accepts only TLS.",
        }),
        cloudSql: cloudSqlSchema.optional().meta({
            description:
                "Size of the Cloud SQL instance the stack creates; only without `host`. Unset: the defaults below.",
        }),
    })
    .strict()
    .superRefine((d, ctx) => {
        if (d.host !== undefined && d.cloudSql !== undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["cloudSql"],
                input: d.cloudSql,
                message: `only applies when the stack creates the database (no host); host is ${d.host}`,
            });
        }
    });

const grafanaSchema = z
    .object({
        replicas: z.number().int().min(1).max(10).default(1).meta({
            description:
                "Grafana pods; more than one needs `grafana.database` (sessions and state never in SQLite on a shared volume).",
        }),
        organizations: uniqueList(
            z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "is not a GitHub organisation name" }),
            // GitHub logins are case-insensitive.
            { key: (org) => org.toLowerCase() },
        )
            .default([])
            .meta({
                description:
                    "GitHub organisations whose members may sign in. With `teamIds` also empty, anyone who passed the edge's GitHub login may sign in (as Viewer).",
            }),
        teamIds: uniqueList(z.number().int().positive()).default([]).meta({
            description:
                "Numeric GitHub team IDs whose members may sign in; with `organizations` set too, users must match both.",
        }),
        database: grafanaDatabaseSchema.optional().meta({
            description:
                "PostgreSQL for Grafana's state (sessions, users, alert state); required when `replicas` is more than 1. `{}` creates Cloud SQL.",
        }),
        volumeSize: gibibytes
            .default("5Gi")
            .meta({ description: "Volume for SQLite and plugins, only with one replica and no database." }),
    })
    .strict();

const zabbixSchema = z
    .object({
        enabled: z.boolean().default(true).meta({
            description: "Deploy Zabbix (server, web, agent, PostgreSQL) and Grafana's Zabbix data source.",
        }),
        ipmiPollers: z.number().int().min(1).max(1000).default(3).meta({
            description:
                "IPMI pollers the server starts: `ZBX_STARTIPMIPOLLERS` (current images ignore the old `ZBX_IPMIPOLLERS`).",
        }),
        snmpPollers: z
            .number()
            .int()
            .min(1)
            .max(1000)
            .default(10)
            .meta({ description: "SNMP pollers the server starts: `ZBX_STARTSNMPPOLLERS`." }),
        databaseVolumeSize: gibibytes
            .default("10Gi")
            .meta({ description: "The bundled PostgreSQL's volume (persistence is always on)." }),
        snmpTraps: z
            .object({
                enabled: z.boolean().default(false).meta({ description: "Run the trap receiver." }),
                sourceRanges: uniqueList(cidr()).default([]).meta({
                    description: "Ranges allowed to send traps, the on-prem network (`loadBalancerSourceRanges`).",
                }),
            })
            .strict()
            .default({ enabled: false, sourceRanges: [] })
            .meta({
                description:
                    "SNMP trap receiver beside the server, exposed by a LoadBalancer Service `zabbix-snmptraps` on UDP 162; with `cluster.mode: gke` on a reserved static IP (the `snmpTrapAddress` output, protected on prd), so the devices' trap destination never changes.",
            }),
    })
    .strict();

/** Retention of the project's logs when the config gives none: short on dev, a season on prd. */
export const DEFAULT_LOG_RETENTION_DAYS = { dev: 14, prd: 90 } as const;

const logsSchema = z
    .object({
        retentionDays: z
            .number()
            .int()
            .min(1)
            .max(3650)
            .optional()
            .meta({
                description: `Days Cloud Logging keeps the project's logs (its \`_Default\` bucket; \`cluster.mode: gke\` only). Unset: ${DEFAULT_LOG_RETENTION_DAYS.dev} on dev, ${DEFAULT_LOG_RETENTION_DAYS.prd} on prd.`,
            }),
        alerts: z.boolean().default(true).meta({
            description:
                "Log-based alerts in Cloud Monitoring (oauth2-proxy login failure bursts, Flux reconcile errors, crash loops), relayed through Pub/Sub into Alertmanager and its receiver (`cluster.mode: gke` only).",
        }),
        authFailuresPer5m: z.number().int().min(1).max(100000).default(20).meta({
            description: "More oauth2-proxy `[AuthFailure]` lines than this in five minutes alert.",
        }),
    })
    .strict();

const hostLabel = dnsLabel(63);

/** `platform:monitoring`: Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix. */
export const monitoringSchema = z
    .object({
        enabled: z.boolean().default(true).meta({
            description: "Deploy the layer. When false, none of its secrets is required.",
        }),
        namespace: dnsLabel().default("monitoring").meta({ description: "Namespace of everything in this layer." }),
        hosts: z
            .object({
                grafana: hostLabel.default("grafana").meta({ description: "Grafana's host label." }),
                prometheus: hostLabel.default("prometheus").meta({ description: "Prometheus's host label." }),
                alertmanager: hostLabel.default("alertmanager").meta({ description: "Alertmanager's host label." }),
                zabbix: hostLabel.default("zabbix").meta({ description: "The Zabbix web UI's host label." }),
            })
            .strict()
            .default({ grafana: "grafana", prometheus: "prometheus", alertmanager: "alertmanager", zabbix: "zabbix" })
            .meta({
                description: "Host labels under the stack's domain, each behind GitHub login; they must be distinct.",
            }),
        prometheus: prometheusSchema.default(prometheusSchema.parse({})),
        alertmanager: alertmanagerSchema.default(alertmanagerSchema.parse({})),
        grafana: grafanaSchema.default(grafanaSchema.parse({})),
        zabbix: zabbixSchema.default(zabbixSchema.parse({})),
        logs: logsSchema.default(logsSchema.parse({})).meta({
            description:
                "The cluster's logs in Cloud Logging: retention and log-based alerts (docs/monitoring.md, Logs).",
        }),
    })
    .strict()
    .superRefine((m, ctx) => {
        const p = m.prometheus;
        if (p.retentionSize !== undefined && gib(p.retentionSize) >= gib(p.volumeSize)) {
            ctx.addIssue({
                code: "custom",
                path: ["prometheus", "retentionSize"],
                input: p.retentionSize,
                message: `must be below prometheus.volumeSize ${p.volumeSize} (leave room for the WAL and compaction, e.g. ${defaultRetentionSize(p.volumeSize)})`,
            });
        }
        if (m.grafana.replicas > 1 && m.grafana.database === undefined) {
            ctx.addIssue({
                code: "custom",
                path: ["grafana", "database"],
                input: undefined,
                message: `is required when grafana.replicas is ${m.grafana.replicas} (more than one replica keeps sessions and state in PostgreSQL, never SQLite on a shared volume)`,
            });
        }
        if (m.alertmanager.slackChannel !== undefined && m.alertmanager.receiver !== "slack") {
            ctx.addIssue({
                code: "custom",
                path: ["alertmanager", "slackChannel"],
                input: m.alertmanager.slackChannel,
                message: `only applies when alertmanager.receiver is slack (it is ${m.alertmanager.receiver})`,
            });
        }
        if (new Set(Object.values(m.hosts)).size !== Object.values(m.hosts).length) {
            ctx.addIssue({
                code: "custom",
                path: ["hosts"],
                input: m.hosts,
                message: "repeats a host label; grafana, prometheus, alertmanager and zabbix need distinct hosts",
            });
        }
    });

export type MonitoringConfig = z.output<typeof monitoringSchema>;
// The layer's settings are this section less `enabled` and `logs` (Cloud Logging: the GCP base's),
// with retentionSize always set.
agree<
    Same<
        Omit<MonitoringConfig, "enabled" | "prometheus" | "logs"> & {
            prometheus: Omit<MonitoringConfig["prometheus"], "retentionSize"> & { retentionSize: string };
        },
        MonitoringSettings
    >
>(true);

/** The monitoring layer's settings from the section: retentionSize filled in. */
export function monitoringSettings(m: MonitoringConfig): MonitoringSettings {
    const p = m.prometheus;
    return {
        namespace: m.namespace,
        hosts: m.hosts,
        prometheus: { ...p, retentionSize: p.retentionSize ?? defaultRetentionSize(p.volumeSize) },
        alertmanager: m.alertmanager,
        grafana: m.grafana,
        zabbix: m.zabbix,
    };
}
