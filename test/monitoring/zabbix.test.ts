import { Zabbix } from "../../components/monitoring/zabbix";
import { BOOTSTRAP_SCRIPT } from "../../components/monitoring/zabbix-bootstrap";
import { containsSecret } from "../../render/redact";
import { recordResources } from "../harness";
import { chartNamed, Loose, monitoringConfig, valuesOf } from "./fixtures";

function zabbix(raw: unknown = {}) {
    return () =>
        new Zabbix("zbx", {
            namespace: "monitoring",
            config: monitoringConfig({ zabbix: raw }).zabbix,
        });
}

type Env = { name: string; value?: string };

describe("Zabbix", () => {
    it("pins the zabbix-community chart on Zabbix 7.0 LTS", async () => {
        const h = await recordResources(zabbix());
        const chart = h.inputs(chartNamed(h, "zabbix"));
        expect(chart.repositoryOpts.repo).toBe("https://zabbix-community.github.io/helm-zabbix");
        expect(chart.version).toMatch(/^7\.0\.\d+$/);
        expect(chart.values.zabbixImageTag).toMatch(/-7\.0\.\d+$/);
    });

    it("lets the non-root server's fping use unprivileged ICMP sockets (the ICMP Ping template)", async () => {
        const server = valuesOf(await recordResources(zabbix()), "zabbix").zabbixServer;
        expect(server.securityContext.capabilities.drop).toEqual(["ALL"]);
        expect(server.extraPodSpecs.securityContext.sysctls).toContainEqual({
            name: "net.ipv4.ping_group_range",
            value: "0 2147483647",
        });
    });

    it("starts the IPMI and SNMP pollers with the variables current images read", async () => {
        const h = await recordResources(zabbix({ ipmiPollers: 4, snmpPollers: 12 }));
        const env = valuesOf(h, "zabbix").zabbixServer.extraEnv as Env[];
        expect(env).toContainEqual({ name: "ZBX_STARTIPMIPOLLERS", value: "4" });
        expect(env).toContainEqual({ name: "ZBX_STARTSNMPPOLLERS", value: "12" });
        expect(env.map((e) => e.name)).not.toContain("ZBX_IPMIPOLLERS");
        expect(env.every((e) => typeof e.value === "string")).toBe(true);
    });

    it("keeps PostgreSQL on a volume, credentials in a generated Secret the chart references", async () => {
        const h = await recordResources(zabbix({ databaseVolumeSize: "25Gi" }));
        const v = valuesOf(h, "zabbix");
        expect(v.postgresql).toMatchObject({ enabled: true, persistence: { enabled: true, storageSize: "25Gi" } });
        const access = v.postgresAccess;
        expect(access.password).toBeUndefined();
        const secret = h
            .ofType("kubernetes:core/v1:Secret")
            .find((r) => h.inputs(r).metadata.name === access.existingSecretName);
        expect(secret).toBeDefined();
        const data = h.inputs(secret!).stringData as Record<string, string>;
        for (const key of [
            access.secretHostKey,
            access.secretPortKey,
            access.secretUserKey,
            access.secretPasswordKey,
            access.secretDBKey,
        ]) {
            expect(data[key]).toBeDefined();
        }
        expect(containsSecret(secret!.inputs.stringData)).toBe(true);
        expect(data[access.secretPasswordKey]).toMatch(/^render-generated-/);
        expect(JSON.stringify(v)).not.toContain("render-generated");
    });

    it("lets Pulumi wait for the bootstrap Job longer than the Job waits for a first Zabbix start", async () => {
        const h = await recordResources(zabbix());
        const job = h.one("kubernetes:batch/v1:Job");
        // The script polls the API `tries` times, `pause` seconds apart, before it gives up.
        const tries = Number(/-gt (\d+) \]/.exec(BOOTSTRAP_SCRIPT)![1]);
        const pause = Number(/until rpc apiinfo[\s\S]*?sleep (\d+)/.exec(BOOTSTRAP_SCRIPT)![1]);
        const minutes = Number(/^(\d+)m$/.exec(job.customTimeouts!.create!)![1]);
        expect(minutes * 60).toBeGreaterThan(tries * pause);
    });

    it("generates the Admin login into a Secret and a Job that applies it", async () => {
        const h = await recordResources(zabbix());
        const admin = h.inputs(
            h.ofType("kubernetes:core/v1:Secret").find((r) => h.inputs(r).metadata.name === "zabbix-admin")!,
        );
        expect(admin.stringData.username).toBe("Admin");
        expect(admin.stringData.password).toMatch(/^render-generated-/);
        const job = h.objects().find((o) => o.kind === "Job")!;
        const pod = (job.spec as Loose).template.spec;
        const env = pod.containers[0].env as { name: string; valueFrom?: Loose }[];
        expect(env.find((e) => e.name === "ADMIN_PASSWORD")!.valueFrom.secretKeyRef).toEqual({
            name: "zabbix-admin",
            key: "password",
            optional: false,
        });
        expect(pod.containers[0].securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
        });
        // The script ConfigMap and the Job carry its hash, so an edited script runs again.
        const cm = h
            .objects()
            .find((o) => o.kind === "ConfigMap" && String(o.metadata.name).startsWith("zabbix-bootstrap-"))!;
        expect((cm.data as Record<string, string>)["bootstrap.sh"]).toBe(BOOTSTRAP_SCRIPT);
        expect(pod.volumes[0].configMap.name).toBe(cm.metadata.name);
        expect(job.metadata.name).toBe(cm.metadata.name);
    });

    it("lets the bootstrap patch only the token Secret: nothing that runs pods", async () => {
        const h = await recordResources(zabbix());
        const role = h.object("Role", "zabbix-bootstrap");
        expect(role.rules).toEqual([
            expect.objectContaining({ resources: ["secrets"], resourceNames: ["zabbix-api-token"], verbs: ["patch"] }),
        ]);
    });

    it("adds an SNMP trap receiver only when configured", async () => {
        const off = await recordResources(zabbix());
        expect(off.objects().filter((o) => o.kind === "Service")).toHaveLength(0);
        expect(valuesOf(off, "zabbix").zabbixServer.extraContainers).toBeUndefined();

        const on = await recordResources(zabbix({ snmpTraps: { enabled: true, sourceRanges: ["203.0.113.0/28"] } }));
        const svc = on.object("Service", "zabbix-snmptraps");
        expect((svc.spec as Loose).ports[0]).toMatchObject({ port: 162, protocol: "UDP" });
        expect((svc.spec as Loose).loadBalancerSourceRanges).toEqual(["203.0.113.0/28"]);
        const server = valuesOf(on, "zabbix").zabbixServer;
        expect(server.extraEnv).toContainEqual({ name: "ZBX_ENABLE_SNMP_TRAPS", value: "true" });
        expect(server.extraContainers[0].image).toMatch(/^zabbix\/zabbix-snmptraps:/);
    });
});
