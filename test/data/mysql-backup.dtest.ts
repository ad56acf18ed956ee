// The uploader's backup proven by restores: components/apps/mysql-backup.sh, the very file the
// nightly CronJob and the restore Job run, against two real MariaDB servers and fake-gcs-server
// (scripts/ci/data-up.sh). Only the endpoints differ from the cluster: STORAGE_EMULATOR_HOST for
// Cloud Storage, GCE_METADATA_HOST for the Workload Identity token.
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
    clientFile,
    DataEnv,
    databases,
    dataEnv,
    fakeMetadataServer,
    Gcs,
    scratchDir,
    sql,
    startWriter,
    step,
    tableDigest,
} from "./servers";

const env: DataEnv = dataEnv();
const gcs = new Gcs(env.gcsUrl);
const dir = scratchDir("mysql-backup-");
const source = clientFile(dir, "source", env.sourcePort, env.password);
const target = clientFile(dir, "target", env.targetPort, env.password);
const APP = "uploader";
let metadata: Awaited<ReturnType<typeof fakeMetadataServer>>;
let bucketCount = 0;

/** A fresh bucket per test, so each sees only its own dumps. */
async function newBucket(): Promise<string> {
    const name = `backup-${process.pid}-${++bucketCount}-${randomBytes(3).toString("hex")}`;
    await gcs.createBucket(name);
    return name;
}

function stepEnv(database: string, cnf: string, bucket: string, work: string, object?: string) {
    return {
        DATABASE: database,
        BACKUP_DIR: work,
        MYSQL_DEFAULTS_FILE: cnf,
        BUCKET: bucket,
        PREFIX: APP,
        STORAGE_EMULATOR_HOST: env.gcsUrl,
        GCE_METADATA_HOST: metadata.host,
        ...(object !== undefined ? { OBJECT: object } : {}),
    };
}

/** dump + upload, as the CronJob's two containers; returns the object name. */
async function backup(database: string, bucket: string): Promise<string> {
    const work = scratchDir("dump-");
    const dump = await step("dump", stepEnv(database, source, bucket, work));
    expect([dump.code, dump.stderr]).toEqual([0, expect.any(String)]);
    const upload = await step("upload", stepEnv(database, source, bucket, work));
    expect([upload.code, upload.stderr]).toEqual([0, ""]);
    const object = /uploaded gs:\/\/[^/]+\/(\S+) md5=/.exec(upload.stdout)?.[1];
    expect(object).toMatch(new RegExp(`^${APP}/${database}-\\d{8}T\\d{6}Z\\.sql\\.gz$`));
    return object!;
}

/** fetch + apply, as the restore Job's two containers, into `cnf`'s server. */
async function restore(database: string, cnf: string, bucket: string, object?: string) {
    const work = scratchDir("restore-");
    const fetch = await step("fetch", stepEnv(database, cnf, bucket, work, object));
    if (fetch.code !== 0) return { ok: false, fetch, apply: undefined };
    const apply = await step("apply", stepEnv(database, cnf, bucket, work));
    return { ok: apply.code === 0, fetch, apply };
}

async function resetDatabase(cnf: string, database: string): Promise<void> {
    for (const d of await databases(cnf))
        if (d === database || d.startsWith(`${database}_`)) await sql(cnf, `DROP DATABASE \`${d}\``);
    await sql(cnf, `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
}

/** An uploader-like schema: text in several scripts, binary data, JSON, decimals, times, a foreign key. */
async function seed(database: string, rows: number): Promise<void> {
    await resetDatabase(source, database);
    await sql(
        source,
        `CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(100) NOT NULL, created DATETIME(6) NOT NULL) ENGINE=InnoDB;
         CREATE TABLE illustrations (
           id BIGINT AUTO_INCREMENT PRIMARY KEY, user_id INT NOT NULL, title VARCHAR(200) NOT NULL,
           body MEDIUMTEXT, image MEDIUMBLOB, price DECIMAL(10,2), meta JSON, uploaded TIMESTAMP(3) NULL,
           FOREIGN KEY (user_id) REFERENCES users(id)) ENGINE=InnoDB;
         CREATE TABLE empty_table (id INT PRIMARY KEY) ENGINE=InnoDB;`,
        database,
    );
    const users: string[] = [];
    for (let i = 1; i <= 50; i++)
        users.push(`(${i}, 'user ${i} 絵師 🎨 O''Brien', '2024-0${(i % 9) + 1}-1${i % 10} 12:34:56.${i}')`);
    await sql(source, `INSERT INTO users VALUES ${users.join(",")}`, database);
    for (let start = 0; start < rows; start += 500) {
        const values: string[] = [];
        for (let i = start; i < Math.min(rows, start + 500); i++) {
            const blob = randomBytes(64 + (i % 200)).toString("hex");
            values.push(
                `(${(i % 50) + 1}, 'イラスト #${i} "quoted" \\\\ back\\\\slash\\nnewline', REPEAT('körper ', ${i % 30}), ` +
                    `X'${blob}', ${(i * 1.37).toFixed(2)}, '{"tags": ["a", "ü", ${i}], "nsfw": ${i % 7 === 0}}', ` +
                    `${i % 11 === 0 ? "NULL" : `FROM_UNIXTIME(${1700000000 + i}.123)`})`,
            );
        }
        await sql(
            source,
            `INSERT INTO illustrations (user_id, title, body, image, price, meta, uploaded) VALUES ${values.join(",")}`,
            database,
        );
    }
}

beforeAll(async () => {
    metadata = await fakeMetadataServer();
});
afterAll(async () => {
    await metadata?.close();
});

describe("backup -> restore round trip on real servers", () => {
    it("restores every table into an empty server with the same rows and CHECKSUM TABLE", async () => {
        const db = "uploader";
        await seed(db, 3000);
        for (const d of await databases(target)) if (d.startsWith(db)) await sql(target, `DROP DATABASE \`${d}\``);
        const bucket = await newBucket();

        const object = await backup(db, bucket);
        expect(await gcs.list(bucket, "")).toEqual([object]);
        expect(metadata.calls()).toBeGreaterThan(0);
        const r = await restore(db, target, bucket);
        expect([r.ok, r.fetch.stderr, r.apply?.stderr]).toEqual([
            true,
            expect.stringContaining(`newest dump: ${object}`),
            expect.any(String),
        ]);
        expect(r.apply!.stdout).toMatch(
            /^restored uploader\/uploader-\S+ into uploader; the tables it replaced are in uploader_before_/,
        );

        const before = await tableDigest(source, db);
        expect(Object.keys(before)).toEqual(["empty_table", "illustrations", "users"]);
        expect(before.illustrations![0]).toBe(3000);
        expect(await tableDigest(target, db)).toEqual(before);
        // No scratch database left; the (empty) tables it replaced are kept aside.
        const left = await databases(target);
        expect(left.filter((d) => d.startsWith(`${db}_`))).toEqual([expect.stringMatching(/^uploader_before_\d{14}$/)]);
    });

    it("a dump taken while writes continue restores to one consistent point between its start and end", async () => {
        const db = "ledger";
        await resetDatabase(source, db);
        await sql(
            source,
            `CREATE TABLE ledger_a (id INT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB;
             CREATE TABLE ledger_z (id INT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB;
             CREATE TABLE ledger_m (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(1024)) ENGINE=InnoDB;
             INSERT INTO ledger_m (pad) VALUES (REPEAT(MD5(RAND()), 32));`,
            db,
        );
        // About 16 MB the dump reads between ledger_a and ledger_z (tables dump in name order).
        for (let i = 0; i < 14; i++)
            await sql(source, "INSERT INTO ledger_m (pad) SELECT REPEAT(MD5(RAND()), 32) FROM ledger_m", db);
        const count = async (t: string) => Number((await sql(source, `SELECT COUNT(*) FROM ${t}`, db))[0]![0]);
        const bucket = await newBucket();

        const writer = startWriter(source, db, 100_000);
        try {
            for (let i = 0; i < 100 && (await count("ledger_z")) < 50; i++)
                await new Promise((r) => setTimeout(r, 100));
            const atStart = await count("ledger_z");
            const object = await backup(db, bucket);
            const atEnd = await count("ledger_a");
            // The dump overlapped writes, or this test proves nothing.
            expect(atEnd).toBeGreaterThan(atStart);

            const r = await restore(db, target, bucket, object);
            expect([r.ok, r.apply?.stderr]).toEqual([true, expect.not.stringContaining("ERROR")]);
            const restored = async (q: string) => Number((await sql(target, q, db))[0]![0]);
            const k = await restored("SELECT COUNT(*) FROM ledger_a");
            // One point in time: every committed transaction wholly, none in part.
            expect(await restored("SELECT COUNT(*) FROM ledger_z")).toBe(k);
            expect(await restored("SELECT COALESCE(MAX(id), 0) FROM ledger_a")).toBe(k);
            expect(
                await restored(
                    "SELECT COALESCE(SUM(a.amount + b.amount), 0) FROM ledger_a a JOIN ledger_z b USING (id)",
                ),
            ).toBe(0);
            expect(k).toBeGreaterThanOrEqual(atStart);
            expect(k).toBeLessThanOrEqual(atEnd);
            // And it is the source's state at that point, byte for byte.
            await sql(
                source,
                `DROP DATABASE IF EXISTS cmp; CREATE DATABASE cmp;
                 CREATE TABLE cmp.ledger_a LIKE ledger.ledger_a; INSERT INTO cmp.ledger_a SELECT * FROM ledger.ledger_a WHERE id <= ${k};
                 CREATE TABLE cmp.ledger_z LIKE ledger.ledger_z; INSERT INTO cmp.ledger_z SELECT * FROM ledger.ledger_z WHERE id <= ${k};
                 CREATE TABLE cmp.ledger_m LIKE ledger.ledger_m; INSERT INTO cmp.ledger_m SELECT * FROM ledger.ledger_m;`,
            );
            expect(await tableDigest(target, db)).toEqual(await tableDigest(source, "cmp"));
        } finally {
            await writer.stop();
        }
    });
});

describe("a restore refuses a bad dump and touches nothing", () => {
    const db = "uploader";
    let bucket: string;
    let good: Buffer;
    let digest: Record<string, [number, string]>;

    beforeAll(async () => {
        await seed(db, 400);
        bucket = await newBucket();
        const object = await backup(db, bucket);
        good = await gcs.get(bucket, object);
        // The target holds a known restore the bad dumps must leave alone.
        for (const d of await databases(target)) if (d.startsWith(db)) await sql(target, `DROP DATABASE \`${d}\``);
        expect((await restore(db, target, bucket)).ok).toBe(true);
        digest = await tableDigest(target, db);
    });

    async function expectRefused(object: Buffer, name: string, message: RegExp) {
        await gcs.put(bucket, name, object);
        const before = await databases(target);
        const r = await restore(db, target, bucket, name);
        expect(r.ok).toBe(false);
        expect(r.fetch.stderr + (r.apply?.stderr ?? "")).toMatch(message);
        expect(await databases(target)).toEqual(before);
        expect(await tableDigest(target, db)).toEqual(digest);
        return r;
    }

    it("refuses a truncated object before touching the database", async () => {
        const r = await expectRefused(
            good.subarray(0, Math.floor(good.length / 2)),
            "uploader/uploader-20300101T000000Z.sql.gz",
            /is not a complete gzip stream \(truncated or corrupted\); nothing was restored/,
        );
        expect(r.apply).toBeUndefined();
    });

    it("refuses a corrupted object (bytes flipped in the middle)", async () => {
        const bad = Buffer.from(good);
        const mid = Math.floor(bad.length / 2);
        for (let i = mid; i < mid + 16; i++) bad.writeUInt8(bad.readUInt8(i) ^ 0xff, i);
        await expectRefused(bad, "uploader/uploader-20300102T000000Z.sql.gz", /is not a complete gzip stream/);
    });

    it("refuses a whole gzip stream whose dump was cut short (no trailer)", async () => {
        const text = gunzipSync(good).toString("utf8");
        const cut = gzipSync(text.slice(0, Math.floor(text.length * 0.7)));
        await expectRefused(
            cut,
            "uploader/uploader-20300103T000000Z.sql.gz",
            /does not end with mysqldump's '-- Dump completed' line/,
        );
    });

    it("refuses a dump that names a database (it would bypass the scratch database)", async () => {
        const text = gunzipSync(good).toString("utf8");
        const named = gzipSync(`CREATE DATABASE IF NOT EXISTS \`uploader\`;\nUSE \`uploader\`;\n${text}`);
        await expectRefused(named, "uploader/uploader-20300104T000000Z.sql.gz", /names a database/);
    });

    it("leaves the live tables alone when the dump fails to load half way", async () => {
        const text = gunzipSync(good).toString("utf8");
        const at = text.indexOf("INSERT INTO `illustrations`");
        const broken = gzipSync(`${text.slice(0, at)}INSERT INTO no_such_table VALUES (1);\n${text.slice(at)}`);
        const r = await expectRefused(
            broken,
            "uploader/uploader-20300105T000000Z.sql.gz",
            /loading .* failed; uploader is untouched/,
        );
        expect(r.fetch.code).toBe(0);
    });

    it("apply refuses to run without a verified fetch", async () => {
        const work = scratchDir("apply-only-");
        writeFileSync(path.join(work, "restore.sql.gz"), good);
        const r = await step("apply", stepEnv(db, target, bucket, work));
        expect([r.code, r.stderr]).toEqual([1, expect.stringMatching(/no verified dump .*nothing was restored/)]);
        expect(await tableDigest(target, db)).toEqual(digest);
    });
});

describe("which dump a restore takes", () => {
    it("takes the newest dump by the time in its name (not the last uploaded), or the one named", async () => {
        const db = "uploader";
        const bucket = await newBucket();
        const dumps: Record<string, Buffer> = {};
        for (const marker of ["old", "newest", "middle"]) {
            await seed(db, 10);
            await sql(source, `CREATE TABLE marker (v VARCHAR(10)); INSERT INTO marker VALUES ('${marker}')`, db);
            const object = await backup(db, bucket);
            dumps[marker] = await gcs.get(bucket, object);
            // Dump names carry the second they were taken in.
            await new Promise((r) => setTimeout(r, 1100));
        }
        // Uploaded newest first, so creation order and name order disagree.
        const names = {
            newest: "uploader/uploader-20991231T235959Z.sql.gz",
            old: "uploader/uploader-20200101T000000Z.sql.gz",
            middle: "uploader/uploader-20500101T000000Z.sql.gz",
        };
        for (const [marker, name] of Object.entries(names)) await gcs.put(bucket, name, dumps[marker]!);
        // Objects that are not dumps of this database are never picked.
        await gcs.put(bucket, "uploader/uploader-29991231T235959Z.sql.gz.partial", dumps.old!);
        await gcs.put(bucket, "uploader/other-29991231T235959Z.sql.gz", dumps.old!);
        const marker = async () => (await sql(target, "SELECT v FROM marker", db))[0]![0];

        const newest = await restore(db, target, bucket);
        expect([newest.ok, newest.fetch.stderr]).toEqual([
            true,
            expect.stringContaining(`newest dump: ${names.newest}`),
        ]);
        expect(await marker()).toBe("newest");

        const named = await restore(db, target, bucket, path.basename(names.old));
        expect(named.ok).toBe(true);
        expect(await marker()).toBe("old");
    });

    it("says so when the bucket holds no dump", async () => {
        const r = await restore("uploader", target, await newBucket());
        expect([r.ok, r.fetch.stderr]).toEqual([false, expect.stringContaining("no dump of uploader under gs://")]);
    });
});

describe("the nightly job fails loudly", () => {
    it("never replaces an object: a second upload of the same dump is refused and the first stays", async () => {
        const bucket = await newBucket();
        const work = scratchDir("dump-twice-");
        expect((await step("dump", stepEnv("uploader", source, bucket, work))).code).toBe(0);
        const first = await step("upload", stepEnv("uploader", source, bucket, work));
        expect(first.code).toBe(0);
        const [object] = await gcs.list(bucket, "");
        const bytes = await gcs.get(bucket, object!);
        const second = await step("upload", stepEnv("uploader", source, bucket, work));
        expect([second.code, second.stderr]).toEqual([
            1,
            expect.stringContaining(`uploading gs://${bucket}/${object} failed`),
        ]);
        expect(await gcs.list(bucket, "")).toEqual([object]);
        expect((await gcs.get(bucket, object!)).equals(bytes)).toBe(true);
    });

    it("fails the dump step on a database error and leaves nothing to upload", async () => {
        const bucket = await newBucket();
        const wrong = path.join(dir, "wrong.cnf");
        writeFileSync(wrong, readFileSync(source, "utf8").replace(/password=.*/, "password=wrong"));
        const work = scratchDir("dump-fail-");
        const dump = await step("dump", stepEnv("uploader", wrong, bucket, work));
        expect([dump.code, dump.stderr]).toEqual([1, expect.stringMatching(/mysqldump exited [1-9]/)]);
        const upload = await step("upload", stepEnv("uploader", wrong, bucket, work));
        expect([upload.code, upload.stderr]).toEqual([1, expect.stringContaining("no dump in")]);
        expect(await gcs.list(bucket, "")).toEqual([]);
    });

    it("fails the upload without a token from the metadata server", async () => {
        const bucket = await newBucket();
        const work = scratchDir("dump-notoken-");
        expect((await step("dump", stepEnv("uploader", source, bucket, work))).code).toBe(0);
        const upload = await step("upload", {
            ...stepEnv("uploader", source, bucket, work),
            GCE_METADATA_HOST: "127.0.0.1:9",
        });
        expect([upload.code, upload.stderr]).toEqual([1, expect.stringContaining("no token from the metadata server")]);
        expect(await gcs.list(bucket, "")).toEqual([]);
    });
});
