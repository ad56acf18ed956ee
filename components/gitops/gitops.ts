import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppImage } from "./images";
import { ClusterSync } from "./cluster-sync";
import { Flux } from "./flux";
import { GitRepositorySpec, GitSource } from "./git-source";
import { ImageAutomation } from "./image-automation";
import { registryProjects } from "./image-policy";
import { Notifications } from "./notifications";
import { ReflectorIdentity } from "./reflector-identity";
import type { ChartSource } from "../versions";
import type { Environment } from "../../contract/environment";

export interface GitOpsArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** `dev` or `prd`. */
    readonly environment: Environment;
    readonly repository: GitRepositorySpec;
    /** How often Flux fetches the repository and reconciles `clusters/<env>/`. */
    readonly interval: string;
    /** How often image repositories are scanned for tags. */
    readonly imageScanInterval: string;
    /** Namespace Prometheus scrapes Flux's metrics from (the monitoring layer's). @default none (nothing scrapes them) */
    readonly metricsNamespace?: string;
    /** Every app container image (the apps layer's list); one ImageRepository + ImagePolicy each. */
    readonly images: readonly AppImage[];
    /** The namespaces teams own (the apps'): the only ones `clusters/<env>/` may write to. @default [] */
    readonly syncNamespaces?: readonly string[];
    /** What creates those namespaces (the apps layer). @default none */
    readonly syncNamespacesDependOn?: readonly pulumi.Resource[];
    /** Folder of the image file image automation rewrites, e.g. `./images`. */
    readonly imageUpdatePath: string;
    /** Project and Workload Identity pool (from the cluster, so the binding waits for the pool). @default none (no Google identity) */
    readonly gcp?: { readonly project: string; readonly workloadIdentityPool: pulumi.Input<string> };
    /** GitHub token (secret) that registers the deploy key with write access. @default not registered: a person adds it */
    readonly deployKeyToken?: pulumi.Input<string>;
    /** ghcr.io credentials for image scanning. @default none */
    readonly ghcr?: { readonly username: string; readonly token: pulumi.Input<string> };
    /** Chat notifications of Flux events. @default none */
    readonly notifications?: {
        readonly type: "slack" | "discord";
        readonly channel?: string;
        readonly severity: "info" | "error";
        /** Webhook URL (secret). */
        readonly webhookUrl: pulumi.Input<string>;
    };
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
}

/**
 * The GitOps layer: Flux, the platform repository as its source, the `clusters/<env>/` sync,
 * image automation for every app image, and (optionally) chat notifications.
 */
export class GitOps extends pulumi.ComponentResource {
    readonly flux: Flux;
    readonly source: GitSource;
    readonly sync: ClusterSync;
    readonly images: ImageAutomation;
    readonly notifications?: Notifications;
    /** The deploy key's public half, for a person to add on GitHub (with write access) when not registered. */
    readonly deployPublicKey: pulumi.Output<string>;

    constructor(name: string, args: GitOpsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:GitOps", name, {}, opts);
        const { environment, provider, repository: repo } = args;

        const identity = args.gcp
            ? new ReflectorIdentity(
                  `${name}-reflector`,
                  {
                      project: args.gcp.project,
                      workloadIdentityPool: args.gcp.workloadIdentityPool,
                      registryProjects: [args.gcp.project, ...registryProjects(args.images)],
                  },
                  { parent: this },
              )
            : undefined;

        this.flux = new Flux(
            `${name}-flux`,
            {
                provider,
                reflectorServiceAccount: identity?.annotationEmail,
                dependsOn: identity ? [identity] : [],
                metricsNamespace: args.metricsNamespace,
                charts: args.charts,
            },
            { parent: this },
        );
        const crds = this.flux.chart;

        this.source = new GitSource(
            `${name}-source`,
            {
                provider,
                repository: repo,
                interval: args.interval,
                keyTitle: `flux-${environment}`,
                githubToken: args.deployKeyToken,
                crds,
            },
            { parent: this },
        );

        this.sync = new ClusterSync(
            `${name}-sync`,
            {
                provider,
                environment,
                interval: args.interval,
                dependsOn: [crds, this.source.repository],
                namespaces: args.syncNamespaces,
                namespacesDependOn: args.syncNamespacesDependOn,
            },
            { parent: this },
        );

        this.images = new ImageAutomation(
            `${name}-images`,
            {
                provider,
                environment,
                images: args.images,
                branch: repo.branch,
                updatePath: args.imageUpdatePath,
                scanInterval: args.imageScanInterval,
                ghcr: args.ghcr,
                dependsOn: [crds, this.source.repository],
            },
            { parent: this },
        );

        if (args.notifications) {
            this.notifications = new Notifications(
                `${name}-notify`,
                {
                    provider,
                    environment,
                    ...args.notifications,
                    dependsOn: [crds],
                },
                { parent: this },
            );
        }

        this.deployPublicKey = this.source.publicKey;
        this.registerOutputs({ deployPublicKey: this.deployPublicKey });
    }
}
