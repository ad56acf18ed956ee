// The votes survive a pod restart on prd: a real redis-server (Debian's package, which
// scripts/ci/data-up.sh installs) run with exactly the command line components/apps/redis.ts
// gives the container, stopped the way the kubelet stops a pod (SIGTERM) or killed outright.
import { ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { redisArgs } from "../../components/apps/redis";
import { run, scratchDir } from "./servers";

const PASSWORD = "test-password";

function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const s = createServer();
        s.once("error", reject);
        s.listen(0, "127.0.0.1", () => {
            const { port } = s.address() as { port: number };
            s.close(() => resolve(port));
        });
    });
}

/** The container's arguments, with the volume's path and a loopback port for this machine. */
function args(persistent: boolean, dir: string, port: number): string[] {
    const a = redisArgs("64Mi", persistent, PASSWORD);
    a[a.indexOf("--dir") + 1] = dir;
    return [...a, "--port", String(port), "--bind", "127.0.0.1", "--daemonize", "no"];
}

class Server {
    private child?: ChildProcess;
    constructor(
        private readonly argv: string[],
        readonly port: number,
    ) {}

    async start(): Promise<void> {
        this.child = spawn("redis-server", this.argv, { stdio: "ignore" });
        for (let i = 0; i < 100; i++) {
            if ((await this.cli("PING")).trim() === "PONG") return;
            await new Promise((r) => setTimeout(r, 100));
        }
        throw new Error(`redis-server ${this.argv.join(" ")} did not answer`);
    }

    async stop(signal: NodeJS.Signals): Promise<void> {
        const child = this.child!;
        const exited = new Promise((r) => child.once("exit", r));
        child.kill(signal);
        await exited;
    }

    async cli(...command: string[]): Promise<string> {
        const r = await run("redis-cli", ["--no-auth-warning", "-a", PASSWORD, "-p", String(this.port), ...command]);
        return r.stdout;
    }

    /** 1000 voters, 10 votes each, over 4 candidates, in one pipeline. */
    async vote(): Promise<void> {
        const lines: string[] = [];
        for (let v = 0; v < 1000; v++)
            for (let i = 0; i < 10; i++) lines.push(`HINCRBY votes candidate-${(v + i) % 4} 1`);
        const r = await run(
            "redis-cli",
            ["--no-auth-warning", "-a", PASSWORD, "-p", String(this.port)],
            {},
            `${lines.join("\n")}\n`,
        );
        if (r.code !== 0) throw new Error(r.stderr);
    }

    async tally(): Promise<Record<string, string>> {
        const flat = (await this.cli("HGETALL", "votes")).split("\n").filter((l) => l !== "");
        const out: Record<string, string> = {};
        for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
        return out;
    }
}

const ALL_VOTES = {
    "candidate-0": "2500",
    "candidate-1": "2500",
    "candidate-2": "2500",
    "candidate-3": "2500",
};

async function server(persistent: boolean): Promise<Server> {
    const port = await freePort();
    return new Server(args(persistent, scratchDir("redis-"), port), port);
}

describe("Redis with persistence (prd): the votes survive", () => {
    it("a pod restart (SIGTERM, then a new pod on the same volume)", async () => {
        const s = await server(true);
        await s.start();
        await s.vote();
        expect(await s.tally()).toEqual(ALL_VOTES);
        await s.stop("SIGTERM");
        await s.start();
        expect(await s.tally()).toEqual(ALL_VOTES);
        await s.stop("SIGTERM");
    });

    it("a crash (SIGKILL) once the append-only file's one-second fsync has run", async () => {
        const s = await server(true);
        await s.start();
        await s.vote();
        await new Promise((r) => setTimeout(r, 1500));
        await s.stop("SIGKILL");
        await s.start();
        expect(await s.tally()).toEqual(ALL_VOTES);
        await s.stop("SIGTERM");
    });
});

describe("Redis without persistence (dev)", () => {
    it("loses everything on a restart: the difference the prd setting makes", async () => {
        const s = await server(false);
        await s.start();
        await s.vote();
        expect(await s.tally()).toEqual(ALL_VOTES);
        await s.stop("SIGTERM");
        await s.start();
        expect(await s.tally()).toEqual({});
        await s.stop("SIGTERM");
    });
});
