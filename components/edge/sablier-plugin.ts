import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

/**
 * The edge's own Sablier middleware: Go source beside this file (sablier-plugin/), which Traefik
 * interprets with Yaegi as a local plugin. The program ships the source in the chart's inline
 * plugin ConfigMap, so Traefik downloads nothing when it starts: what runs is what this
 * repository holds, reviewed like the rest. It speaks the Sablier server's HTTP API (its dynamic
 * strategy); scripts/ci/traefik-plugin.sh tests it under Go and under Yaegi, loaded as Traefik does.
 */
export const SABLIER_PLUGIN_DIR = path.join(__dirname, "sablier-plugin");

/** The Go module path (sablier-plugin/go.mod), which is also the manifest's import. */
export const SABLIER_PLUGIN_MODULE = "platform.local/traefik/sablierwake";

/** Where Traefik looks for a local plugin: `./plugins-local/src/<module>` from its working directory, `/`. */
export const LOCAL_PLUGINS_ROOT = "/plugins-local/src";

/** The files Traefik needs: the manifest, go.mod and the Go source without its tests. */
export function sablierPluginFiles(): Record<string, string> {
    const names = readdirSync(SABLIER_PLUGIN_DIR)
        .filter((f) => f === ".traefik.yml" || f === "go.mod" || (f.endsWith(".go") && !f.endsWith("_test.go")))
        .sort();
    return Object.fromEntries(names.map((f) => [f, readFileSync(path.join(SABLIER_PLUGIN_DIR, f), "utf8")]));
}

/** The chart's `experimental.localPlugins` entry: an inline plugin, mounted read-only where Traefik looks. */
export function sablierLocalPlugin(): Record<string, unknown> {
    return {
        type: "inlinePlugin",
        moduleName: SABLIER_PLUGIN_MODULE,
        mountPath: `${LOCAL_PLUGINS_ROOT}/${SABLIER_PLUGIN_MODULE}`,
        source: sablierPluginFiles(),
    };
}
