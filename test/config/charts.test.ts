import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CHARTS } from "../../components/versions";
import { HelmChart } from "../../render/objects";
import { renderStack } from "../../render/render";
import { devWith, sentinelSecrets, writeStackFile } from "../stack-files";

/** dev rendered with `platform:charts.mirror` set. */
function withMirror(mirror: string) {
    const stackFile = writeStackFile(devWith((c) => (c["platform:charts"] = { mirror })));
    return renderStack({ stack: "dev", stackFile, secrets: sentinelSecrets("dev") });
}

const PINS = Object.values(CHARTS);
/** Each chart once: dev installs oauth2-proxy twice (its own and the previews', two releases). */
const distinct = (charts: readonly HelmChart[]) => [
    ...new Map(charts.map((c) => [`${String(c.chart)}@${String(c.version)}`, c])).values(),
];

describe("platform:charts.mirror", () => {
    it("an HTTP repository serves every chart under its pinned name and version", async () => {
        const { charts } = await withMirror("https://charts.example.internal/helm");
        expect(distinct(charts).length).toBe(PINS.length);
        for (const c of charts) {
            expect(c.repo).toBe("https://charts.example.internal/helm");
            expect(PINS).toContainEqual(expect.objectContaining({ chart: c.chart, version: c.version }));
        }
    });

    it("an oci:// prefix names each chart under it", async () => {
        const { charts } = await withMirror("oci://registry.example.internal/charts/");
        expect(
            distinct(charts)
                .map((c) => c.chart)
                .sort(),
        ).toEqual(PINS.map((p) => `oci://registry.example.internal/charts/${p.chart}`).sort());
        expect(charts.every((c) => c.repo === undefined && PINS.some((p) => p.version === c.version))).toBe(true);
    });

    it("a folder must hold <chart>-<version>.tgz of every chart the stack installs", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "charts-"));
        writeFileSync(path.join(dir, `${CHARTS.traefik.chart}-${CHARTS.traefik.version}.tgz`), "");
        await expect(withMirror(dir)).rejects.toThrow(
            new RegExp(`charts\\.mirror: ${dir} lacks cert-manager-${CHARTS.certManager.version}\\.tgz`),
        );
        for (const p of PINS) writeFileSync(path.join(dir, `${p.chart}-${p.version}.tgz`), "");
        const { charts } = await withMirror(dir);
        expect(
            distinct(charts)
                .map((c) => c.chart)
                .sort(),
        ).toEqual(PINS.map((p) => `${dir}/${p.chart}-${p.version}.tgz`).sort());
    });

    it("refuses a scheme that is neither http(s) nor oci, naming the key and value", async () => {
        await expect(withMirror("ftp://mirror.example.internal/charts")).rejects.toThrow(
            /charts\.mirror: .*ftp:\/\/mirror\.example\.internal\/charts.*is not an http\(s\):\/\/ Helm repository/,
        );
    });
});
