// scripts/restore-mysql.sh's orchestration, with a scripted kubectl on PATH that records every call
// and answers like a cluster holding the uploader (two web pods, the backup CronJob and the restore
// template). What the Job itself does is test/data/mysql-backup.dtest.ts's.
import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const SCRIPT = path.resolve(__dirname, "../../scripts/restore-mysql.sh");

const KUBECTL = `#!/usr/bin/env bash
# Records the call, then answers as the test's cluster would.
echo "$*" >> "$STATE/calls"
args=" $* "
case "$args" in
*" get cronjob uploader-mysql-restore "*) [ "$HAS_TEMPLATE" = yes ] || { echo "NotFound" >&2; exit 1; } ;;
*" get deployment "*) printf 'uploader=2\\n' ;;
*" get cronjob uploader-backup -o name "*) echo cronjob.batch/uploader-backup ;;
*" get cronjob uploader-backup -o jsonpath="*) printf '%s' "$BACKUP_SUSPENDED" ;;
*" create job "*"--dry-run=client"*) printf 'apiVersion: batch/v1\\nkind: Job\\nmetadata:\\n  name: %s\\n' "$5" ;;
*" set env --local "*) cat; echo "# env: $*" ;;
*" create -f - "*) cat > "$STATE/created.yaml" ;;
*" wait --for=condition=complete "*) [ "$OUTCOME" = complete ]; exit $? ;;
*" get job "*) [ "$OUTCOME" = failed ] && printf 1 ;;
*" logs "*) echo "[pod/uploader-restore/apply] restored uploader/uploader-20261121T180000Z.sql.gz into uploader" ;;
esac
exit 0
`;

interface Result {
    code: number;
    stderr: string;
    calls: string[];
    created: string;
}

function restore(args: string[], env: Record<string, string> = {}): Promise<Result> {
    const dir = mkdtempSync(path.join(tmpdir(), "restore-script-"));
    writeFileSync(path.join(dir, "kubectl"), KUBECTL);
    chmodSync(path.join(dir, "kubectl"), 0o755);
    return new Promise((resolve) => {
        execFile(
            "bash",
            [SCRIPT, ...args],
            {
                env: {
                    PATH: `${dir}:${process.env.PATH}`,
                    STATE: dir,
                    HAS_TEMPLATE: "yes",
                    BACKUP_SUSPENDED: "",
                    OUTCOME: "complete",
                    ...env,
                },
            },
            (error, _stdout, stderr) => {
                const read = (f: string) =>
                    existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), "utf8") : "";
                resolve({
                    code: error ? Number(error.code ?? 1) : 0,
                    stderr: String(stderr),
                    calls: read("calls").split("\n").filter(Boolean),
                    created: read("created.yaml"),
                });
            },
        );
    });
}

const index = (calls: string[], part: string) => calls.findIndex((c) => c.includes(part));

describe("scripts/restore-mysql.sh", () => {
    it("stops the writers and the nightly dump, runs the Job with the chosen dump, then puts both back", async () => {
        const r = await restore(["uploader", "uploader-20261121T180000Z.sql.gz"]);
        expect([r.code, r.stderr]).toEqual([0, expect.stringContaining("restored in")]);
        const { calls } = r;
        const suspend = index(calls, `patch cronjob uploader-backup --type merge -p {"spec":{"suspend":true}}`);
        const down = index(calls, "scale deployment uploader --replicas 0");
        const create = index(calls, "create -f -");
        const resume = index(calls, `patch cronjob uploader-backup --type merge -p {"spec":{"suspend":false}}`);
        const up = index(calls, "scale deployment uploader --replicas 2");
        for (const i of [suspend, down, create, resume, up]) expect(i).toBeGreaterThanOrEqual(0);
        expect(suspend).toBeLessThan(create);
        expect(down).toBeLessThan(create);
        expect(create).toBeLessThan(resume);
        expect(create).toBeLessThan(up);
        expect(calls.every((c) => c.startsWith("-n uploader ") || c.startsWith("set env --local"))).toBe(true);
        expect(calls).toContainEqual(
            expect.stringMatching(
                /^-n uploader create job uploader-restore-\d{14} --from=cronjob\/uploader-mysql-restore /,
            ),
        );
        expect(r.created).toContain(
            "# env: set env --local -f - -c fetch OBJECT=uploader-20261121T180000Z.sql.gz -o yaml",
        );
    });

    it("takes the newest dump when none is named (OBJECT empty)", async () => {
        const r = await restore(["uploader"]);
        expect(r.code).toBe(0);
        expect(r.created).toContain("-c fetch OBJECT= -o yaml");
    });

    it("fails with the Job's log, and still puts the app and the CronJob back", async () => {
        const r = await restore(["uploader"], { OUTCOME: "failed" });
        expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("the database is as it was")]);
        expect(r.calls).toContainEqual(expect.stringContaining("logs job/uploader-restore-"));
        expect(r.calls).toContainEqual(expect.stringContaining("scale deployment uploader --replicas 2"));
        expect(r.calls).toContainEqual(expect.stringContaining(`{"spec":{"suspend":false}}`));
    });

    it("leaves a CronJob that was suspended before suspended", async () => {
        const r = await restore(["uploader"], { BACKUP_SUSPENDED: "true" });
        expect(r.code).toBe(0);
        expect(r.calls.filter((c) => c.includes(`{"spec":{"suspend":false}}`))).toEqual([]);
    });

    it("refuses an app without the restore template, touching nothing", async () => {
        const r = await restore(["uploader"], { HAS_TEMPLATE: "no" });
        expect([r.code, r.stderr]).toEqual([1, expect.stringContaining("no CronJob uploader/uploader-mysql-restore")]);
        expect(r.calls.filter((c) => /scale|patch|create/.test(c))).toEqual([]);
    });

    it("restores another namespace with -n", async () => {
        const r = await restore(["-n", "uploader-prd", "uploader"], { HAS_TEMPLATE: "yes" });
        expect(r.calls.every((c) => c.startsWith("-n uploader-prd ") || c.startsWith("set env --local"))).toBe(true);
    });
});
