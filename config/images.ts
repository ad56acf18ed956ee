import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseDocument } from "yaml";
import { AppImage } from "../components/gitops/images";
import { ConfigError, describeIssue, keyPath, show } from "./errors";
import { AppsConfig, imageProblems, parseImage } from "./sections/apps";
import { ImageFile, imageFileSchema } from "./sections/image-file";
import type { ParsedStack, StackConfig } from "./schema";

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

/**
 * Reads and validates an image file. Every problem is reported as `<file>: <key path>: ...`, like
 * the stack file's, before anything is declared.
 */
export function readImageFile(file: string, root: string): ImageFile {
    let text: string;
    try {
        text = readFileSync(path.resolve(root, file), "utf8");
    } catch (e) {
        throw new ConfigError([`imageFile: ${show(file)} cannot be read (${(e as Error).message})`]);
    }
    return parseImageFile(text, file);
}

/** The image file's text validated; `file` names it in messages. */
export function parseImageFile(text: string, file: string): ImageFile {
    const doc = parseDocument(text);
    if (doc.errors.length > 0)
        throw new ConfigError([`${file}: is not valid YAML (${doc.errors[0]!.message.split("\n")[0]})`]);
    const result = imageFileSchema.safeParse(doc.toJS(), { reportInput: true });
    if (!result.success)
        throw new ConfigError(result.error.issues.map((i) => `${file}: ${describeIssue(i, imageFileSchema)}`));
    return result.data;
}

/**
 * The stack with every app container's image filled in from the image file (`platform:imageFile`,
 * relative to `root`, the project folder). Each container has its image in exactly one place: the
 * image file (Flux bumps it) or the stack file (Flux does not). Throws a ConfigError naming the
 * file and key path of every problem: an app or container the stack does not have, an image file
 * of another environment, an image in both places or in neither, a tag the policy cannot order.
 */
export function withImages(stack: ParsedStack, root: string): StackConfig {
    const file = stack.imageFile;
    const images = file ? readImageFile(file, root) : undefined;
    return resolveImages(stack, images, file ?? "");
}

/** withImages for an image file already read (`file` names it in messages). */
export function resolveImages(stack: ParsedStack, images: ImageFile | undefined, file: string): StackConfig {
    const problems: string[] = [];
    const at = (where: string, keys: (string | number)[], value: unknown, message: string) =>
        problems.push(`${where}${keyPath(keys)}: ${value === undefined ? "" : `${show(value)} `}${message}`);
    const spec = images?.spec ?? {};

    if (images && images.metadata.name !== stack.environment)
        at(
            `${file}: `,
            ["metadata", "name"],
            images.metadata.name,
            `is not this stack's environment ${stack.environment}`,
        );
    for (const [app, containers] of Object.entries(spec)) {
        const declared = stack.apps[app];
        if (!declared) {
            at(`${file}: `, ["spec", app], undefined, `is not an app of platform:apps (apps: ${names(stack.apps)})`);
            continue;
        }
        for (const container of Object.keys(containers))
            if (!declared.containers.some((c) => c.name === container))
                at(
                    `${file}: `,
                    ["spec", app, container],
                    undefined,
                    `is not a container of app ${app} (containers: ${declared.containers.map((c) => c.name).join(", ")})`,
                );
    }

    const apps: AppsConfig = {};
    for (const [app, declared] of Object.entries(stack.apps)) {
        const containers = declared.containers.map((c, i) => {
            const fromFile = spec[app]?.[c.name];
            if (fromFile !== undefined && c.image !== undefined)
                at(
                    "",
                    ["apps", app, "containers", i, "image"],
                    c.image,
                    `is also set in ${file} (spec.${app}.${c.name}); Flux bumps that one, so keep the image in one place`,
                );
            else if (fromFile === undefined && c.image === undefined)
                at(
                    "",
                    ["apps", app, "containers", i, "image"],
                    undefined,
                    file
                        ? `is required: add spec.${app}.${c.name} to ${file} (with its setter marker) or set it here`
                        : "is required (or set platform:imageFile and list it there)",
                );
            else if (fromFile !== undefined)
                for (const p of imageProblems(app, fromFile, c.imagePolicy))
                    at(`${file}: `, ["spec", app, c.name], fromFile, p);
            return { ...c, image: fromFile ?? c.image ?? "" };
        });
        apps[app] = { ...declared, containers };
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return { ...stack, apps };
}

function names(apps: Record<string, unknown>): string {
    const list = Object.keys(apps);
    return list.length > 0 ? list.join(", ") : "none";
}
