import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { Loose, specOf } from "./loose";
import { renderStack, RenderResult, ROOT } from "../../render/render";
import { rendered } from "../rendered";

/** Flux kinds and the API version each must use: the current stable one, v1beta3 only where no v1 exists. */
const FLUX_API: Record<string, string> = {
    GitRepository: "source.toolkit.fluxcd.io/v1",
    Kustomization: "kustomize.toolkit.fluxcd.io/v1",
    ImageRepository: "image.toolkit.fluxcd.io/v1",
    ImagePolicy: "image.toolkit.fluxcd.io/v1",
    ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1",
    Provider: "notification.toolkit.fluxcd.io/v1beta3",
    Alert: "notification.toolkit.fluxcd.io/v1beta3",
};

/** A copy of a stack file with its `platform:gitops` section replaced. */
function variant(stack: string, gitopsYaml: string): string {
    const text = readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    const cut = text.indexOf("  platform:gitops:");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "gitops-")), `Pulumi.${stack}.yaml`);
    writeFileSync(file, `${cut < 0 ? text : text.slice(0, cut)}  platform:gitops:\n${gitopsYaml}`);
    return file;
}

describe("the gitops layer in the rendered stacks", () => {
    const shared: Record<string, RenderResult> = {};
    beforeAll(async () => {
        shared.dev = await rendered("dev");
        shared.prd = await rendered("prd");
    });

    it.each(["dev", "prd"])(
        "%s renders Flux, its source, the sync and the automation with no schema errors",
        async (stack) => {
            const r = shared[stack]!;
            expect(r.errors).toEqual([]);
            expect(r.charts.map((c) => c.chart)).toContain("flux2");
            const kinds = r.objects.map((o) => o.kind);
            for (const kind of ["GitRepository", "Kustomization", "ImageUpdateAutomation"])
                expect(kinds).toContain(kind);
            for (const o of r.objects) {
                if (FLUX_API[o.kind]) expect(`${o.kind} ${o.apiVersion}`).toBe(`${o.kind} ${FLUX_API[o.kind]}`);
            }
            const ks = r.objects.find((o) => o.kind === "Kustomization")!;
            expect(specOf(ks).path).toBe(`./clusters/${stack}`);
            expect(specOf(r.objects.find((o) => o.kind === "ImageUpdateAutomation")!).git.push.branch).toBe(
                `flux/image-updates-${stack}`,
            );
        },
    );

    it("without GitHub credentials outputs the deploy public key and registers nothing on GitHub", async () => {
        const r = shared.dev!;
        expect(r.outputs.gitopsDeployKey).toMatch(/^ssh-ed25519 \S+/);
        expect(r.outputSecrets.gitopsDeployKey).toBe(false);
        expect(r.resources.filter((x) => x.type.includes("github"))).toEqual([]);
        expect(JSON.stringify([r.objects, r.charts, r.outputs])).not.toContain("PRIVATE KEY");
    });

    it("prd posts Flux events to Discord through a Provider and Alert", async () => {
        const r = shared.prd!;
        const provider = r.objects.find((o) => o.kind === "Provider")!;
        expect(specOf(provider).type).toBe("discord");
        expect(r.objects.some((o) => o.kind === "Alert")).toBe(true);
    });

    it("dev has no notification objects while notifications are unset", async () => {
        const r = shared.dev!;
        expect(r.objects.filter((o) => o.kind === "Provider" || o.kind === "Alert")).toEqual([]);
    });

    it("registers the key on GitHub and posts to Slack when configured, secrets kept out of the output", async () => {
        const stackFile = variant(
            "dev",
            [
                "    enabled: true",
                "    repository:",
                "      url: ssh://git@github.com/example-club/platform",
                "    registerDeployKey: true",
                "    notifications:",
                "      type: slack",
                "      channel: deploys",
                "",
            ].join("\n"),
        );
        const hook = "https://hooks.slack.com/services/T1/B1/secretpart";
        const r = await renderStack({
            stack: "dev",
            stackFile,
            secrets: { gitopsGithubToken: "ghp_rendertoken", gitopsWebhookUrl: hook },
        });
        expect(r.errors).toEqual([]);
        expect(
            r.resources.filter((x) => x.type === "github:index/repositoryDeployKey:RepositoryDeployKey"),
        ).toHaveLength(1);
        expect(specOf(r.objects.find((o) => o.kind === "Provider")!).channel).toBe("deploys");
        const written = JSON.stringify([r.objects, r.charts, r.outputs]);
        expect(written).not.toContain("secretpart");
        expect(written).not.toContain("ghp_rendertoken");
    });

    it("on a cluster the program does not create, makes no Google identity and leaves the reflector unannotated", async () => {
        const stackFile = variant(
            "local",
            "    enabled: true\n    repository:\n      url: ssh://git@github.com/example-club/platform\n",
        );
        const r = await renderStack({ stack: "dev", stackFile });
        expect(r.errors).toEqual([]);
        expect(r.resources.filter((x) => x.type.startsWith("gcp:"))).toEqual([]);
        const values = r.charts.find((c) => c.chart === "flux2")!.values as Loose;
        expect(values.imageReflectionController.serviceAccount.annotations).toEqual({});
        expect(r.outputs.gitopsDeployKey).toMatch(/^ssh-ed25519 /);
    });

    it("on GKE binds the reflector's service account to a Google one that may read Artifact Registry", async () => {
        const r = shared.dev!;
        const grants = r.resources.filter(
            (x) => x.type === "gcp:projects/iAMMember:IAMMember" && x.name.startsWith("gitops"),
        );
        expect(grants.map((g) => g.inputs.role)).toEqual(["roles/artifactregistry.reader"]);
        const values = r.charts.find((c) => c.chart === "flux2")!.values as Loose;
        expect(values.imageReflectionController.serviceAccount.annotations["iam.gke.io/gcp-service-account"]).toMatch(
            /^flux-image-reflector@clubplatform-dev\.iam\.gserviceaccount\.com$/,
        );
    });
});
