import { isHelm } from "../../render/objects";
import { previewProblems } from "../../render/preview-checks";
import { rendered } from "../rendered";

// render --preview runs the program as the first `pulumi preview` does: every output a provider
// computes is unknown. What a real preview cannot show right must not be in the program.
describe.each(["dev", "prd", "local"] as const)("a preview-mode render of %s", (stack) => {
    it("has no chart with unknown values (a preview would show the whole chart deleted)", async () => {
        const r = await rendered(stack, "preview");
        const charts = r.resources.filter(isHelm);
        expect(charts.length).toBeGreaterThan(0);
        expect(previewProblems(charts)).toEqual([]);
    });

    it("has no Kubernetes provider with unknown config, and each has a constant clusterIdentifier", async () => {
        const r = await rendered(stack, "preview");
        const providers = r.resources.filter((x) => x.type === "pulumi:providers:kubernetes");
        expect(providers.length).toBeGreaterThan(0);
        expect(previewProblems(r.resources).filter((p) => p.startsWith("provider "))).toEqual([]);
        expect(r.errors).toEqual([]);
    });
});

describe("a preview-mode render", () => {
    it("really is a preview: outputs a provider computes are unknown", async () => {
        const r = await rendered("prd", "preview");
        // The node pools name the node service account by its email, which GCP assigns.
        const pool = r.resources.find((x) => x.type === "gcp:container/nodePool:NodePool")!;
        expect(pool.unknownInputs).toContain("nodeConfig.serviceAccount");
        const records = r.resources.filter((x) => x.type === "gcp:dns/recordSet:RecordSet");
        expect(records.some((x) => x.unknownInputs?.includes("rrdatas[0]"))).toBe(true);
    });
});
