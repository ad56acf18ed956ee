import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountEmail } from "../gcp/service-account-email";
import { FLUX_NAMESPACE, REFLECTOR_SERVICE_ACCOUNT } from "./names";

export interface ReflectorIdentityArgs {
    /** Project of the cluster (and of the Google service account). */
    readonly project: string;
    /** The cluster's Workload Identity pool, `<project>.svc.id.goog`. */
    readonly workloadIdentityPool: pulumi.Input<string>;
    /** Projects whose Artifact Registry the controller reads tags from. @default [project] */
    readonly registryProjects?: readonly string[];
}

/**
 * The Google identity Flux's image-reflector-controller lists Artifact Registry tags with: a
 * service account holding `roles/artifactregistry.reader` in the registry projects, which the
 * controller's Kubernetes service account may impersonate through Workload Identity. No key exists.
 */
export class ReflectorIdentity extends pulumi.ComponentResource {
    readonly serviceAccount: gcp.serviceaccount.Account;
    /** The account's email as its grants see it (waits for the account). */
    readonly email: pulumi.Output<string>;
    /** The same email as a plain string, for the `iam.gke.io/gcp-service-account` annotation (known in a preview). */
    readonly annotationEmail: string;

    constructor(name: string, args: ReflectorIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:ReflectorIdentity", name, {}, opts);
        const accountId = "flux-image-reflector";
        this.annotationEmail = serviceAccountEmail(accountId, args.project);
        this.serviceAccount = new gcp.serviceaccount.Account(
            `${name}-sa`,
            {
                project: args.project,
                accountId,
                displayName: "Flux image-reflector-controller (reads image tags)",
            },
            { parent: this },
        );
        this.email = this.serviceAccount.email;
        const member = pulumi.interpolate`serviceAccount:${this.email}`;

        new gcp.serviceaccount.IAMMember(
            `${name}-workload-identity`,
            {
                serviceAccountId: this.serviceAccount.name,
                role: "roles/iam.workloadIdentityUser",
                member: pulumi.interpolate`serviceAccount:${args.workloadIdentityPool}[${FLUX_NAMESPACE}/${REFLECTOR_SERVICE_ACCOUNT}]`,
            },
            { parent: this },
        );
        const projects = args.registryProjects?.length ? args.registryProjects : [args.project];
        for (const project of [...new Set(projects)]) {
            new gcp.projects.IAMMember(
                `${name}-reader-${project}`,
                { project, role: "roles/artifactregistry.reader", member },
                { parent: this },
            );
        }
        this.registerOutputs({ email: this.email });
    }
}
