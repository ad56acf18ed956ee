import * as path from "node:path";
import { z } from "zod";
import type { ChartSource } from "../../components/versions";

/**
 * `platform:charts`: where every Helm chart comes from. Unset: each chart's upstream repository.
 * A site behind a proxy or without internet names a mirror holding the same pinned charts.
 */
export const chartsSchema = z
    .object({
        mirror: z
            .string()
            .min(1)
            .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(v) || /^(https?|oci):\/\/[^\s]+$/.test(v), {
                message: "is not an http(s):// Helm repository, an oci:// prefix or a folder path",
            })
            .optional()
            .meta({
                description:
                    "A Helm repository (`https://...`) serving the pinned charts under their own names, an `oci://` prefix (`oci://<registry>/<path>` + `/<chart>`), or a folder of `<chart>-<version>.tgz` (absolute, or relative to the project). Unset: each chart's upstream repository.",
            }),
    })
    .strict();

export type ChartsConfig = z.output<typeof chartsSchema>;

/** The chart source a mirror setting names; `root` resolves a relative folder. */
export function chartSource(c: ChartsConfig, root: string): ChartSource {
    const m = c.mirror;
    if (!m) return { kind: "upstream" };
    if (/^https?:\/\//.test(m)) return { kind: "repository", url: m };
    if (m.startsWith("oci://")) return { kind: "oci", prefix: m };
    return { kind: "folder", path: path.resolve(root, m) };
}
