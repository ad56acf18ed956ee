import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { duplicateImageName, ImageAutomation, ImageAutomationArgs } from "../../components/gitops/image-automation";
import { setterMarker, setterMarkerProblems } from "../../components/gitops/setter-markers";
import { kubeObjects } from "../../render/objects";
import { validateObjects } from "../../render/validate";
import { Loose, specOf } from "./loose";
import { recordResources } from "../harness";
import { IMAGES } from "./fixtures/images";

const IMAGE_REPOSITORY = "kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository";
const IMAGE_POLICY = "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy";

function build(over: Partial<ImageAutomationArgs> = {}) {
    return recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        // Stands in for the chart that installs the CRDs.
        const crds = new random.RandomId("crds", { byteLength: 4 });
        return new ImageAutomation("images", {
            provider,
            environment: "dev",
            images: IMAGES,
            branch: "main",
            updatePath: "./images",
            scanInterval: "5m",
            dependsOn: [crds],
            ...over,
        });
    });
}

describe("ImageAutomation", () => {
    it("creates one ImageRepository and one ImagePolicy per app image, named as the stack file's markers", async () => {
        const h = await build();
        const names = h
            .objects()
            .filter((o) => o.kind === "ImagePolicy")
            .map((o) => o.metadata.name);
        expect(names.sort()).toEqual(["plarail-server-dev", "uploader-api-dev", "vote-web-dev"]);
        expect(h.ofType(IMAGE_REPOSITORY)).toHaveLength(3);
        // An image file marked with these names passes the marker check: the names agree.
        const text = [
            "apiVersion: platform/v1",
            "kind: AppImages",
            "metadata:",
            "  name: dev",
            "spec:",
            ...IMAGES.flatMap((i) => [
                `  ${i.app}:`,
                `    ${i.container}: ${i.repository}:${i.tag} ${setterMarker("dev", i.app, i.container)}`,
            ]),
        ].join("\n");
        expect(setterMarkerProblems(text, "dev")).toEqual([]);
        for (const name of names) expect(text).toContain(`"flux-system:${name}"`);
    });

    it("reads Artifact Registry through Workload Identity (provider gcp), anything else as generic", async () => {
        const h = await build();
        expect(h.object("ImageRepository", "plarail-server-dev").spec).toMatchObject({
            image: "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/plarail",
            provider: "gcp",
            interval: "5m",
        });
        expect(specOf(h.object("ImageRepository", "vote-web-dev")).provider).toBe("gcp");
        const ghcr = h.object("ImageRepository", "uploader-api-dev").spec as Loose;
        expect(ghcr.provider).toBe("generic");
        expect(ghcr.secretRef).toBeUndefined();
        expect(h.objects().some((o) => o.kind === "Secret")).toBe(false);
    });

    it("orders {sha}-{timestamp} tags by the extracted timestamp, semver tags by the range", async () => {
        const h = await build();
        expect(h.object("ImagePolicy", "plarail-server-dev").spec).toEqual({
            imageRepositoryRef: { name: "plarail-server-dev" },
            filterTags: { pattern: "^[0-9a-f]{7,40}-(?P<ts>[0-9]{14})$", extract: "$ts" },
            policy: { numerical: { order: "asc" } },
        });
        expect(h.object("ImagePolicy", "uploader-api-dev").spec).toEqual({
            imageRepositoryRef: { name: "uploader-api-dev" },
            policy: { semver: { range: ">=1.0.0 <2.0.0" } },
        });
    });

    it("gives ghcr.io repositories a dockerconfigjson pull secret when credentials are given, kept secret", async () => {
        const h = await build({ ghcr: { username: "club-bot", token: pulumi.secret("ghp_testtoken123") } });
        const secret = h.object("Secret", "ghcr-pull");
        expect(secret.type).toBe("kubernetes.io/dockerconfigjson");
        expect(specOf(h.object("ImageRepository", "uploader-api-dev")).secretRef).toEqual({ name: "ghcr-pull" });
        expect(specOf(h.object("ImageRepository", "plarail-server-dev")).secretRef).toBeUndefined();
        expect(h.redactedText()).not.toContain("ghp_testtoken123");
        const raw = h.inputs(h.ofType("kubernetes:core/v1:Secret")[0]!).stringData[".dockerconfigjson"];
        const auth = JSON.parse(raw).auths["ghcr.io"].auth;
        expect(Buffer.from(auth, "base64").toString()).toBe("club-bot:ghp_testtoken123");
    });

    it("commits with the Setters strategy in the image file's folder only and pushes to a per-environment branch", async () => {
        const h = await build({ environment: "prd" });
        const spec = h.object("ImageUpdateAutomation", "image-updates-prd").spec as Loose;
        expect(spec.update).toEqual({ strategy: "Setters", path: "./images" });
        expect(spec.git.checkout.ref.branch).toBe("main");
        expect(spec.git.push.branch).toBe("flux/image-updates-prd");
        expect(spec.sourceRef).toEqual({ kind: "GitRepository", name: "platform" });
        // Only this environment's policies: the other stack file's markers stay untouched.
        const label = Object.entries(spec.policySelector.matchLabels);
        for (const p of h.objects().filter((o) => o.kind === "ImagePolicy")) {
            expect(Object.entries((p.metadata.labels ?? {}) as object)).toEqual(expect.arrayContaining(label));
        }
        expect(label).toEqual([[expect.any(String), "prd"]]);
    });

    it("still creates the automation when there are no images yet", async () => {
        const h = await build({ images: [] });
        expect(h.ofType(IMAGE_POLICY)).toHaveLength(0);
        expect(h.objects().map((o) => o.kind)).toEqual(["ImageUpdateAutomation"]);
    });

    it("waits for the CRDs before any custom resource", async () => {
        const h = await build();
        const crds = h.one("random:index/randomId:RandomId");
        for (const r of h.resources.filter((x) => x.type.startsWith("kubernetes:image.toolkit"))) {
            expect(r.dependsOn).toContain(crds.urn);
        }
    });

    it("produces objects that validate against the Flux CRD schemas", async () => {
        const h = await build({ ghcr: { username: "club-bot", token: pulumi.secret("t") } });
        expect(await validateObjects(kubeObjects(h.resources, true))).toEqual([]);
    });
});

describe("duplicateImageName", () => {
    it("names the policy two images would share, and nothing when all differ", () => {
        expect(duplicateImageName("dev", [IMAGES[0]!, { ...IMAGES[0]!, tag: "x" }])).toBe("plarail-server-dev");
        expect(duplicateImageName("dev", IMAGES)).toBeUndefined();
    });
});
