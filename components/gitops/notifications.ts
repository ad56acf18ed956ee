import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { FLUX_NAMESPACE } from "./names";
import type { Environment } from "../../contract/environment";

export interface NotificationsArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** `dev` or `prd`: added to every message so the channel tells them apart. */
    readonly environment: Environment;
    /** Chat service the webhook belongs to. */
    readonly type: "slack" | "discord";
    /** The webhook URL (a secret). */
    readonly webhookUrl: pulumi.Input<string>;
    /** Slack channel. @default the webhook's own channel */
    readonly channel?: string;
    /** `info`: deploys, image updates and failures; `error`: failures only. @default info */
    readonly severity?: "info" | "error";
    /** What installs the notification CRDs (the Flux chart). */
    readonly dependsOn: readonly pulumi.Resource[];
}

/** Kinds whose events reach the channel: syncs and deploys, image scans and bumps, failures of any. */
export const EVENT_KINDS = [
    "GitRepository",
    "Kustomization",
    "HelmRelease",
    "ImageRepository",
    "ImagePolicy",
    "ImageUpdateAutomation",
] as const;

/** A Flux Provider + Alert posting the cluster's Flux events to Slack or Discord. */
export class Notifications extends pulumi.ComponentResource {
    readonly secret: k8s.core.v1.Secret;
    readonly provider: k8s.apiextensions.CustomResource;
    readonly alert: k8s.apiextensions.CustomResource;

    constructor(name: string, args: NotificationsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:Notifications", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const secretName = `${args.type}-webhook`;

        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: secretName, namespace: FLUX_NAMESPACE },
                type: "Opaque",
                stringData: { address: pulumi.secret(args.webhookUrl) },
            },
            { ...child, dependsOn: [...args.dependsOn] },
        );
        this.provider = new k8s.apiextensions.CustomResource(
            `${name}-provider`,
            {
                apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
                kind: "Provider",
                metadata: { name: args.type, namespace: FLUX_NAMESPACE },
                spec: {
                    type: args.type,
                    ...(args.channel ? { channel: args.channel } : {}),
                    secretRef: { name: secretName },
                },
            },
            { ...child, dependsOn: [...args.dependsOn, this.secret] },
        );
        this.alert = new k8s.apiextensions.CustomResource(
            `${name}-alert`,
            {
                apiVersion: "notification.toolkit.fluxcd.io/v1beta3",
                kind: "Alert",
                metadata: { name: `platform-${args.environment}`, namespace: FLUX_NAMESPACE },
                spec: {
                    providerRef: { name: args.type },
                    eventSeverity: args.severity ?? "info",
                    eventSources: EVENT_KINDS.map((kind) => ({ kind, name: "*", namespace: FLUX_NAMESPACE })),
                    eventMetadata: { environment: args.environment },
                },
            },
            { ...child, dependsOn: [...args.dependsOn, this.provider] },
        );
        this.registerOutputs({ alert: this.alert.metadata.name });
    }
}
