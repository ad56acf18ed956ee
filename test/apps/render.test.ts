import { rendered } from "../rendered";

describe("render with the reference workloads", () => {
    it.each(["dev", "prd"] as const)("%s renders and every object validates against its schema", async (stack) => {
        const r = await rendered(stack);
        expect(r.errors).toEqual([]);
        for (const app of ["plarail", "vote", "uploader", "scoreserver"]) {
            const kinds = r.objects.filter((o) => o.metadata.namespace === app).map((o) => o.kind);
            expect(kinds).toEqual(expect.arrayContaining(["Deployment", "Service", "ResourceQuota", "LimitRange"]));
        }
    });
});
