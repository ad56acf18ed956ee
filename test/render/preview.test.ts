import { previewProblems } from "../../render/preview-checks";
import { UNKNOWN } from "../../render/recorder";
import { res } from "../policy/fixtures";

describe("previewProblems", () => {
    const cluster = res("gcp:container/cluster:Cluster", "gke-cluster", {});
    const provider = (inputs: Record<string, unknown>, kubeconfigFrom = [cluster.urn]) =>
        res("pulumi:providers:kubernetes", "k8s", inputs, {
            unknownInputs: Object.entries(inputs)
                .filter(([, v]) => v === UNKNOWN)
                .map(([k]) => k),
            inputDependsOn: { kubeconfig: kubeconfigFrom },
        });

    it("names a chart whose values hold an unknown", () => {
        const chart = res(
            "kubernetes:helm.sh/v4:Chart",
            "c",
            { values: { ip: UNKNOWN } },
            { unknownInputs: ["values.ip"] },
        );
        expect(previewProblems([chart])).toEqual([
            expect.stringMatching(/^kubernetes:helm.sh\/v4:Chart c: values.ip unknown/),
        ]);
    });

    it("allows the unknown kubeconfig of the stack's own new cluster, with a constant clusterIdentifier", () => {
        expect(
            previewProblems([cluster, provider({ kubeconfig: UNKNOWN, clusterIdentifier: "platform-prd" })]),
        ).toEqual([]);
    });

    it("refuses a provider without a clusterIdentifier, or with config unknown for another reason", () => {
        expect(previewProblems([cluster, provider({ kubeconfig: UNKNOWN })])).toEqual([
            expect.stringMatching(/^provider k8s: no constant clusterIdentifier/),
        ]);
        const other = res("pulumi:pulumi:StackReference", "dev", {});
        expect(
            previewProblems([other, provider({ kubeconfig: UNKNOWN, clusterIdentifier: "x" }, [other.urn])]),
        ).toEqual([expect.stringMatching(/^provider k8s: kubeconfig unknown in preview/)]);
    });
});
