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
    /**
     * The namespaces teams own (the apps'): the only ones the sync may write to. It applies as its
     * own service account, bound to the `edit` ClusterRole in each of them and to nothing else.
     * @default [] (it can apply nothing)
     */
    readonly namespaces?: readonly string[];
    /** What creates those namespaces (the apps layer). @default none */
    readonly namespacesDependOn?: readonly pulumi.Resource[];
}

/** The service account the `clusters/<env>/` sync applies as. */
export function syncServiceAccount(environment: Environment): string {
    return `cluster-sync-${environment}`;
}

/**
 * The Flux Kustomization for `clusters/<env>/`: manifests teams add without Pulumi. Removing a
 * file removes its objects (prune), and an apply only counts once its objects are healthy (wait).
 * It applies as a service account that may edit the teams' namespaces and nothing else, so a
 * manifest merged there cannot reach cluster-scoped objects, RBAC or the platform's namespaces:
 * whatever lands on main is no side door around the reviewed `pulumi up`.
 */
export class ClusterSync extends pulumi.ComponentResource {
    readonly kustomization: k8s.apiextensions.CustomResource;
    readonly serviceAccount: k8s.core.v1.ServiceAccount;

    constructor(name: string, args: ClusterSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:ClusterSync", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const sa = syncServiceAccount(args.environment);
        this.serviceAccount = new k8s.core.v1.ServiceAccount(
            `${name}-sa`,
            { metadata: { name: sa, namespace: FLUX_NAMESPACE }, automountServiceAccountToken: false },
            child,
        );
        for (const ns of [...new Set(args.namespaces ?? [])].sort()) {
            new k8s.rbac.v1.RoleBinding(
                `${name}-edit-${ns}`,
                {
                    metadata: { name: sa, namespace: ns },
                    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "edit" },
                    subjects: [{ kind: "ServiceAccount", name: sa, namespace: FLUX_NAMESPACE }],
                },
                { ...child, dependsOn: [...(args.namespacesDependOn ?? [])] },
            );
        }
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
                    serviceAccountName: sa,
                },
            },
            { ...child, dependsOn: [...args.dependsOn, this.serviceAccount] },
        );
        this.registerOutputs({ name: this.kustomization.metadata.name });
    }
}
