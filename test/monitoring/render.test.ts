import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { isHelm } from "../../render/objects";
import { renderStack } from "../../render/render";
import { unwrapSecrets } from "../../render/redact";
import { Loose, SENTINELS } from "./fixtures";

function allFiles(dir: string): string[] {
    return readdirSync(dir).flatMap((f) => {
        const p = path.join(dir, f);
        return statSync(p).isDirectory() ? allFiles(p) : [p];
    });
}

describe.each(["dev", "prd"])("render %s", (stack) => {
    let result: Awaited<ReturnType<typeof renderStack>>;
    const out = mkdtempSync(path.join(tmpdir(), "mon-render-"));

    beforeAll(async () => {
        result = await renderStack({ stack, out, secrets: SENTINELS });
    });

    it("has no schema errors", () => {
        expect(result.errors).toEqual([]);
    });

    it("passes no credential to any chart, even with secrets unwrapped", () => {
        const charts = result.resources.filter(isHelm);
        expect(charts.length).toBeGreaterThanOrEqual(3);
        const text = JSON.stringify(charts.map((c) => unwrapSecrets(c.inputs)));
        for (const s of Object.values(SENTINELS)) expect(text).not.toContain(s);
        expect(text).not.toMatch(/render-generated|render-placeholder/);
    });

    it("writes no secret value to any file", () => {
        for (const file of allFiles(result.dir!)) {
            const text = readFileSync(file, "utf8");
            for (const s of Object.values(SENTINELS)) expect(text).not.toContain(s);
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

describe("render prd", () => {
    it("sizes Prometheus for the contest's 2 GB a day", async () => {
        const r = await renderStack({ stack: "prd" });
        const spec = (r.charts.find((c) => c.chart === "kube-prometheus-stack")!.values as Loose).prometheus
            .prometheusSpec;
        const days = Number(String(spec.retention).replace("d", ""));
        const keptGiB = Number(String(spec.retentionSize).replace("GiB", ""));
        // 20 GB in 10 days: the retention period's data must fit under retentionSize.
        expect(days * 2).toBeLessThanOrEqual(keptGiB);
    });
});
