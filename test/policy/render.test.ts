import * as k8s from "@pulumi/kubernetes";
import { renderStack } from "../../render/render";
import { goodDeployment, Loose } from "./fixtures";

/** A program declaring one Deployment, changed by `mutate`, in place of the project's. */
function programWith(mutate: (d: Record<string, Loose>) => void) {
    return async () => {
        const d = goodDeployment(mutate);
        new k8s.apps.v1.Deployment("web", d as k8s.apps.v1.DeploymentArgs);
        return {};
    };
}

describe("render runs the policy rules", () => {
    it("fails on a mandatory violation and shows an advisory one as a warning (dev levels)", async () => {
        const result = await renderStack({
            stack: "dev",
            program: programWith((d) => {
                d.spec.template.spec.hostNetwork = true; // mandatory everywhere
                d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false; // advisory on dev
            }),
        });
        expect(result.errors).toEqual([
            "[mandatory] pod-host-namespaces: Deployment vote/web: spec.template.spec.hostNetwork is true; pods must not share the node's namespaces",
        ]);
        expect(result.warnings).toEqual([
            "[advisory] pod-read-only-root-fs: Deployment vote/web: spec.template.spec.containers[web].securityContext.readOnlyRootFilesystem must be true",
        ]);
    });

    it("applies prd's levels to the prd stack", async () => {
        const result = await renderStack({
            stack: "prd",
            program: programWith((d) => {
                d.spec.replicas = 1; // no PDB needed
                d.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false;
            }),
        });
        expect(result.errors).toEqual([expect.stringMatching(/^\[mandatory\] pod-read-only-root-fs: /)]);
        expect(result.warnings).toEqual([]);
    });

    it("passes a compliant object", async () => {
        const result = await renderStack({ stack: "dev", program: programWith(() => {}) });
        expect(result.errors).toEqual([]);
        expect(result.warnings).toEqual([]);
    });
});
