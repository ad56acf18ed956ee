import { JOB_START_MARGIN_SECONDS } from "../../components/cluster/waits";
import { RecordedResource } from "../../render/recorder";
import { rendered } from "../rendered";

/** Pulumi's wait for a Job when no customTimeouts say otherwise. */
const DEFAULT_WAIT_SECONDS = 600;

const seconds = (d: string | undefined): number | undefined => {
    if (d === undefined) return undefined;
    const m = /^(\d+)(s|m|h)$/.exec(d);
    if (!m) throw new Error(`not a duration: ${d}`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
};
const ofKind = (resources: readonly RecordedResource[], kind: string) =>
    resources.filter((r) => r.custom && r.inputs.kind === kind);

describe.each(["dev", "prd", "local"] as const)("%s", (stack) => {
    it("waits for every Job longer than the Job may run (its deadline, plus a pod's start)", async () => {
        const { resources } = await rendered(stack);
        const jobs = ofKind(resources, "Job");
        expect(jobs.length).toBeGreaterThan(0);
        const short = jobs.flatMap((j) => {
            const deadline = Number((j.inputs.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds);
            const waits = ["create", "update"].map((k) => seconds(j.customTimeouts?.[k]) ?? DEFAULT_WAIT_SECONDS);
            return waits.every((w) => w >= deadline + JOB_START_MARGIN_SECONDS)
                ? []
                : [`${j.name}: deadline ${deadline}s, Pulumi waits ${waits.join("/")}s`];
        });
        expect(short).toEqual([]);
    });

    it("says for every ClusterIssuer, Certificate and GitRepository whether later steps wait for it Ready", async () => {
        const { resources } = await rendered(stack);
        const crs = ["ClusterIssuer", "Certificate", "GitRepository"].flatMap((k) => ofKind(resources, k));
        expect(crs.length).toBeGreaterThan(0);
        const undecided = crs.flatMap((r) => {
            const a = ((r.inputs.metadata as { annotations?: Record<string, string> }).annotations ?? {}) as Record<
                string,
                string
            >;
            if (a["pulumi.com/skipAwait"] === "true") return [];
            const bound = Number(a["pulumi.com/timeoutSeconds"]);
            const engine = ["create", "update"].map((k) => seconds(r.customTimeouts?.[k]));
            const agree = engine.every((e) => e !== undefined && e >= bound && e - bound < 60);
            return a["pulumi.com/waitFor"] === "condition=Ready" && bound > 0 && agree
                ? []
                : [`${r.inputs.kind as string} ${r.name}: ${JSON.stringify(a)} ${JSON.stringify(r.customTimeouts)}`];
        });
        expect(undecided).toEqual([]);
    });
});

describe("what waits for what", () => {
    it("issues the wildcard certificate only once the ClusterIssuer is Ready", async () => {
        const { resources } = await rendered("prd");
        const [issuer] = ofKind(resources, "ClusterIssuer");
        const [cert] = ofKind(resources, "Certificate");
        expect((issuer!.inputs.metadata as any).annotations["pulumi.com/waitFor"]).toBe("condition=Ready");
        expect(cert!.dependsOn).toContain(issuer!.urn);
    });
});
