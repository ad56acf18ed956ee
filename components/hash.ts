import { createHash } from "node:crypto";

/**
 * Short content hash for a pod-template annotation: a changed ConfigMap, script or credential
 * rolls the pods that read it. Parts are separated, so ("ab", "c") and ("a", "bc") differ.
 */
export function contentHash(...parts: readonly string[]): string {
    const h = createHash("sha256");
    for (const p of parts) h.update(p).update("\0");
    return h.digest("hex").slice(0, 16);
}

/** contentHash of a set of named files, whatever order they were given in. */
export function filesHash(files: Readonly<Record<string, string>>): string {
    return contentHash(
        ...Object.keys(files)
            .sort()
            .flatMap((k) => [k, files[k]!]),
    );
}
