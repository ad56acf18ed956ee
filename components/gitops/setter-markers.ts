import { isMap, isScalar, parseDocument } from "yaml";
import { imagePolicyName } from "./images";
import { FLUX_NAMESPACE } from "./names";

/**
 * The image file's document type. Flux's image automation records (and commits) a bump only in a
 * document kyaml reads metadata from (apiVersion, kind, metadata), so the images Flux owns live in
 * such a document, one per environment; nothing applies it to a cluster.
 */
export const IMAGE_FILE_API_VERSION = "platform/v1";
export const IMAGE_FILE_KIND = "AppImages";

/** What Flux's setters look for in a file before parsing it (image-automation-controller's ScreeningLocalReader). */
export const SETTER_TOKEN = '"$imagepolicy"';

/**
 * The setter marker Flux's image automation looks for on an app image line. `environment` is any
 * suffix, not just an Environment: test fixtures name a `fixture` one no cluster's automation rewrites.
 */
export function setterMarker(environment: string, app: string, container: string): string {
    return `# {"$imagepolicy": "${FLUX_NAMESPACE}:${imagePolicyName(environment, app, container)}"}`;
}

/** The `$imagepolicy` reference of a line comment such as `# {"$imagepolicy": "ns:name"}`. */
function markerReference(rest: string): string | undefined | Error {
    const hash = rest.indexOf("#");
    if (hash < 0) return undefined;
    const comment = rest.slice(hash + 1).trim();
    if (!comment.includes("$imagepolicy")) return undefined;
    try {
        const parsed = JSON.parse(comment) as unknown;
        const ref = (parsed as Record<string, unknown> | null)?.["$imagepolicy"];
        return typeof ref === "string" ? ref : new Error("its $imagepolicy is not a string");
    } catch {
        return new Error(`its marker is not JSON: ${comment}`);
    }
}

/**
 * Checks an image file's text (`spec.<app>.<container>: <image>`): the document is Kubernetes-shaped
 * (apiVersion, kind, metadata), so Flux records its bumps, and every image line carries the setter
 * marker naming its own app, container and environment, so Flux bumps exactly the lines it should.
 * Returns one message per problem; empty when all is well. `environment` as in setterMarker.
 */
export function setterMarkerProblems(imageFileText: string, environment: string): string[] {
    const doc = parseDocument(imageFileText);
    if (doc.errors.length > 0) return [`the image file is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`];
    const problems: string[] = [];
    if (doc.get("apiVersion") !== IMAGE_FILE_API_VERSION || doc.get("kind") !== IMAGE_FILE_KIND || !doc.has("metadata"))
        problems.push(
            `the image file is not a ${IMAGE_FILE_API_VERSION} ${IMAGE_FILE_KIND} document with metadata; Flux records no change in a document without apiVersion, kind and metadata`,
        );
    const spec = doc.get("spec", true);
    if (spec === undefined || spec === null) return problems;
    if (!isMap(spec)) return [...problems, "spec: is not a mapping of app names"];
    const lineOf = (offset: number) => imageFileText.slice(0, offset).split("\n").length;
    for (const pair of spec.items) {
        const app = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (!isMap(pair.value)) {
            problems.push(`spec.${app}: is not a mapping of container names to images`);
            continue;
        }
        for (const entry of pair.value.items) {
            const container = isScalar(entry.key) ? String(entry.key.value) : String(entry.key);
            const image = entry.value;
            if (!isScalar(image) || !image.range) continue;
            const where = `spec.${app}.${container} (line ${lineOf(image.range[0])})`;
            const expected = `${FLUX_NAMESPACE}:${imagePolicyName(environment, app, container)}`;
            const end = image.range[1];
            const eol = imageFileText.indexOf("\n", end);
            const ref = markerReference(imageFileText.slice(end, eol < 0 ? undefined : eol));
            if (ref === undefined)
                problems.push(
                    `${where}: has no setter marker; end the line with ${setterMarker(environment, app, container)}`,
                );
            else if (ref instanceof Error)
                problems.push(`${where}: ${ref.message}; expected ${setterMarker(environment, app, container)}`);
            else if (ref !== expected) problems.push(`${where}: marker names ${ref}; expected ${expected}`);
        }
    }
    return problems;
}

/**
 * Lines of a stack file (or any file that is not an image file) carrying a setter marker: Flux
 * would never commit a bump there (no apiVersion/kind/metadata), so a marker there is a mistake.
 */
export function strayMarkers(text: string): number[] {
    return text
        .split("\n")
        .map((line, i) => (line.includes("$imagepolicy") ? i + 1 : 0))
        .filter((n) => n > 0);
}
