import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppImage, imagePolicyName } from "./images";
import { policySpec, registryOf } from "./image-policy";
import { FLUX_NAMESPACE, imageUpdateBranch, PLATFORM_REPOSITORY } from "./names";
import type { Environment } from "../../contract/environment";

export interface ImageAutomationArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** `dev` or `prd`: part of every policy name and of the push branch. */
    readonly environment: Environment;
    /** Every app container image in the stack config (from the apps layer). */
    readonly images: readonly AppImage[];
    /** Branch the automation checks out and bases its commits on. */
    readonly branch: string;
    /** Folder of the image file, e.g. `./images`: the only place the automation reads and writes. */
    readonly updatePath: string;
    /** How often each image repository is scanned for tags. */
    readonly scanInterval: string;
    /** How often the automation looks for bumps to commit. @default 10m */
    readonly updateInterval?: string;
    /** Credentials for private ghcr.io images. @default none (public images) */
    readonly ghcr?: { readonly username: string; readonly token: pulumi.Input<string> };
    /** Commit author of the bumps. @default fluxcdbot */
    readonly author?: { readonly name: string; readonly email: string };
    /** What installs the image CRDs (the Flux chart) and the GitRepository. */
    readonly dependsOn: readonly pulumi.Resource[];
}

/** Label every ImagePolicy carries, so one environment's automation only applies its own. */
export const ENVIRONMENT_LABEL = "platform/environment";

const GHCR_SECRET = "ghcr-pull";

/** The first policy name two images share, if any (each needs its own ImageRepository and ImagePolicy). */
export function duplicateImageName(environment: Environment, images: readonly AppImage[]): string | undefined {
    const seen = new Set<string>();
    for (const img of images) {
        const id = imagePolicyName(environment, img.app, img.container);
        if (seen.has(id)) return id;
        seen.add(id);
    }
    return undefined;
}

/** Commit message: one line per changed image, readable in the pull request. */
const MESSAGE_TEMPLATE = `Bump app images ({{ .AutomationObject.Name }})

{{ range .Changed.Changes -}}
- {{ .OldValue }} -> {{ .NewValue }}
{{ end -}}
`;

/**
 * One ImageRepository + ImagePolicy per app image, and the ImageUpdateAutomation that rewrites
 * the marked image lines of the environment's image file (a Kubernetes-shaped document: Flux
 * records changes only in those) and pushes them to `flux/image-updates-<env>`, where they become
 * a pull request whose checks show `pulumi preview`.
 */
export class ImageAutomation extends pulumi.ComponentResource {
    readonly repositories: k8s.apiextensions.CustomResource[] = [];
    readonly policies: k8s.apiextensions.CustomResource[] = [];
    readonly automation: k8s.apiextensions.CustomResource;
    readonly pullSecret?: k8s.core.v1.Secret;

    constructor(name: string, args: ImageAutomationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:gitops:ImageAutomation", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const crds = { ...child, dependsOn: [...args.dependsOn] };

        const duplicate = duplicateImageName(args.environment, args.images);
        if (duplicate)
            throw new Error(`${name}: two images are named ${duplicate}; app/container pairs must be unique`);

        const needsGhcr = args.images.some((i) => registryOf(i.repository) === "ghcr");
        if (args.ghcr && needsGhcr) {
            const { username, token } = args.ghcr;
            const auth = pulumi.output(token).apply((t) => Buffer.from(`${username}:${t}`).toString("base64"));
            this.pullSecret = new k8s.core.v1.Secret(
                `${name}-ghcr`,
                {
                    metadata: { name: GHCR_SECRET, namespace: FLUX_NAMESPACE },
                    type: "kubernetes.io/dockerconfigjson",
                    stringData: {
                        ".dockerconfigjson": pulumi.secret(
                            auth.apply((a) => JSON.stringify({ auths: { "ghcr.io": { username, auth: a } } })),
                        ),
                    },
                },
                crds,
            );
        }

        for (const img of args.images) {
            const id = imagePolicyName(args.environment, img.app, img.container);
            const registry = registryOf(img.repository);
            const labels = { [ENVIRONMENT_LABEL]: args.environment, "app.kubernetes.io/name": img.app };
            const repository = new k8s.apiextensions.CustomResource(
                `${name}-repo-${id}`,
                {
                    apiVersion: "image.toolkit.fluxcd.io/v1",
                    kind: "ImageRepository",
                    metadata: { name: id, namespace: FLUX_NAMESPACE, labels },
                    spec: {
                        image: img.repository,
                        interval: args.scanInterval,
                        // Artifact Registry: the controller's Workload Identity; ghcr.io: the pull secret if given.
                        provider: registry === "artifact-registry" ? "gcp" : "generic",
                        ...(registry === "ghcr" && this.pullSecret ? { secretRef: { name: GHCR_SECRET } } : {}),
                        // Signatures (Flux's default), build caches and `latest` are never deploy candidates.
                        exclusionList: ["^.*\\.sig$", "^buildcache$", "^latest$"],
                    },
                },
                { ...crds, dependsOn: [...args.dependsOn, ...(this.pullSecret ? [this.pullSecret] : [])] },
            );
            this.repositories.push(repository);
            this.policies.push(
                new k8s.apiextensions.CustomResource(
                    `${name}-policy-${id}`,
                    {
                        apiVersion: "image.toolkit.fluxcd.io/v1",
                        kind: "ImagePolicy",
                        metadata: { name: id, namespace: FLUX_NAMESPACE, labels },
                        spec: { imageRepositoryRef: { name: id }, ...policySpec(img) },
                    },
                    { ...crds, dependsOn: [...args.dependsOn, repository] },
                ),
            );
        }

        const author = args.author ?? { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" };
        this.automation = new k8s.apiextensions.CustomResource(
            `${name}-automation`,
            {
                apiVersion: "image.toolkit.fluxcd.io/v1",
                kind: "ImageUpdateAutomation",
                metadata: { name: `image-updates-${args.environment}`, namespace: FLUX_NAMESPACE },
                spec: {
                    interval: args.updateInterval ?? "10m",
                    sourceRef: { kind: "GitRepository", name: PLATFORM_REPOSITORY },
                    policySelector: { matchLabels: { [ENVIRONMENT_LABEL]: args.environment } },
                    git: {
                        checkout: { ref: { branch: args.branch } },
                        commit: { author, messageTemplate: MESSAGE_TEMPLATE },
                        push: { branch: imageUpdateBranch(args.environment) },
                    },
                    update: { strategy: "Setters", path: args.updatePath },
                },
            },
            crds,
        );

        this.registerOutputs({ automation: this.automation.metadata.name });
    }
}
