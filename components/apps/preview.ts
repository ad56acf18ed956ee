import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppSpec } from "./spec";
import { Publisher } from "../edge/types";
import { Application } from "./application";
import { GcpContext } from "./google-identity";

export interface PreviewArgs {
    /** The Kubernetes provider of the dev cluster (from the dev stack's kubeconfig output). */
    readonly provider: k8s.Provider;
    /** The app whose branch this is. */
    readonly app: string;
    /** The app's config with the branch's images. */
    readonly spec: AppSpec;
    /** Git branch name, shown on the waiting page. */
    readonly branch: string;
    /** The preview's namespace, `<app>-br-<branch label>`. */
    readonly namespace: string;
    /** The preview's host, `<branch label>--g.<domain>`. */
    readonly host: string;
    /** Sablier server URL (a dev stack output). */
    readonly sablierUrl: pulumi.Input<string>;
    /** Idle time before the preview sleeps, e.g. 30m. */
    readonly idleAfter: string;
    /** The edge's route publisher. @default none */
    readonly publisher?: Publisher;
    /** Namespace Traefik runs in (the dev stack's edge). */
    readonly traefikNamespace: string;
    /** GCP context when the app calls Google APIs. @default none */
    readonly gcp?: GcpContext;
    /** On-prem inventory addresses. @default {} */
    readonly onpremAddresses?: Readonly<Record<string, readonly string[]>>;
}

/**
 * One app branch on the dev cluster: its own namespace `<app>-br-<branch>`, one pod, reachable at
 * `<branch>--g.<domain>` behind GitHub login, asleep (zero replicas) when idle and woken by the first
 * request through Sablier's Traefik plugin.
 */
export class Preview extends pulumi.ComponentResource {
    readonly namespace: string;
    readonly host: string;
    readonly application: Application;

    constructor(name: string, args: PreviewArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Preview", name, {}, { ...opts, providers: [args.provider] });
        this.namespace = args.namespace;
        this.host = args.host;
        const middleware = { name: "sablier", namespace: this.namespace };
        this.application = new Application(
            `${name}-${args.app}`,
            {
                provider: args.provider,
                app: args.app,
                spec: args.spec,
                environment: "dev",
                gcp: args.gcp,
                publisher: args.publisher,
                traefikNamespace: args.traefikNamespace,
                onpremAddresses: args.onpremAddresses,
                preview: { namespace: this.namespace, sablierGroup: this.namespace, middleware, hosts: [this.host] },
            },
            { parent: this },
        );
        // Scaled to zero by Sablier between sessions; the plugin shows a waiting page while it wakes.
        new k8s.apiextensions.CustomResource(
            `${name}-sablier`,
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "Middleware",
                metadata: { name: middleware.name, namespace: this.application.envelope.name },
                spec: {
                    plugin: {
                        sablier: {
                            sablierUrl: args.sablierUrl,
                            group: this.namespace,
                            sessionDuration: args.idleAfter,
                            dynamic: {
                                displayName: `${args.app} ${args.branch}`,
                                showDetails: true,
                                theme: "ghost",
                                refreshFrequency: "5s",
                            },
                        },
                    },
                },
            },
            { parent: this, provider: args.provider },
        );
        this.registerOutputs({ namespace: this.namespace, host: this.host });
    }
}
