// The e2e tier: the real Pulumi engine and Kubernetes provider against a simulated cluster.
//   npm run e2e            (E2E_CHART_DIR=<folder of real chart .tgz> to use the real charts)
// Builds or reuses the tools (scripts/tools/build.sh), starts the cluster (scripts/cluster/up.sh),
// logs in to a file backend in a temporary folder, and runs the program's e2e stack
// (e2e/Pulumi.e2e.yaml: every Kubernetes layer, cluster.mode existing) through up, an idempotent
// preview and refresh, destroy, and an interrupted up that must converge on a re-run (that stack
// without previews: Traefik then reads Secrets only where it has routes). Writes
// out/e2e/summary.json and prints `e2e: N passed, N failed`.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { sentinelSecrets } from "../../test/stack-files";
import { changesOf, errorsOf, resourcesOf, run, Ran, RunOptions, TOOL_BUILD_TIMEOUT_SECONDS } from "./cli";
import { traefikReadsSecrets, withoutPreviews } from "./without-previews";
import { leftovers, ownedObjects } from "./leftovers";

const ROOT = path.resolve(__dirname, "..", "..");
const OUT = path.join(ROOT, "out", "e2e");
const STACK_FILE = path.join(ROOT, "e2e", "Pulumi.e2e.yaml");
const PASSPHRASE = "e2e-only-passphrase";

interface Check {
    readonly name: string;
    readonly ok: boolean;
    readonly detail?: string;
}

const checks: Check[] = [];
function check(name: string, ok: boolean, detail?: string): boolean {
    checks.push({ name, ok, detail });
    console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? `: ${detail}` : ""}`);
    return ok;
}

/** What a failed engine run says went wrong: its error diagnostics, else the end of its stderr. */
function failure(r: Ran): string {
    const errors = errorsOf(r.stdout);
    return (errors.length > 0 ? errors.join("\n") : r.stderr).slice(-1500);
}

/** Runs a set-up script; a failure ends the run (nothing after it can be checked). */
async function setUp(what: string, cmd: string, args: string[], opts: RunOptions): Promise<Ran> {
    const r = await run(cmd, args, opts);
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}); see ${opts.log}\n${r.stderr.slice(-2000)}`);
    return r;
}

async function main(): Promise<number> {
    mkdirSync(OUT, { recursive: true });
    const log = path.join(OUT, "e2e.log");
    writeFileSync(log, "");
    const work = mkdtempSync(path.join(tmpdir(), "platform-e2e-"));
    const base: RunOptions = { env: { ...process.env }, cwd: ROOT, log };
    const summary: Record<string, unknown> = {};
    let clusterUp = false;
    const clusterDir = path.join(work, "cluster");
    const env: NodeJS.ProcessEnv = { ...process.env, CLUSTER_DIR: clusterDir };
    try {
        // 1. Tools from Go modules (cached by version outside the repository), our language host.
        await setUp("scripts/tools/build.sh", "bash", ["scripts/tools/build.sh"], {
            ...base,
            timeoutSeconds: TOOL_BUILD_TIMEOUT_SECONDS,
        });
        const toolPath = (
            await setUp("tools env", "bash", ["-c", 'source scripts/tools/env.sh >/dev/null && echo "$PATH"'], base)
        ).stdout.trim();
        const hostBin = path.join(work, "bin");
        await setUp("e2e/host/install.sh", "bash", ["e2e/host/install.sh", hostBin], base);
        env.PATH = `${hostBin}:${toolPath}`;

        // 2. Charts: the real ones when given, else stand-ins with the real CRDs.
        const realCharts = process.env.E2E_CHART_DIR;
        const chartDir = realCharts ? path.resolve(realCharts) : path.join(work, "charts");
        if (!realCharts)
            await setUp("stand-in charts", "bash", ["scripts/tools/standin-charts.sh", chartDir], { ...base, env });
        summary.charts = realCharts
            ? "real"
            : "stand-in charts: the real CRDs generated from the upstream API modules, no workloads";

        // 3. The simulated cluster.
        await setUp("scripts/cluster/up.sh", "bash", ["scripts/cluster/up.sh"], { ...base, env });
        clusterUp = true;
        const kubeconfig = path.join(clusterDir, "kubeconfig");
        env.KUBECONFIG = kubeconfig;
        const context = (
            await setUp("kubectl", "kubectl", ["config", "current-context"], { ...base, env })
        ).stdout.trim();

        // 4. A file backend and the engine's settings: no update checks, no plugin downloads.
        Object.assign(env, {
            PULUMI_HOME: path.join(work, "pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "false",
            // `npm test` type-checks the program (tsc --strict); ts-node checking it again in each
            // of the run's program executions only costs the CPU the CI steps beside it need.
            PULUMI_NODEJS_TRANSPILE_ONLY: "true",
        });
        mkdirSync(path.join(work, "state"), { recursive: true });
        const pulumi = (args: string[], extra: Partial<RunOptions> = {}) =>
            run("pulumi", [...args, "--non-interactive"], { ...base, env, ...extra });

        /** A stack from the e2e stack file, its config in the temporary folder. */
        const stack = async (name: string, shape: "as committed" | "without previews"): Promise<string[]> => {
            const file = path.join(work, `Pulumi.${name}.yaml`);
            const text = readFileSync(STACK_FILE, "utf8");
            const doc = parse(shape === "without previews" ? withoutPreviews(text) : text) as {
                config: Record<string, Record<string, unknown>>;
            };
            doc.config["platform:cluster"] = { mode: "existing", context, kubeconfigPath: kubeconfig };
            doc.config["platform:charts"] = { mirror: chartDir };
            writeFileSync(file, stringify(doc));
            // `--stack` first: `stack export` takes only that part.
            const flags = ["--stack", name, "--config-file", file];
            await setUp(
                `stack init ${name}`,
                "pulumi",
                ["stack", "init", name, "--secrets-provider", "passphrase", "--non-interactive"],
                { ...base, env },
            );
            // `stack init` takes no --config-file: it writes the passphrase salt beside Pulumi.yaml.
            // Move it into the temporary stack file so nothing of the run stays in the repository.
            const beside = path.join(ROOT, `Pulumi.${name}.yaml`);
            if (existsSync(beside)) {
                const salt = (parse(readFileSync(beside, "utf8")) as { encryptionsalt?: string } | null)
                    ?.encryptionsalt;
                writeFileSync(file, stringify({ ...(salt ? { encryptionsalt: salt } : {}), ...doc }));
                rmSync(beside);
            }
            // One engine start for every secret: each `config set` costs a second of start-up.
            const secrets = Object.entries(sentinelSecrets("e2e", "E2E", STACK_FILE));
            await setUp(
                "config set-all",
                "pulumi",
                ["config", "set-all", ...flags, ...secrets.flatMap(([k, v]) => ["--secret", `platform:${k}=${v}`])],
                { ...base, env },
            );
            return flags;
        };

        // 5. up, idempotent preview and refresh, destroy.
        const flags = await stack("e2e", "as committed");
        const up = await pulumi(["up", "--yes", "--json", "--skip-preview", ...flags]);
        summary.upSeconds = Math.round(up.seconds);
        summary.resources = resourcesOf(up.stdout);
        if (
            check(
                "pulumi up succeeds",
                up.code === 0,
                up.code === 0 ? `${summary.resources} resources in ${summary.upSeconds} s` : failure(up),
            )
        ) {
            const preview = await pulumi(["preview", "--expect-no-changes", "--json", ...flags]);
            summary.previewSeconds = Math.round(preview.seconds);
            summary.previewChanges = changesOf(preview.stdout) ?? -1;
            check(
                "pulumi preview after up shows no changes",
                preview.code === 0 && summary.previewChanges === 0,
                `${summary.previewChanges} changes`,
            );

            const refresh = await pulumi(["refresh", "--yes", "--expect-no-changes", "--json", ...flags]);
            summary.refreshSeconds = Math.round(refresh.seconds);
            summary.refreshChanges = changesOf(refresh.stdout) ?? -1;
            check(
                "pulumi refresh finds no drift",
                refresh.code === 0 && summary.refreshChanges === 0,
                `${summary.refreshChanges} changes`,
            );
        }
        const state = await pulumi(["stack", "export", ...flags.slice(0, 2)]);
        const owned = ownedObjects(state.stdout);
        const destroy = await pulumi(["destroy", "--yes", "--skip-preview", ...flags]);
        const left = await leftovers(owned, { ...base, env });
        summary.destroyLeft = left.length;
        check("pulumi destroy succeeds", destroy.code === 0, destroy.code === 0 ? undefined : failure(destroy));
        check(
            "destroy leaves nothing of ours but what it keeps on purpose",
            left.length === 0,
            left.slice(0, 20).join(", ") || `${owned.length} checked`,
        );
        // Namespaces kept for their data stay after a destroy; on a cluster that stays, a person
        // deletes them once they mean it (docs/operations.md, "Tearing down dev"). So does the run,
        // so the next stack does not start on the last one's volumes.
        for (const ns of owned.filter((o) => o.kind === "Namespace" && o.retained))
            await setUp(
                `delete kept namespace ${ns.name}`,
                "kubectl",
                ["delete", "namespace", ns.name, "--wait=true", "--timeout=180s"],
                { ...base, env },
            );

        // 6. An up killed part-way converges when run again. This stack has no previews: prd's
        // shape, where Traefik watches only the routed namespaces and its release waits for their Roles.
        const iflags = await stack("e2e-interrupted", "without previews");
        const killAt = Math.max(20, Math.round((up.seconds || 120) * 0.4));
        const killed = await pulumi(["up", "--yes", "--skip-preview", ...iflags], { killAfterSeconds: killAt });
        // What a person does after a killed update (docs/operations.md): release the lock the dead
        // process held, drop the creates it never confirmed, update again.
        const unlocked = await pulumi(["cancel", "--yes", ...iflags.slice(0, 2)]);
        const cleared = await pulumi(["refresh", "--yes", "--clear-pending-creates", ...iflags]);
        const again = await pulumi(["up", "--yes", "--skip-preview", ...iflags]);
        const settled = await pulumi(["preview", "--expect-no-changes", "--json", ...iflags]);
        summary.interruptedRecovered = again.code === 0 && settled.code === 0 && changesOf(settled.stdout) === 0;
        check(
            "an up killed part-way converges on re-run",
            summary.interruptedRecovered === true,
            `killed after ${killAt} s (exit ${killed.code}); cancel ${unlocked.code}, refresh ${cleared.code}, up ${again.code}, preview ${settled.code}`,
        );
        if (again.code === 0) {
            const reads = async (ns: string) =>
                (await run("kubectl", traefikReadsSecrets(ns), { ...base, env })).stdout.trim() === "yes";
            // vote has routes (an app of the stack file); flux-system has none.
            const seen = {
                vote: await reads("vote"),
                "flux-system": await reads("flux-system"),
                "every namespace": await reads("every namespace"),
            };
            check(
                "without previews, Traefik reads Secrets where it has routes, and nowhere else",
                seen.vote && !seen["flux-system"] && !seen["every namespace"],
                JSON.stringify(seen),
            );
        }
        const istate = await pulumi(["stack", "export", ...iflags.slice(0, 2)]);
        const idestroy = await pulumi(["destroy", "--yes", "--skip-preview", ...iflags]);
        const ileft = await leftovers(ownedObjects(istate.stdout), { ...base, env });
        check(
            "the interrupted stack destroys cleanly",
            idestroy.code === 0 && ileft.length === 0,
            ileft.slice(0, 20).join(", ") || undefined,
        );
    } catch (e) {
        check("set-up", false, (e as Error).message);
    } finally {
        if (clusterUp) {
            const down = await run("bash", ["scripts/cluster/down.sh"], { ...base, env });
            check("the cluster stops and leaves nothing behind", down.code === 0);
        }
        copyFileSync(log, path.join(OUT, "e2e.log.keep"));
        rmSync(work, { recursive: true, force: true });
    }
    writeFileSync(path.join(OUT, "summary.json"), `${JSON.stringify({ ...summary, checks }, null, 2)}\n`);
    const failed = checks.filter((c) => !c.ok).length;
    console.log(`e2e: ${checks.length - failed} passed, ${failed} failed`);
    return failed === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (e: unknown) => {
        console.error(e);
        console.log("e2e: 0 passed, 1 failed");
        process.exit(1);
    },
);
