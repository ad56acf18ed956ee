import type * as pulumi from "@pulumi/pulumi";

/**
 * What the monitoring layer is given: `platform:monitoring` resolved, every default filled in
 * (config/sections/monitoring.ts holds the schema; config/plan.ts fills in what depends on
 * other keys, such as Prometheus's retentionSize).
 */
export interface MonitoringSettings {
    /** Namespace of everything in this layer, decided once for every layer (config/plan.ts). */
    readonly namespace: string;
    /** Host labels under the stack's domain, each behind GitHub login. */
    readonly hosts: {
        readonly grafana: string;
        readonly prometheus: string;
        readonly alertmanager: string;
        readonly zabbix: string;
    };
    readonly prometheus: {
        /** Prometheus duration, e.g. 15d. */
        readonly retention: string;
        /** e.g. 50Gi */
        readonly volumeSize: string;
        /** e.g. 40GiB: below volumeSize. */
        readonly retentionSize: string;
        /** @default the cluster's default StorageClass */
        readonly storageClass?: string;
    };
    readonly alertmanager: {
        readonly receiver: "slack" | "discord";
        /** @default the webhook's own channel */
        readonly slackChannel?: string;
        readonly volumeSize: string;
    };
    readonly grafana: {
        readonly replicas: number;
        readonly organizations: string[];
        readonly teamIds: number[];
        /** PostgreSQL; present whenever replicas > 1. @default none (SQLite on a volume) */
        readonly database?: {
            /** An existing PostgreSQL; unset: Cloud SQL the stack creates (its address arrives at run time). */
            readonly host?: string;
            readonly port: number;
            readonly name: string;
            readonly user: string;
            readonly sslMode: "disable" | "require" | "verify-full";
            /** Size of the Cloud SQL instance (only without host). @default the schema's defaults */
            readonly cloudSql?: {
                readonly tier: string;
                readonly diskSizeGb: number;
                readonly highAvailability?: boolean;
            };
        };
        readonly volumeSize: string;
    };
    readonly zabbix: ZabbixSettings;
}

export interface ZabbixSettings {
    readonly enabled: boolean;
    readonly ipmiPollers: number;
    readonly snmpPollers: number;
    readonly databaseVolumeSize: string;
    readonly snmpTraps: { readonly enabled: boolean; readonly sourceRanges: string[] };
}

/** Where Grafana's PostgreSQL is and how to sign in, known only at run time for the Cloud SQL one. */
export interface GrafanaDatabaseConnection {
    /** Host (an IP or name, without the port). */
    readonly host: pulumi.Input<string>;
    /** The user's password (secret). */
    readonly password: pulumi.Input<string>;
    /** What must exist before Grafana starts (the Cloud SQL database and user). @default [] */
    readonly dependsOn?: readonly pulumi.Resource[];
}

/** Number of GiB in `50Gi` (or `40GiB`). */
export function gib(size: string): number {
    return Number(size.replace(/GiB?$/, ""));
}
