import { readFileSync } from "node:fs";
import { filesUnder, rendered } from "../rendered";
import { find, objectsIn, revealedObjects } from "./fixtures";
import { REDACTED } from "../../render/redact";
import { contentHash } from "../../components/hash";
import { mysqlInitSql, sqlString } from "../../components/apps/mysql-init";
import { MYSQL_INIT_FILE, MYSQL_INIT_HASH_ANNOTATION } from "../../components/apps/mysql";

const credentials = { rootPassword: "root-a", user: "uploader", password: "user-a", database: "uploader" };

describe("MySQL init file (the Secret sets the passwords at every start)", () => {
    describe.each(["dev", "prd"] as const)("%s", (stack) => {
        it("mounts init.sql from the app's Secret and passes --init-file once the data directory exists", async () => {
            const r = await rendered(stack);
            const [sts] = find(objectsIn(r, "uploader"), "StatefulSet", "uploader-mysql") as any[];
            const pod = sts.spec.template.spec;
            const volume = pod.volumes.find((v: any) => v.secret?.items?.some((i: any) => i.key === "init.sql"));
            expect(volume.secret.secretName).toBe("uploader-mysql");
            expect(find(objectsIn(r, "uploader"), "ConfigMap").some((c: any) => "init.sql" in (c.data ?? {}))).toBe(
                false,
            );
            const [container] = pod.containers;
            const mount = container.volumeMounts.find((m: any) => m.name === volume.name);
            const item = volume.secret.items.find((i: any) => i.key === "init.sql");
            expect(`${mount.mountPath}/${item.path}`).toBe(MYSQL_INIT_FILE);
            const script = container.command.join(" ");
            expect(script).toContain(`--init-file=${MYSQL_INIT_FILE}`);
            expect(script).toContain("docker-entrypoint.sh mysqld");
            // Only on a data directory the image has initialised (its entrypoint's own test).
            expect(script).toMatch(/if \[ -d \/var\/lib\/mysql\/mysql \]; then set -- --init-file=/);
        });

        it("holds the init file in the Secret only, and writes its passwords nowhere", async () => {
            const r = await rendered(stack);
            const revealed = revealedObjects(r).find(
                (o: any) => o.kind === "Secret" && o.metadata.name === "uploader-mysql",
            ) as any;
            const init: string = revealed.stringData["init.sql"];
            expect(init).toContain(`IDENTIFIED BY ${sqlString(revealed.stringData.password)}`);
            expect(init).toContain(
                `'root'@'localhost' IDENTIFIED BY ${sqlString(revealed.stringData["root-password"])}`,
            );
            expect(revealed.stringData.password).toMatch(/^render-generated-/);
            // The rendered (redacted) objects and every written file hold neither the file nor a password.
            const [redacted] = find(objectsIn(r, "uploader"), "Secret", "uploader-mysql");
            expect(JSON.stringify(redacted)).toContain(REDACTED);
            expect(JSON.stringify(r.objects)).not.toMatch(/IDENTIFIED BY|render-generated/);
            for (const f of filesUnder(r.dir)) {
                const text = readFileSync(f, "utf8");
                expect([f, /IDENTIFIED BY|render-generated/.test(text)]).toEqual([f, false]);
            }
        });

        it("rolls the pod when the init file changes: its template carries the file's digest", async () => {
            const r = await rendered(stack);
            const [sts] = find(objectsIn(r, "uploader"), "StatefulSet", "uploader-mysql") as any[];
            const revealed = revealedObjects(r).find(
                (o: any) => o.kind === "Secret" && o.metadata.name === "uploader-mysql",
            ) as any;
            const digest = sts.spec.template.metadata.annotations[MYSQL_INIT_HASH_ANNOTATION];
            expect(digest).toMatch(/^[0-9a-f]{16}$/);
            expect(digest).toBe(contentHash(revealed.stringData["init.sql"]));
        });
    });

    it("gives the same digest for the same passwords and another for any changed one", () => {
        const digest = (c: typeof credentials) => contentHash(mysqlInitSql(c));
        expect(digest({ ...credentials })).toBe(digest(credentials));
        expect(digest({ ...credentials, password: "user-b" })).not.toBe(digest(credentials));
        expect(digest({ ...credentials, rootPassword: "root-b" })).not.toBe(digest(credentials));
    });

    it("keeps any password one string literal: quotes and backslashes cannot end it", () => {
        expect(sqlString("a'b")).toBe("'a''b'");
        expect(sqlString("a\\'; DROP USER root; --")).toBe("'a\\\\''; DROP USER root; --'");
        expect(sqlString("x\ny\0")).toBe("'x\\ny\\0'");
        const sql = mysqlInitSql({ ...credentials, password: "p'); DROP DATABASE uploader; --" });
        // One statement a line, each ending its line: the injected `;` stays inside a literal.
        for (const line of sql.trim().split("\n")) expect(line).toMatch(/^(CREATE|ALTER|GRANT) .*;$/);
        expect(sql).not.toMatch(/^DROP/m);
    });

    it("escapes GRANT's wildcards in the database name, as the image's entrypoint does", () => {
        const sql = mysqlInitSql({ ...credentials, database: "my_app" });
        expect(sql).toContain("GRANT ALL ON `my\\_app`.* TO 'uploader'@'%';");
        expect(sql).toContain("CREATE DATABASE IF NOT EXISTS `my_app`;");
    });
});
