import { stringify } from "yaml";

export interface KubeconfigArgs {
    /** Name used for the cluster, user and context entries. */
    readonly name: string;
    /** `https://...` address of the control plane. */
    readonly server: string;
    /** Base64 PEM of the cluster CA; omitted for the DNS endpoint, which has a publicly trusted certificate. */
    readonly caData?: string;
}

/**
 * A kubeconfig that authenticates through `gke-gcloud-auth-plugin`, so it holds no credential of
 * its own: whoever uses it needs their own Google identity with access to the cluster.
 */
export function gkeKubeconfig(args: KubeconfigArgs): string {
    const cluster: Record<string, string> = { server: args.server };
    if (args.caData) cluster["certificate-authority-data"] = args.caData;
    return stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: args.name, cluster }],
        contexts: [{ name: args.name, context: { cluster: args.name, user: args.name } }],
        "current-context": args.name,
        users: [
            {
                name: args.name,
                user: {
                    exec: {
                        apiVersion: "client.authentication.k8s.io/v1beta1",
                        command: "gke-gcloud-auth-plugin",
                        installHint: "Install gke-gcloud-auth-plugin: gcloud components install gke-gcloud-auth-plugin",
                        provideClusterInfo: true,
                        interactiveMode: "Never",
                    },
                },
            },
        ],
    });
}
