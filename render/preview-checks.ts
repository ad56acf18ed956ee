import { isHelm } from "./objects";
import { RecordedResource } from "./recorder";

/** A GKE cluster the stack creates: its endpoint and CA exist only once it does. */
const CLUSTER_TYPE = "gcp:container/cluster:Cluster";

/**
 * What a `pulumi preview` cannot show right, read from a preview-mode recording (every output a
 * provider computes is unknown, as in the first preview and in any preview that replaces the
 * resource the value comes from):
 *
 * - a chart (helm.v4.Chart) with an unknown value registers no objects in a preview, so the
 *   preview shows every object of the chart deleted (pulumi-kubernetes helm/v4 Construct);
 * - a Kubernetes provider with unknown configuration cannot reach the cluster, and without a
 *   constant `clusterIdentifier` a changed configuration replaces the provider and with it every
 *   object it manages. The one unknown allowed is the kubeconfig of a cluster the stack itself
 *   creates (its endpoint exists only after the create), and then only with a constant
 *   `clusterIdentifier` so the later, known kubeconfig is an update.
 */
export function previewProblems(resources: readonly RecordedResource[]): string[] {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const problems: string[] = [];
    for (const r of resources) {
        if (isHelm(r) && r.unknownInputs) {
            problems.push(
                `${r.type} ${r.name}: ${r.unknownInputs.join(", ")} unknown in preview; the chart registers no objects and the preview shows them all deleted (build its values from known inputs)`,
            );
        }
        if (r.type === "pulumi:providers:kubernetes") problems.push(...providerProblems(r, byUrn));
    }
    return problems;
}

function providerProblems(r: RecordedResource, byUrn: Map<string, RecordedResource>): string[] {
    const problems: string[] = [];
    const id = r.inputs.clusterIdentifier;
    if (typeof id !== "string" || id === "" || r.inputDependsOn.clusterIdentifier) {
        problems.push(
            `provider ${r.name}: no constant clusterIdentifier; a changed kubeconfig (a new endpoint, a rotated CA) replaces the provider and every Kubernetes object it manages`,
        );
    }
    const ownCluster = (r.inputDependsOn.kubeconfig ?? []).every((u) => byUrn.get(u)?.type === CLUSTER_TYPE);
    for (const path of r.unknownInputs ?? []) {
        if (path === "kubeconfig" && ownCluster && (r.inputDependsOn.kubeconfig ?? []).length > 0) continue;
        problems.push(
            `provider ${r.name}: ${path} unknown in preview; it cannot reach the cluster to show the changes`,
        );
    }
    return problems;
}
