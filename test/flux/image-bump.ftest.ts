// The image-automation loop with Flux's own code: the real image-automation-controller (v0.41.2,
// API image.toolkit.fluxcd.io/v1beta2, built from its Go module) against a kube-apiserver + etcd
// and a git server on 127.0.0.1, fed the objects `npm run render -- --stack dev` declares. Run by
// scripts/ci/flux-loop.sh, which builds (or finds cached) what it needs and sets:
//   FLUX_IAC_DIR   bin/image-automation-controller and crds/ (scripts/tools/build-flux-iac.sh)
//   KUBE_BIN_DIR   kube-apiserver and kubectl;  ETCD_BIN  etcd
import { ChildProcess, execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Options } from "prettier";
import * as yamlPlugin from "prettier/plugins/yaml";
import * as prettier from "prettier/standalone";
import { parseImageFile } from "../../config/images";
import { setterMarker, setterMarkerProblems } from "../../components/gitops/setter-markers";
import { renderStack, ROOT } from "../../render/render";
import type { KubeObject } from "../../render/objects";
import { ControlPlane, logTail, startControlPlane, startLogged, waitFor } from "./control-plane";
import { GitServer, startGitServer } from "./git-server";

const env = (name: string) => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run this through scripts/ci/flux-loop.sh`);
    return v;
};

const POLICY = "plarail-server-dev";
const REPOSITORY = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail";
const OLD_TAG = "3f2a9c1-20211120093000";
/** Whether `prettier --check` (this repository's options for YAML) accepts the text. */
async function prettierAccepts(text: string): Promise<boolean> {
    const rc = JSON.parse(readFileSync(path.join(ROOT, ".prettierrc.json"), "utf8")) as Options & {
        overrides?: { files: string | string[]; options: Options }[];
    };
    const { overrides = [], ...base } = rc;
    const forYaml = overrides
        .filter((o) => [o.files].flat().includes("*.yaml"))
        .reduce((acc, o) => ({ ...acc, ...o.options }), {});
    return prettier.check(text, { ...base, ...forYaml, parser: "yaml", plugins: [yamlPlugin] });
}

/** A new `{sha}-{timestamp}` tag, as an app's CI pushes it. */
const NEW_TAG = "8d41e07-20261130120000";
const PUSH_BRANCH = "flux/image-updates-dev";
/** The control: the old layout, a marker in the stack file, under its own update path. */
const CONTROL_BRANCH = "flux/stack-file-control";

let work: string;
let plane: ControlPlane | undefined;
let children: ChildProcess[] = [];
let server: GitServer | undefined;
let controller: ChildProcess | undefined;
let bare: string;
const git = (args: string[], cwd = bare) =>
    execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
const branchExists = (b: string) => git(["for-each-ref", `refs/heads/${b}`]) !== "";
/** A file at a ref, byte for byte (git() trims). */
const show = (ref: string, file: string) =>
    execFileSync("git", ["show", `${ref}:${file}`], { cwd: bare, encoding: "utf8" });

/** Pulumi.dev.yaml as it was before the image file: plarail's image line, with its marker, under its container. */
function stackFileWithImageLine(): string {
    const text = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    const line = `          image: ${REPOSITORY}:${OLD_TAG} ${setterMarker("dev", "plarail", "server")}`;
    const at = text.indexOf("        - name: server\n");
    if (at < 0) throw new Error("Pulumi.dev.yaml has no plarail server container");
    const end = at + "        - name: server\n".length;
    return `${text.slice(0, end)}${line}\n${text.slice(end)}`;
}

/** A copy of this repository's tracked files as they are in the work tree, one commit on `main`. */
function snapshotRepository(into: string): void {
    const src = path.join(into, "src");
    mkdirSync(src, { recursive: true });
    const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" }).split("\0").filter(Boolean);
    for (const f of files) {
        try {
            cpSync(path.join(ROOT, f), path.join(src, f), { recursive: false });
        } catch {
            // deleted in the work tree
        }
    }
    // The control: the old layout, dev's stack file with plarail's image line (and marker) back in it.
    mkdirSync(path.join(src, "control"));
    writeFileSync(path.join(src, "control", "Pulumi.dev.yaml"), stackFileWithImageLine());
    const id = ["-c", "user.name=loop", "-c", "user.email=loop@example.org"];
    git(["init", "-q", "-b", "main"], src);
    git(["add", "-A"], src);
    git([...id, "commit", "-q", "-m", "snapshot of the platform repository"], src);
    bare = path.join(into, "git", "platform.git");
    execFileSync("git", ["clone", "-q", "--bare", src, bare]);
}

/** Render's objects of a kind, as the v1beta2 API the controller serves reads them. */
function rendered(objects: readonly KubeObject[], kind: string): KubeObject[] {
    return objects
        .filter((o) => o.kind === kind)
        .map((o) => ({ ...o, apiVersion: o.apiVersion.replace(/\/v1$/, "/v1beta2") }) as KubeObject);
}

function apply(objects: readonly unknown[]): void {
    plane!.kubectl(["apply", "-f", "-"], JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }));
}

function automationStatus(name: string): Record<string, any> {
    return (
        JSON.parse(plane!.kubectl(["get", "imageupdateautomation", name, "-n", "flux-system", "-o", "json"])).status ??
        {}
    );
}

function diagnostics(): string {
    return `--- controller log ---\n${logTail(work, "image-automation-controller", 40)}`;
}

beforeAll(async () => {
    const iac = env("FLUX_IAC_DIR");
    const kubeBin = env("KUBE_BIN_DIR");
    work = mkdtempSync(path.join(tmpdir(), "flux-loop-"));

    // What the program declares for dev: the GitRepository, the ImagePolicies, the automation.
    const dev = await renderStack({ stack: "dev" });
    expect(dev.errors).toEqual([]);

    snapshotRepository(work);
    server = await startGitServer(path.join(work, "git"));
    const started = await startControlPlane(path.join(work, "cluster"), {
        etcd: env("ETCD_BIN"),
        apiserver: path.join(kubeBin, "kube-apiserver"),
        kubectl: path.join(kubeBin, "kubectl"),
    });
    plane = started.plane;
    children = started.children;

    const crds = path.join(iac, "crds");
    for (const f of readdirSync(crds)) plane.kubectl(["apply", "--server-side", "-f", path.join(crds, f)]);
    plane.kubectl(["wait", "--for=condition=Established", "crd", "--all", "--timeout=60s"]);
    plane.kubectl(["create", "namespace", "flux-system"]);

    // The platform GitRepository, pointed at the loopback server (no deploy key over plain HTTP).
    const [source] = dev.objects.filter((o) => o.kind === "GitRepository");
    const spec: Record<string, unknown> = { ...(source!.spec as object), url: `${server.url}/platform.git` };
    delete spec.secretRef;
    apply([{ ...source, spec }]);
    const policies = rendered(dev.objects, "ImagePolicy");
    expect(policies.map((p) => p.metadata.name)).toContain(POLICY);
    apply(policies);
    // What image-reflector-controller records on seeing the new tag (v1beta2: latestImage, latestRef).
    const status = {
        status: { latestImage: `${REPOSITORY}:${NEW_TAG}`, latestRef: { name: REPOSITORY, tag: NEW_TAG } },
    };
    plane.kubectl([
        "patch",
        "imagepolicy",
        POLICY,
        "-n",
        "flux-system",
        "--subresource=status",
        "--type=merge",
        "-p",
        JSON.stringify(status),
    ]);

    controller = startLogged(
        work,
        "image-automation-controller",
        path.join(iac, "bin", "image-automation-controller"),
        [
            "--metrics-addr=127.0.0.1:0",
            "--health-addr=127.0.0.1:0",
            "--enable-leader-election=false",
            "--watch-all-namespaces=true",
            "--log-level=debug",
        ],
        { KUBECONFIG: plane.kubeconfig },
    );
    children.push(controller);

    // The automation exactly as rendered (update.path, push branch, message template), and the
    // control: the same automation over the stack-file-shaped document.
    const [automation] = rendered(dev.objects, "ImageUpdateAutomation") as any[];
    const control = structuredClone(automation);
    control.metadata.name = "stack-file-control";
    control.spec.update.path = "./control";
    control.spec.git.push.branch = CONTROL_BRANCH;
    apply([automation, control]);

    await waitFor(`a push to ${PUSH_BRANCH}`, () => branchExists(PUSH_BRANCH) || undefined, 180_000).catch(
        (e: Error) => {
            throw new Error(`${e.message}\n${diagnostics()}`);
        },
    );
    // The control has run once it has observed the policies and the source revision.
    await waitFor(
        "the control automation to finish a run",
        () => {
            const st = automationStatus("stack-file-control");
            return (st.observedSourceRevision && st.observedPolicies?.[POLICY]?.tag === NEW_TAG) || undefined;
        },
        120_000,
    ).catch((e: Error) => {
        throw new Error(`${e.message}\n${diagnostics()}`);
    });
}, 600_000);

afterAll(async () => {
    await server?.close();
    await plane?.stop();
    if (work && process.env.FLUX_LOOP_KEEP !== "1") rmSync(work, { recursive: true, force: true });
});

describe("Flux's image-automation-controller on the dev image file", () => {
    it(`pushes exactly one commit to ${PUSH_BRANCH}, on top of main`, () => {
        expect(git(["rev-list", "--count", `main..${PUSH_BRANCH}`])).toBe("1");
        expect(git(["rev-parse", `${PUSH_BRANCH}^`])).toBe(git(["rev-parse", "main"]));
        expect(git(["rev-list", "--count", `${PUSH_BRANCH}..main`])).toBe("0");
    });

    it("changes only images/dev.yaml, and in it only the bumped image's tag", () => {
        expect(git(["diff", "--name-only", "main", PUSH_BRANCH]).split("\n")).toEqual(["images/dev.yaml"]);
        const before = show("main", "images/dev.yaml");
        const after = show(PUSH_BRANCH, "images/dev.yaml");
        // Byte for byte what was committed, but for the one tag: the committed layout is the one
        // kyaml writes back, so comments, order, indentation and quoting survive the rewrite.
        const expected = before.replace(`${REPOSITORY}:${OLD_TAG}`, `${REPOSITORY}:${NEW_TAG}`);
        expect(expected).not.toBe(before);
        expect(after).toBe(expected);
        const changed = before.split("\n").filter((line, i) => line !== after.split("\n")[i]);
        expect(changed).toEqual([expect.stringContaining(`    server: ${REPOSITORY}:${OLD_TAG} # {"$imagepolicy"`)]);
    });

    it("leaves a file the program still reads, with every marker in place", () => {
        const after = git(["show", `${PUSH_BRANCH}:images/dev.yaml`]);
        expect(parseImageFile(after, "images/dev.yaml").spec.plarail!.server).toBe(`${REPOSITORY}:${NEW_TAG}`);
        expect(setterMarkerProblems(after, "dev")).toEqual([]);
    });

    it("writes the commit the rendered template describes, as fluxcdbot", () => {
        const message = git(["log", "-1", "--format=%B", PUSH_BRANCH]);
        expect(message.split("\n")[0]).toBe("Bump app images (image-updates-dev)");
        expect(message).toContain(`- ${REPOSITORY}:${OLD_TAG} -> ${REPOSITORY}:${NEW_TAG}`);
        expect(git(["log", "-1", "--format=%an <%ae>", PUSH_BRANCH])).toBe(
            "fluxcdbot <fluxcdbot@users.noreply.github.com>",
        );
    });

    it("leaves the image file as Prettier formats it, so the bump pull request passes npm test", async () => {
        expect(await prettierAccepts(show(PUSH_BRANCH, "images/dev.yaml"))).toBe(true);
    });

    it("rewrites the whole file when the marker sits in the stack file (the old layout): why the images moved", async () => {
        // Same policy, same controller: the old layout does get a commit (kyaml reads the document
        // with its annotations), but kyaml re-serialises the whole stack file, so the bump drags
        // every flow mapping `{ cpu: 100m }` to `{cpu: 100m}` with it, which Prettier then rejects.
        const file = "control/Pulumi.dev.yaml";
        expect(git(["diff", "--name-only", "main", CONTROL_BRANCH])).toBe(file);
        const before = show("main", file).split("\n");
        const after = show(CONTROL_BRANCH, file).split("\n");
        const changed = before.filter((line, i) => line !== after[i]);
        expect(changed.filter((l) => l.includes(OLD_TAG))).toHaveLength(1);
        expect(changed.filter((l) => !l.includes(OLD_TAG)).length).toBeGreaterThan(5);
        expect(after).toContain("            requests: {cpu: 100m, memory: 64Mi}");
        expect(await prettierAccepts(after.join("\n"))).toBe(false);
    });
});
