import { Monitoring } from "../../components/monitoring/monitoring";
import { recordResources } from "../harness";
import { FakePublisher, monitoringConfig, secretArgs, valuesOf } from "./fixtures";

function build(publisher?: FakePublisher, raw: unknown = {}) {
    let m: Monitoring | undefined;
    const declare = () => {
        m = new Monitoring("monitoring", {
            config: monitoringConfig(raw),
            domain: "dev.example.org",
            apiServer: [{ cidr: "172.16.0.0/28", port: 443 }],
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

    it("runs the blackbox exporter non-root with no capability (ICMP over unprivileged sockets)", async () => {
        const h = await recordResources(build().declare);
        const v = valuesOf(h, "prometheus-blackbox-exporter");
        // NET_RAW is not among what the Pod Security level baseline lets a pod add.
        expect(v.securityContext.capabilities).toEqual({ drop: ["ALL"] });
        expect(v.podSecurityContext.sysctls).toContainEqual({
            name: "net.ipv4.ping_group_range",
            value: "0 2147483647",
        });
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

    it("installs the CRD chart beside Zabbix, not behind its bootstrap", async () => {
        const h = await recordResources(build().declare);
        const chart = h
            .ofType("kubernetes:helm.sh/v4:Chart")
            .find((r) => h.inputs(r).chart === "kube-prometheus-stack")!;
        const zabbixChart = h.ofType("kubernetes:helm.sh/v4:Chart").find((r) => h.inputs(r).chart === "zabbix")!;
        const job = h.ofType("kubernetes:batch/v1:Job")[0]!;
        expect(chart.dependsOn).not.toContain(job.urn);
        expect(chart.dependsOn).not.toContain(zabbixChart.urn);
    });

    it("rolls Grafana from the program once the bootstrap Job has written the token, and only then", async () => {
        const h = await recordResources(build().declare);
        const chart = h
            .ofType("kubernetes:helm.sh/v4:Chart")
            .find((r) => h.inputs(r).chart === "kube-prometheus-stack")!;
        const job = h.ofType("kubernetes:batch/v1:Job")[0]!;
        const patches = h.ofType("kubernetes:apps/v1:DeploymentPatch");
        expect(patches).toHaveLength(1);
        const roll = patches[0]!;
        // First deploy: Grafana starts without a token; the patch comes after the Job and Grafana.
        expect(roll.dependsOn).toEqual(expect.arrayContaining([job.urn, chart.urn]));
        const inputs = h.inputs(roll);
        expect(inputs.metadata).toMatchObject({ name: "grafana", namespace: "monitoring" });
        const annotations = inputs.spec.template.metadata.annotations as Record<string, string>;
        // The value is the Job's name (its script's hash): it changes only when a new Job runs, so an
        // unchanged stack shows no diff; no clock or random value in it.
        expect(Object.values(annotations)).toEqual([h.inputs(job).metadata.name]);
        const again = await recordResources(build().declare);
        expect(again.inputs(again.ofType("kubernetes:apps/v1:DeploymentPatch")[0]!).spec).toEqual(inputs.spec);
        // The Job itself no longer knows about Grafana.
        const env = h.inputs(job).spec.template.spec.containers[0].env as { name: string }[];
        expect(env.map((e) => e.name)).not.toContain("GRAFANA_DEPLOYMENT");
    });

    it("rolls nothing when Zabbix is off", async () => {
        const h = await recordResources(build(undefined, { zabbix: { enabled: false } }).declare);
        expect(h.ofType("kubernetes:apps/v1:DeploymentPatch")).toEqual([]);
    });
});
