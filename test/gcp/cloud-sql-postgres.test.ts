import { CloudSqlPostgres, CloudSqlPostgresArgs } from "../../components/gcp/cloud-sql-postgres";
import { PrivateServiceAccess } from "../../components/gcp/private-service-access";
import { recordResources } from "../harness";

const ARGS: Omit<CloudSqlPostgresArgs, "dependsOn"> = {
    project: "clubplatform-dev",
    region: "asia-northeast1",
    version: "POSTGRES_16",
    network: "net-vpc-id",
    tier: "db-custom-1-3840",
    diskSizeGb: 10,
    highAvailability: false,
    database: "grafana",
    user: "grafana",
    backups: false,
    protect: false,
    maintenanceStart: "18:00",
};

function declare(over: Partial<CloudSqlPostgresArgs> = {}) {
    return () => {
        const access = new PrivateServiceAccess("private-services", { network: "net-vpc-id" });
        return new CloudSqlPostgres("grafana-db", { ...ARGS, dependsOn: [access.connection], ...over });
    };
}

describe("CloudSqlPostgres", () => {
    it("without backups or protection (dev) it can be torn down: no deletion guard anywhere", async () => {
        const h = await recordResources(declare());
        const instance = h.one("gcp:sql/databaseInstance:DatabaseInstance");
        const s = h.inputs(instance).settings;
        expect(h.inputs(instance).deletionProtection).toBe(false);
        expect(s.deletionProtectionEnabled).toBe(false);
        expect(instance.protect).toBe(false);
        expect(s.backupConfiguration.enabled).toBe(false);
        expect(s.availabilityType).toBe("ZONAL");
        // Custom tiers exist only in the Enterprise edition, which PostgreSQL 16 does not default to.
        expect(s.edition).toBe("ENTERPRISE");
        expect(s.ipConfiguration).toEqual({
            ipv4Enabled: false,
            privateNetwork: "net-vpc-id",
            sslMode: "ENCRYPTED_ONLY",
        });
        expect(instance.dependsOn).toContain(h.one("gcp:servicenetworking/connection:Connection").urn);
    });

    it("keeps the password a secret and gives it to the user it creates", async () => {
        const h = await recordResources(declare());
        const user = h.one("gcp:sql/user:User");
        expect(h.inputs(user)).toMatchObject({ name: "grafana", deletionPolicy: "ABANDON" });
        expect(h.redactedText()).not.toContain("render-generated");
        expect(user.dependsOn).toContain(h.one("random:index/randomPassword:RandomPassword").urn);
    });

    it("backs up daily with point-in-time recovery after the cluster's maintenance start", async () => {
        const h = await recordResources(declare({ backups: true, protect: true, highAvailability: true }));
        const s = h.inputs(h.one("gcp:sql/databaseInstance:DatabaseInstance")).settings;
        expect(s.backupConfiguration).toMatchObject({
            enabled: true,
            startTime: "18:00",
            pointInTimeRecoveryEnabled: true,
            transactionLogRetentionDays: 7,
        });
        expect(s.maintenanceWindow).toMatchObject({ day: 7, hour: 19 });
        expect(s.availabilityType).toBe("REGIONAL");
    });
});
