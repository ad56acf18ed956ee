import { existsSync, readFileSync } from "node:fs";

/** Where the real Zabbix API is: ZABBIX_URL/ZABBIX_TOKEN, else the file scripts/ci/zabbix-up.sh writes. */
export function zabbixEnv(): { url: string; token: string } {
    let url = process.env.ZABBIX_URL;
    let token = process.env.ZABBIX_TOKEN;
    const file = process.env.ZABBIX_ENV_FILE ?? "/tmp/zabbix-ci/env";
    if ((!url || !token) && existsSync(file)) {
        const text = readFileSync(file, "utf8");
        url ??= /ZABBIX_URL=(\S+)/.exec(text)?.[1];
        token ??= /ZABBIX_TOKEN=(\S+)/.exec(text)?.[1];
    }
    if (!url || !token) {
        throw new Error(
            `no Zabbix API: run scripts/ci/zabbix-up.sh first (it writes ${file}) or set ZABBIX_URL and ZABBIX_TOKEN`,
        );
    }
    return { url, token };
}
