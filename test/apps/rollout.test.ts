import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { renderStack, RenderResult, ROOT } from "../../render/render";
import { rendered } from "../rendered";
import { find } from "./fixtures";

describe("editing a config file in the stack file", () => {
    it("changes uploader's pod template (so its pods roll) and no other app's", async () => {
        const text = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        expect(text).toContain("client_max_body_size 20m;");
        const file = path.join(mkdtempSync(path.join(tmpdir(), "rollout-")), "Pulumi.dev.yaml");
        writeFileSync(file, text.replace("client_max_body_size 20m;", "client_max_body_size 50m;"));
        const before = await rendered("dev");
        const after = await renderStack({ stack: "dev", stackFile: file, secrets: before.secrets });
        const template = (r: RenderResult, app: string) =>
            (find(r.objects, "Deployment", app) as any[]).find((d) => d.metadata.namespace === app).spec.template;
        expect(template(after, "uploader")).not.toEqual(template(before, "uploader"));
        expect(template(after, "uploader").metadata.annotations["platform/config-hash"]).not.toBe(
            template(before, "uploader").metadata.annotations["platform/config-hash"],
        );
        const cm = (r: RenderResult) => (find(r.objects, "ConfigMap", "uploader-files")[0] as any).data;
        expect(JSON.stringify(cm(after))).toContain("50m");
        for (const app of ["plarail", "vote", "scoreserver"])
            expect(template(after, app)).toEqual(template(before, app));
    });
});

/** The most pods a Deployment runs at once while it rolls out a new template. */
function podsDuringRollout(d: any): number {
    const replicas: number = d.spec.replicas ?? 1;
    const strategy = d.spec.strategy ?? { type: "RollingUpdate" };
    if (strategy.type === "Recreate") return replicas;
    // Kubernetes' default surge is 25%, rounded up.
    const surge = strategy.rollingUpdate?.maxSurge ?? "25%";
    const extra = typeof surge === "number" ? surge : Math.ceil((replicas * parseInt(surge, 10)) / 100);
    return replicas + extra;
}

describe("an app that must run once (singleReplicaReason)", () => {
    it.each(["dev", "prd"] as const)("never runs two pods on %s, not even while it rolls", async (stack) => {
        const r = await rendered(stack);
        const once = r.objects.filter(
            (o: any) =>
                o.kind === "Deployment" &&
                o.metadata.namespace === "plarail" &&
                o.metadata.annotations?.["platform/single-replica"] !== undefined,
        );
        // plarail holds the one gRPC session to the train controller in both stack files.
        expect(once.map((d) => d.metadata.name)).toEqual(["plarail"]);
        for (const d of once) expect(podsDuringRollout(d)).toBe(1);
    });

    it("a Deployment that may run two keeps serving while it rolls", async () => {
        const r = await rendered("prd");
        const vote = find(r.objects, "Deployment", "vote")[0] as any;
        expect(vote.spec.strategy.type).toBe("RollingUpdate");
        expect(vote.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    });
});
