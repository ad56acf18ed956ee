import { AppImage } from "../components/gitops/images";
import { AppsConfig, parseImage } from "./sections/apps";

export type { AppImage };
export { imagePolicyName } from "../components/gitops/images";

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
