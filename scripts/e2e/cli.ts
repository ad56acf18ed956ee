import { spawn } from "node:child_process";
import { appendFileSync } from "node:fs";

/** What a finished command said. */
/**
 * How long the e2e waits for scripts/tools/build.sh: only a guard against a hung build. A cold
 * build of every tool took 95 min on a loaded 2-core machine (docs/tools.md), and the default
 * 40-minute step limit killed a cold CI run mid-build; CI's own time limit is the real bound.
 */
export const TOOL_BUILD_TIMEOUT_SECONDS = 3 * 60 * 60;

export interface Ran {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
    readonly seconds: number;
}

export interface RunOptions {
    readonly env: NodeJS.ProcessEnv;
    readonly cwd: string;
    /** Every command and its output is appended here. */
    readonly log: string;
    /** Kill the command (SIGKILL) after this many seconds. @default 40 minutes */
    readonly timeoutSeconds?: number;
    /** Kill it (SIGKILL) this many seconds in, whatever it is doing: the interrupted-up case. */
    readonly killAfterSeconds?: number;
    /** Standard input. @default none */
    readonly input?: string;
}

/** Runs a command to its end (or its kill), capturing and logging its output. */
export function run(cmd: string, args: readonly string[], opts: RunOptions): Promise<Ran> {
    const start = Date.now();
    appendFileSync(opts.log, `\n$ ${cmd} ${args.join(" ")}\n`);
    return new Promise((resolve, reject) => {
        // Its own process group, so a kill takes its plugins and the program with it, as a CI
        // runner's cancel or an OOM kill of the whole job would.
        const child = spawn(cmd, args, {
            cwd: opts.cwd,
            env: opts.env,
            stdio: ["pipe", "pipe", "pipe"],
            detached: true,
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d: Buffer) => {
            stdout += d;
            appendFileSync(opts.log, d);
        });
        child.stderr.on("data", (d: Buffer) => {
            stderr += d;
            appendFileSync(opts.log, d);
        });
        // A child that exits without reading its input (most do) closes the pipe first on a busy
        // machine; the write then fails with EPIPE, which is no failure of the command.
        child.stdin.on("error", () => undefined);
        child.stdin.end(opts.input ?? "");
        const limit = (opts.killAfterSeconds ?? opts.timeoutSeconds ?? 2400) * 1000;
        const timer = setTimeout(() => {
            try {
                process.kill(-child.pid!, "SIGKILL");
            } catch {
                child.kill("SIGKILL");
            }
        }, limit);
        child.on("error", reject);
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            const seconds = (Date.now() - start) / 1000;
            appendFileSync(opts.log, `[exit ${code ?? signal} after ${seconds.toFixed(1)} s]\n`);
            resolve({ code: code ?? 137, stdout, stderr, seconds });
        });
    });
}

/**
 * The operation counts of an engine run's `--json` output: a preview prints one document with
 * `changeSummary`; up, refresh and destroy stream engine events, the last a `summaryEvent` with
 * `resourceChanges`. Undefined when neither is there.
 */
export function summaryOf(json: string): Record<string, number> | undefined {
    try {
        const doc = JSON.parse(json) as { changeSummary?: Record<string, number> };
        if (doc.changeSummary) return doc.changeSummary;
    } catch {
        // Not one document: an event stream, one JSON object a line.
    }
    for (const line of json.split("\n").reverse()) {
        if (!line.includes('"summaryEvent"')) continue;
        try {
            return (
                (JSON.parse(line) as { summaryEvent: { resourceChanges?: Record<string, number> } }).summaryEvent
                    .resourceChanges ?? {}
            );
        } catch {
            return undefined;
        }
    }
    return undefined;
}

/** Changes an engine run reports: every operation but `same`. */
export function changesOf(json: string): number | undefined {
    const summary = summaryOf(json);
    if (!summary) return undefined;
    return Object.entries(summary)
        .filter(([op]) => op !== "same")
        .reduce((n, [, count]) => n + count, 0);
}

/** The resources an engine run went through, `same` included. */
export function resourcesOf(json: string): number | undefined {
    const summary = summaryOf(json);
    return summary ? Object.values(summary).reduce((n, c) => n + c, 0) : undefined;
}

interface Diagnostic {
    readonly urn?: string;
    readonly message?: string;
    readonly severity?: string;
}

/**
 * The error diagnostics of an engine run's `--json` output, one line each (`<urn>: <message>`):
 * a preview's `diagnostics`, or the `diagnosticEvent`s of an event stream. stderr holds only the
 * CLI's own warnings then, so a failure would otherwise say nothing about what failed.
 */
export function errorsOf(json: string): string[] {
    let diagnostics: Diagnostic[] = [];
    try {
        diagnostics = (JSON.parse(json) as { diagnostics?: Diagnostic[] }).diagnostics ?? [];
    } catch {
        for (const line of json.split("\n")) {
            if (!line.includes('"diagnosticEvent"')) continue;
            try {
                diagnostics.push((JSON.parse(line) as { diagnosticEvent: Diagnostic }).diagnosticEvent);
            } catch {
                // A torn last line of a killed run.
            }
        }
    }
    return diagnostics
        .filter((d) => d.severity === "error")
        .map((d) => `${d.urn ? `${d.urn.split("::").pop()}: ` : ""}${(d.message ?? "").trim()}`);
}
