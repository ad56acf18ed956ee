import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { Preview } from "../../components/apps/preview";
import { ConfigError, parseOrThrow } from "../../config/errors";
import { stackSchema } from "../../config/schema";
import { branchLabel, devStackProblems, previewHost, previewNamespace } from "../../config/sections/preview";
import { redact, unwrapSecrets } from "../../render/redact";
import { previewProblems } from "../../render/preview-checks";
import { renderStack, ROOT } from "../../render/render";
import { recordResources } from "../harness";
import { FakePublisher, find, parseApp, stackConfig } from "./fixtures";

const BRANCH = "Feature/New_UI.v2";
const BRANCH_IMAGE = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:abc1234-20261120093000";

/** A dev-br-* stack file as `pulumi config cp` from dev plus the preview keys would leave it. */
function previewStackFile(preview: string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "preview-"));
    const file = path.join(dir, "Pulumi.dev-br-x.yaml");
    writeFileSync(file, `${readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")}  platform:preview:\n${preview}`);
    return file;
}

const GOOD = `    app: vote
    branch: ${BRANCH}
    devStack: organization/platform/dev
    images:
      web: ${BRANCH_IMAGE}
`;

describe("branch names", () => {
    it("turns a branch into a DNS label", () => {
        expect(branchLabel("Feature/New_UI.v2")).toBe("feature-new-ui-v2");
        expect(branchLabel("fix--double//slash")).toBe("fix-double-slash");
        expect(branchLabel("-leading/and/trailing-")).toBe("leading-and-trailing");
        expect(previewHost("main", "dev.example.org")).toBe("main--g.dev.example.org");
        expect(previewNamespace("vote", "feature/x")).toBe("vote-br-feature-x");
    });

    it("shortens a long branch with a hash so two long branches stay apart", () => {
        const a = branchLabel(`feature/${"a".repeat(80)}-one`);
        const b = branchLabel(`feature/${"a".repeat(80)}-two`);
        expect(a.length).toBeLessThanOrEqual(60);
        expect(a).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(a).not.toBe(b);
        expect(previewNamespace("scoreserver", `feature/${"b".repeat(80)}`).length).toBeLessThanOrEqual(63);
    });

    it("rejects a branch with no usable characters, or characters git and DNS do not share, clearly", () => {
        expect(() => branchLabel("///")).toThrow(/has no letters or digits/);
        expect(() => branchLabel("feature/日本語")).toThrow(/characters other than letters, digits/);
    });
});

describe("a dev-br-<branch> preview stack", () => {
    let r: Awaited<ReturnType<typeof renderStack>>;
    beforeAll(async () => {
        r = await renderStack({ stack: "dev-br-x", stackFile: previewStackFile(GOOD) });
    });

    it("renders valid objects into its own namespace on the dev cluster only", () => {
        expect(r.errors).toEqual([]);
        const namespaces = new Set(r.objects.map((o) => o.metadata.namespace ?? o.metadata.name));
        expect([...namespaces]).toEqual(["vote-br-feature-new-ui-v2"]);
        expect(r.resources.filter((x) => x.type.startsWith("gcp:container"))).toHaveLength(0);
        expect(r.outputs.preview).toEqual({
            app: "vote",
            branch: BRANCH,
            namespace: "vote-br-feature-new-ui-v2",
            url: "https://feature-new-ui-v2--g.dev.example.org",
        });
    });

    it("talks to the cluster through the dev stack's kubeconfig output (StackReference)", () => {
        const providers = r.resources.filter((x) => x.type === "pulumi:providers:kubernetes");
        expect(providers).toHaveLength(1);
        const kubeconfig = (unwrapSecrets(providers[0]!.inputs) as any).kubeconfig as string;
        expect(kubeconfig).toContain("gke-platform-dev-render");
        // The dev stack exports it as a secret, and it stays one here.
        expect((redact(providers[0]!.inputs) as any).kubeconfig).toBe("[secret]");
        const ns = r.resources.find((x) => x.type === "kubernetes:core/v1:Namespace")!;
        expect(ns.provider).toContain(providers[0]!.urn);
    });

    it("keeps its objects when the dev kubeconfig changes, and lets go of them when the dev cluster is gone", async () => {
        const [provider] = r.resources.filter((x) => x.type === "pulumi:providers:kubernetes");
        // Constant and plain: only another dev stack replaces the provider (and the preview's objects).
        expect(provider!.inputs.clusterIdentifier).toBe("stack:organization/platform/dev");
        expect(provider!.inputDependsOn.clusterIdentifier).toBeUndefined();
        expect(provider!.inputs.deleteUnreachable).toBe("true");
        const preview = await renderStack({ stack: "dev-br-x", stackFile: previewStackFile(GOOD), preview: true });
        expect(previewProblems(preview.resources)).toEqual([]);
    });

    it("sleeps when idle: Sablier labels on every workload and its middleware with the dev stack's URL", () => {
        const workloads = r.objects.filter((o) => o.kind === "Deployment" || o.kind === "StatefulSet") as any[];
        expect(workloads.map((w) => w.metadata.name).sort()).toEqual(["vote", "vote-redis"]);
        for (const w of workloads) {
            expect(w.metadata.labels["sablier.enable"]).toBe("true");
            expect(w.metadata.labels["sablier.group"]).toBe("vote-br-feature-new-ui-v2");
            expect(w.spec.replicas).toBeUndefined();
        }
        const [mw] = find(r.objects, "Middleware", "sablier") as any[];
        expect(mw.apiVersion).toBe("traefik.io/v1alpha1");
        expect(mw.spec.plugin.sablier).toMatchObject({
            sablierUrl: "http://sablier.sablier.svc.cluster.local:10000",
            group: "vote-br-feature-new-ui-v2",
            sessionDuration: "30m",
        });
    });

    it("runs the branch's image, one pod, no autoscaler or disruption budget", () => {
        const [d] = find(r.objects, "Deployment", "vote") as any[];
        expect(d.spec.template.spec.containers[0].image).toBe(BRANCH_IMAGE);
        expect(r.objects.filter((o) => ["HorizontalPodAutoscaler", "PodDisruptionBudget"].includes(o.kind))).toEqual(
            [],
        );
    });
});

describe("the dev stack's name", () => {
    const withDevStack = (devStack: string) => previewStackFile(GOOD.replace("organization/platform/dev", devStack));

    it("is refused with another organization on a self-managed backend (only `organization` exists there)", async () => {
        const err = await renderStack({
            stack: "dev-br-x",
            stackFile: withDevStack("clubplatform/platform/dev"),
        }).catch((e: Error) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).problems).toEqual([
            expect.stringMatching(
                /^preview.devStack: "clubplatform\/platform\/dev" names organization clubplatform, not this backend's \(organization\): a self-managed backend/,
            ),
        ]);
    });

    it("is refused in another project, or in the ambiguous two-part form", async () => {
        const other = await renderStack({ stack: "dev-br-x", stackFile: withDevStack("organization/other/dev") }).catch(
            (e: Error) => e,
        );
        expect((other as ConfigError).problems).toEqual([expect.stringMatching(/names project other/)]);
        const two = await renderStack({ stack: "dev-br-x", stackFile: withDevStack("platform/dev") }).catch(
            (e: Error) => e,
        );
        expect((two as ConfigError).problems).toEqual([
            expect.stringMatching(/^preview.devStack: "platform\/dev" is not a stack name/),
        ]);
    });

    it("may be the bare stack name, which means this project's on any backend", async () => {
        const r = await renderStack({ stack: "dev-br-x", stackFile: withDevStack("dev") });
        expect(r.errors).toEqual([]);
        const provider = r.resources.find((x) => x.type === "pulumi:providers:kubernetes")!;
        expect(provider.inputs.clusterIdentifier).toBe("stack:dev");
    });

    it("is checked against the organization a Pulumi Cloud backend reports", () => {
        expect(
            devStackProblems("clubplatform/platform/dev", { project: "platform", organization: "clubplatform" }),
        ).toEqual([]);
        expect(devStackProblems("acme/platform/dev", { project: "platform", organization: "clubplatform" })).toEqual([
            expect.stringMatching(/names organization acme, not this backend's \(clubplatform\)$/),
        ]);
    });
});

describe("preview config errors", () => {
    const good = { app: "vote", branch: BRANCH, devStack: "organization/platform/dev", images: { web: BRANCH_IMAGE } };
    /** The dev stack's config in the schema's shape, plus a preview section. */
    function problems(preview: Record<string, unknown>, environment = "dev"): string[] {
        const raw: Record<string, any> = { gcp: {} };
        for (const [key, value] of Object.entries(stackConfig("dev"))) {
            const [ns, name] = key.split(":") as [string, string];
            if (ns === "platform") raw[name] = value;
            else raw.gcp[name] = value;
        }
        raw.environment = environment;
        raw.preview = preview;
        try {
            parseOrThrow(stackSchema, raw);
            return [];
        } catch (e) {
            return [...(e as ConfigError).problems];
        }
    }

    it("accepts the good one", () => expect(problems(good)).toEqual([]));
    it.each([
        ["an unknown app", { ...good, app: "votes" }, /^preview\.app: "votes" is not an app of this stack/],
        [
            "a branch with no DNS label",
            { ...good, branch: "///" },
            /^preview\.branch: "\/\/\/" cannot name a preview: .*no letters or digits/,
        ],
        [
            "a non-ASCII branch",
            { ...good, branch: "feature/日本語" },
            /^preview\.branch: .* cannot name a preview: .*characters other than/,
        ],
        [
            "an image for a container the app lacks",
            { ...good, images: { api: BRANCH_IMAGE } },
            /^preview\.images\.api: "api" is not a container of app vote/,
        ],
        [
            "a bad branch image",
            { ...good, images: { web: "vote" } },
            /^preview\.images\.web: "vote" is not an image reference/,
        ],
    ])("rejects %s", (_what, preview, message) => {
        expect(problems(preview)).toEqual([expect.stringMatching(message)]);
    });
    it("rejects a preview on prd", () => {
        expect(problems(good, "prd")).toContainEqual(
            expect.stringMatching(/^environment: "prd" must be dev for a branch preview stack/),
        );
    });
});

describe("Preview component", () => {
    it("publishes <branch>--g.<domain> behind GitHub login with the Sablier middleware", async () => {
        const publisher = new FakePublisher("dev.example.org");
        const spec = parseApp({
            containers: [{ name: "web", image: BRANCH_IMAGE, port: 8080 }],
            hosts: [{ host: "vote.dev.example.org", auth: "public", websockets: true }],
            replicas: 3,
        });
        await recordResources(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            return new Preview("preview", {
                provider,
                app: "vote",
                spec,
                branch: "feature/x",
                namespace: previewNamespace("vote", "feature/x"),
                host: previewHost("feature/x", "dev.example.org"),
                traefikNamespace: "edge",
                sablierUrl: "http://sablier.sablier.svc.cluster.local:10000",
                idleAfter: "15m",
                publisher,
            });
        });
        expect(publisher.calls).toHaveLength(1);
        const route = publisher.calls[0]!.spec;
        expect(route.host).toBe("feature-x--g.dev.example.org");
        expect(route.auth).toBe("github");
        expect(route.namespace).toBe("vote-br-feature-x");
        expect(route.middlewares).toEqual([{ name: "sablier", namespace: "vote-br-feature-x" }]);
    });
});
