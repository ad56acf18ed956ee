import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Preview } from "../components/apps/preview";
import { authMiddlewareRefs, authService, PREVIEW_AUTH } from "../components/edge/oauth2-proxy";
import { edgeRateLimits } from "../components/edge/hardening";
import { EdgePublisher } from "../components/edge/publisher";
import { BranchPreviewPlan } from "../config/plan";
import { OUTPUTS_VERSION } from "../contract/outputs";

/**
 * A `dev-br-<branch>` stack: one app's branch on the dev cluster, read through a StackReference to
 * the dev stack (its kubeconfig, its edge's preview auth middlewares, its Sablier server).
 */
export function branchPreview(plan: BranchPreviewPlan): Record<string, unknown> {
    const dev = new pulumi.StackReference("dev", { name: plan.devStack });
    const provider = new k8s.Provider("preview-k8s", {
        kubeconfig: dev.requireOutput("kubeconfig") as pulumi.Output<string>,
        enableServerSideApply: true,
        // The dev cluster, named by the dev stack: a kubeconfig that changes (a new endpoint, a
        // rotated CA) updates the provider instead of replacing every object of the preview.
        clusterIdentifier: `stack:${plan.devStack}`,
        // A preview outlives nothing: when the dev cluster is gone, `pulumi destroy` of the preview
        // stack drops its objects from state instead of failing on a cluster it cannot reach.
        deleteUnreachable: true,
    });
    const edge = plan.edgeNamespace;
    const publisher = new EdgePublisher({
        provider,
        domain: plan.domain,
        // The previews' own oauth2-proxy (components/edge/edge.ts): never the dev stack's session.
        authMiddlewares: authMiddlewareRefs(PREVIEW_AUTH, edge),
        authService: { ...authService(PREVIEW_AUTH), namespace: edge },
        rateLimits: edgeRateLimits(edge),
        dependsOn: [],
    });
    const preview = new Preview("preview", {
        ...plan.preview,
        provider,
        sablierUrl: dev.requireOutput("sablierUrl") as pulumi.Output<string>,
        publisher,
        gcp: plan.gcp,
    });
    return {
        outputsVersion: OUTPUTS_VERSION,
        environment: plan.environment,
        domain: plan.domain,
        preview: {
            app: plan.preview.app,
            branch: plan.preview.branch,
            namespace: preview.namespace,
            url: `https://${preview.host}`,
        },
    };
}
