import { z } from "zod";
import { dnsLabel } from "../validators";

/**
 * `platform:previews` (dev stack): host branch previews on this cluster. Runs the Sablier server
 * that scales idle previews to zero; the edge enables Sablier's Traefik plugin (`edge.sablier`).
 */
export const previewsSchema = z
    .object({
        enabled: z.boolean().default(false).meta({
            description:
                "Run the Sablier server and export `sablierUrl`; the edge needs `edge.sablier: true` for the previews' middleware.",
        }),
        namespace: dnsLabel().default("sablier").meta({ description: "Namespace of the Sablier server." }),
        maxLive: z.number().int().min(1).max(50).default(5).meta({
            description:
                "Most `dev-br-*` preview stacks alive at once: the previews workflow (scripts/previews.ts) refuses a new one beyond it; an existing one still updates.",
        }),
    })
    .strict();

/**
 * `platform:preview` (a `dev-br-<branch>` stack only): deploy one app's branch into its own
 * namespace on the dev cluster, reading the dev stack's outputs through a StackReference.
 */
export const previewSchema = z
    .object({
        app: dnsLabel(40).meta({ description: "The app (a key of `platform:apps`) whose branch this is." }),
        branch: z.string().min(1).max(200).meta({
            description:
                "The git branch; its DNS label (lower-case, every run of `/`, `_`, `.`, `-` one `-`) names the host `<label>--g.<domain>` and the namespace `<app>-br-<label>`.",
        }),
        devStack: z
            .string()
            .regex(/^([A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/)?[A-Za-z0-9_.-]+$/, {
                message: "is not a stack name: `<stack>` (this project's, on any backend) or `<org>/<project>/<stack>`",
            })
            .meta({
                description:
                    "The dev stack, read through a StackReference (`kubeconfig`, `sablierUrl`): `dev` (this project's, on any backend), or `<org>/platform/dev` with the backend's organization: `organization` on a self-managed backend (gs://, file://), the Pulumi Cloud org otherwise.",
            }),
        images: z.record(dnsLabel(30), z.string()).default({}).meta({
            description: "Container name to the branch build's image; a container not listed keeps the app's image.",
        }),
        idleAfter: z
            .string()
            .regex(/^[0-9]+(s|m|h)$/, { message: "is not a duration (e.g. 30m, 2h)" })
            .default("30m")
            .meta({ description: "Idle time (Sablier's session) before the preview is scaled to zero." }),
    })
    .strict();

export type PreviewsConfig = z.output<typeof previewsSchema>;
export type PreviewConfig = z.output<typeof previewSchema>;

/**
 * Problems with a fully qualified `preview.devStack` that only the running stack can see: the dev
 * stack is this project's, in this backend. A self-managed backend (gs://, file://) has one
 * organization, literally `organization`; a name with another (`clubplatform/platform/dev`) is
 * refused by the engine when the preview runs. `organization` is undefined when the CLI does not
 * report one (then only the project is checked).
 */
export function devStackProblems(devStack: string, here: { project: string; organization?: string }): string[] {
    const parts = devStack.split("/");
    if (parts.length !== 3) return [];
    const [org, project] = parts as [string, string, string];
    const problems: string[] = [];
    if (project !== here.project)
        problems.push(
            `preview.devStack: ${JSON.stringify(devStack)} names project ${project}; the dev stack is this project's (${here.project})`,
        );
    if (here.organization !== undefined && org !== here.organization)
        problems.push(
            `preview.devStack: ${JSON.stringify(devStack)} names organization ${org}, not this backend's (${here.organization})` +
                (here.organization === "organization"
                    ? `: a self-managed backend (gs://, file://) has only "organization"; write \`organization/${project}/${parts[2]}\` or just \`${parts[2]}\``
                    : ""),
        );
    return problems;
}

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
