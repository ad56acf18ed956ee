import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/** The Cloud SQL instance's size and availability. */
export interface CloudSqlSize {
    /** Machine tier, e.g. `db-custom-1-3840` (Enterprise edition). */
    readonly tier: string;
    /** Data disk in GB (SSD); it grows by itself when nearly full. */
    readonly diskSizeGb: number;
    /** A standby in a second zone with automatic failover (`REGIONAL`). */
    readonly highAvailability: boolean;
}

export interface CloudSqlPostgresArgs extends CloudSqlSize {
    /** GCP project ID. */
    readonly project: string;
    /** Region of the instance (the cluster's). */
    readonly region: string;
    /** `databaseVersion`, e.g. POSTGRES_16 (components/versions.ts). */
    readonly version: string;
    /** The VPC (its id) the instance gets its private IP in; it has no public IP. */
    readonly network: pulumi.Input<string>;
    /** Database to create. */
    readonly database: string;
    /** User to create; its password is generated here. */
    readonly user: string;
    /** Daily backups and point-in-time recovery (prd). */
    readonly backups: boolean;
    /** Deletion protection in Cloud SQL itself and Pulumi `protect` (prd). */
    readonly protect: boolean;
    /** Daily backup start and weekly maintenance hour, `HH:MM` UTC. */
    readonly maintenanceStart: string;
    /** What the instance waits for: the VPC's private services peering. */
    readonly dependsOn: readonly pulumi.Resource[];
}

/** Transaction logs kept for point-in-time recovery, in days (Enterprise edition allows 1-7). */
const LOG_RETENTION_DAYS = 7;
/** Daily backups kept. */
const BACKUPS_KEPT = 14;

/**
 * Cloud SQL for PostgreSQL with a private IP only (through the VPC's private services access),
 * TLS required, one database and one user whose password is generated here and only ever a secret.
 * With `backups`, daily backups and point-in-time recovery; with `protect`, deletion protection.
 */
export class CloudSqlPostgres extends pulumi.ComponentResource {
    readonly instance: gcp.sql.DatabaseInstance;
    readonly database: gcp.sql.Database;
    readonly user: gcp.sql.User;
    /** The instance's private IP. */
    readonly host: pulumi.Output<string>;
    /** The user's password (secret). */
    readonly password: pulumi.Output<string>;

    constructor(name: string, args: CloudSqlPostgresArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:CloudSqlPostgres", name, {}, opts);
        const [hour] = args.maintenanceStart.split(":").map(Number) as [number];
        this.instance = new gcp.sql.DatabaseInstance(
            `${name}-instance`,
            {
                project: args.project,
                region: args.region,
                databaseVersion: args.version,
                // The provider's own guard; Pulumi `protect` and Cloud SQL's flag below guard prd.
                deletionProtection: args.protect,
                settings: {
                    // PostgreSQL 16 defaults to Enterprise Plus, which takes no custom tiers.
                    edition: "ENTERPRISE",
                    tier: args.tier,
                    availabilityType: args.highAvailability ? "REGIONAL" : "ZONAL",
                    diskType: "PD_SSD",
                    diskSize: args.diskSizeGb,
                    diskAutoresize: true,
                    deletionProtectionEnabled: args.protect,
                    ipConfiguration: {
                        ipv4Enabled: false,
                        privateNetwork: args.network,
                        sslMode: "ENCRYPTED_ONLY",
                    },
                    backupConfiguration: args.backups
                        ? {
                              enabled: true,
                              startTime: args.maintenanceStart,
                              pointInTimeRecoveryEnabled: true,
                              transactionLogRetentionDays: LOG_RETENTION_DAYS,
                              backupRetentionSettings: { retainedBackups: BACKUPS_KEPT, retentionUnit: "COUNT" },
                          }
                        : { enabled: false, pointInTimeRecoveryEnabled: false },
                    maintenanceWindow: { day: 7, hour: (hour + 1) % 24, updateTrack: "stable" },
                },
            },
            {
                parent: this,
                protect: args.protect,
                dependsOn: [...args.dependsOn],
                // Autoresize grows the disk; a smaller diskSize in the program must not try to shrink it.
                ignoreChanges: ["settings.diskSize"],
            },
        );
        this.database = new gcp.sql.Database(
            `${name}-db`,
            { project: args.project, instance: this.instance.name, name: args.database },
            { parent: this, protect: args.protect },
        );
        const password = new random.RandomPassword(
            `${name}-password`,
            { length: 32, special: false },
            { parent: this },
        );
        this.user = new gcp.sql.User(
            `${name}-user`,
            {
                project: args.project,
                instance: this.instance.name,
                name: args.user,
                password: password.result,
                // PostgreSQL refuses to drop a role that owns tables; the role goes with the instance.
                deletionPolicy: "ABANDON",
            },
            { parent: this },
        );
        this.host = this.instance.privateIpAddress;
        this.password = pulumi.secret(password.result);
        this.registerOutputs({ host: this.host, connectionName: this.instance.connectionName });
    }
}
