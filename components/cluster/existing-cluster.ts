import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface ExistingClusterArgs {
    /** The kubeconfig context to deploy into. */
    readonly context: string;
    /** Path of the kubeconfig file. @default the file the CLI's KUBECONFIG points at */
    readonly kubeconfigPath?: string;
}

/** A cluster the program does not create (kind, minikube, a lab cluster): only a provider for it. */
export class ExistingCluster extends pulumi.ComponentResource {
    readonly provider: k8s.Provider;

    constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:ExistingCluster", name, {}, opts);
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            {
                context: args.context,
                kubeconfig: args.kubeconfigPath,
                enableServerSideApply: true,
                // The provider (and every object it manages) is replaced only when this changes, never
                // because the kubeconfig file or its credentials did.
                clusterIdentifier: `existing:${args.context}`,
            },
            { parent: this },
        );
        this.registerOutputs({ context: args.context });
    }
}
