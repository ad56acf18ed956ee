import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import * as path from "node:path";

/**
 * etcd and a bare kube-apiserver on 127.0.0.1 (no controllers, no nodes): enough for a controller
 * that only reads and writes custom resources. Binaries come from the tool cache
 * (scripts/ci/flux-loop.sh finds them). Authentication is one static token in `system:masters`.
 */
export interface ControlPlane {
    readonly kubeconfig: string;
    /** kubectl against this API server; throws with its stderr on failure. */
    kubectl(args: readonly string[], input?: string): string;
    stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as { port: number };
            s.close(() => resolve(port));
        });
    });
}

/** Starts a process whose output goes to `<dir>/<name>.log`. */
export function startLogged(dir: string, name: string, cmd: string, args: string[], env?: NodeJS.ProcessEnv) {
    const fd = openSync(path.join(dir, `${name}.log`), "a");
    const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], env: { ...process.env, ...env } });
    closeSync(fd);
    return child;
}

/** The last lines of a process's log, for a failure message. */
export function logTail(dir: string, name: string, lines = 30): string {
    try {
        return readFileSync(path.join(dir, `${name}.log`), "utf8")
            .split("\n")
            .slice(-lines)
            .join("\n");
    } catch {
        return "(no log)";
    }
}

/** Polls `probe` until it returns a value; exceptions are retried, except a process exit when `exitsAreFatal`. */
export async function waitFor<T>(
    what: string,
    probe: () => T | undefined,
    timeoutMs: number,
    exitsAreFatal = false,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
        try {
            const v = probe();
            if (v !== undefined && v !== false) return v;
        } catch (e) {
            if (exitsAreFatal && /exited \(/.test(String(e))) throw e;
            last = e;
        }
        if (Date.now() > deadline)
            throw new Error(
                `timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${String(last)}` : ""}`,
            );
        await new Promise((r) => setTimeout(r, 500));
    }
}

function stopAll(children: ChildProcess[]): Promise<void> {
    return Promise.all(
        children.map(
            (c) =>
                new Promise<void>((resolve) => {
                    if (c.exitCode !== null || c.signalCode !== null) return resolve();
                    const timer = setTimeout(() => c.kill("SIGKILL"), 10_000);
                    c.once("exit", () => {
                        clearTimeout(timer);
                        resolve();
                    });
                    c.kill("SIGTERM");
                }),
        ),
    ).then(() => undefined);
}

export async function startControlPlane(dir: string, bins: { etcd: string; apiserver: string; kubectl: string }) {
    mkdirSync(dir, { recursive: true });
    const [client, peer, secure] = [await freePort(), await freePort(), await freePort()];
    const children: ChildProcess[] = [];
    children.push(
        startLogged(dir, "etcd", bins.etcd, [
            "--name=flux-loop",
            `--data-dir=${path.join(dir, "etcd")}`,
            `--listen-client-urls=http://127.0.0.1:${client}`,
            `--advertise-client-urls=http://127.0.0.1:${client}`,
            `--listen-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
            `--initial-cluster=flux-loop=http://127.0.0.1:${peer}`,
            "--unsafe-no-fsync",
        ]),
    );

    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = path.join(dir, "sa.key");
    const saPub = path.join(dir, "sa.pub");
    writeFileSync(saKey, privateKey.export({ type: "pkcs8", format: "pem" }));
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    const token = "flux-loop-admin-token";
    writeFileSync(path.join(dir, "tokens.csv"), `${token},flux-loop-admin,flux-loop-admin,"system:masters"\n`);
    children.push(
        startLogged(dir, "kube-apiserver", bins.apiserver, [
            `--etcd-servers=http://127.0.0.1:${client}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${secure}`,
            `--cert-dir=${path.join(dir, "certs")}`,
            `--token-auth-file=${path.join(dir, "tokens.csv")}`,
            "--authorization-mode=RBAC",
            "--anonymous-auth=false",
            `--service-account-issuer=https://127.0.0.1:${secure}`,
            `--service-account-key-file=${saPub}`,
            `--service-account-signing-key-file=${saKey}`,
            "--service-cluster-ip-range=10.96.0.0/24",
            "--enable-priority-and-fairness=false",
            // Loopback is no address the kubernetes Service's endpoints may name; nothing here needs them.
            "--endpoint-reconciler-type=none",
        ]),
    );

    const kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
        kubeconfig,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [
                { name: "loop", cluster: { server: `https://127.0.0.1:${secure}`, "insecure-skip-tls-verify": true } },
            ],
            users: [{ name: "admin", user: { token } }],
            contexts: [{ name: "loop", context: { cluster: "loop", user: "admin" } }],
            "current-context": "loop",
        }),
    );
    const kubectl = (args: readonly string[], input?: string) =>
        execFileSync(bins.kubectl, [`--kubeconfig=${kubeconfig}`, ...args], {
            encoding: "utf8",
            input,
            stdio: ["pipe", "pipe", "pipe"],
        });
    const plane: ControlPlane = { kubeconfig, kubectl, stop: () => stopAll(children) };
    try {
        await waitFor(
            "the API server to be ready",
            () => kubectl(["get", "--raw", "/readyz"]).trim() === "ok",
            120_000,
        );
    } catch (e) {
        await plane.stop();
        throw new Error(
            `${(e as Error).message}\n--- kube-apiserver.log ---\n${logTail(dir, "kube-apiserver")}\n--- etcd.log ---\n${logTail(dir, "etcd")}`,
        );
    }
    return { plane, children };
}
