// The init file of components/apps/mysql-init.ts on a real server: a data directory initialised
// with one set of passwords, restarted with an init file carrying others, signs in with the new
// ones only. This is the destroy-then-up case (the volume is kept, the passwords are regenerated).
// MariaDB from Debian stands in for MySQL 8.4 (Debian ships no MySQL): the statements are the
// same SQL, but this is not a run of the mysql:8.4 image or its entrypoint.
import { ChildProcess, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { mysqlInitSql, MysqlInitCredentials } from "../../components/apps/mysql-init";
import { run, scratchDir } from "./servers";

const dir = scratchDir("mysql-init-");
const datadir = path.join(dir, "data");
const socket = path.join(dir, "sock");
const errorLog = path.join(dir, "error.log");
const port = Number(process.env.DATA_MYSQL_INIT_PORT ?? 13308);
const DATABASE = "uploader";
const USER = "uploader";

const first: MysqlInitCredentials = {
    rootPassword: "FirstRootPassword0123456789abcdef",
    user: USER,
    password: "FirstUserPassword0123456789abcdef",
    database: DATABASE,
};
// What a new stack's RandomPasswords might hold, and worse: quotes, backslashes, a statement.
const second: MysqlInitCredentials = {
    rootPassword: `r'o"ot\\'; DROP DATABASE ${DATABASE}; --`,
    user: USER,
    password: `u\\\\s'e''r\\`,
    database: DATABASE,
};

let server: ChildProcess | undefined;

async function start(initFile?: string): Promise<void> {
    const args = [
        "--no-defaults",
        "--user=root",
        `--datadir=${datadir}`,
        `--socket=${socket}`,
        `--pid-file=${path.join(dir, "pid")}`,
        `--port=${port}`,
        "--bind-address=127.0.0.1",
        "--skip-name-resolve",
        `--log-error=${errorLog}`,
        "--innodb-buffer-pool-size=64M",
        ...(initFile ? [`--init-file=${initFile}`] : []),
    ];
    const child = spawn("mariadbd", args, { stdio: "ignore" });
    let exited = false;
    child.on("exit", () => (exited = true));
    server = child;
    for (let i = 0; i < 120; i++) {
        if (exited) throw new Error(`mariadbd exited while starting; ${errorLog}:\n${readFileSync(errorLog, "utf8")}`);
        // ping answers once the server accepts connections, whatever the credentials.
        const ping = await run("mariadb-admin", ["--no-defaults", `--socket=${socket}`, "ping"]);
        if (ping.code === 0) return;
        await sleep(500);
    }
    throw new Error(`mariadbd did not answer; see ${errorLog}`);
}

async function stop(): Promise<void> {
    const child = server;
    server = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
        child.on("exit", () => resolve());
        child.kill("SIGTERM");
    });
}

async function startWith(c: MysqlInitCredentials): Promise<void> {
    const file = path.join(dir, "init.sql");
    writeFileSync(file, mysqlInitSql(c), { mode: 0o600 });
    await start(file);
}

/** Signs in (TCP like the app and the backup job, or the socket like `kubectl exec`) and runs a query. */
async function signIn(user: string, password: string, via: "tcp" | "socket", query = "SELECT CURRENT_USER()") {
    const where = via === "tcp" ? ["-h127.0.0.1", `-P${port}`] : [`--socket=${socket}`];
    const r = await run("mariadb", ["--no-defaults", ...where, `-u${user}`, `--password=${password}`, "-NBe", query]);
    return { ok: r.code === 0, out: r.stdout.trim(), err: r.stderr.trim() };
}

beforeAll(async () => {
    const install = await run("mariadb-install-db", [
        "--no-defaults",
        "--user=root",
        `--datadir=${datadir}`,
        "--auth-root-authentication-method=normal",
        "--skip-test-db",
    ]);
    if (install.code !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr}`);
    // The image's first start: no init file yet; its entrypoint signs in as root without a password
    // and sets the passwords of the environment (MySQL's --initialize-insecure leaves only
    // root@localhost, so the other root and anonymous accounts MariaDB creates go).
    await start();
    const setup = await run(
        "mariadb",
        ["--no-defaults", `--socket=${socket}`, "-uroot"],
        {},
        [
            "DROP USER IF EXISTS 'root'@'127.0.0.1', 'root'@'::1', ''@'localhost';",
            `ALTER USER 'root'@'localhost' IDENTIFIED BY '${first.rootPassword}';`,
            `CREATE USER 'root'@'%' IDENTIFIED BY '${first.rootPassword}';`,
            "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
            `CREATE DATABASE IF NOT EXISTS ${DATABASE};`,
            `CREATE USER '${USER}'@'%' IDENTIFIED BY '${first.password}';`,
            `GRANT ALL ON ${DATABASE}.* TO '${USER}'@'%';`,
            `CREATE TABLE ${DATABASE}.kept (id INT PRIMARY KEY); INSERT INTO ${DATABASE}.kept VALUES (42);`,
        ].join("\n"),
    );
    if (setup.code !== 0) throw new Error(`first-start set-up failed: ${setup.stderr}`);
    await stop();
}, 120_000);

afterAll(async () => {
    await stop();
});

describe("MySQL init file on a real server (MariaDB standing in for MySQL 8.4)", () => {
    it("changes nothing when the passwords are the ones the data directory already has", async () => {
        await startWith(first);
        try {
            expect((await signIn(USER, first.password, "tcp")).ok).toBe(true);
            expect((await signIn("root", first.rootPassword, "tcp")).ok).toBe(true);
            expect((await signIn("root", first.rootPassword, "socket")).ok).toBe(true);
        } finally {
            await stop();
        }
    });

    it("makes the Secret's new passwords sign in and the old ones fail, data kept", async () => {
        await startWith(second);
        try {
            const app = await signIn(USER, second.password, "tcp", `SELECT id FROM ${DATABASE}.kept`);
            expect([app.ok, app.out, app.err]).toEqual([true, "42", ""]);
            expect((await signIn("root", second.rootPassword, "tcp")).ok).toBe(true);
            expect((await signIn("root", second.rootPassword, "socket")).ok).toBe(true);
            for (const [user, password, via] of [
                [USER, first.password, "tcp"],
                ["root", first.rootPassword, "tcp"],
                ["root", first.rootPassword, "socket"],
            ] as const) {
                const old = await signIn(user, password, via);
                expect([user, via, old.ok, old.err]).toEqual([
                    user,
                    via,
                    false,
                    expect.stringMatching(/Access denied/),
                ]);
            }
            // The `DROP DATABASE` inside the root password stayed part of the password.
            const dbs = await signIn("root", second.rootPassword, "tcp", "SHOW DATABASES");
            expect(dbs.out.split("\n")).toContain(DATABASE);
        } finally {
            await stop();
        }
    });

    it("starts again on the same init file (every statement is idempotent)", async () => {
        await startWith(second);
        try {
            expect((await signIn(USER, second.password, "tcp")).ok).toBe(true);
        } finally {
            await stop();
        }
    });
});
