import * as pulumi from "@pulumi/pulumi";
import { CRD_TYPE, keepCrds } from "../../components/cluster/keep-crds";
import { renderStack } from "../../render/render";
import { sentinelSecrets } from "../stack-files";

/** A CRD as a chart's provider registers it (the program never declares one itself). */
const chartCrd = (): pulumi.ResourceTransformArgs => ({
    type: CRD_TYPE,
    name: "edge-traefik-chart:ingressroutes.traefik.io",
    custom: true,
    props: { metadata: { name: "ingressroutes.traefik.io" } },
    opts: {},
});

/** What the program's stack transforms make of a registration, applied in order. */
async function transformed(stack: "prd" | "local", args: pulumi.ResourceTransformArgs) {
    const { recording } = await renderStack({ stack, secrets: sentinelSecrets(stack) });
    expect(recording.stackTransforms.length).toBeGreaterThan(0);
    let current: pulumi.ResourceTransformArgs = args;
    for (const t of recording.stackTransforms) {
        const r = await t(current);
        if (r) current = { ...current, props: r.props, opts: r.opts };
    }
    return current.opts;
}

describe("CRDs from charts", () => {
    it("are retained on delete and protected on prd, through a transform the engine applies to chart children", async () => {
        expect(await transformed("prd", chartCrd())).toMatchObject({ retainOnDelete: true, protect: true });
    });

    it("are retained but not protected elsewhere", async () => {
        const opts = await transformed("local", chartCrd());
        expect(opts.retainOnDelete).toBe(true);
        expect(opts.protect).toBeUndefined();
    });

    it("leave every other resource alone", async () => {
        expect(
            await keepCrds({ protect: true })({ ...chartCrd(), type: "kubernetes:core/v1:ConfigMap" }),
        ).toBeUndefined();
    });
});
