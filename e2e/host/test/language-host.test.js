// The language host, started as the CLI starts it and spoken to over gRPC.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const grpc = require("@grpc/grpc-js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const langproto = require("@pulumi/pulumi/proto/language_pb");
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");

const { startPlugin, call } = require("./helpers");
const { runCommand, runOutcome, splitArgs } = require("../language-host");

/** A program directory with a node_modules holding a few packages, Pulumi resource packages or not. */
function fakeProgram() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-test-"));
    /** @param {string} rel @param {object} pkg */
    const pkg = (rel, pkg) => {
        fs.mkdirSync(path.join(dir, rel), { recursive: true });
        fs.writeFileSync(path.join(dir, rel, "package.json"), JSON.stringify(pkg));
    };
    pkg("", { name: "prog", dependencies: { "@pulumi/random": "*", "@pulumi/gcp": "*" } });
    pkg("node_modules/@pulumi/pulumi", { name: "@pulumi/pulumi", version: "3.270.0" });
    pkg("node_modules/@pulumi/random", { name: "@pulumi/random", version: "4.21.2", pulumi: { resource: true } });
    pkg("node_modules/@pulumi/gcp", {
        name: "@pulumi/gcp",
        version: "9.37.0",
        pulumi: { resource: true, name: "gcp", version: "9.37.0" },
    });
    pkg("node_modules/left-pad", { name: "left-pad", version: "1.3.0" });
    // A resource package nested in another package's node_modules, with its plugin named explicitly.
    pkg("node_modules/left-pad/node_modules/@acme/widgets", {
        name: "@acme/widgets",
        version: "0.2.0",
        pulumi: { resource: true, name: "widgets", server: "https://example.invalid/plugins" },
    });
    // A symlink back to a package already seen must not be reported twice (nor loop).
    fs.symlinkSync(path.join(dir, "node_modules/@pulumi/random"), path.join(dir, "node_modules/random-again"));
    return dir;
}

/** @param {string} dir */
function programInfo(dir) {
    const info = new langproto.ProgramInfo();
    info.setRootDirectory(dir);
    info.setProgramDirectory(dir);
    info.setEntryPoint(".");
    info.setOptions(structproto.Struct.fromJavaScript({}));
    return info;
}

/** @param {NodeJS.ProcessEnv} env */
async function startHost(env) {
    // No engine address: the host then does not watch for the engine going away.
    const plugin = await startPlugin("pulumi-language-nodejs", [], env);
    const client = new langrpc.LanguageRuntimeClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    return {
        client,
        stop: () => {
            client.close();
            plugin.child.kill();
        },
    };
}

test("GetPluginInfo answers a semver", async () => {
    const host = await startHost(process.env);
    try {
        const info = await call(host.client, "getPluginInfo", new emptyproto.Empty());
        assert.match(info.getVersion(), /^\d+\.\d+\.\d+(-[\w.]+)?$/);
    } finally {
        host.stop();
    }
});

test("GetRequiredPackages reports resource packages, skipping gcp and github by default", async () => {
    const dir = fakeProgram();
    const env = { ...process.env };
    delete env.PULUMI_E2E_SKIP_PACKAGES;
    const host = await startHost(env);
    try {
        const req = new langproto.GetRequiredPackagesRequest();
        req.setInfo(programInfo(dir));
        const resp = await call(host.client, "getRequiredPackages", req);
        const got = resp.getPackagesList().map((/** @type {any} */ p) => [p.getName(), p.getKind(), p.getVersion()]);
        assert.deepEqual(got, [
            ["random", "resource", "v4.21.2"],
            ["widgets", "resource", "v0.2.0"],
        ]);
        const widgets = resp.getPackagesList().find((/** @type {any} */ p) => p.getName() === "widgets");
        assert.equal(widgets.getServer(), "https://example.invalid/plugins");
    } finally {
        host.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("PULUMI_E2E_SKIP_PACKAGES empty reports everything; GetRequiredPlugins agrees", async () => {
    const dir = fakeProgram();
    const host = await startHost({ ...process.env, PULUMI_E2E_SKIP_PACKAGES: "" });
    try {
        const req = new langproto.GetRequiredPluginsRequest();
        req.setProject("deprecated");
        req.setPwd(dir);
        req.setProgram(".");
        req.setInfo(programInfo(dir));
        const resp = await call(host.client, "getRequiredPlugins", req);
        const names = resp.getPluginsList().map((/** @type {any} */ p) => `${p.getName()}@${p.getVersion()}`);
        assert.deepEqual(names, ["gcp@v9.37.0", "random@v4.21.2", "widgets@v0.2.0"]);
    } finally {
        host.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

/**
 * A program directory whose "run script" records its argv and environment, then exits with the
 * code the test asks for: Run's handling of the child, without the Pulumi SDK.
 */
function recordingRunScript() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-run-"));
    const record = path.join(dir, "record.json");
    const script = path.join(dir, "fake-run.js");
    fs.writeFileSync(
        script,
        `require("fs").writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2),
            cwd: process.cwd(), config: process.env.PULUMI_CONFIG, secretKeys: process.env.PULUMI_CONFIG_SECRET_KEYS,
            typescript: process.env.PULUMI_NODEJS_TYPESCRIPT }));
        process.exit(Number(process.env.FAKE_EXIT || 0));`,
    );
    return { dir, record, script };
}

/** @param {string} dir @param {Record<string, unknown>} options */
function runRequest(dir, options = {}) {
    const req = new langproto.RunRequest();
    req.setProject("proj");
    req.setStack("dev");
    req.setPwd(dir);
    req.setProgram(".");
    req.setMonitorAddress("127.0.0.1:1");
    req.setDryrun(true);
    req.setParallel(16);
    req.setOrganization("org");
    req.getConfigMap().set("proj:who", "e2e");
    req.getConfigMap().set("proj:pw", "hunter2");
    req.setConfigsecretkeysList(["proj:pw"]);
    const info = programInfo(dir);
    info.setOptions(structproto.Struct.fromJavaScript(/** @type {any} */ (options)));
    req.setInfo(info);
    return req;
}

test("Run starts the run script with the CLI's arguments, config and secret keys", async () => {
    const fake = recordingRunScript();
    const host = await startHost({ ...process.env, PULUMI_LANGUAGE_NODEJS_RUN_PATH: fake.script, FAKE_EXIT: "0" });
    try {
        const resp = await call(host.client, "run", runRequest(fake.dir));
        assert.equal(resp.getError(), "");
        assert.equal(resp.getBail(), false);
        const rec = JSON.parse(fs.readFileSync(fake.record, "utf8"));
        assert.deepEqual(rec.argv, [
            "--monitor",
            "127.0.0.1:1",
            "--organization",
            "org",
            "--project",
            "proj",
            "--root-directory",
            fake.dir,
            "--stack",
            "dev",
            "--pwd",
            fake.dir,
            "--dry-run",
            "--parallel",
            "16",
            ".",
        ]);
        assert.equal(fs.realpathSync(rec.cwd), fs.realpathSync(fake.dir));
        assert.deepEqual(JSON.parse(rec.config), { "proj:who": "e2e", "proj:pw": "hunter2" });
        assert.deepEqual(JSON.parse(rec.secretKeys), ["proj:pw"]);
        assert.equal(rec.typescript, "true");
    } finally {
        host.stop();
        fs.rmSync(fake.dir, { recursive: true, force: true });
    }
});

test("Run maps exit codes: 32 bails quietly, others are errors", async () => {
    for (const [exit, error, bail] of /** @type {const} */ ([
        ["32", "", true],
        ["3", "Program exited with non-zero exit code: 3", false],
    ])) {
        const fake = recordingRunScript();
        const host = await startHost({ ...process.env, PULUMI_LANGUAGE_NODEJS_RUN_PATH: fake.script, FAKE_EXIT: exit });
        try {
            const resp = await call(host.client, "run", runRequest(fake.dir, { typescript: false }));
            assert.equal(resp.getError(), error);
            assert.equal(resp.getBail(), bail);
            const rec = JSON.parse(fs.readFileSync(fake.record, "utf8"));
            assert.equal(rec.typescript, undefined, "typescript: false must not turn ts-node on");
        } finally {
            host.stop();
            fs.rmSync(fake.dir, { recursive: true, force: true });
        }
    }
});

test("Run reports a missing SDK as an error, not a crash", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-nosdk-"));
    const env = { ...process.env };
    delete env.PULUMI_LANGUAGE_NODEJS_RUN_PATH;
    env.NODE_PATH = "";
    const host = await startHost(env);
    try {
        const resp = await call(host.client, "run", runRequest(dir));
        assert.match(resp.getError(), /could not find @pulumi\/pulumi\/cmd\/run/);
    } finally {
        host.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("runCommand: nodeargs come before the run script, tsconfig is passed on", () => {
    const req = runRequest("/prog", {
        nodeargs: "--max-old-space-size=4096 --title 'a b'",
        tsconfig: "tsconfig.e2e.json",
    });
    req.setDryrun(false);
    const { args, env } = runCommand({ runScript: "/sdk/run", engineAddress: "127.0.0.1:9" }, req, {});
    assert.deepEqual(args.slice(0, 4), ["--max-old-space-size=4096", "--title", "a b", "/sdk/run"]);
    assert.ok(args.includes("--engine") && args[args.indexOf("--engine") + 1] === "127.0.0.1:9");
    assert.ok(!args.includes("--dry-run"));
    assert.equal(env.PULUMI_NODEJS_TSCONFIG_PATH, "tsconfig.e2e.json");
    assert.throws(() => runCommand({ runScript: "x" }, runRequest("/p", { typescript: "yes" }), {}), /boolean/);
});

test("runOutcome and splitArgs", () => {
    assert.deepEqual(runOutcome(0, null), { error: "", bail: false });
    assert.deepEqual(runOutcome(null, "SIGKILL"), {
        error: "Program exited unexpectedly: killed by SIGKILL",
        bail: false,
    });
    assert.deepEqual(splitArgs(` a  "b c" d'e'`), ["a", "b c", "de"]);
    assert.throws(() => splitArgs(`"open`), /unterminated/);
});

/**
 * InstallDependencies is server-streaming: collects what it streams, or its error.
 * @param {any} client
 * @param {any} req
 * @returns {Promise<{ stdout: string, stderr: string }>}
 */
function installDependencies(client, req) {
    return new Promise((resolve, reject) => {
        let stdout = "";
        let stderr = "";
        const stream = client.installDependencies(req);
        stream.on("data", (/** @type {any} */ resp) => {
            stdout += Buffer.from(resp.getStdout_asU8()).toString();
            stderr += Buffer.from(resp.getStderr_asU8()).toString();
        });
        stream.on("error", reject);
        stream.on("end", () => resolve({ stdout, stderr }));
    });
}

test("InstallDependencies: nothing to do with node_modules; npm's failure is an error", async () => {
    const dir = fakeProgram();
    // A fake npm first on PATH: prints, then fails, without going near a registry.
    const fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-npm-"));
    fs.writeFileSync(path.join(fakeBin, "npm"), '#!/bin/sh\necho "fake npm $*"\necho "fake npm broke" >&2\nexit 7\n', {
        mode: 0o755,
    });
    const host = await startHost({ ...process.env, PATH: `${fakeBin}:${process.env.PATH}` });
    try {
        const req = new langproto.InstallDependenciesRequest();
        req.setDirectory(dir);
        req.setInfo(programInfo(dir));
        const done = await installDependencies(host.client, req);
        assert.match(done.stdout, /node_modules already present/);

        fs.rmSync(path.join(dir, "node_modules"), { recursive: true });
        await assert.rejects(installDependencies(host.client, req), /npm install exited with code 7/);
    } finally {
        host.stop();
        fs.rmSync(dir, { recursive: true, force: true });
        fs.rmSync(fakeBin, { recursive: true, force: true });
    }
});
