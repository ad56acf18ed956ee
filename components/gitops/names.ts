import type { Environment } from "../../contract/environment";

/** Names other layers and the stack files rely on; a change here is a contract change. */

/** Namespace of the Flux controllers and every Flux object the program creates. */
export const FLUX_NAMESPACE = "flux-system";

/** The image-reflector-controller's Kubernetes service account (fixed by the chart). */
export const REFLECTOR_SERVICE_ACCOUNT = "image-reflector-controller";

/** The GitRepository of the platform repository. */
export const PLATFORM_REPOSITORY = "platform";

/** The branch image automation pushes tag bumps to, so each bump arrives as a pull request. */
export function imageUpdateBranch(environment: Environment): string {
    return `flux/image-updates-${environment}`;
}

/** Every environment's image-update branch, as a ruleset ref pattern: the only refs a Flux deploy key may push. */
export const IMAGE_UPDATE_REFS = "refs/heads/flux/image-updates-*";

/** The path of the repository Flux reconciles for an environment; Pulumi never writes there. */
export function clusterPath(environment: Environment): string {
    return `./clusters/${environment}`;
}
