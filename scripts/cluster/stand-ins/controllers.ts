// Stand-ins for the controllers a real cluster runs and the simulated one does not, limited to
// the status Pulumi waits on (kwok fakes pods and nodes): cloud load balancers, cert-manager's
// and Flux's Ready conditions, cert-manager's cainjector, and a volume provisioner (plans.ts says
// what each does). One long-lived process polling the API server once a second over HTTPS: the
// shell loops it replaces started seven kubectl processes a pass; the larger alone used 0.26 of a
// core during an up on a 2-core machine.
// Usage: tsx scripts/cluster/stand-ins/controllers.ts KUBECONFIG   (up.sh starts it, down.sh stops it)
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import * as https from "node:https";
import * as path from "node:path";
import {
    AWAITED,
    Call,
    caBundleCalls,
    Item,
    loadBalancerCalls,
    readyCalls,
    releasedVolumeCalls,
    volumeCalls,
    WEBHOOK_KINDS,
} from "./plans";

interface Connection {
    readonly server: URL;
    readonly agent: https.Agent;
}

/** The server and client credentials of the kubeconfig's current context (files or inline data). */
function connect(kubeconfig: string): Connection {
    const view = JSON.parse(
        execFileSync("kubectl", ["config", "view", "--raw", "--minify", "-o", "json"], {
            env: { ...process.env, KUBECONFIG: kubeconfig },
            encoding: "utf8",
        }),
    ) as {
        clusters: { cluster: Record<string, string> }[];
        users: { user: Record<string, string> }[];
    };
    const cluster = view.clusters[0]!.cluster;
    const user = view.users[0]!.user;
    const material = (o: Record<string, string>, key: string) =>
        o[`${key}-data`] ? Buffer.from(o[`${key}-data`]!, "base64") : readFileSync(o[key]!);
    return {
        server: new URL(cluster.server!),
        agent: new https.Agent({
            keepAlive: true,
            ca: material(cluster, "certificate-authority"),
            cert: material(user, "client-certificate"),
            key: material(user, "client-key"),
        }),
    };
}

function request(c: Connection, call: Call) {
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
        const body = call.body !== undefined ? JSON.stringify(call.body) : undefined;
        const req = https.request(
            {
                host: c.server.hostname,
                port: c.server.port,
                path: call.path,
                method: call.method,
                agent: c.agent,
                timeout: 10_000,
                headers: {
                    accept: "application/json",
                    ...(body ? { "content-type": call.contentType ?? "application/json" } : {}),
                },
            },
            (res) => {
                let text = "";
                res.setEncoding("utf8");
                res.on("data", (d: string) => (text += d));
                res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
            },
        );
        req.on("timeout", () => req.destroy(new Error(`${call.method} ${call.path}: timed out`)));
        req.on("error", reject);
        req.end(body);
    });
}

/** The items of a list; none when the type is not served yet (its CRD comes with a chart). */
async function list<T = Item>(c: Connection, listPath: string): Promise<T[]> {
    const r = await request(c, { method: "GET", path: listPath });
    if (r.status === 404) return [];
    if (r.status !== 200) throw new Error(`GET ${listPath}: ${r.status} ${r.body.slice(0, 200)}`);
    return (JSON.parse(r.body) as { items?: T[] }).items ?? [];
}

async function send(c: Connection, calls: readonly Call[]): Promise<void> {
    for (const call of calls) {
        const r = await request(c, call);
        // A conflict or a gone object is settled by the next pass, as a controller's requeue would.
        if (r.status >= 300 && r.status !== 404 && r.status !== 409)
            console.error(`${call.method} ${call.path}: ${r.status} ${r.body.slice(0, 200)}`);
    }
}

/** A self-signed CA for the webhook configurations; the API server never calls those webhooks. */
function caBundle(dir: string): string {
    mkdirSync(dir, { recursive: true });
    const crt = path.join(dir, "ca.crt");
    execFileSync(
        "openssl",
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=simulated-cainjector",
            "-keyout",
            path.join(dir, "ca.key"),
            "-out",
            crt,
        ],
        { stdio: "ignore" },
    );
    return readFileSync(crt).toString("base64");
}

async function main(): Promise<void> {
    const kubeconfig = process.argv[2];
    if (!kubeconfig) throw new Error("usage: controllers.ts KUBECONFIG");
    const c = connect(kubeconfig);
    // In the cluster folder, which down.sh removes.
    const bundle = caBundle(path.join(path.dirname(kubeconfig), "simulated-ca"));
    let next = 10;
    for (;;) {
        try {
            const lb = loadBalancerCalls(await list(c, "/api/v1/services"), next);
            next = lb.next;
            await send(c, lb.calls);
            const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
            for (const kind of AWAITED)
                await send(
                    c,
                    readyCalls(kind, await list(c, `/apis/${kind.group}/${kind.version}/${kind.plural}`), now),
                );
            for (const kind of WEBHOOK_KINDS)
                await send(
                    c,
                    caBundleCalls(kind, await list(c, `/apis/admissionregistration.k8s.io/v1/${kind}`), bundle),
                );
            await send(c, volumeCalls(await list(c, "/api/v1/persistentvolumeclaims")));
            await send(c, releasedVolumeCalls(await list(c, "/api/v1/persistentvolumes")));
        } catch (e) {
            // The API server restarting or not up yet: try again next pass.
            console.error((e as Error).message);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
});
