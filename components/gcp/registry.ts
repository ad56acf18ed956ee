import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";

export interface RegistryArgs {
    /** GCP project ID. */
    readonly project: string;
    /** Region of the repository (same as the cluster, so pulls stay in-region). */
    readonly region: string;
    /** Repository ID. */
    readonly repositoryId: string;
    /** Untagged images older than this many days are deleted. */
    readonly untaggedRetentionDays: number;
    /** Tagged versions kept per image regardless of age. */
    readonly keepRecent: number;
    /** Members (e.g. `serviceAccount:...`) that may pull. @default [] */
    readonly readers?: readonly pulumi.Input<string>[];
    /** Pulumi `protect` on the repository (prd): deleting it deletes every image the workloads run. @default false */
    readonly protect?: boolean;
}

/** The Docker repository the apps' images live in, with cleanup rules and read access for the nodes. */
export class Registry extends pulumi.ComponentResource {
    readonly repository: gcp.artifactregistry.Repository;
    /** `<region>-docker.pkg.dev/<project>/<repo>`: the prefix of every app image. */
    readonly url: pulumi.Output<string>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gcp:Registry", name, {}, opts);
        this.repository = new gcp.artifactregistry.Repository(
            `${name}-repo`,
            {
                project: args.project,
                location: args.region,
                repositoryId: args.repositoryId,
                format: "DOCKER",
                description: "Application images",
                // A pushed tag never moves: Flux's `<sha>-<timestamp>` tags are unique per build, and
                // no one (an app repository's push included) can swap the image behind a deployed tag.
                dockerConfig: { immutableTags: true },
                cleanupPolicyDryRun: false,
                cleanupPolicies: [
                    {
                        id: "delete-untagged",
                        action: "DELETE",
                        condition: { tagState: "UNTAGGED", olderThan: `${args.untaggedRetentionDays * 86400}s` },
                    },
                    { id: "keep-recent", action: "KEEP", mostRecentVersions: { keepCount: args.keepRecent } },
                ],
            },
            { parent: this, protect: args.protect === true },
        );
        (args.readers ?? []).forEach(
            (member, i) =>
                new gcp.artifactregistry.RepositoryIamMember(
                    `${name}-reader-${i}`,
                    {
                        project: args.project,
                        location: args.region,
                        repository: this.repository.repositoryId,
                        role: "roles/artifactregistry.reader",
                        member,
                    },
                    { parent: this },
                ),
        );
        this.url = pulumi.interpolate`${args.region}-docker.pkg.dev/${args.project}/${this.repository.repositoryId}`;
        this.registerOutputs({ url: this.url });
    }
}
