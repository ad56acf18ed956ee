import { createHash } from "node:crypto";

/** Short content hash for a pod-template annotation: a changed ConfigMap rolls the pods that read it. */
export function contentHash(...parts: readonly string[]): string {
    const h = createHash("sha256");
    for (const p of parts) h.update(p).update("\0");
    return h.digest("hex").slice(0, 16);
}
