/**
 * One app container image as stack config holds it. The apps layer owns the schema; the gitops
 * layer builds one ImageRepository + ImagePolicy per entry, named `<app>-<container>` in
 * `flux-system`, matching the setter marker on the image line:
 *   image: <repository>:<tag> # {"$imagepolicy": "flux-system:<app>-<container>"}
 */
export interface AppImage {
    readonly app: string;
    readonly container: string;
    /** Repository without the tag, e.g. asia-northeast1-docker.pkg.dev/acme/apps/vote or ghcr.io/acme/vote. */
    readonly repository: string;
    readonly tag: string;
    /** `timestamp`: tags `{sha}-{YYYYMMDDHHmmss}`, newest timestamp wins; `semver`: newest in `range`. */
    readonly policy: { readonly kind: "timestamp" } | { readonly kind: "semver"; readonly range: string };
}

/** The Flux object name for an app container's image automation. */
export function imagePolicyName(app: string, container: string): string {
    return `${app}-${container}`;
}
