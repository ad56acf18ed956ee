import { Monitoring } from "../../components/monitoring/monitoring";
import { recordResources } from "../harness";
import { FakePublisher, monitoringConfig, secretArgs, valuesOf } from "./fixtures";

function build(publisher?: FakePublisher, raw: unknown = {}) {
    let m: Monitoring | undefined;
    const declare = () => {
        m = new Monitoring("monitoring", {
            config: monitoringConfig(raw),
            domain: "dev.example.org",
            ...secretArgs(),
            publisher,
        });
    };
    return { declare, get: () => m! };
}

describe("Monitoring", () => {
    it("publishes grafana, prometheus, alertmanager and zabbix behind GitHub login", async () => {
        const pub = new FakePublisher();
        const b = build(pub);
        await recordResources(b.declare);
        const byHost = Object.fromEntries(pub.calls.map((c) => [c.spec.host, c.spec]));
        expect(Object.keys(byHost).sort()).toEqual([
            "alertmanager.dev.example.org",
            "grafana.dev.example.org",
            "prometheus.dev.example.org",
            "zabbix.dev.example.org",
        ]);
        expect(pub.calls.every((c) => c.spec.auth === "github" && c.spec.namespace === "monitoring")).toBe(true);
        expect(pub.calls.every((c) => c.parent === b.get())).toBe(true);
        expect(byHost["grafana.dev.example.org"]).toMatchObject({ service: "grafana", port: 80 });
        expect(byHost["prometheus.dev.example.org"]).toMatchObject({ service: "kps-prometheus", port: 9090 });
        expect(byHost["alertmanager.dev.example.org"]).toMatchObject({ service: "kps-alertmanager", port: 9093 });
        expect(byHost["zabbix.dev.example.org"]).toMatchObject({ service: "zabbix-zabbix-web", port: 80 });
        expect(new Set(pub.calls.map((c) => c.name)).size).toBe(4);
    });

    it("publishes no zabbix host when Zabbix is off, and nothing without a publisher", async () => {
        const pub = new FakePublisher();
        const h = await recordResources(build(pub, { zabbix: { enabled: false }, hosts: { grafana: "dash" } }).declare);
        expect(pub.calls.map((c) => c.spec.host).sort()).toEqual([
            "alertmanager.dev.example.org",
            "dash.dev.example.org",
            "prometheus.dev.example.org",
        ]);
        expect(h.ofType("kubernetes:helm.sh/v4:Chart").map((r) => h.inputs(r).chart)).not.toContain("zabbix");
        expect(valuesOf(h, "kube-prometheus-stack").grafana.additionalDataSources).toEqual([]);
        await expect(recordResources(build(undefined).declare)).resolves.toBeDefined();
    });

    it("exposes the blackbox address, Zabbix API URL and admin Secret for the on-prem layer", async () => {
        const b = build();
        const h = await recordResources(b.declare);
        const e = b.get().endpoints;
        expect(e.blackboxAddress).toBe("blackbox-exporter.monitoring.svc:9115");
        expect(e.zabbixApiUrl).toBe("http://zabbix-zabbix-web.monitoring.svc:80/api_jsonrpc.php");
        expect(h.object("Secret", e.zabbixAdminSecretName!)).toBeDefined();
    });

    it("runs the blackbox exporter non-root with NET_RAW as its only added capability", async () => {
        const h = await recordResources(build().declare);
        const v = valuesOf(h, "prometheus-blackbox-exporter");
        expect(v.securityContext.capabilities).toEqual({ drop: ["ALL"], add: ["NET_RAW"] });
        expect(v.securityContext).toMatchObject({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
        });
        const probers = Object.values(v.config.modules as Record<string, { prober: string }>).map((m) => m.prober);
        expect(new Set(probers)).toEqual(new Set(["http", "tcp", "icmp"]));
    });

    it("creates the platform's PrometheusRule and host Probe only after the chart with their CRDs", async () => {
        const h = await recordResources(build(new FakePublisher()).declare);
        const chart = h
            .ofType("kubernetes:helm.sh/v4:Chart")
            .find((r) => h.inputs(r).chart === "kube-prometheus-stack")!;
        const rule = h.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule")[0]!;
        const probe = h.ofType("kubernetes:monitoring.coreos.com/v1:Probe")[0]!;
        expect(rule.dependsOn).toContain(chart.urn);
        expect(probe.dependsOn).toContain(chart.urn);
        const alerts = (h.inputs(rule).spec.groups as { rules: { alert: string; expr: string }[] }[]).flatMap(
            (g) => g.rules,
        );
        const exprs = alerts.map((a) => a.expr).join("\n");
        for (const metric of [
            "traefik_service_requests_total",
            "certmanager_certificate_expiration_timestamp_seconds",
            "kubelet_volume_stats_available_bytes",
            "kube_job_failed",
            "probe_success",
        ]) {
            expect(exprs).toContain(metric);
        }
        expect(h.inputs(probe).spec.prober.url).toBe("blackbox-exporter.monitoring.svc:9115");
        expect(h.inputs(probe).spec.targets.staticConfig.static).toContain("https://grafana.dev.example.org");
        // Without routes the hosts do not exist: probing them would only raise ProbeDown forever.
        const unrouted = await recordResources(build().declare);
        expect(unrouted.ofType("kubernetes:monitoring.coreos.com/v1:Probe")).toHaveLength(0);
    });

    it("installs the CRD chart beside Zabbix, not behind its bootstrap (which restarts Grafana itself)", async () => {
        const h = await recordResources(build().declare);
        const chart = h
            .ofType("kubernetes:helm.sh/v4:Chart")
            .find((r) => h.inputs(r).chart === "kube-prometheus-stack")!;
        const zabbixChart = h.ofType("kubernetes:helm.sh/v4:Chart").find((r) => h.inputs(r).chart === "zabbix")!;
        const job = h.ofType("kubernetes:batch/v1:Job")[0]!;
        expect(chart.dependsOn).not.toContain(job.urn);
        expect(chart.dependsOn).not.toContain(zabbixChart.urn);
        // The token Secret exists before either starts; the job patches Grafana's pod template after a new token.
        expect(h.inputs(job).spec.template.spec.containers[0].env).toEqual(
            expect.arrayContaining([expect.objectContaining({ name: "GRAFANA_DEPLOYMENT" })]),
        );
    });
});
