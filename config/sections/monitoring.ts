import { z } from "zod";
import { gib, MonitoringSettings } from "../../components/monitoring/settings";
import { agree, Same } from "../type-check";
import { dnsLabel } from "../validators";

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
        /** How long samples are kept (Prometheus duration). @default 15d */
        retention: z
            .string()
            .regex(/^[1-9][0-9]*(h|d|w|y)$/, { message: "is not a duration in h, d, w or y (e.g. 15d)" })
            .default("15d"),
        /** Size of Prometheus's persistent volume. @default 50Gi */
        volumeSize: gibibytes.default("50Gi"),
        /**
         * Prometheus deletes the oldest blocks beyond this size; must be below volumeSize (WAL and
         * compaction need headroom). @default 80% of volumeSize, in GiB
         */
        retentionSize: z
            .string()
            .regex(/^[1-9][0-9]{0,5}GiB$/, { message: "is not a size in whole GiB (e.g. 40GiB)" })
            .optional(),
        /** StorageClass of the volume. @default the cluster default */
        storageClass: dnsLabel().optional(),
    })
    .strict();

const alertmanagerSchema = z
    .object({
        /** Where every alert goes: a Slack or Discord incoming webhook (secret `alertmanagerWebhookUrl`). @default slack */
        receiver: z.enum(["slack", "discord"]).default("slack"),
        /** Slack channel override (the webhook's own channel when unset). */
        slackChannel: z
            .string()
            .regex(/^[#@][^\s]{1,80}$/, { message: "is not a Slack channel (#name or @user)" })
            .optional(),
        /** Size of Alertmanager's volume (silences, notification log). @default 2Gi */
        volumeSize: gibibytes.default("2Gi"),
    })
    .strict();

const grafanaDatabaseSchema = z
    .object({
        /** PostgreSQL host (e.g. a Cloud SQL private IP or an in-cluster service). */
        host: z.string().min(1).max(253),
        /** @default 5432 */
        port: z.number().int().min(1).max(65535).default(5432),
        /** Database name. @default grafana */
        name: z.string().min(1).max(63).default("grafana"),
        /** Database user; the password is the stack secret `grafanaDatabasePassword`. @default grafana */
        user: z.string().min(1).max(63).default("grafana"),
        /** @default require */
        sslMode: z.enum(["disable", "require", "verify-full"]).default("require"),
    })
    .strict();

const grafanaSchema = z
    .object({
        /** Grafana pods; more than one needs `database` (sessions and state never in SQLite). @default 1 */
        replicas: z.number().int().min(1).max(10).default(1),
        /**
         * GitHub organisations whose members may sign in. Empty with teamIds empty: anyone who passed
         * the edge's GitHub login may sign in (as Viewer). @default []
         */
        organizations: z
            .array(
                z
                    .string()
                    .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, { message: "is not a GitHub organisation name" }),
            )
            .default([]),
        /** Numeric GitHub team IDs whose members may sign in; with organizations, users must match both. @default [] */
        teamIds: z.array(z.number().int().positive()).default([]),
        /** External PostgreSQL for Grafana's state; required when replicas > 1. */
        database: grafanaDatabaseSchema.optional(),
        /** Volume for SQLite and plugins when there is one replica and no database. @default 5Gi */
        volumeSize: gibibytes.default("5Gi"),
    })
    .strict();

const zabbixSchema = z
    .object({
        /** Deploy Zabbix (server, web, agent, PostgreSQL). @default true */
        enabled: z.boolean().default(true),
        /** IPMI pollers the server starts (ZBX_STARTIPMIPOLLERS). @default 3 */
        ipmiPollers: z.number().int().min(1).max(1000).default(3),
        /** SNMP pollers the server starts (ZBX_STARTSNMPPOLLERS). @default 10 */
        snmpPollers: z.number().int().min(1).max(1000).default(10),
        /** Size of the bundled PostgreSQL volume. @default 10Gi */
        databaseVolumeSize: gibibytes.default("10Gi"),
        /** SNMP trap receiver beside the server, exposed by a LoadBalancer on UDP 162. */
        snmpTraps: z
            .object({
                /** @default false */
                enabled: z.boolean().default(false),
                /** Source ranges allowed to send traps (the on-prem network). @default [] */
                sourceRanges: z
                    .array(z.string().regex(/^[0-9.]+\/[0-9]{1,2}$/, { message: "is not a CIDR" }))
                    .default([]),
            })
            .strict()
            .default({ enabled: false, sourceRanges: [] }),
    })
    .strict();

const hostLabel = dnsLabel(63);

/** `platform:monitoring`: Prometheus, Alertmanager, Grafana, blackbox exporter and Zabbix. */
export const monitoringSchema = z
    .object({
        /** Deploy the monitoring layer. @default true */
        enabled: z.boolean().default(true),
        /** Namespace of everything in this layer. @default monitoring */
        namespace: dnsLabel().default("monitoring"),
        /** Host labels under the stack's domain, each behind GitHub login. */
        hosts: z
            .object({
                /** @default grafana */
                grafana: hostLabel.default("grafana"),
                /** @default prometheus */
                prometheus: hostLabel.default("prometheus"),
                /** @default alertmanager */
                alertmanager: hostLabel.default("alertmanager"),
                /** @default zabbix */
                zabbix: hostLabel.default("zabbix"),
            })
            .strict()
            .default({ grafana: "grafana", prometheus: "prometheus", alertmanager: "alertmanager", zabbix: "zabbix" }),
        prometheus: prometheusSchema.default(prometheusSchema.parse({})),
        alertmanager: alertmanagerSchema.default(alertmanagerSchema.parse({})),
        grafana: grafanaSchema.default(grafanaSchema.parse({})),
        zabbix: zabbixSchema.default(zabbixSchema.parse({})),
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
// The layer's settings are this section less `enabled`, with retentionSize always set.
agree<
    Same<
        Omit<MonitoringConfig, "enabled" | "prometheus"> & {
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
