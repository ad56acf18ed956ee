// npm run bench [-- --runs N]: render time, peak memory and resource counts for dev, prd and
// generated large stacks, each render in its own process, the median of N runs; then the
// deployment critical path of dev and prd. The README's performance table comes from this.
// With --engine it first runs the e2e tier (npm run e2e: the real engine against the simulated
// cluster) and prints its up, preview and refresh times for the e2e stack beside that stack's
// render; without it, the times of the last e2e run (out/e2e/summary.json) when there is one.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";
import { criticalPath } from "../render/critical-path";
import { renderStack, ROOT } from "../render/render";

interface Measure {
    ms: number;
    resources: number;
    errors: number;
    rssBytes: number;
}

const dir = mkdtempSync(path.join(tmpdir(), "platform-bench-"));

interface BenchConfig {
    "platform:onprem": { hosts: Record<string, unknown> };
    "platform:apps": Record<string, { hosts: unknown[]; containers: { image: string }[] }>;
}

function devConfig(): BenchConfig {
    return parse(readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).config as BenchConfig;
}

/** dev plus `hosts` ESP32-class boards (probed, in Zabbix) and `apps` copies of the score server. */
function generated(hosts: number, apps: number): string {
    const c = devConfig();
    const onprem = c["platform:onprem"];
    for (let i = 0; i < hosts; i++) {
        onprem.hosts[`bench-board-${i}`] = {
            kind: "microcontroller",
            address: `10.${200 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${(i % 256) + 0}`,
            zabbix: { templates: ["ICMP Ping"], groups: ["Bench"] },
        };
    }
    const template = c["platform:apps"].scoreserver!;
    for (let i = 0; i < apps; i++) {
        const app = structuredClone(template);
        app.hosts = [{ host: `bench-${i}.dev.example.org`, auth: "github" }];
        app.containers[0]!.image = app.containers[0]!.image.replace("/scoreserver:", `/bench-${i}:`);
        c["platform:apps"][`bench-${i}`] = app;
    }
    const file = path.join(dir, `Pulumi.bench-${hosts}-${apps}.yaml`);
    writeFileSync(file, stringify({ config: c }));
    return file;
}

function measure(stack: string, stackFile: string | undefined, runs: number): Measure {
    const results: Measure[] = [];
    for (let i = 0; i < runs; i++) {
        const args = ["scripts/bench-one.ts", "--stack", stack, ...(stackFile ? ["--stack-file", stackFile] : [])];
        const out = execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), args, { cwd: ROOT, encoding: "utf8" });
        results.push(JSON.parse(out.trim().split("\n").pop()!) as Measure);
    }
    const sorted = [...results].sort((a, b) => a.ms - b.ms);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    return { ...median, rssBytes: Math.max(...results.map((r) => r.rssBytes)) };
}

const E2E_STACK_FILE = path.join(ROOT, "e2e", "Pulumi.e2e.yaml");
const E2E_SUMMARY = path.join(ROOT, "out", "e2e", "summary.json");

interface EngineTimes {
    resources?: number;
    upSeconds?: number;
    previewSeconds?: number;
    refreshSeconds?: number;
    charts?: string;
}

/** The e2e stack: its render time beside the real engine's times from the e2e run. */
function engineRows(runs: number, fresh: boolean): string {
    const render = measure("e2e", E2E_STACK_FILE, runs);
    if (!existsSync(E2E_SUMMARY)) return "no e2e run yet: `npm run bench -- --engine` runs one";
    const e = JSON.parse(readFileSync(E2E_SUMMARY, "utf8")) as EngineTimes;
    const when = fresh ? "this run" : `last e2e run, ${statSync(E2E_SUMMARY).mtime.toISOString()}`;
    const s = (x?: number) => (x === undefined ? "—" : `${x} s`);
    return [
        `| e2e stack (${when}; charts: ${e.charts ?? "?"}) | resources | time |`,
        "| --- | ---: | ---: |",
        `| render (mock runtime, median of ${runs}) | ${render.resources} | ${(render.ms / 1000).toFixed(2)} s |`,
        `| pulumi up, empty cluster | ${e.resources ?? "—"} | ${s(e.upSeconds)} |`,
        `| pulumi preview, no changes | ${e.resources ?? "—"} | ${s(e.previewSeconds)} |`,
        `| pulumi refresh, no drift | ${e.resources ?? "—"} | ${s(e.refreshSeconds)} |`,
    ].join("\n");
}

async function main(): Promise<void> {
    const { values } = parseArgs({
        options: { runs: { type: "string", default: "3" }, quick: { type: "boolean" }, engine: { type: "boolean" } },
    });
    if (values.engine) {
        try {
            execFileSync(path.join(ROOT, "node_modules/.bin/tsx"), ["scripts/e2e/run.ts"], {
                cwd: ROOT,
                stdio: "inherit",
            });
        } catch {
            console.error("the e2e run failed: its times below are of the steps that ran");
        }
    }
    const runs = Number(values.runs);
    const cases: [string, string, string | undefined][] = [
        ["dev", "dev", undefined],
        ["prd", "prd", undefined],
        ["10 hosts, 5 apps", "dev", generated(10, 5)],
        ["100 hosts, 50 apps", "dev", generated(100, 50)],
        ...(values.quick
            ? []
            : ([["1000 hosts, 200 apps", "dev", generated(1000, 200)]] as [string, string, string][])),
    ];
    console.log(`| stack | resources | render (median of ${runs}) | per resource | peak RSS |`);
    console.log("| --- | ---: | ---: | ---: | ---: |");
    for (const [label, stack, file] of cases) {
        const m = measure(stack, file, runs);
        if (m.errors > 0) console.error(`${label}: ${m.errors} render errors`);
        console.log(
            `| ${label} | ${m.resources} | ${(m.ms / 1000).toFixed(2)} s | ${((m.ms / m.resources) * 1000).toFixed(0)} µs | ${Math.round(m.rssBytes / 2 ** 20)} MiB |`,
        );
    }
    for (const stack of ["dev", "prd"]) {
        const r = await renderStack({ stack });
        const cp = criticalPath(r.resources);
        console.log(
            `\n${stack}: critical path ${Math.round(cp.seconds / 60)} min (${cp.seconds} s) vs ${Math.round(cp.serialSeconds / 60)} min one by one`,
        );
        console.log(cp.chain.map((s) => `  ${s.type} ${s.name} (${s.seconds} s)`).join("\n"));
    }
    console.log(`\n${engineRows(runs, values.engine === true)}`);
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
