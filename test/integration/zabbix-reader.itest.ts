// The read-only Zabbix user the monitoring bootstrap gives Grafana, against a real Zabbix 6.0 API
// (scripts/ci/zabbix-up.sh). The bootstrap script itself speaks 7.0's Bearer header, which 6.0
// refuses; this test creates the same role and user group from the same definitions
// (READER_ROLE, READER_GROUP) and checks what a token of that user may do.
import { randomBytes } from "node:crypto";
import { READER_GROUP, READER_ROLE } from "../../components/monitoring/zabbix-bootstrap";
import { zabbixEnv } from "./zabbix-env";
import { createClient } from "../../components/onprem/zabbix-sync/sync";

const { url, token } = zabbixEnv();
const admin = createClient({ url, token, waitSeconds: 30 });
const run = randomBytes(3).toString("hex");

describe("Grafana's Zabbix reader against a real Zabbix 6.0 API", () => {
    let reader: ReturnType<typeof createClient>;
    let groupAfter = "";

    beforeAll(async () => {
        await admin.connect();
        const roleid = (await admin.call("role.create", { ...READER_ROLE, name: `${READER_ROLE.name} ${run}` }))
            .roleids[0];
        const usrgrpid = (
            await admin.call("usergroup.create", { ...READER_GROUP, name: `${READER_GROUP.name} ${run}` })
        ).usrgrpids[0];
        const userid = (
            await admin.call("user.create", {
                username: `grafana-reader-${run}`,
                passwd: randomBytes(24).toString("base64url"),
                roleid,
                usrgrps: [{ usrgrpid }],
            })
        ).userids[0];
        const tokenid = (await admin.call("token.create", { name: `grafana-${run}`, userid })).tokenids[0];
        const generated = await admin.call("token.generate", [tokenid]);
        reader = createClient({ url, token: generated[0].token, waitSeconds: 30 });
        await reader.connect();
        // A host group and host made after the reader: the on-prem sync's, which Grafana must see.
        groupAfter = (await admin.call("hostgroup.create", { name: `IT ${run}/after` })).groupids[0];
        await admin.call("host.create", {
            host: `it${run}-after`,
            groups: [{ groupid: groupAfter }],
            interfaces: [{ type: 1, main: 1, useip: 1, ip: "10.77.9.9", dns: "", port: "10050" }],
        });
    });

    it("reads hosts, including those in groups created after it", async () => {
        const hosts = await reader.call("host.get", { output: ["host"], groupids: [groupAfter] });
        expect(hosts.map((h: any) => h.host)).toEqual([`it${run}-after`]);
    });

    it("may not change anything", async () => {
        await expect(reader.call("hostgroup.create", { name: `IT ${run}/denied` })).rejects.toThrow(/permission/i);
        await expect(reader.call("host.delete", [])).rejects.toThrow(/permission/i);
    });
});
