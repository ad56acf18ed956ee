// Shared plumbing for the three plugin processes in e2e/host (a language host and two resource
// providers): how the Pulumi CLI starts a plugin, how the plugin answers, and when it stops.
//
// The CLI starts a plugin as `<exe> [--logtostderr] [-v=N] [--tracing URL] <engine address>`,
// then reads ONE line from the plugin's stdout: the TCP port of the plugin's gRPC server. Anything
// printed to stdout before that line breaks the start-up, so nothing here logs to stdout.
"use strict";

const grpc = require("@grpc/grpc-js");
const net = require("node:net");

// The CLI's own limit for plugin messages (400 MiB); a kubernetes provider message with a large
// CRD goes well past grpc-js's default 4 MiB.
const MAX_MESSAGE = 400 * 1024 * 1024;

/**
 * Splits a plugin's command line into its flags and the engine address (the one positional argument).
 * @param {string[]} argv process.argv.slice(2)
 * @returns {{ engineAddress: string | undefined, tracing: string | undefined, verbose: number }}
 */
function parsePluginArgs(argv) {
    let engineAddress;
    let tracing;
    let verbose = 0;
    for (let i = 0; i < argv.length; i++) {
        const arg = argv[i];
        if (arg === "--tracing" || arg === "-tracing") {
            tracing = argv[++i];
        } else if (arg.startsWith("--tracing=") || arg.startsWith("-tracing=")) {
            tracing = arg.slice(arg.indexOf("=") + 1);
        } else if (/^--?v=\d+$/.test(arg)) {
            verbose = Number(arg.slice(arg.indexOf("=") + 1));
        } else if (arg.startsWith("-")) {
            // --logtostderr and anything newer: flags without values that we have no use for.
        } else if (engineAddress === undefined) {
            engineAddress = arg;
        }
    }
    return { engineAddress, tracing, verbose };
}

/**
 * A logger to stderr, which the CLI shows in its own verbose log (never on stdout: see above).
 * @param {string} name
 * @param {number} verbose
 */
function makeLogger(name, verbose) {
    const debug = verbose > 0 || process.env.PULUMI_E2E_HOST_DEBUG === "1";
    return {
        debug: (/** @type {string} */ msg) => {
            if (debug) process.stderr.write(`${name}: ${msg}\n`);
        },
        warn: (/** @type {string} */ msg) => process.stderr.write(`${name}: ${msg}\n`),
    };
}

/**
 * Starts a gRPC server on a free loopback port with one service, then prints the port on stdout.
 * @param {import("@grpc/grpc-js").ServiceDefinition} service
 * @param {import("@grpc/grpc-js").UntypedServiceImplementation} implementation
 * @param {{ printPort?: boolean }} [options]
 * @returns {Promise<{ server: import("@grpc/grpc-js").Server, port: number }>}
 */
function serve(service, implementation, options = {}) {
    const server = new grpc.Server({
        "grpc.max_receive_message_length": MAX_MESSAGE,
        "grpc.max_send_message_length": MAX_MESSAGE,
    });
    // Methods left out of `implementation` answer UNIMPLEMENTED, which the CLI treats as "this plugin
    // predates that method" for the optional ones (Handshake, GetRequiredPackages, ...).
    server.addService(service, implementation);
    return new Promise((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => {
            if (err) {
                reject(err);
                return;
            }
            if (options.printPort !== false) {
                process.stdout.write(`${port}\n`);
            }
            resolve({ server, port });
        });
    });
}

/**
 * Exits when the engine that started us is gone, so that a CLI killed with SIGKILL does not leave
 * plugin processes behind. Checks by opening a TCP connection to the engine's gRPC address.
 * @param {string | undefined} engineAddress host:port
 * @param {() => void} onGone
 * @param {number} [intervalMs]
 */
function watchEngine(engineAddress, onGone, intervalMs = 2000) {
    if (!engineAddress) return undefined;
    const at = engineAddress.lastIndexOf(":");
    const host = engineAddress.slice(0, at) || "127.0.0.1";
    const port = Number(engineAddress.slice(at + 1));
    if (!Number.isInteger(port) || port <= 0) return undefined;
    let failures = 0;
    const timer = setInterval(() => {
        const socket = net.connect({ host, port });
        socket.setTimeout(intervalMs);
        socket.once("connect", () => {
            failures = 0;
            socket.destroy();
        });
        const fail = () => {
            socket.destroy();
            // Three misses in a row: one refused connection can be a busy engine.
            if (++failures >= 3) {
                clearInterval(timer);
                onGone();
            }
        };
        socket.once("error", fail);
        socket.once("timeout", fail);
    }, intervalMs);
    timer.unref();
    return timer;
}

/**
 * Stops the server and exits on SIGINT/SIGTERM, and when the engine goes away.
 * @param {import("@grpc/grpc-js").Server} server
 * @param {string | undefined} engineAddress
 * @param {() => void} [beforeExit] e.g. interrupt child processes
 */
function stopWithEngine(server, engineAddress, beforeExit) {
    const stop = () => {
        if (beforeExit) beforeExit();
        server.forceShutdown();
        process.exit(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    watchEngine(engineAddress, stop);
}

/**
 * Turns an exception into a gRPC error the CLI prints with its message.
 * @param {unknown} err
 * @param {number} [code]
 */
function grpcError(err, code = grpc.status.UNKNOWN) {
    const message = err instanceof Error ? err.message : String(err);
    return { code, details: message, message };
}

module.exports = { MAX_MESSAGE, parsePluginArgs, makeLogger, serve, watchEngine, stopWithEngine, grpcError };
