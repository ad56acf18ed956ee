import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { record, UNKNOWN } from "../../render/recorder";

const run = (program: () => void, preview = false) =>
    record(
        async () => {
            program();
            return {};
        },
        { project: "platform", stack: "test", config: {}, secretKeys: [], preview },
    );

describe("the recorder", () => {
    it("records the lifecycle options of each registration", async () => {
        const { resources } = await run(() => {
            const ns = new k8s.core.v1.Namespace("ns", { metadata: { name: "a" } }, { retainOnDelete: true });
            new k8s.core.v1.ConfigMap(
                "cm",
                { metadata: { name: "cm", namespace: "a" } },
                {
                    ignoreChanges: ["data"],
                    deleteBeforeReplace: true,
                    replaceOnChanges: ["metadata.name"],
                    deletedWith: ns,
                    dependsOn: [ns],
                },
            );
        });
        const ns = resources.find((r) => r.name === "ns")!;
        const cm = resources.find((r) => r.name === "cm")!;
        expect(ns).toMatchObject({ retainOnDelete: true });
        expect(ns.deleteBeforeReplace).toBeUndefined();
        expect(cm).toMatchObject({
            retainOnDelete: false,
            ignoreChanges: ["data"],
            deleteBeforeReplace: true,
            replaceOnChanges: ["metadata.name"],
            deletedWith: ns.urn,
            explicitDependsOn: [ns.urn],
        });
    });

    it("tells explicit dependsOn from dependencies through inputs", async () => {
        const { resources } = await run(() => {
            const a = new k8s.core.v1.Namespace("a", { metadata: { name: "a" } });
            const b = new k8s.core.v1.Namespace("b", { metadata: { name: "b" } });
            new k8s.core.v1.ConfigMap(
                "cm",
                { metadata: { name: "cm", namespace: a.metadata.name } },
                { dependsOn: [b] },
            );
        });
        const [a, b, cm] = ["a", "b", "cm"].map((n) => resources.find((r) => r.name === n)!);
        expect(cm!.explicitDependsOn).toEqual([b!.urn]);
        expect(cm!.inputDependsOn).toEqual({ metadata: [a!.urn] });
        expect([...cm!.dependsOn].sort()).toEqual([a!.urn, b!.urn].sort());
    });

    it("in preview mode, leaves what a provider computes unknown and says where", async () => {
        const program = () => {
            const pw = new random.RandomPassword("pw", { length: 8 });
            new k8s.core.v1.ConfigMap("cm", {
                metadata: { name: "cm", labels: { known: "yes" } },
                data: { password: pw.result, length: pulumi.output(pw.length).apply(String) },
            });
        };
        const update = (await run(program)).resources.find((r) => r.name === "cm")!;
        expect(update.unknownInputs).toBeUndefined();
        const preview = (await run(program, true)).resources.find((r) => r.name === "cm")!;
        expect(preview.unknownInputs).toEqual(["data.password"]);
        expect((preview.inputs.data as Record<string, unknown>).length).toBe("8");
        expect(JSON.stringify(preview.inputs)).toContain(UNKNOWN);
    });
});
