/**
 * Every chart and image version the platform deploys, pinned in one place. Bump here, read the
 * chart's values.yaml for that version, and let the render diff in the pull request show the rest.
 */
export interface ChartPin {
    /** Helm repository URL (or an oci:// reference for OCI charts). */
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
}

export const CHARTS = {
    /**
     * Flux 2.8.5 (controllers: source 1.8.2, kustomize 1.8.3, helm 1.5.3, notification 1.8.3,
     * image-reflector 1.1.1, image-automation 1.1.1), the fluxcd-community chart. See docs/gitops.md.
     */
    flux2: { repo: "https://fluxcd-community.github.io/helm-charts", chart: "flux2", version: "2.18.3" },
} as const satisfies Record<string, ChartPin>;

/** Container images the program itself runs (not the apps', which come from stack config). */
export const IMAGES = {} as const satisfies Record<string, string>;
