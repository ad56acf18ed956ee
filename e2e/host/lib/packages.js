// Which Pulumi resource packages a Node.js program has installed: the language host reports these
// to the CLI (GetRequiredPackages), which then makes sure a provider plugin exists for each.
//
// A package is a Pulumi resource package when its package.json has `"pulumi": { "resource": true }`;
// its plugin name is `pulumi.name`, or the package name less the `@pulumi/` scope, and its version
// `pulumi.version` or the package version. node_modules is walked recursively (packages nested in
// other packages' node_modules count too), following symlinks once each.
"use strict";

const fs = require("node:fs");
const path = require("node:path");

/**
 * @typedef {{ name: string, version: string, server?: string, packageDir: string,
 *             parameterization?: { name: string, version: string, value: string } }} PulumiPackage
 */

/**
 * The plugin a package.json declares, or undefined when it is not a Pulumi resource package.
 * @param {any} pkg parsed package.json
 * @returns {Omit<PulumiPackage, "packageDir"> | undefined}
 */
function pluginOf(pkg) {
    const pulumi = pkg && typeof pkg.pulumi === "object" && pkg.pulumi ? pkg.pulumi : undefined;
    if (!pulumi || pulumi.resource !== true) return undefined;
    let name = pulumi.name;
    if (!name) {
        if (typeof pkg.name !== "string" || !pkg.name.startsWith("@pulumi/")) {
            // A third-party package must name its plugin; the upstream host refuses it too.
            throw new Error(`package ${pkg.name} is a Pulumi resource package but has no pulumi.name`);
        }
        name = pkg.name.slice("@pulumi/".length);
    }
    const raw = pulumi.version || pkg.version;
    if (!raw) throw new Error(`package ${pkg.name} has no version`);
    const version = raw.startsWith("v") ? raw : `v${raw}`;
    /** @type {Omit<PulumiPackage, "packageDir">} */
    const out = { name, version };
    if (pulumi.server) out.server = pulumi.server;
    if (pulumi.parameterization) {
        out.parameterization = {
            name: pulumi.parameterization.name,
            version: pulumi.parameterization.version,
            value: pulumi.parameterization.value,
        };
    }
    return out;
}

/**
 * Every Pulumi resource package under `<programDir>/node_modules`, one per name and version, in
 * the order found (sorted by name within a directory).
 * @param {string} programDir
 * @returns {PulumiPackage[]}
 */
function findPulumiPackages(programDir) {
    /** @type {PulumiPackage[]} */
    const found = [];
    const seenPlugins = new Set();
    const visited = new Set();

    /** @param {string} dir */
    const visitPackage = (dir) => {
        let real;
        try {
            real = fs.realpathSync(dir);
        } catch {
            return; // a dangling symlink
        }
        if (visited.has(real)) return;
        visited.add(real);
        let pkg;
        try {
            pkg = JSON.parse(fs.readFileSync(path.join(real, "package.json"), "utf8"));
        } catch {
            pkg = undefined; // not a package (or a broken one): look inside anyway
        }
        const plugin = pkg ? pluginOf(pkg) : undefined;
        if (plugin) {
            const key = `${plugin.name}@${plugin.version}`;
            if (!seenPlugins.has(key)) {
                seenPlugins.add(key);
                found.push({ ...plugin, packageDir: real });
            }
        }
        visitNodeModules(path.join(real, "node_modules"));
    };

    /** @param {string} dir */
    const visitNodeModules = (dir) => {
        let entries;
        try {
            entries = fs.readdirSync(dir).sort();
        } catch {
            return;
        }
        for (const entry of entries) {
            if (entry.startsWith(".")) continue; // .bin, .package-lock.json, .cache
            const full = path.join(dir, entry);
            if (entry.startsWith("@")) {
                let scoped;
                try {
                    scoped = fs.readdirSync(full).sort();
                } catch {
                    continue;
                }
                for (const name of scoped) visitPackage(path.join(full, name));
            } else {
                visitPackage(full);
            }
        }
    };

    visitNodeModules(path.join(programDir, "node_modules"));
    return found;
}

// The e2e stack never creates a Google Cloud or GitHub resource, and no gcp or github plugin exists
// on these machines (README.md). Reporting them would make the engine fail before the program runs.
const DEFAULT_SKIP = "gcp,github";

/**
 * The plugin names not to report: PULUMI_E2E_SKIP_PACKAGES (comma-separated; empty for none), or
 * the default above when the variable is unset.
 * @param {NodeJS.ProcessEnv} env
 */
function skippedPackages(env) {
    const raw = env.PULUMI_E2E_SKIP_PACKAGES ?? DEFAULT_SKIP;
    return new Set(
        raw
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );
}

module.exports = { pluginOf, findPulumiPackages, skippedPackages, DEFAULT_SKIP };
