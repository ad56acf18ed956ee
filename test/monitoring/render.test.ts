import { readFileSync } from "node:fs";
import { isHelm } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { filesUnder, rendered, SharedRender } from "../rendered";
import { Loose, SENTINELS } from "./fixtures";

/** The planted values of the monitoring layer's secret config keys. */
function monitoringSecrets(r: SharedRender): string[] {
    const values = Object.keys(SENTINELS).map((k) => r.secrets[k]!);
    expect(values.every((v) => v.includes("SENTINEL"))).toBe(true);
    return values;
}

describe.each(["dev", "prd"] as const)("render %s", (stack) => {
    let result: SharedRender;

    beforeAll(async () => {
        result = await rendered(stack);
    });

    it("has no schema errors", () => {
        expect(result.errors).toEqual([]);
    });

    it("passes no credential to any chart, even with secrets unwrapped", () => {
        const charts = result.resources.filter(isHelm);
        expect(charts.length).toBeGreaterThanOrEqual(3);
        const text = JSON.stringify(charts.map((c) => unwrapSecrets(c.inputs)));
        for (const s of monitoringSecrets(result)) expect(text).not.toContain(s);
        expect(text).not.toMatch(/SENTINEL|render-generated|render-placeholder/);
    });

    it("writes no secret value to any file", () => {
        for (const file of filesUnder(result.dir)) {
            const text = readFileSync(file, "utf8");
            for (const s of monitoringSecrets(result)) expect(text).not.toContain(s);
        }
    });

    it("follows the stack file's Prometheus sizing and exports what on-prem needs", () => {
        const kps = result.charts.find((c) => c.chart === "kube-prometheus-stack")!;
        const spec = (kps.values as Loose).prometheus.prometheusSpec;
        const cfg = JSON.parse(result.input.config["platform:monitoring"]!);
        expect(spec.retention).toBe(cfg.prometheus.retention);
        expect(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(cfg.prometheus.volumeSize);
        expect(Number(spec.retentionSize.replace("GiB", ""))).toBeLessThan(
            Number(cfg.prometheus.volumeSize.replace("Gi", "")),
        );
        expect(result.outputs.blackboxAddress).toMatch(/:9115$/);
        expect(result.outputs.zabbixApiUrl).toMatch(/\/api_jsonrpc\.php$/);
        expect(result.outputs.zabbixAdminSecretName).toBe("zabbix-admin");
        const names = result.objects.map((o) => `${o.kind}/${o.metadata.name}`);
        expect(names).toEqual(
            expect.arrayContaining([
                "PrometheusRule/platform",
                "Secret/zabbix-admin",
                "ConfigMap/grafana-dashboard-cluster",
            ]),
        );
    });
});

describe.each(["dev", "prd"] as const)("scraping in %s", (stack) => {
    // Charts whose metrics the platform rules read, by metric prefix; each chart's Service must be
    // selected by a ServiceMonitor (kube-prometheus-stack reads no prometheus.io annotations).
    const FROM_CHART: Record<string, string> = { traefik_: "traefik", certmanager_: "cert-manager" };

    it("scrapes every chart whose metrics a platform rule reads, in the namespace the chart is in", async () => {
        const r = await rendered(stack);
        const exprs = r.objects
            .filter((o) => o.kind === "PrometheusRule")
            .flatMap((o) => (o.spec as Loose).groups.flatMap((g: Loose) => g.rules.map((x: Loose) => String(x.expr))));
        const needed = Object.entries(FROM_CHART).filter(([prefix]) => exprs.some((e) => e.includes(prefix)));
        expect(needed.map(([, chart]) => chart).sort()).toEqual(["cert-manager", "traefik"]);
        const monitors = r.objects.filter((o) => o.kind === "ServiceMonitor").map((o) => o.spec as Loose);
        for (const [, chartName] of needed) {
            const chart = r.charts.find((c) => c.chart === chartName)!;
            const monitor = monitors.find(
                (m) =>
                    m.selector.matchLabels["app.kubernetes.io/name"] === chartName &&
                    (m.namespaceSelector?.matchNames ?? []).includes(chart.namespace),
            );
            expect([chartName, monitor?.endpoints?.[0]?.port]).toEqual([chartName, expect.any(String)]);
        }
    });
});

describe("render prd", () => {
    it("sizes Prometheus for the contest's 2 GB a day", async () => {
        const r = await rendered("prd");
        const spec = (r.charts.find((c) => c.chart === "kube-prometheus-stack")!.values as Loose).prometheus
            .prometheusSpec;
        const days = Number(String(spec.retention).replace("d", ""));
        const keptGiB = Number(String(spec.retentionSize).replace("GiB", ""));
        // 20 GB in 10 days: the retention period's data must fit under retentionSize.
        expect(days * 2).toBeLessThanOrEqual(keptGiB);
    });
});

/** Let's Encrypt's production directory: the only issuer here whose certificates clients trust. */
const TRUSTED_ACME = "https://acme-v02.api.letsencrypt.org/directory";

describe("the published hosts' probe (platform-hosts)", () => {
    it.each(["dev", "prd", "local"] as const)(
        "%s: succeeds on a healthy stack: it verifies the certificate only where clients would trust it",
        async (stack) => {
            const r = await rendered(stack);
            const probe = r.objects.find((o) => o.kind === "Probe" && o.metadata.name === "platform-hosts") as any;
            expect(probe).toBeDefined();
            // Who signs what the hosts serve: the ClusterIssuer of the wildcard Certificate.
            const cert = r.objects.find((o) => o.kind === "Certificate") as any;
            const issuer = r.objects.find(
                (o) => o.kind === "ClusterIssuer" && o.metadata.name === cert.spec.issuerRef.name,
            ) as any;
            const trusted = issuer.spec.acme?.server === TRUSTED_ACME;
            const blackbox = r.charts.find((c) => c.chart === "prometheus-blackbox-exporter")!;
            const module = (blackbox.values as any).config.modules[probe.spec.module];
            expect(module).toBeDefined();
            expect(module.prober).toBe("http");
            expect(module.http.tls_config?.insecure_skip_verify === true).toBe(!trusted);
            expect(probe.spec.targets.staticConfig.static.every((t: string) => t.startsWith("https://"))).toBe(true);
        },
    );

    it("prd verifies (Let's Encrypt production), dev does not (staging)", async () => {
        const issuers = async (stack: "dev" | "prd") =>
            (await rendered(stack)).objects
                .filter((o) => o.kind === "ClusterIssuer")
                .map((o: any) => o.spec.acme?.server);
        expect(await issuers("prd")).toEqual([TRUSTED_ACME]);
        expect(await issuers("dev")).toEqual(["https://acme-staging-v02.api.letsencrypt.org/directory"]);
    });
});

describe("the SNMP trap receiver (prd)", () => {
    it("listens on a reserved, protected regional address that the stack exports", async () => {
        const r = await rendered("prd");
        const svc = r.resources.find(
            (x) => x.type === "kubernetes:core/v1:Service" && (x.inputs as any).metadata?.name === "zabbix-snmptraps",
        )!;
        const spec = (svc.inputs as any).spec;
        expect(spec.type).toBe("LoadBalancer");
        expect(spec.ports).toEqual([expect.objectContaining({ protocol: "UDP", port: 162 })]);
        // The address comes from a reserved Address the Service waits for, not from the cloud's pool.
        const addresses = r.resources.filter(
            (x) => x.type === "gcp:compute/address:Address" && svc.dependsOn.includes(x.urn),
        );
        expect(addresses).toHaveLength(1);
        const address = addresses[0]!;
        expect(address.inputs).toMatchObject({ addressType: "EXTERNAL", region: "asia-northeast1" });
        expect(address.protect).toBe(true);
        expect(typeof spec.loadBalancerIP).toBe("string");
        expect(r.outputs.snmpTrapAddress).toBe(spec.loadBalancerIP);
        expect(r.outputs.ingressIp).not.toBe(spec.loadBalancerIP);
    });

    it("is not reserved where no trap receiver runs (dev)", async () => {
        const r = await rendered("dev");
        expect(r.objects.some((o) => o.metadata.name === "zabbix-snmptraps")).toBe(false);
        expect(r.outputs.snmpTrapAddress).toBeUndefined();
        // The ingress address only (an on-prem gateway site's VM has its own, under SiteGateway).
        const addresses = r.resources.filter(
            (x) => x.type === "gcp:compute/address:Address" && !x.urn.includes("platform:gcp:SiteGateway"),
        );
        expect(addresses.map((x) => x.name)).toEqual(["ingress-ip"]);
    });
});

describe("Grafana with two replicas (prd)", () => {
    const urnOf = (r: SharedRender, type: string) => {
        const found = r.resources.filter((x) => x.type === type);
        expect(found).toHaveLength(1);
        return found[0]!;
    };

    it("uses a PostgreSQL the stack creates, and starts only once its database and user exist", async () => {
        const r = await rendered("prd");
        const chart = r.charts.find((c) => c.chart === "kube-prometheus-stack")!;
        const grafana = (chart.values as any).grafana;
        expect(grafana.replicas).toBe(2);
        const ini = grafana["grafana.ini"];
        expect(ini.database.type).toBe("postgres");
        // Wherever Grafana reads its database host from, that address belongs to a Cloud SQL
        // instance this stack declares (never a literal address nothing creates).
        expect(ini.database.host).toBeUndefined();
        const ref = grafana.envValueFrom.GF_DATABASE_HOST.configMapKeyRef;
        const hostMap = r.resources.find(
            (x) => x.type === "kubernetes:core/v1:ConfigMap" && (x.inputs as any).metadata.name === ref.name,
        )!;
        const instance = urnOf(r, "gcp:sql/databaseInstance:DatabaseInstance");
        expect(hostMap.dependsOn).toContain(instance.urn);
        expect((hostMap.inputs as any).data[ref.key]).toMatch(/^10\.[0-9.]+:5432$/);

        const database = urnOf(r, "gcp:sql/database:Database");
        const user = urnOf(r, "gcp:sql/user:User");
        expect(database.inputs.name).toBe(ini.database.name);
        expect(user.inputs.name).toBe(ini.database.user);
        const chartResource = r.resources.find(
            (x) => x.type === "kubernetes:helm.sh/v4:Chart" && x.name === chart.name,
        )!;
        expect(chartResource.dependsOn).toEqual(expect.arrayContaining([database.urn, user.urn]));

        // The password Grafana reads is the one the user was created with, and only ever a secret.
        const password = r.resources.find(
            (x) => x.type === "random:index/randomPassword:RandomPassword" && user.dependsOn.includes(x.urn),
        )!;
        const secret = r.resources.find(
            (x) =>
                x.type === "kubernetes:core/v1:Secret" &&
                (x.inputs as any).metadata.name === grafana.envValueFrom.GF_DATABASE_PASSWORD.secretKeyRef.name,
        )!;
        expect(secret.dependsOn).toContain(password.urn);
        expect(JSON.stringify(chart.values)).not.toContain("render-generated");
    });

    it("the instance has only a private IP, through the VPC's private services access", async () => {
        const r = await rendered("prd");
        const instance = urnOf(r, "gcp:sql/databaseInstance:DatabaseInstance");
        const vpc = urnOf(r, "gcp:compute/network:Network");
        const peering = urnOf(r, "gcp:servicenetworking/connection:Connection");
        const range = urnOf(r, "gcp:compute/globalAddress:GlobalAddress");
        const ip = (instance.inputs as any).settings.ipConfiguration;
        expect(ip.ipv4Enabled).toBe(false);
        expect(instance.dependsOn).toEqual(expect.arrayContaining([vpc.urn, peering.urn]));
        expect(peering.dependsOn).toEqual(expect.arrayContaining([vpc.urn, range.urn]));
        expect(range.inputs).toMatchObject({ purpose: "VPC_PEERING", addressType: "INTERNAL" });
        expect(peering.inputs.service).toBe("servicenetworking.googleapis.com");
    });

    it("on prd: backups with point-in-time recovery, a standby zone, deletion protection", async () => {
        const r = await rendered("prd");
        const instance = urnOf(r, "gcp:sql/databaseInstance:DatabaseInstance");
        const s = (instance.inputs as any).settings;
        expect(s.backupConfiguration).toMatchObject({ enabled: true, pointInTimeRecoveryEnabled: true });
        expect(s.availabilityType).toBe("REGIONAL");
        expect(s.deletionProtectionEnabled).toBe(true);
        expect(instance.protect).toBe(true);
        expect(urnOf(r, "gcp:sql/database:Database").protect).toBe(true);
    });

    it("the replicas find each other for alerting through the chart's headless Service", async () => {
        const r = await rendered("prd");
        const chart = r.charts.find((c) => c.chart === "kube-prometheus-stack")!;
        const grafana = (chart.values as any).grafana;
        // grafana chart 12.11.1 (templates/headless-service.yaml): `<fullname>-headless`, port 9094,
        // created when headlessService is true; the pods carry gossip ports 9094 and POD_IP.
        expect(grafana.headlessService).toBe(true);
        const alerting = grafana["grafana.ini"].unified_alerting;
        expect(alerting.ha_peers).toBe(`${grafana.fullnameOverride}-headless.${chart.namespace}.svc:9094`);
        expect(alerting.ha_listen_address).toBe("${POD_IP}:9094");
        expect(alerting.ha_advertise_address).toBe("${POD_IP}:9094");
    });

    it("dev (one replica, SQLite on a volume) creates no database", async () => {
        const r = await rendered("dev");
        expect(r.resources.filter((x) => x.type.startsWith("gcp:sql/"))).toEqual([]);
        const grafana = (r.charts.find((c) => c.chart === "kube-prometheus-stack")!.values as any).grafana;
        expect(grafana.headlessService).toBe(false);
        expect(grafana["grafana.ini"].unified_alerting).toBeUndefined();
    });
});
