// JSON answers and manifests are untyped data here; `any` reads them without ceremony.

// The on-prem layer as render shows it, for the real stack files.
import * as k8s from "@pulumi/kubernetes";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { assertOnpremCredentials } from "../../config/onprem-credentials";
import { syncInventory } from "../../components/onprem/inventory";
import { ZabbixSync } from "../../components/onprem/zabbix-sync";
import { onpremSchema } from "../../config/sections/onprem";
import { renderStack, RenderResult, ROOT } from "../../render/render";
import { rendered, SharedRender } from "../rendered";
import { readStack } from "../../render/stack-file";
import { containsSecret, unwrapSecrets } from "../../render/redact";
import { recordResources } from "../harness";

const shared: Record<string, SharedRender> = {};
beforeAll(async () => {
    shared.dev = await rendered("dev");
    shared.prd = await rendered("prd");
});

/** The credentials the shared render planted (every field of every referenced entry), by name. */
function plantedCredentials(r: SharedRender): Record<string, Record<string, string>> {
    return JSON.parse(r.secrets.onpremCredentials!) as Record<string, Record<string, string>>;
}

function inventoryHosts(r: RenderResult): string[] {
    return Object.keys(onpremSchema.parse(JSON.parse(r.input.config["platform:onprem"]!)).hosts);
}

describe.each(["dev", "prd"])("render %s: on-prem", (stack) => {
    it("validates every object against its schema", () => {
        expect(shared[stack]!.errors).toEqual([]);
    });

    it("gives each headless host v1 Endpoints too, which kube-dns reads to resolve its name", () => {
        const r = shared[stack]!;
        const inNs = r.objects.filter((o) => o.metadata.namespace === "onprem");
        const headless = inNs.filter((o) => o.kind === "Service" && (o.spec as any).clusterIP === "None");
        expect(headless.length).toBeGreaterThan(0);
        for (const svc of headless) {
            const slice = inNs.find((o) => o.kind === "EndpointSlice" && o.metadata.name === svc.metadata.name) as any;
            const eps = inNs.find((o) => o.kind === "Endpoints" && o.metadata.name === svc.metadata.name) as any;
            expect(eps.subsets).toEqual([{ addresses: [{ ip: slice.endpoints[0].addresses[0] }] }]);
            expect(eps.metadata.labels["endpointslice.kubernetes.io/skip-mirror"]).toBe("true");
        }
        const withPorts = inNs.filter((o) => o.kind === "Service" && (o.spec as any).clusterIP !== "None");
        for (const svc of withPorts)
            expect(inNs.some((o) => o.kind === "Endpoints" && o.metadata.name === svc.metadata.name)).toBe(false);
    });

    // Both sites are monitoredBy prd (the default): dev reaches the hosts but watches none of them.
    const watcher = stack === "prd";

    it(`shows each host's Service and EndpointSlice; Probes and alert rules only in the watcher (${stack}: ${watcher})`, () => {
        const r = shared[stack]!;
        const hosts = inventoryHosts(r);
        expect(hosts.length).toBe(8 + 3 + 1 + 4);
        const inNs = r.objects.filter((o) => o.metadata.namespace === "onprem");
        for (const host of hosts) {
            expect(inNs.filter((o) => o.kind === "Service" && o.metadata.name === host)).toHaveLength(1);
            expect(inNs.filter((o) => o.kind === "EndpointSlice" && o.metadata.name === host)).toHaveLength(1);
            const probes = inNs.filter((o) => o.kind === "Probe" && (o.spec as any).jobName === `onprem-${host}`);
            expect(probes.length > 0).toBe(watcher);
            expect(inNs.filter((o) => o.kind === "PrometheusRule" && o.metadata.name === `${host}-down`)).toHaveLength(
                watcher ? 1 : 0,
            );
        }
    });

    it(`gives the sync only the hosts of sites it watches (${stack}: ${watcher ? "all" : "none"}), and their credentials`, () => {
        const r = shared[stack]!;
        const cm = r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "zabbix-sync") as any;
        const names = JSON.parse(cm.data["inventory.json"]).hosts.map((h: any) => h.name);
        expect(names.length).toBe(watcher ? inventoryHosts(r).length : 0);
        const secret = r.resources.find(
            (x) =>
                x.type === "kubernetes:core/v1:Secret" &&
                (x.inputs.metadata as any)?.name === "zabbix-sync-credentials",
        )!;
        const file = JSON.parse((unwrapSecrets(secret.inputs) as any).stringData["credentials.json"]);
        expect(Object.keys(file).length > 0).toBe(watcher);
        if (!watcher) {
            const inNs = r.objects.filter((o) => o.metadata.namespace === "onprem");
            expect(inNs.filter((o) => o.kind === "Probe" || o.kind === "PrometheusRule")).toEqual([]);
        }
    });

    it("keys the secret macros' fingerprints with a generated key of the stack's, not the sync's API credential", () => {
        const r = shared[stack]!;
        const secret = r.resources.find(
            (x) =>
                x.type === "kubernetes:core/v1:Secret" &&
                (x.inputs.metadata as any)?.name === "zabbix-sync-credentials",
        )!;
        const key = (unwrapSecrets(secret.inputs) as any).stringData["fingerprint-key"];
        expect(key).toMatch(/\S{16,}/);
        const bytes = r.resources.filter(
            (x) => x.type === "random:index/randomBytes:RandomBytes" && x.name.endsWith("-fingerprint-key"),
        );
        expect(bytes).toHaveLength(1);
        expect(Number(bytes[0]!.inputs.length)).toBeGreaterThanOrEqual(32);
        const job = r.objects.find((o) => o.kind === "Job" && o.metadata.name!.startsWith("zabbix-sync-")) as any;
        const env = Object.fromEntries(job.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
        const mount = job.spec.template.spec.containers[0].volumeMounts.find((m: any) => m.name === "credentials");
        expect(env.FINGERPRINT_KEY_FILE).toBe(`${mount.mountPath}/fingerprint-key`);
    });

    it("runs the sync Job with its ConfigMap and Secret, non-root on a read-only filesystem", () => {
        const r = shared[stack]!;
        const job = r.objects.find((o) => o.kind === "Job" && o.metadata.name!.startsWith("zabbix-sync-")) as any;
        expect(job).toBeDefined();
        expect(job.metadata.name).toMatch(/^zabbix-sync-[0-9a-f]{10}$/);
        const pod = job.spec.template.spec;
        const volumes = pod.volumes.map((v: any) => v.configMap?.name ?? v.secret?.secretName);
        expect(volumes).toEqual(["zabbix-sync", "zabbix-sync-credentials"]);
        expect(r.objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "zabbix-sync")).toBeDefined();
        expect(
            r.objects.find((o) => o.kind === "Secret" && o.metadata.name === "zabbix-sync-credentials"),
        ).toBeDefined();
        const c = pod.containers[0];
        expect(pod.securityContext.runAsNonRoot).toBe(true);
        expect(c.securityContext).toMatchObject({
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ["ALL"] },
        });
        expect(c.image).toMatch(/^docker\.io\/library\/node:\d+\.\d+\.\d+-alpine/);
        // Pulumi waits for the Job as long as the Job may run (its default wait is 10 minutes).
        const syncJob = r.resources.find((x) => x.type === "kubernetes:batch/v1:Job" && x.urn.includes("ZabbixSync"))!;
        const waitMinutes = Number(/^(\d+)m$/.exec(syncJob.customTimeouts!.create!)![1]);
        expect(waitMinutes * 60).toBeGreaterThanOrEqual(job.spec.activeDeadlineSeconds);
        // The stack's own Zabbix: the Job logs in as Admin with the generated password, after the
        // monitoring bootstrap Job has set it; no token is needed before the first deploy.
        expect(c.env.map((e: any) => e.name)).not.toContain("ZABBIX_TOKEN");
        for (const [name, key] of [
            ["ZABBIX_USER", "username"],
            ["ZABBIX_PASSWORD", "password"],
        ])
            expect(c.env.find((e: any) => e.name === name).valueFrom.secretKeyRef).toEqual({
                name: "zabbix-sync-login",
                key,
            });
        const login = r.resources.find(
            (x) => x.type === "kubernetes:core/v1:Secret" && (x.inputs.metadata as any)?.name === "zabbix-sync-login",
        )!;
        const adminPassword = r.resources.find(
            (x) => x.type === "random:index/randomPassword:RandomPassword" && x.name.endsWith("zabbix-admin-password"),
        )!;
        expect(login.dependsOn).toContain(adminPassword.urn);
        expect(containsSecret(login.inputs.stringData)).toBe(true);
        const jobResource = r.resources.find(
            (x) => x.type === "kubernetes:batch/v1:Job" && x.name.endsWith("-job") && x.urn.includes("ZabbixSync"),
        )!;
        const bootstrap = r.resources.find(
            (x) =>
                x.type === "kubernetes:batch/v1:Job" &&
                String((x.inputs.metadata as any)?.name).startsWith("zabbix-bootstrap-"),
        )!;
        expect(jobResource.dependsOn).toContain(bootstrap.urn);
    });

    it("puts no credential in any ConfigMap, value, output or rendered text, only in Secrets (the watcher's sync)", () => {
        const r = shared[stack]!;
        const configMaps = JSON.stringify(r.objects.filter((o) => o.kind !== "Secret"));
        const rendersAll = JSON.stringify({ objects: r.objects, charts: r.charts, outputs: r.outputs });
        const secretValues = [
            ...Object.values(plantedCredentials(r)).flatMap((c) => Object.values(c)),
            r.secrets.zabbixApiToken!,
        ];
        expect(secretValues.length).toBeGreaterThan(6);
        for (const value of secretValues) {
            expect(configMaps).not.toContain(value);
            expect(rendersAll).not.toContain(value);
        }
        // ...and, in the stack that watches the sites, the Secret really carries them to the Job.
        const secret = r.resources.find(
            (x) =>
                x.type === "kubernetes:core/v1:Secret" &&
                (x.inputs.metadata as any)?.name === "zabbix-sync-credentials",
        )!;
        const file = JSON.parse((unwrapSecrets(secret.inputs) as any).stringData["credentials.json"]);
        // dev watches no site: its sync gets no hardware credential at all.
        if (!watcher) return expect(file).toEqual({});
        expect(JSON.stringify(secret.inputs.stringData)).toContain("4dabf18193072939515e22adb298388d");
        // Only the fields each use needs, from the entry the host names.
        const planted = plantedCredentials(r);
        const ipmi = planted["contest-ipmi"]!;
        expect(file["contest-srv-03"].ipmi).toEqual({ username: ipmi.username, password: ipmi.password });
        expect(file["contest-firewall"].snmp).toEqual({
            securityName: planted["contest-firewall-snmpv3"]!.securityName,
            authPassphrase: planted["contest-firewall-snmpv3"]!.authPassphrase,
            privPassphrase: planted["contest-firewall-snmpv3"]!.privPassphrase,
        });
        expect(file["plarail-esp32-01"]).toBeUndefined();
    });
});

describe("render: DNS records of on-prem hosts", () => {
    const records = (r: RenderResult) =>
        r.resources
            .filter((x) => x.type === "gcp:dns/recordSet:RecordSet" && x.name.startsWith("onprem-"))
            .map((x) => x.inputs.name);

    it("publishes only the hosts with dns: true, under the stack's domain", () => {
        expect(records(shared.dev!)).toEqual(["plarail-controller.onprem.dev.example.org."]);
        expect(records(shared.prd!)).toHaveLength(9);
        expect(records(shared.prd!)).toContain("contest-srv-01.onprem.example.org.");
    });

    it("publishes none when the cluster already exists (no zone)", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "onprem-local-"));
        const file = path.join(dir, "Pulumi.local.yaml");
        writeFileSync(
            file,
            [
                "config:",
                "  platform:environment: dev",
                "  platform:cluster: {mode: existing, context: kind-platform}",
                "  platform:dns: {domain: platform.localhost.example.org}",
                "  platform:onprem:",
                "    hosts:",
                "      plarail-controller: {kind: service, address: 192.168.40.10, ports: [{name: grpc, port: 50051}], dns: true}",
                "",
            ].join("\n"),
        );
        const r = await renderStack({ stack: "local", stackFile: file });
        expect(r.errors).toEqual([]);
        expect(r.resources.filter((x) => x.type === "gcp:dns/recordSet:RecordSet")).toEqual([]);
        expect(r.objects.find((o) => o.kind === "Service" && o.metadata.name === "plarail-controller")).toBeDefined();
    });
});

describe("the program's credential check (index.ts runs it before declaring anything)", () => {
    it("fails naming the host whose credential the secret lacks", () => {
        const input = readStack({ root: ROOT, stack: "dev" });
        const onprem = onpremSchema.parse(JSON.parse(input.config["platform:onprem"]!));
        const credentials = plantedCredentials(shared.dev!);
        const rest: Record<string, unknown> = { ...credentials };
        delete rest["contest-snmp"];
        pulumi.runtime.setAllConfig({ "platform:onpremCredentials": JSON.stringify(rest) }, [
            "platform:onpremCredentials",
        ]);
        expect(() => assertOnpremCredentials(onprem)).toThrow(
            /onprem\.hosts\.contest-router\.snmp\.credentials: "contest-snmp" is not in platform:onpremCredentials/,
        );
        pulumi.runtime.setAllConfig({ "platform:onpremCredentials": JSON.stringify(credentials) }, [
            "platform:onpremCredentials",
        ]);
        expect(() => assertOnpremCredentials(onprem)).not.toThrow();
    });
});

describe("ZabbixSync", () => {
    const cfg = (address: string) =>
        onpremSchema.parse({
            hosts: {
                "esp32-01": { kind: "microcontroller", address },
                sw: { kind: "network-device", address: "10.0.0.2" },
            },
        });
    const declare =
        (address: string, apiToken?: string, credentials = "{}", proxies?: string) =>
        () =>
            new ZabbixSync("sync", {
                provider: new k8s.Provider("k8s", { kubeconfig: "render" }),
                namespace: "onprem",
                inventory: syncInventory(cfg(address), "dev"),
                credentials: pulumi.secret(credentials),
                proxies: proxies === undefined ? undefined : pulumi.secret(proxies),
                apiUrl: "http://zabbix.example.invalid/api_jsonrpc.php",
                apiToken,
            });

    it("renames the Job when a credential or a proxy key changes, and the name reveals neither", async () => {
        const jobName = (h: Awaited<ReturnType<typeof recordResources>>) =>
            h.objects().find((o) => o.kind === "Job")!.metadata.name as string;
        const community = '{"sw":{"snmp":{"community":"public"}}}';
        const a = await recordResources(declare("10.0.0.5", undefined, community));
        const rotated = await recordResources(declare("10.0.0.5", undefined, community.replace("public", "privat")));
        const rekeyed = await recordResources(
            declare("10.0.0.5", undefined, community, '{"site-x":{"identity":"i","psk":"' + "ab".repeat(32) + '"}}'),
        );
        const again = await recordResources(declare("10.0.0.5", undefined, community));
        expect(jobName(a)).toMatch(/^zabbix-sync-[0-9a-f]{10}$/);
        expect(new Set([jobName(a), jobName(rotated), jobName(rekeyed)]).size).toBe(3);
        expect(jobName(again)).toBe(jobName(a));
        // Not a plain hash of the credentials: without the stack's key a short community cannot be tested.
        const { createHash } = await import("node:crypto");
        const plain = createHash("sha256").update(community).digest("hex");
        expect(plain).not.toContain(jobName(a).slice("zabbix-sync-".length));
    });

    it("renames the Job when the inventory changes, so the sync runs again", async () => {
        const a = await recordResources(declare("10.0.0.5"));
        const b = await recordResources(declare("10.0.0.6"));
        const again = await recordResources(declare("10.0.0.5"));
        const jobName = (h: typeof a) => h.objects().find((o) => o.kind === "Job")!.metadata.name;
        expect(jobName(a)).not.toBe(jobName(b));
        expect(jobName(a)).toBe(jobName(again));
        const inventory = JSON.parse((b.object("ConfigMap", "zabbix-sync") as any).data["inventory.json"]);
        expect(inventory.hosts.map((h: any) => [h.name, h.address])).toEqual([
            ["esp32-01", "10.0.0.6"],
            ["sw", "10.0.0.2"],
        ]);
        expect(inventory.managedTag).toEqual({ tag: "managed-by", value: "platform-onprem-dev" });
    });

    it("ships the script in the ConfigMap and makes the token Secret only when given a token", async () => {
        const without = await recordResources(declare("10.0.0.5"));
        expect((without.object("ConfigMap", "zabbix-sync") as any).data["sync.js"]).toContain("apiinfo.version");
        expect(
            without
                .objects()
                .filter((o) => o.kind === "Secret")
                .map((o) => o.metadata.name),
        ).toEqual(["zabbix-sync-credentials"]);
        const withToken = await recordResources(declare("10.0.0.5", "t0ken-value"));
        expect(
            withToken
                .objects()
                .filter((o) => o.kind === "Secret")
                .map((o) => o.metadata.name)
                .sort(),
        ).toEqual(["zabbix-api-token", "zabbix-sync-credentials"]);
        expect(withToken.redactedText()).not.toContain("t0ken-value");
    });
});
