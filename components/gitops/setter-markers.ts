import { isMap, isScalar, isSeq, parseDocument } from "yaml";
import { imagePolicyName } from "./images";
import { FLUX_NAMESPACE } from "./names";

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
 * Checks that every `image:` line under `platform:apps` (`<app>.containers[].image`) in a stack
 * file's text carries the setter marker naming its own app, container and environment, so Flux's
 * image automation bumps exactly the lines it should. Returns one message per problem; empty when
 * all is well (and when the file has no apps). `environment` as in setterMarker.
 */
export function setterMarkerProblems(stackFileText: string, environment: string): string[] {
    const doc = parseDocument(stackFileText);
    if (doc.errors.length > 0) return [`the stack file is not valid YAML: ${doc.errors[0]!.message.split("\n")[0]}`];
    const apps = doc.getIn(["config", "platform:apps"], true);
    if (apps === undefined || apps === null) return [];
    if (!isMap(apps)) return ["platform:apps: is not a mapping of app names"];
    const lineOf = (offset: number) => stackFileText.slice(0, offset).split("\n").length;
    const problems: string[] = [];
    for (const pair of apps.items) {
        const app = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const containers = isMap(pair.value) ? pair.value.get("containers", true) : undefined;
        if (!isSeq(containers)) continue;
        containers.items.forEach((item, i) => {
            if (!isMap(item)) return;
            const image = item.get("image", true);
            if (!isScalar(image) || !image.range) return;
            const where = `platform:apps.${app}.containers[${i}].image (line ${lineOf(image.range[0])})`;
            const container = item.get("name");
            if (typeof container !== "string" || container === "") {
                problems.push(`${where}: its container has no name, so no image policy can match it`);
                return;
            }
            const expected = `${FLUX_NAMESPACE}:${imagePolicyName(environment, app, container)}`;
            const end = image.range[1];
            const eol = stackFileText.indexOf("\n", end);
            const ref = markerReference(stackFileText.slice(end, eol < 0 ? undefined : eol));
            if (ref === undefined) {
                problems.push(
                    `${where}: has no setter marker; end the line with ${setterMarker(environment, app, container)}`,
                );
            } else if (ref instanceof Error) {
                problems.push(`${where}: ${ref.message}; expected ${setterMarker(environment, app, container)}`);
            } else if (ref !== expected) {
                problems.push(`${where}: marker names ${ref}; expected ${expected}`);
            }
        });
    }
    return problems;
}
