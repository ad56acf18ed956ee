import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { cpuMetric, machineVcpus, quantityGb, QuotaReport } from "../../render/quota";
import { ROOT } from "../../render/render";
import { rendered } from "../rendered";

describe("quota.json", () => {
    it.each(["dev", "prd", "local"] as const)("is written for %s", async (stack) => {
        const r = await rendered(stack);
        const file = path.join(r.dir, "quota.json");
        expect(existsSync(file)).toBe(true);
        expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(r.quota);
    });

    it("counts what prd's pools start with and may grow to, per machine family", async () => {
        const q = (await rendered("prd")).quota;
        const cpus = q.quotas.find((x) => x.metric === "CPUS")!;
        // One n1-highmem-16 and one n1-highmem-8 to start, as the stack file's totals say; at most
        // 2 + 3 nodes plus one surge node per pool.
        expect(cpus).toMatchObject({ scope: "region", atStart: 16 + 8, atMost: 3 * 16 + 4 * 8 });
        expect(q.region).toBe("asia-northeast1");
        // The ingress address, the SNMP trap receiver's (prd runs Zabbix's trap receiver) and the
        // festival site's WireGuard gateway address.
        expect(q.quotas.find((x) => x.metric === "STATIC_ADDRESSES")).toMatchObject({ atStart: 3 });
        const ssd = q.quotas.find((x) => x.metric === "SSD_TOTAL_GB")!;
        expect(ssd.from).toEqual(
            expect.arrayContaining([
                "PersistentVolumeClaim uploader/uploader-mysql-data: 20 GB",
                expect.stringMatching(/prometheusSpec\.storageSpec.* 100 GB$/),
                expect.stringMatching(/zabbix-chart: postgresql\.persistence\.storageSize 30 GB$/),
            ]),
        );
    });

    it("asks nothing of a stack without a GKE cluster", async () => {
        expect((await rendered("local")).quota.quotas).toEqual([]);
    });

    it("reads machine types and quantities", () => {
        expect(machineVcpus("n1-highmem-16")).toBe(16);
        expect(machineVcpus("e2-standard-4")).toBe(4);
        expect(machineVcpus("n2-custom-6-20480")).toBe(6);
        expect(machineVcpus("e2-medium")).toBe(2);
        expect(cpuMetric("e2-standard-4")).toBe("CPUS");
        expect(cpuMetric("n2d-standard-8")).toBe("N2D_CPUS");
        expect([quantityGb("20Gi"), quantityGb("512Mi"), quantityGb("1Ti"), quantityGb("x")]).toEqual([20, 1, 1024, 0]);
    });
});

describe("docs/operations.md's quota table", () => {
    /** `| \`METRIC\` (scope) | ... | dev start / most | prd start / most |` rows. */
    function table(): Record<string, { dev: string; prd: string }> {
        const text = readFileSync(path.join(ROOT, "docs", "operations.md"), "utf8");
        const section = text.slice(text.indexOf("## Quotas a new project must raise first"));
        const rows: Record<string, { dev: string; prd: string }> = {};
        for (const m of section.matchAll(/^\| `([A-Z_0-9]+)` \([a-z]+\) +\|[^|]*\| *([^|]+?) *\| *([^|]+?) *\|$/gm))
            rows[m[1]!] = { dev: m[2]!, prd: m[3]! };
        return rows;
    }
    const cell = (q: QuotaReport, metric: string) => {
        const n = q.quotas.find((x) => x.metric === metric);
        return n ? `${n.atStart} / ${n.atMost}` : "—";
    };

    it("lists every quota dev and prd draw on, with what their quota.json says", async () => {
        const [dev, prd] = [(await rendered("dev")).quota, (await rendered("prd")).quota];
        const metrics = [...new Set([...dev.quotas, ...prd.quotas].map((x) => x.metric))].sort();
        const expected = Object.fromEntries(metrics.map((m) => [m, { dev: cell(dev, m), prd: cell(prd, m) }]));
        expect(table()).toEqual(expected);
    });
});
