import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

/** The GCP side of a gke-mode stack, which Workload Identity and the backup bucket need. */
export interface GcpContext {
    readonly project: string;
    readonly region: string;
    /** `<project>.svc.id.goog`, from the cluster: the pool exists only once a cluster made it. */
    readonly workloadIdentityPool: pulumi.Input<string>;
}

export interface GoogleIdentityArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Workload Identity pool, `<project>.svc.id.goog`. */
    readonly workloadIdentityPool: pulumi.Input<string>;
    /** Service account ID (6-30 characters). */
    readonly accountId: string;
    /** Namespace and name of the Kubernetes service account that acts as it. */
    readonly namespace: string;
    readonly kubernetesServiceAccount: string;
    /** Project roles granted to it. @default [] */
    readonly projectRoles?: readonly string[];
    /** Shown in the console. */
    readonly description: string;
}

/** `wi-<app>-<role>` cut to the 30 characters a service account ID allows. */
export function accountIdFor(app: string, role: string): string {
    return `wi-${app}-${role}`.slice(0, 30).replace(/-+$/, "");
}

/** A Google service account that exactly one Kubernetes service account may act as (Workload Identity). */
export class GoogleIdentity extends pulumi.ComponentResource {
    readonly account: gcp.serviceaccount.Account;
    readonly email: pulumi.Output<string>;
    readonly member: pulumi.Output<string>;

    constructor(name: string, args: GoogleIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:GoogleIdentity", name, {}, opts);
        this.account = new gcp.serviceaccount.Account(
            `${name}-gsa`,
            { project: args.project, accountId: args.accountId, displayName: args.description },
            { parent: this },
        );
        this.email = this.account.email;
        this.member = pulumi.interpolate`serviceAccount:${this.account.email}`;
        new gcp.serviceaccount.IAMMember(
            `${name}-wi`,
            {
                serviceAccountId: this.account.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.workloadIdentityPool}[${args.namespace}/${args.kubernetesServiceAccount}]`,
            },
            { parent: this },
        );
        for (const role of args.projectRoles ?? [])
            new gcp.projects.IAMMember(
                `${name}-${role.split("/")[1]!.replace(/\./g, "-").toLowerCase()}`,
                { project: args.project, role, member: this.member },
                { parent: this },
            );
        this.registerOutputs({ email: this.email });
    }
}
