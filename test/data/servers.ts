// The real servers scripts/ci/data-up.sh started (two MariaDB, fake-gcs-server), a stand-in for
// the GKE metadata server, and the backup script run exactly as the pods run it.
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { MYSQL_BACKUP_SCRIPT_PATH } from "../../components/apps/backup-steps";

export interface DataEnv {
    readonly sourcePort: number;
    readonly targetPort: number;
    readonly password: string;
    readonly gcsUrl: string;
}

export function dataEnv(): DataEnv {
    const file = process.env.DATA_ENV_FILE ?? "/tmp/data-ci/env";
    if (!existsSync(file)) throw new Error(`no data test servers: run scripts/ci/data-up.sh first (it writes ${file})`);
    const text = readFileSync(file, "utf8");
    const get = (k: string) => {
        const v = new RegExp(`${k}=(\\S+)`).exec(text)?.[1];
        if (!v) throw new Error(`${file} has no ${k}`);
        return v;
    };
    return {
        sourcePort: Number(get("DATA_MYSQL_SOURCE_PORT")),
        targetPort: Number(get("DATA_MYSQL_TARGET_PORT")),
        password: get("DATA_MYSQL_PASSWORD"),
        gcsUrl: get("DATA_GCS_URL"),
    };
}

/** A MySQL client file like the `backup.cnf` of the app's Secret, for one server. */
export function clientFile(dir: string, name: string, port: number, password: string): string {
    const file = path.join(dir, `${name}.cnf`);
    writeFileSync(file, `[client]\nuser=root\npassword=${password}\nhost=127.0.0.1\nport=${port}\n`, { mode: 0o600 });
    return file;
}

export interface Run {
    readonly code: number;
    readonly stdout: string;
    readonly stderr: string;
}

export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Run> {
    return new Promise((resolve) => {
        const child = execFile(
            cmd,
            [...args],
            { env: { PATH: process.env.PATH, ...env }, maxBuffer: 64 * 1024 * 1024 },
            (error, stdout, stderr) => {
                const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
                resolve({ code, stdout: String(stdout), stderr: String(stderr) });
            },
        );
        if (input !== undefined) child.stdin!.end(input);
    });
}

/** SQL on a server through its client file; throws with the server's message on failure. */
export async function sql(cnf: string, statement: string, database?: string): Promise<string[][]> {
    const r = await run(
        "mariadb",
        [
            `--defaults-extra-file=${cnf}`,
            "--default-character-set=utf8mb4",
            "-N",
            "-B",
            ...(database ? [database] : []),
        ],
        {},
        statement,
    );
    if (r.code !== 0) throw new Error(`mariadb: ${r.stderr.trim()}\n  in: ${statement.slice(0, 200)}`);
    return r.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => l.split("\t"));
}

/** Every base table of a database with its row count and CHECKSUM TABLE. */
export async function tableDigest(cnf: string, database: string): Promise<Record<string, [number, string]>> {
    const tables = (
        await sql(
            cnf,
            `SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1`,
        )
    ).map(([t]) => t!);
    const out: Record<string, [number, string]> = {};
    for (const t of tables) {
        const [[count]] = (await sql(cnf, `SELECT COUNT(*) FROM \`${database}\`.\`${t}\``)) as [[string]];
        const [[, checksum]] = (await sql(cnf, `CHECKSUM TABLE \`${database}\`.\`${t}\``)) as [[string, string]];
        out[t] = [Number(count), checksum];
    }
    return out;
}

export async function databases(cnf: string): Promise<string[]> {
    return (await sql(cnf, "SHOW DATABASES")).map(([d]) => d!);
}

/** The GKE metadata server's token endpoint, as far as the script uses it; refuses calls without the header. */
export async function fakeMetadataServer(): Promise<{ host: string; calls: () => number; close: () => Promise<void> }> {
    let calls = 0;
    const server: Server = createServer((req, res) => {
        const ok =
            req.url === "/computeMetadata/v1/instance/service-accounts/default/token" &&
            req.headers["metadata-flavor"] === "Google";
        if (!ok) {
            res.writeHead(403).end("Metadata-Flavor: Google required");
            return;
        }
        calls++;
        res.writeHead(200, { "content-type": "application/json" }).end(
            JSON.stringify({ access_token: "ya29.test-token", expires_in: 3599, token_type: "Bearer" }),
        );
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    return {
        host: `127.0.0.1:${port}`,
        calls: () => calls,
        close: () => new Promise((r) => server.close(() => r())),
    };
}

/** Runs one step of the backup script as the pods do (`sh mysql-backup.sh <step>`), with the test's endpoints. */
export function step(
    name: "dump" | "upload" | "fetch" | "apply",
    env: {
        DATABASE: string;
        BACKUP_DIR: string;
        MYSQL_DEFAULTS_FILE?: string;
        BUCKET?: string;
        PREFIX?: string;
        OBJECT?: string;
        STORAGE_EMULATOR_HOST?: string;
        GCE_METADATA_HOST?: string;
    },
): Promise<Run> {
    return run("sh", [MYSQL_BACKUP_SCRIPT_PATH, name], env);
}

/** Cloud Storage JSON API calls the test makes itself (bucket set-up, planting objects). */
export class Gcs {
    constructor(readonly url: string) {}

    async createBucket(name: string): Promise<void> {
        const r = await fetch(`${this.url}/storage/v1/b`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ name }),
        });
        if (!r.ok) throw new Error(`creating bucket ${name}: ${r.status} ${await r.text()}`);
    }

    async put(bucket: string, name: string, body: Buffer): Promise<void> {
        const r = await fetch(
            `${this.url}/upload/storage/v1/b/${bucket}/o?uploadType=media&name=${encodeURIComponent(name)}`,
            { method: "POST", headers: { "content-type": "application/gzip" }, body },
        );
        if (!r.ok) throw new Error(`uploading ${name}: ${r.status} ${await r.text()}`);
    }

    async get(bucket: string, name: string): Promise<Buffer> {
        const r = await fetch(`${this.url}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?alt=media`);
        if (!r.ok) throw new Error(`downloading ${name}: ${r.status}`);
        return Buffer.from(await r.arrayBuffer());
    }

    async list(bucket: string, prefix: string): Promise<string[]> {
        const r = await fetch(`${this.url}/storage/v1/b/${bucket}/o?prefix=${encodeURIComponent(prefix)}`);
        const body = (await r.json()) as { items?: { name: string }[] };
        return (body.items ?? []).map((i) => i.name).sort();
    }
}

export function scratchDir(prefix: string): string {
    return mkdtempSync(path.join(tmpdir(), prefix));
}

/**
 * Writes to two tables in one transaction per row, with a pause between, until stopped or `max`
 * rows: a dump that is a consistent snapshot has the same rows in both.
 */
export function startWriter(cnf: string, database: string, max: number): { stop: () => Promise<void> } {
    const statements: string[] = [];
    for (let i = 1; i <= max; i++)
        statements.push(
            `START TRANSACTION; INSERT INTO ledger_a (id, amount) VALUES (${i}, ${i % 97}); ` +
                `DO SLEEP(0.002); INSERT INTO ledger_z (id, amount) VALUES (${i}, ${-(i % 97)}); COMMIT; DO SLEEP(0.002);`,
        );
    const child = spawn("mariadb", [`--defaults-extra-file=${cnf}`, database], {
        stdio: ["pipe", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin.on("error", () => undefined);
    child.stdin.end(statements.join("\n"));
    const exited = new Promise<void>((r) => child.on("exit", () => r()));
    return {
        stop: async () => {
            child.kill("SIGTERM");
            await exited;
            if (stderr && !/Killed|Terminated|Lost connection/i.test(stderr)) throw new Error(`writer: ${stderr}`);
        },
    };
}
