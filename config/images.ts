import { AppsConfig, parseImage } from "./sections/apps";

/**
 * One app container image as stack config holds it. The apps layer owns the schema; the gitops
 * layer builds one ImageRepository + ImagePolicy per entry, named `<app>-<container>-<environment>`
 * in `flux-system`, matching the setter marker on the image line of that environment's stack file:
 *   image: <repository>:<tag> # {"$imagepolicy": "flux-system:<app>-<container>-<environment>"}
 * The environment is in the name because both stack files sit in one repository: Flux applies a
 * marker only when a policy of that name exists in its cluster, so dev's automation never bumps prd.
 *
 * Stack config shape (apps layer):
 *   platform:apps:
 *     vote:
 *       containers:
 *         - name: web
 *           image: <repository>:<tag> # {"$imagepolicy": "flux-system:vote-web-dev"}
 *           imagePolicy: timestamp            # or { semver: ">=1.0.0 <2.0.0" }
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

/** The Flux object name for an app container's image automation (`environment` as in setterMarker). */
export function imagePolicyName(environment: string, app: string, container: string): string {
    return `${app}-${container}-${environment}`;
}

/** Every app container image of a stack's config, in app then container order. */
export function appImages(stack: { readonly apps: AppsConfig }): AppImage[] {
    return Object.entries(stack.apps).flatMap(([app, spec]) =>
        spec.containers.map((c) => {
            const ref = parseImage(c.image);
            if (!ref) throw new Error(`apps.${app}: container ${c.name} image ${c.image} is not <repository>:<tag>`);
            const policy: AppImage["policy"] =
                c.imagePolicy === "timestamp" ? { kind: "timestamp" } : { kind: "semver", range: c.imagePolicy.semver };
            return { app, container: c.name, repository: ref.repository, tag: ref.tag, policy };
        }),
    );
}
