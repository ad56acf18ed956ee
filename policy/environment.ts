import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { Environment, isEnvironment } from "../contract/environment";

/** Overrides everything else: `PLATFORM_ENVIRONMENT=prd pulumi preview --policy-pack policy`. */
export const ENVIRONMENT_VARIABLE = "PLATFORM_ENVIRONMENT";

/** The stack name inside a URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string | undefined {
    const m = /^urn:pulumi:([^:]+)::/.exec(urn);
    return m?.[1];
}

function asEnvironment(v: unknown): Environment | undefined {
    return isEnvironment(v) ? v : undefined;
}

/** `platform:environment` from `Pulumi.<stack>.yaml` in the project directory, when the file says. */
export function environmentFromStackFile(projectDir: string, stack: string): Environment | undefined {
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!existsSync(file)) return undefined;
    try {
        const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
        return asEnvironment(doc?.config?.["platform:environment"]);
    } catch {
        return undefined;
    }
}

/**
 * Which environment's enforcement applies, in this order: the PLATFORM_ENVIRONMENT variable; the
 * stack's `platform:environment` in `Pulumi.<stack>.yaml` beside the pack; the stack name (`dev`,
 * `prd`, or ending in `-dev`/`-prd`); otherwise prd, the stricter one.
 */
export function resolveEnvironment(
    urn: string,
    opts: { env?: NodeJS.ProcessEnv; projectDir?: string } = {},
): Environment {
    const fromVar = asEnvironment((opts.env ?? process.env)[ENVIRONMENT_VARIABLE]);
    if (fromVar) return fromVar;
    const stack = stackOfUrn(urn);
    if (!stack) return "prd";
    const fromFile = environmentFromStackFile(opts.projectDir ?? path.resolve(__dirname, ".."), stack);
    if (fromFile) return fromFile;
    const m = /(?:^|[-_.])(dev|prd)$/.exec(stack);
    return asEnvironment(m?.[1]) ?? "prd";
}
