// Test helpers: start a plugin executable as the Pulumi CLI does and read its port.
"use strict";

const { spawn } = require("node:child_process");
const path = require("node:path");

const PLUGINS = path.join(__dirname, "..", "plugins");

/**
 * Starts `plugins/<name>` with the given arguments and environment; resolves once it has printed
 * its port, as the CLI waits for.
 * @param {string} name
 * @param {string[]} [args]
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<{ port: number, child: import("node:child_process").ChildProcess, stderr: () => string }>}
 */
function startPlugin(name, args = [], env = process.env) {
    const child = spawn(path.join(PLUGINS, name), args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => {
            child.kill();
            reject(new Error(`${name} printed no port in 20 s; stderr: ${stderr}`));
        }, 20000);
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${name} exited (${code}) before printing a port; stderr: ${stderr}`));
        });
        child.stdout.on("data", (d) => {
            out += d;
            const nl = out.indexOf("\n");
            if (nl >= 0) {
                clearTimeout(timer);
                child.removeAllListeners("exit");
                const port = Number(out.slice(0, nl).trim());
                if (!Number.isInteger(port)) reject(new Error(`${name} printed "${out.slice(0, nl)}", not a port`));
                else resolve({ port, child, stderr: () => stderr });
            }
        });
    });
}

/**
 * A promise for a unary call of a generated grpc-js client.
 * @param {any} client
 * @param {string} method
 * @param {any} request
 * @returns {Promise<any>}
 */
function call(client, method, request) {
    return new Promise((resolve, reject) => {
        client[method](request, (/** @type {any} */ err, /** @type {any} */ resp) =>
            err ? reject(err) : resolve(resp),
        );
    });
}

module.exports = { PLUGINS, startPlugin, call };
