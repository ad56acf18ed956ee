#!/usr/bin/env node
// A minimal Node.js language host for the Pulumi CLI: the LanguageRuntime gRPC service
// (pulumi/proto/language.proto) that the CLI starts as `pulumi-language-nodejs` to learn which
// provider plugins a program needs and to run the program.
//
// Why it exists: the end-to-end tests run the real Pulumi CLI, built from Go modules, and the Go
// module proxy this project reaches does not serve the upstream language host module, so it cannot
// be built here. Running the program itself is left to @pulumi/pulumi's own run script
// (@pulumi/pulumi/cmd/run), exactly as the upstream host does; this file only speaks the protocol
// around it. See README.md for what it leaves out.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { spawn } = require("node:child_process");

const grpc = require("@grpc/grpc-js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const langproto = require("@pulumi/pulumi/proto/language_pb");
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb");
const plugproto = require("@pulumi/pulumi/proto/plugin_pb");

const { parsePluginArgs, makeLogger, serve, stopWithEngine, grpcError } = require("./lib/serve");
const { findPulumiPackages, skippedPackages } = require("./lib/packages");

// What GetPluginInfo reports: the CLI only parses it as a semver. The SDK this host runs is
// @pulumi/pulumi 3.270.0; the version says what this is, not which upstream release it mimics.
const HOST_VERSION = "3.270.0-e2e.1";

// @pulumi/pulumi's run script exits with this code after it has already shown the user an
// actionable error (cmd/run/index.js): the host then asks the CLI to bail without another message.
const EXIT_ALREADY_REPORTED = 32;

const DEFAULT_RUN_SCRIPT = "@pulumi/pulumi/cmd/run";

/**
 * The ProgramInfo of a request as plain values.
 * @param {any} req a request with getInfo()
 */
function programInfo(req) {
    const info = typeof req.hasInfo === "function" && req.hasInfo() ? req.getInfo() : undefined;
    const options = info && info.hasOptions() ? info.getOptions().toJavaScript() : {};
    return {
        rootDirectory: info ? info.getRootDirectory() : "",
        programDirectory: info ? info.getProgramDirectory() : "",
        entryPoint: info ? info.getEntryPoint() : "",
        options,
    };
}

/**
 * The runtime options of Pulumi.yaml (`runtime.options`) that change how a program runs, checked
 * like the upstream host checks them.
 * @param {Record<string, unknown>} options
 */
function parseRuntimeOptions(options) {
    const out = { typescript: true, tsconfig: "", nodeargs: "" };
    if ("typescript" in options) {
        if (typeof options.typescript !== "boolean") throw new Error("typescript option must be a boolean");
        out.typescript = options.typescript;
    }
    if ("tsconfig" in options) {
        if (typeof options.tsconfig !== "string") throw new Error("tsconfig option must be a string");
        out.tsconfig = options.tsconfig;
    }
    if ("nodeargs" in options) {
        if (typeof options.nodeargs !== "string") throw new Error("nodeargs option must be a string");
        out.nodeargs = options.nodeargs;
    }
    // packagemanager only matters to InstallDependencies, which uses npm either way.
    return out;
}

/**
 * Splits `nodeargs` like a shell would for the simple cases: whitespace, single and double quotes.
 * @param {string} text
 */
function splitArgs(text) {
    /** @type {string[]} */
    const args = [];
    let current = "";
    let quote = "";
    let any = false;
    for (const ch of text) {
        if (quote) {
            if (ch === quote) quote = "";
            else current += ch;
        } else if (ch === '"' || ch === "'") {
            quote = ch;
            any = true;
        } else if (/\s/.test(ch)) {
            if (any) args.push(current);
            current = "";
            any = false;
        } else {
            current += ch;
            any = true;
        }
    }
    if (quote) throw new Error(`nodeargs: unterminated ${quote} quote`);
    if (any) args.push(current);
    return args;
}

/**
 * The command line and environment for @pulumi/pulumi's run script, from a RunRequest.
 * Exported for the tests.
 * @param {{ runScript: string, engineAddress?: string, tracing?: string }} host
 * @param {any} req pulumirpc.RunRequest
 * @param {NodeJS.ProcessEnv} baseEnv
 */
function runCommand(host, req, baseEnv) {
    const info = programInfo(req);
    const options = parseRuntimeOptions(info.options);
    const programDirectory = info.programDirectory || req.getPwd();
    const entryPoint = info.entryPoint || req.getProgram() || ".";

    const args = [...splitArgs(options.nodeargs), host.runScript];
    const flag = (/** @type {string} */ name, /** @type {string | undefined} */ value) => {
        if (value) args.push(`--${name}`, value);
    };
    flag("monitor", req.getMonitorAddress());
    flag("engine", host.engineAddress);
    flag("organization", req.getOrganization());
    flag("project", req.getProject());
    flag("root-directory", info.rootDirectory);
    flag("stack", req.getStack());
    flag("pwd", programDirectory);
    if (req.getDryrun()) args.push("--dry-run");
    flag("parallel", String(req.getParallel()));
    flag("tracing", host.tracing);
    args.push(entryPoint, ...req.getArgsList());

    /** @type {Record<string, string>} */
    const config = {};
    for (const [key, value] of req.getConfigMap().entries()) config[key] = value;
    const env = {
        ...baseEnv,
        // The SDK reads these two (runtime/config.js); it accepts both "ns:key" and "ns:config:key".
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(req.getConfigsecretkeysList()),
    };
    // The run script registers ts-node only when told to (cmd/run/run.js), as the upstream host does
    // for `typescript: true`, the default.
    if (options.typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    else delete env.PULUMI_NODEJS_TYPESCRIPT;
    if (options.tsconfig) env.PULUMI_NODEJS_TSCONFIG_PATH = options.tsconfig;
    return { args, env, cwd: programDirectory };
}

/**
 * What a finished program means to the CLI (RunResponse's error and bail).
 * @param {number | null} code
 * @param {NodeJS.Signals | null} signal
 */
function runOutcome(code, signal) {
    if (code === 0) return { error: "", bail: false };
    if (code === EXIT_ALREADY_REPORTED) return { error: "", bail: true };
    if (code !== null) return { error: `Program exited with non-zero exit code: ${code}`, bail: false };
    return { error: `Program exited unexpectedly: killed by ${signal}`, bail: false };
}

/**
 * Where @pulumi/pulumi's run script is for a program: resolved from the program's directory, so
 * that the program and the run script share one copy of @pulumi/pulumi.
 * @param {string} programDirectory
 */
function locateRunScript(programDirectory) {
    const wanted = process.env.PULUMI_LANGUAGE_NODEJS_RUN_PATH || DEFAULT_RUN_SCRIPT;
    try {
        return require.resolve(wanted, { paths: [programDirectory] });
    } catch {
        throw new Error(
            `could not find ${wanted} from ${programDirectory}: ` +
                "it looks like the Pulumi SDK has not been installed (npm ci in the program's directory)",
        );
    }
}

class LanguageHost {
    /**
     * @param {{ engineAddress?: string, tracing?: string, log: ReturnType<typeof makeLogger>, node?: string }} opts
     */
    constructor(opts) {
        this.engineAddress = opts.engineAddress;
        this.tracing = opts.tracing;
        this.log = opts.log;
        this.node = opts.node || process.execPath;
        /** @type {Set<import("node:child_process").ChildProcess>} */
        this.children = new Set();
    }

    /** Interrupts running programs, as the Cancel RPC and our own shutdown ask. */
    interruptChildren() {
        for (const child of this.children) child.kill("SIGINT");
    }

    /** The gRPC method table, bound to this host. */
    implementation() {
        /** @type {import("@grpc/grpc-js").UntypedServiceImplementation} */
        const impl = {
            handshake: (call, cb) => {
                // Only sent when the CLI attaches to a host it did not start (PULUMI_DEBUG_LANGUAGES):
                // the engine address then comes here instead of on the command line.
                const engine = call.request.getEngineAddress();
                if (engine) this.engineAddress = engine;
                cb(null, new langproto.LanguageHandshakeResponse());
            },
            getPluginInfo: (_call, cb) => {
                const info = new plugproto.PluginInfo();
                info.setVersion(HOST_VERSION);
                cb(null, info);
            },
            getRequiredPlugins: (call, cb) => this.requiredPackages(call, cb, false),
            getRequiredPackages: (call, cb) => this.requiredPackages(call, cb, true),
            run: (call, cb) => this.run(call.request, cb),
            installDependencies: (call) => this.installDependencies(call),
            runtimeOptionsPrompts: (_call, cb) => cb(null, new langproto.RuntimeOptionsResponse()),
            template: (_call, cb) => cb(null, new langproto.TemplateResponse()),
            about: (_call, cb) => {
                const resp = new langproto.AboutResponse();
                resp.setExecutable(this.node);
                resp.setVersion(process.version);
                resp.getMetadataMap().set("host", `e2e stand-in ${HOST_VERSION}`);
                cb(null, resp);
            },
            getProgramDependencies: (call, cb) => this.programDependencies(call.request, cb),
            cancel: (_call, cb) => {
                this.interruptChildren();
                cb(null, new emptyproto.Empty());
            },
        };
        return impl;
    }

    /**
     * GetRequiredPlugins (legacy) and GetRequiredPackages: the Pulumi resource packages installed in
     * the program's node_modules, less the ones PULUMI_E2E_SKIP_PACKAGES names (README.md: why).
     * @param {any} call
     * @param {(err: any, value?: any) => void} cb
     * @param {boolean} asPackages
     */
    requiredPackages(call, cb, asPackages) {
        try {
            const req = call.request;
            const info = programInfo(req);
            const dir = info.programDirectory || (asPackages ? "" : req.getPwd());
            if (!dir) throw new Error("no program directory in the request");
            const skip = skippedPackages(process.env);
            const found = findPulumiPackages(dir);
            const kept = found.filter((p) => !skip.has(p.name));
            for (const p of found) {
                if (skip.has(p.name)) this.log.debug(`not reporting ${p.name} ${p.version} (PULUMI_E2E_SKIP_PACKAGES)`);
            }
            if (asPackages) {
                const resp = new langproto.GetRequiredPackagesResponse();
                for (const p of kept) {
                    const dep = new plugproto.PackageDependency();
                    dep.setName(p.name);
                    dep.setKind("resource");
                    dep.setVersion(p.version);
                    if (p.server) dep.setServer(p.server);
                    if (p.parameterization) {
                        const param = new plugproto.PackageParameterization();
                        param.setName(p.parameterization.name);
                        param.setVersion(p.parameterization.version);
                        param.setValue(p.parameterization.value);
                        dep.setParameterization(param);
                    }
                    resp.addPackages(dep);
                }
                cb(null, resp);
            } else {
                const resp = new langproto.GetRequiredPluginsResponse();
                for (const p of kept) {
                    if (p.parameterization) continue; // plugins cannot express a parameterized package
                    const dep = new plugproto.PluginDependency();
                    dep.setName(p.name);
                    dep.setKind("resource");
                    dep.setVersion(p.version);
                    if (p.server) dep.setServer(p.server);
                    resp.addPlugins(dep);
                }
                cb(null, resp);
            }
        } catch (err) {
            cb(grpcError(err));
        }
    }

    /**
     * Run: starts @pulumi/pulumi's run script on the program and answers when it exits.
     * @param {any} req pulumirpc.RunRequest
     * @param {(err: any, value?: any) => void} cb
     */
    run(req, cb) {
        const respond = (/** @type {{ error: string, bail: boolean }} */ outcome) => {
            const resp = new langproto.RunResponse();
            resp.setError(outcome.error);
            resp.setBail(outcome.bail);
            cb(null, resp);
        };
        let command;
        try {
            const info = programInfo(req);
            const runScript = locateRunScript(info.programDirectory || req.getPwd() || process.cwd());
            command = runCommand(
                { runScript, engineAddress: this.engineAddress, tracing: this.tracing },
                req,
                process.env,
            );
        } catch (err) {
            respond({ error: err instanceof Error ? err.message : String(err), bail: false });
            return;
        }
        this.log.debug(`running ${this.node} ${command.args.join(" ")} in ${command.cwd}`);
        // The program's output goes where ours goes: the CLI shows it as the stack's diagnostics.
        const child = spawn(this.node, command.args, {
            cwd: command.cwd || undefined,
            env: command.env,
            stdio: ["ignore", "inherit", "inherit"],
        });
        this.children.add(child);
        let answered = false;
        child.once("error", (err) => {
            this.children.delete(child);
            if (answered) return;
            answered = true;
            respond({
                error: `Problem executing program (could not run language executor): ${err.message}`,
                bail: false,
            });
        });
        child.once("exit", (code, signal) => {
            this.children.delete(child);
            if (answered) return;
            answered = true;
            respond(runOutcome(code, signal));
        });
    }

    /**
     * InstallDependencies (server streaming): nothing to do when node_modules is there, as it is for
     * the e2e programs (a symlink to the repository's); otherwise `npm ci`, streamed back.
     * @param {any} call
     */
    installDependencies(call) {
        const req = call.request;
        const info = programInfo(req);
        const dir = info.programDirectory || req.getDirectory();
        const send = (/** @type {"stdout" | "stderr"} */ stream, /** @type {string | Buffer} */ data) => {
            const resp = new langproto.InstallDependenciesResponse();
            const bytes = typeof data === "string" ? Buffer.from(data) : data;
            if (stream === "stdout") resp.setStdout(bytes);
            else resp.setStderr(bytes);
            call.write(resp);
        };
        if (fs.existsSync(path.join(dir, "node_modules"))) {
            send("stdout", `node_modules already present in ${dir}; nothing to install\n`);
            call.end();
            return;
        }
        const lock = fs.existsSync(path.join(dir, "package-lock.json"));
        const npmArgs = lock ? ["ci", "--no-audit", "--no-fund"] : ["install", "--no-audit", "--no-fund"];
        const child = spawn("npm", npmArgs, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
        child.stdout.on("data", (d) => send("stdout", d));
        child.stderr.on("data", (d) => send("stderr", d));
        // grpc-js sends a server stream's error status when the stream emits "error".
        child.once("error", (err) => call.emit("error", grpcError(err)));
        // "close", not "exit": by then npm's last output has been streamed.
        child.once("close", (code) => {
            if (code === 0) call.end();
            else call.emit("error", grpcError(new Error(`npm ${npmArgs[0]} exited with code ${code}`)));
        });
    }

    /**
     * GetProgramDependencies: the program's package.json dependencies at their installed versions
     * (direct dependencies only; used by `pulumi about`).
     * @param {any} req
     * @param {(err: any, value?: any) => void} cb
     */
    programDependencies(req, cb) {
        try {
            const info = programInfo(req);
            const dir = info.programDirectory || req.getPwd();
            const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
            const names = Object.keys({ ...(pkg.dependencies || {}), ...(pkg.devDependencies || {}) }).sort();
            const resp = new langproto.GetProgramDependenciesResponse();
            for (const name of names) {
                let version = "";
                try {
                    version = JSON.parse(
                        fs.readFileSync(path.join(dir, "node_modules", name, "package.json"), "utf8"),
                    ).version;
                } catch {
                    version = "(not installed)";
                }
                const dep = new langproto.DependencyInfo();
                dep.setName(name);
                dep.setVersion(version);
                resp.addDependencies(dep);
            }
            cb(null, resp);
        } catch (err) {
            cb(grpcError(err));
        }
    }
}

async function main() {
    const { engineAddress, tracing, verbose } = parsePluginArgs(process.argv.slice(2));
    const log = makeLogger("pulumi-language-nodejs (e2e)", verbose);
    const host = new LanguageHost({ engineAddress, tracing, log });
    const { server } = await serve(langrpc.LanguageRuntimeService, host.implementation());
    stopWithEngine(server, engineAddress, () => host.interruptChildren());
}

if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`pulumi-language-nodejs (e2e): ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
}

module.exports = { LanguageHost, runCommand, runOutcome, parseRuntimeOptions, splitArgs, HOST_VERSION };
