import * as pulumi from "@pulumi/pulumi";

/** The type token a chart's CustomResourceDefinitions are registered with. */
export const CRD_TYPE = "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition";

/**
 * Keeps CustomResourceDefinitions when Pulumi would delete them: deleting a CRD deletes every
 * custom resource of its kind in the cluster (every Certificate, IngressRoute, ServiceMonitor,
 * GitRepository), so a chart removed, renamed or replaced must not take its CRDs along. Each CRD
 * gets `retainOnDelete`, and `protect` as well when asked (prd: a plan to delete one fails).
 *
 * The charts' CRDs are registered by the Kubernetes provider (helm.v4.Chart is a remote
 * component), not by this program, so only a transform the engine applies reaches them: a
 * `transforms` option (which the engine applies to a component's children, a remote one's
 * included) or, as index.ts does, a stack transform for every chart at once:
 * `pulumi.runtime.registerResourceTransform(keepCrds({ protect }))`. The older `transformations`
 * run in this program's SDK and never see a remote component's children.
 */
export function keepCrds(opts: { readonly protect: boolean }): pulumi.ResourceTransform {
    return (args) => {
        if (args.type !== CRD_TYPE) return undefined;
        return {
            props: args.props,
            opts: pulumi.mergeOptions(args.opts, { retainOnDelete: true, ...(opts.protect ? { protect: true } : {}) }),
        };
    };
}
