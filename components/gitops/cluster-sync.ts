import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { clusterPath, FLUX_NAMESPACE, PLATFORM_REPOSITORY } from "./names";
import type { Environment } from "../../contract/environment";

export interface ClusterSyncArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** `dev` or `prd`: reconciles `./clusters/<environment>`. */
    readonly environment: Environment;
    /** How often Flux re-applies the path (drift correction). */
    readonly interval: string;
    /** Retry sooner than `interval` after a failure. @default 2m */
    readonly retryInterval?: string;
    /** How long health checks may wait before the apply counts as failed. @default 5m */
    readonly timeout?: string;
    /** The GitRepository it reads (and the chart that installs the CRD). */
    readonly dependsOn: readonly pulumi.Resource[];
}

/**
 * The Flux Kustomization for `clusters/<env>/`: manifests teams add without Pulumi. Removing a
 * file removes its objects (prune), and an apply only counts once its objects are healthy (wait).
 */
export class ClusterSync extends pulumi.ComponentResource {
    readonly kustomization: k8s.apiextensions.CustomResource;

    constructor(name: string, args: ClusterSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:ClusterSync", name, {}, opts);
        this.kustomization = new k8s.apiextensions.CustomResource(
            `${name}-kustomization`,
            {
                apiVersion: "kustomize.toolkit.fluxcd.io/v1",
                kind: "Kustomization",
                metadata: { name: `cluster-${args.environment}`, namespace: FLUX_NAMESPACE },
                spec: {
                    sourceRef: { kind: "GitRepository", name: PLATFORM_REPOSITORY },
                    path: clusterPath(args.environment),
                    interval: args.interval,
                    retryInterval: args.retryInterval ?? "2m",
                    timeout: args.timeout ?? "5m",
                    prune: true,
                    wait: true,
                },
            },
            { parent: this, provider: args.provider, dependsOn: [...args.dependsOn] },
        );
        this.registerOutputs({ name: this.kustomization.metadata.name });
    }
}
