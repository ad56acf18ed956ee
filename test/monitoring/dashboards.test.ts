import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { checkDashboard, Dashboards, DASHBOARD_DIR, loadDashboards } from "../../components/monitoring/dashboards";
import { recordResources } from "../harness";

const MiB = 1024 * 1024;
const files = readdirSync(DASHBOARD_DIR).filter((f) => f.endsWith(".json"));

describe("dashboards", () => {
    it("ships the platform's dashboards: cluster, Traefik, apps, on-prem", () => {
        expect(files.sort()).toEqual(
            expect.arrayContaining(["apps.json", "cluster.json", "onprem.json", "traefik.json"]),
        );
    });

    it.each(files)("%s parses, has panels with queries, and fits a ConfigMap", (file) => {
        const text = readFileSync(path.join(DASHBOARD_DIR, file), "utf8");
        const d = JSON.parse(text) as {
            uid: string;
            title: string;
            panels: { type: string; targets?: { expr: string }[] }[];
        };
        expect(typeof d.uid).toBe("string");
        expect(d.title).toMatch(/^Platform \//);
        const queries = d.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
        expect(queries.length).toBeGreaterThan(3);
        expect(queries.every((q) => q.trim().length > 0)).toBe(true);
        expect(Buffer.byteLength(file) + Buffer.byteLength(text)).toBeLessThanOrEqual(MiB);
    });

    it("apps and on-prem dashboards read WebSocket and probe metrics", () => {
        const text = (f: string) => readFileSync(path.join(DASHBOARD_DIR, f), "utf8");
        expect(text("apps.json")).toContain("websocket_connections");
        expect(text("apps.json")).toContain("http_requests_total");
        expect(text("onprem.json")).toContain("probe_success");
        expect(text("traefik.json")).toContain("traefik_service_requests_total");
    });

    it("fails a dashboard over the 1 MiB ConfigMap limit, and one that is not JSON", () => {
        const big = JSON.stringify({ uid: "big", title: "Big", panels: [], pad: "x".repeat(MiB) });
        expect(() => checkDashboard("big.json", big)).toThrow(
            /big\.json: is \d+ bytes, over the ConfigMap limit of 1048576 bytes/,
        );
        expect(() => checkDashboard("bad.json", "{ not json")).toThrow(/bad\.json: is not valid JSON/);
        expect(() => checkDashboard("ok.json", JSON.stringify({ uid: "a", title: "A", panels: [] }))).not.toThrow();
    });

    it("loadDashboards fails on an oversized file in the folder and on repeated uids", () => {
        const dir = mkdtempSync(path.join(tmpdir(), "dash-"));
        writeFileSync(path.join(dir, "a.json"), JSON.stringify({ uid: "same", title: "A", panels: [] }));
        writeFileSync(path.join(dir, "b.json"), JSON.stringify({ uid: "same", title: "B", panels: [] }));
        expect(() => loadDashboards(dir)).toThrow(/b\.json: repeats uid same of a\.json/);
        writeFileSync(
            path.join(dir, "b.json"),
            JSON.stringify({ uid: "b", title: "B", panels: [], pad: "y".repeat(MiB) }),
        );
        expect(() => loadDashboards(dir)).toThrow(/b\.json: .*over the ConfigMap limit/);
    });

    it("gives every dashboard its own ConfigMap with the sidecar's label", async () => {
        const h = await recordResources(() => new Dashboards("dash", { namespace: "monitoring" }));
        const maps = h.objects().filter((o) => o.kind === "ConfigMap");
        expect(maps).toHaveLength(files.length);
        for (const m of maps) {
            expect((m.metadata.labels as Record<string, string>).grafana_dashboard).toBe("1");
            const data = m.data as Record<string, string>;
            expect(Object.keys(data)).toHaveLength(1);
            const [key] = Object.keys(data);
            expect(files).toContain(key);
            expect(data[key!]).toBe(readFileSync(path.join(DASHBOARD_DIR, key!), "utf8"));
        }
    });
});
