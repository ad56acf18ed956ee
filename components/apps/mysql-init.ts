// The statements MySQL runs at every start (mysqld --init-file) so the Secret, not the data
// directory, decides the passwords. The official image applies MYSQL_ROOT_PASSWORD / MYSQL_USER /
// MYSQL_PASSWORD only when it initialises an empty data directory; a volume kept across a destroy
// would otherwise keep the passwords of the stack that created it.

export interface MysqlInitCredentials {
    readonly rootPassword: string;
    readonly user: string;
    readonly password: string;
    readonly database: string;
}

/**
 * A single-quoted SQL string literal for any text. Quotes are doubled (an escape in every sql_mode,
 * NO_BACKSLASH_ESCAPES too), so no value can end the literal early or add a statement. Backslashes
 * and control characters are escaped for the default sql_mode; under NO_BACKSLASH_ESCAPES those
 * escapes would be kept literally (a different password, never a different statement). The
 * program's generated passwords have neither.
 */
export function sqlString(value: string): string {
    const escaped = value.replace(/[\\'\0\n\r\x1a]/g, (c) => {
        switch (c) {
            case "'":
                return "''";
            case "\\":
                return "\\\\";
            case "\0":
                return "\\0";
            case "\n":
                return "\\n";
            case "\r":
                return "\\r";
            default:
                return "\\Z";
        }
    });
    return `'${escaped}'`;
}

/** A backquoted identifier (a backquote inside is doubled). */
export function sqlIdentifier(name: string): string {
    return "`" + name.replace(/`/g, "``") + "`";
}

/**
 * The database name as GRANT reads it: `_` and `%` are wildcards there, so they are escaped, the
 * same privilege row the image's entrypoint writes on first start.
 */
function grantDatabase(name: string): string {
    return sqlIdentifier(name.replace(/[\\_%]/g, (c) => `\\${c}`));
}

/**
 * The init file: idempotent, one statement a line (the form every MySQL version reads), no
 * comments. It creates what may be missing and sets every password the image set on first start
 * (root@localhost for the socket, root@'%' for the backup and restore jobs, the app's user@'%').
 * Any failing statement stops mysqld, so it only uses statements valid on an initialised server.
 */
export function mysqlInitSql(c: MysqlInitCredentials): string {
    const root = sqlString(c.rootPassword);
    const app = `${sqlString(c.user)}@'%'`;
    return [
        `CREATE DATABASE IF NOT EXISTS ${sqlIdentifier(c.database)};`,
        `CREATE USER IF NOT EXISTS ${app} IDENTIFIED BY ${sqlString(c.password)};`,
        `ALTER USER ${app} IDENTIFIED BY ${sqlString(c.password)};`,
        `GRANT ALL ON ${grantDatabase(c.database)}.* TO ${app};`,
        `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${root};`,
        `ALTER USER 'root'@'%' IDENTIFIED BY ${root};`,
        `GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;`,
        `ALTER USER 'root'@'localhost' IDENTIFIED BY ${root};`,
        "",
    ].join("\n");
}
