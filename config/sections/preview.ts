import { z } from "zod";
import { dnsLabel } from "../validators";

/**
 * `platform:previews` (dev stack): host branch previews on this cluster. Runs the Sablier server
 * that scales idle previews to zero; the edge enables Sablier's Traefik plugin (`edge.sablier`).
 */
export const previewsSchema = z
    .object({
        /** Run the Sablier server. @default false */
        enabled: z.boolean().default(false),
        /** Namespace of the Sablier server. @default sablier */
        namespace: dnsLabel().default("sablier"),
    })
    .strict();

/**
 * `platform:preview` (a `dev-br-<branch>` stack only): deploy one app's branch into its own
 * namespace on the dev cluster, reading the dev stack's outputs through a StackReference.
 */
export const previewSchema = z
    .object({
        /** The app (a key of `platform:apps`) whose branch this is. */
        app: dnsLabel(40),
        /** Git branch name; turned into a DNS label (lower-case, '/', '_' and '.' become '-'). */
        branch: z.string().min(1).max(200),
        /** The dev stack, `<org>/<project>/<stack>`. */
        devStack: z.string().regex(/^([A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, {
            message: "is not a stack name (<org>/<project>/<stack>)",
        }),
        /** Image per container name for the branch build. @default the app's images */
        images: z.record(dnsLabel(30), z.string()).default({}),
        /** Idle time before the preview is scaled to zero. @default 30m */
        idleAfter: z
            .string()
            .regex(/^[0-9]+(s|m|h)$/, { message: "is not a duration (e.g. 30m, 2h)" })
            .default("30m"),
    })
    .strict();

export type PreviewsConfig = z.output<typeof previewsSchema>;
export type PreviewConfig = z.output<typeof previewSchema>;

/**
 * The DNS label a branch is published under: lower-case, every run of '/', '_', '.' or '-' becomes
 * one '-', no '-' at either end; longer than `max` is cut and suffixed with a hash of the full name
 * so two long branches never collide. Throws (with the reason) for a branch that has no such label.
 */
export function branchLabel(branch: string, max = 60): string {
    if (!/^[A-Za-z0-9/_.-]+$/.test(branch))
        throw new Error(
            `branch ${JSON.stringify(branch)} has characters other than letters, digits, '/', '_', '.', '-'`,
        );
    const label = branch
        .toLowerCase()
        .replace(/[/_.-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    if (label === "") throw new Error(`branch ${JSON.stringify(branch)} has no letters or digits to name a host by`);
    if (label.length <= max) return label;
    let h = 0;
    for (const ch of branch) h = (h * 33 + ch.charCodeAt(0)) >>> 0;
    const suffix = h.toString(36).padStart(7, "0").slice(-6);
    return `${label.slice(0, max - 7).replace(/-+$/, "")}-${suffix}`;
}

/** Namespace of a branch preview: `<app>-br-<label>`, within 63 characters. */
export function previewNamespace(app: string, branch: string): string {
    return `${app}-br-${branchLabel(branch, 63 - app.length - 4)}`;
}

/** Host of a branch preview: `<label>--g.<domain>`. */
export function previewHost(branch: string, domain: string): string {
    return `${branchLabel(branch, 60)}--g.${domain}`;
}
