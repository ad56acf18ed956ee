import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** The StorageClass prd's data volumes claim (MySQL, Redis, Prometheus, Alertmanager, Zabbix's PostgreSQL). */
export const DATA_STORAGE_CLASS = "data-retain";
/** GKE's Compute Engine persistent disk CSI driver. */
export const PD_CSI_DRIVER = "pd.csi.storage.gke.io";

export interface DataStorageClassArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** Name of the class. @default DATA_STORAGE_CLASS */
    readonly name?: string;
}

/**
 * A StorageClass for data volumes: balanced persistent disks whose PersistentVolume outlives its
 * claim (`reclaimPolicy: Retain`), so deleting a PVC (a config change, a renamed app, a chart that
 * recreates its StatefulSet) never deletes the disk. Volumes can grow in place
 * (`allowVolumeExpansion`); the disk is made in the zone of the first pod that mounts it.
 */
export class DataStorageClass extends pulumi.ComponentResource {
    readonly name: string;

    constructor(name: string, args: DataStorageClassArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:cluster:DataStorageClass", name, {}, opts);
        this.name = args.name ?? DATA_STORAGE_CLASS;
        new k8s.storage.v1.StorageClass(
            `${name}-class`,
            {
                metadata: { name: this.name, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
                provisioner: PD_CSI_DRIVER,
                parameters: { type: "pd-balanced" },
                reclaimPolicy: "Retain",
                allowVolumeExpansion: true,
                volumeBindingMode: "WaitForFirstConsumer",
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({ name: this.name });
    }
}
