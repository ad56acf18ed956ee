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
