import { spawn } from "node:child_process";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";

/**
 * A git smart-HTTP server on 127.0.0.1: Debian's `git http-backend` (a CGI program) behind a
 * tiny Node HTTP server. Flux's go-git client speaks HTTP(S) and SSH, not git://, so this is the
 * simplest server it can clone from and push to. Every repository under `root` is served and
 * writable (REMOTE_USER is set, which turns on receive-pack); nothing listens beyond loopback.
 */
export interface GitServer {
    /** `http://127.0.0.1:<port>` */
    readonly url: string;
    close(): Promise<void>;
}

export function startGitServer(root: string): Promise<GitServer> {
    const server: Server = createServer((req, res) => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const cgi = spawn("git", ["http-backend"], {
            env: {
                PATH: process.env.PATH ?? "/usr/bin:/bin",
                GIT_PROJECT_ROOT: root,
                GIT_HTTP_EXPORT_ALL: "1",
                PATH_INFO: decodeURIComponent(url.pathname),
                QUERY_STRING: url.search.replace(/^\?/, ""),
                REQUEST_METHOD: req.method ?? "GET",
                CONTENT_TYPE: req.headers["content-type"] ?? "",
                ...(req.headers["content-length"] ? { CONTENT_LENGTH: req.headers["content-length"] } : {}),
                ...(req.headers["content-encoding"] ? { HTTP_CONTENT_ENCODING: req.headers["content-encoding"] } : {}),
                ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
                REMOTE_ADDR: "127.0.0.1",
                REMOTE_USER: "flux-loop",
            },
        });
        req.pipe(cgi.stdin);
        let head = Buffer.alloc(0);
        let started = false;
        cgi.stdout.on("data", (chunk: Buffer) => {
            if (started) {
                res.write(chunk);
                return;
            }
            head = Buffer.concat([head, chunk]);
            const text = head.toString("latin1");
            const crlf = text.indexOf("\r\n\r\n");
            const lf = text.indexOf("\n\n");
            const end = crlf >= 0 && (lf < 0 || crlf < lf) ? crlf + 4 : lf >= 0 ? lf + 2 : -1;
            if (end < 0) return;
            let status = 200;
            for (const line of text.slice(0, end).split(/\r?\n/).filter(Boolean)) {
                const colon = line.indexOf(":");
                const name = line.slice(0, colon).trim();
                const value = line.slice(colon + 1).trim();
                if (name.toLowerCase() === "status") status = Number(value.split(" ")[0]);
                else res.setHeader(name, value);
            }
            res.statusCode = status;
            started = true;
            res.write(head.subarray(end));
        });
        cgi.stdout.on("end", () => res.end());
        cgi.on("error", () => {
            res.statusCode = 500;
            res.end();
        });
    });
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const { port } = server.address() as AddressInfo;
            resolve({
                url: `http://127.0.0.1:${port}`,
                close: () => new Promise((done) => server.close(() => done())),
            });
        });
    });
}
