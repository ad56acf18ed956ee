import { AppImage } from "./images";

/**
 * Tags the reference apps push: `{git sha, 7 to 40 hex}-{YYYYMMDDHHmmss}`. The named group `ts`
 * is what the numerical policy orders by, so the newest build wins whatever its sha.
 */
export const TIMESTAMP_TAG_PATTERN = "^[0-9a-f]{7,40}-(?P<ts>[0-9]{14})$";

/** The same pattern in JavaScript syntax (`(?<ts>...)`), for checks in the program and tests. */
export const TIMESTAMP_TAG_REGEXP = new RegExp(TIMESTAMP_TAG_PATTERN.replace("(?P<", "(?<"));

/** An Artifact Registry Docker repository an image lives in. */
export interface ArtifactRegistryRepo {
    readonly location: string;
    readonly project: string;
    readonly repository: string;
}

const AR_HOST = /^([a-z0-9-]+)-docker\.pkg\.dev\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/([a-z0-9._-]+)\/.+$/;

/** The Artifact Registry repository of an image, or undefined when the image is elsewhere. */
export function artifactRegistryRepo(image: string): ArtifactRegistryRepo | undefined {
    const m = AR_HOST.exec(image);
    return m ? { location: m[1]!, project: m[2]!, repository: m[3]! } : undefined;
}

/** Which registry family an image is in: decides how Flux authenticates to it. */
export function registryOf(image: string): "artifact-registry" | "ghcr" | "other" {
    if (artifactRegistryRepo(image)) return "artifact-registry";
    if (image.startsWith("ghcr.io/")) return "ghcr";
    return "other";
}

/** `spec.filterTags` and `spec.policy` of an app image's ImagePolicy. */
export function policySpec(image: AppImage): Record<string, unknown> {
    if (image.policy.kind === "semver") return { policy: { semver: { range: image.policy.range } } };
    return {
        filterTags: { pattern: TIMESTAMP_TAG_PATTERN, extract: "$ts" },
        policy: { numerical: { order: "asc" } },
    };
}

/** Distinct GCP projects holding the Artifact Registry images, in first-seen order. */
export function registryProjects(images: readonly AppImage[]): string[] {
    const projects: string[] = [];
    for (const img of images) {
        const repo = artifactRegistryRepo(img.repository);
        if (repo && !projects.includes(repo.project)) projects.push(repo.project);
    }
    return projects;
}
