import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppImage } from "../../config/images";
import { GitopsConfig } from "../../config/sections/gitops";
import { ClusterSync } from "./cluster-sync";
import { Flux } from "./flux";
import { GitSource } from "./git-source";
import { ImageAutomation } from "./image-automation";
import { registryProjects } from "./image-policy";
import { Notifications } from "./notifications";
import { ReflectorIdentity } from "./reflector-identity";
import type { Environment } from "../../contract/environment";

export interface GitOpsArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** `dev` or `prd`. */
    readonly environment: Environment;
    /** The validated `platform:gitops` section (enabled, with a repository). */
    readonly config: GitopsConfig;
    /** Every app container image (the apps layer's list); one ImageRepository + ImagePolicy each. */
    readonly images: readonly AppImage[];
    /** GKE only: the project and Workload Identity pool for Artifact Registry access. @default none (no Google identity) */
    /** Project and Workload Identity pool (from the cluster, so the binding waits for the pool). */
    readonly gcp?: { readonly project: string; readonly workloadIdentityPool: pulumi.Input<string> };
    /** The stack secrets the config calls for. @default {} */
    readonly secrets?: {
        /** Registers the deploy key when `registerDeployKey` is on. */
        readonly githubToken?: pulumi.Input<string>;
        /** Slack or Discord webhook URL, when `notifications` is set. */
        readonly webhookUrl?: pulumi.Input<string>;
        /** ghcr.io token, when `ghcrUsername` is set. */
        readonly ghcrToken?: pulumi.Input<string>;
    };
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
        const { config, environment, provider } = args;
        const repo = config.repository;
        if (!config.enabled || !repo) throw new Error(`${name}: gitops is not enabled or has no repository`);
        const secrets = args.secrets ?? {};
        const need = (value: pulumi.Input<string> | undefined, key: string, why: string) => {
            if (value === undefined) throw new Error(`${name}: the ${key} secret is required because ${why}`);
            return value;
        };

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
            { provider, reflectorServiceAccount: identity?.email, metricsNamespace: config.metricsNamespace },
            { parent: this },
        );
        const crds = this.flux.chart;

        this.source = new GitSource(
            `${name}-source`,
            {
                provider,
                url: repo.url,
                branch: repo.branch,
                interval: config.interval,
                keyTitle: `flux-${environment}`,
                githubToken: config.registerDeployKey
                    ? need(secrets.githubToken, "gitopsGithubToken", "gitops.registerDeployKey is true")
                    : undefined,
                crds,
            },
            { parent: this },
        );

        this.sync = new ClusterSync(
            `${name}-sync`,
            { provider, environment, interval: config.interval, dependsOn: [crds, this.source.repository] },
            { parent: this },
        );

        this.images = new ImageAutomation(
            `${name}-images`,
            {
                provider,
                environment,
                images: args.images,
                branch: repo.branch,
                scanInterval: config.imageScanInterval,
                ghcr: config.ghcrUsername
                    ? {
                          username: config.ghcrUsername,
                          token: need(secrets.ghcrToken, "gitopsGhcrToken", "gitops.ghcrUsername is set"),
                      }
                    : undefined,
                dependsOn: [crds, this.source.repository],
            },
            { parent: this },
        );

        if (config.notifications) {
            this.notifications = new Notifications(
                `${name}-notify`,
                {
                    provider,
                    environment,
                    type: config.notifications.type,
                    channel: config.notifications.channel,
                    severity: config.notifications.severity,
                    webhookUrl: need(secrets.webhookUrl, "gitopsWebhookUrl", "gitops.notifications is set"),
                    dependsOn: [crds],
                },
                { parent: this },
            );
        }

        this.deployPublicKey = this.source.publicKey;
        this.registerOutputs({ deployPublicKey: this.deployPublicKey });
    }
}
