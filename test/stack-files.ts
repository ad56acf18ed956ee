import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ConfigError, parseOrThrow } from "../config/errors";
import { stackSchema } from "../config/schema";
import { SECRET_KEYS } from "../config/secrets";
import { credentialRefs, onpremSchema } from "../config/sections/onprem";
import { ROOT } from "../render/render";

/** The `config:` mapping of a committed stack file. */
export function stackConfig(stack: string, file = path.join(ROOT, `Pulumi.${stack}.yaml`)): Record<string, unknown> {
    return parse(readFileSync(file, "utf8")).config;
}

/** Writes a stack file (a config mapping, or raw YAML text) to a fresh temp dir; returns its path. */
export function writeStackFile(content: Record<string, unknown> | string): string {
    const dir = mkdtempSync(path.join(tmpdir(), "platform-stack-"));
    const file = path.join(dir, "Pulumi.test.yaml");
    writeFileSync(file, typeof content === "string" ? content : stringify({ config: content }));
    return file;
}

/** dev's config with `edit` applied to a deep copy. */
export function devWith(edit: (c: Record<string, any>) => void): Record<string, unknown> {
    const c = structuredClone(stackConfig("dev")) as Record<string, any>;
    edit(c);
    return c;
}

/**
 * A sentinel value for every secret key, shaped as the program expects (onpremCredentials is
 * JSON naming each credential the stack's inventory references). Every sentinel contains `tag`.
 */
export function sentinelSecrets(stack: string, tag = "SENTINEL", file?: string): Record<string, string> {
    const secrets: Record<string, string> = Object.fromEntries(
        Object.keys(SECRET_KEYS).map((k) => [k, `${tag}-${k}-8f3a`]),
    );
    const onprem = onpremSchema.parse((stackConfig(stack, file)["platform:onprem"] as object | undefined) ?? {});
    const credentials: Record<string, Record<string, string>> = {};
    for (const host of Object.values(onprem.hosts)) {
        for (const ref of credentialRefs(host)) {
            credentials[ref.name] = Object.fromEntries(
                ["username", "password", "community", "securityName", "authPassphrase", "privPassphrase"].map((f) => [
                    f,
                    `${tag}-${ref.name}-${f}`,
                ]),
            );
        }
    }
    secrets.onpremCredentials = JSON.stringify(credentials);
    secrets.onpremVpnSecrets = JSON.stringify(
        Object.fromEntries(Object.keys(onprem.sites).map((site) => [site, `${tag}-vpn-${site}-8f3a`])),
    );
    return secrets;
}

/**
 * A `dev-br-x` branch preview of the vote app (branch `feature/x`), from the committed dev stack
 * file: the stack file a preview job writes. Render it with `renderStack({ stack: "dev-br-x", stackFile })`.
 */
export function branchPreviewStackFile(): string {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "preview-")), "Pulumi.dev-br-x.yaml");
    const dev = readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
    writeFileSync(
        file,
        `${dev}  platform:preview:\n    app: vote\n    branch: feature/x\n    devStack: organization/platform/dev\n    images:\n      web: asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:abc1234-20261120093000\n`,
    );
    return file;
}

/** The problems the stack schema reports for `raw` (a stack's `platform:` config, key prefix dropped); [] when it parses. */
export function stackProblems(raw: unknown): string[] {
    try {
        parseOrThrow(stackSchema, raw);
    } catch (e) {
        if (e instanceof ConfigError) return [...e.problems];
        throw e;
    }
    return [];
}
