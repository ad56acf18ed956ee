// npm run bench:tests [-- --runs N]: the wall time of each step of `npm test` (read from
// package.json, so it follows the script), run in order as npm test runs them, the median of N
// runs. The target is the whole command under two minutes on the 2-core build machine; the
// README's test-time table comes from this.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";

const ROOT = path.resolve(__dirname, "..");
const TARGET_S = 120;

function steps(): string[] {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: { test: string } };
    return pkg.scripts.test.split("&&").map((s) => s.trim());
}

/** Runs one step through the shell as npm would; fails the benchmark if the step fails. */
function timed(step: string): number {
    const start = performance.now();
    const r = spawnSync(step, { cwd: ROOT, shell: true, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${step} failed (exit ${r.status}):\n${r.stderr}`);
    return (performance.now() - start) / 1000;
}

function median(xs: number[]): number {
    const sorted = [...xs].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)]!;
}

function main(): void {
    const { values } = parseArgs({ options: { runs: { type: "string", default: "3" } } });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: ${values.runs} is not a positive integer`);
    const list = steps();
    const times = new Map<string, number[]>(list.map((s) => [s, []]));
    const totals: number[] = [];
    for (let i = 0; i < runs; i++) {
        let total = 0;
        for (const step of list) {
            const s = timed(step);
            times.get(step)!.push(s);
            total += s;
        }
        totals.push(total);
    }
    console.log(`| npm test step | wall time (median of ${runs}) |`);
    console.log("| --- | ---: |");
    for (const step of list) console.log(`| \`${step}\` | ${median(times.get(step)!).toFixed(1)} s |`);
    const total = median(totals);
    console.log(`| **all of npm test** | **${total.toFixed(1)} s** |`);
    console.log(
        `\ntarget: under ${TARGET_S} s: ${total < TARGET_S ? "met" : "NOT met"} (slowest run ${Math.max(...totals).toFixed(1)} s)`,
    );
}

main();
