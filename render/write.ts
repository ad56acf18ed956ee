import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { HelmChart, KubeObject } from "./objects";
import { RecordedResource } from "./recorder";
import { QuotaReport } from "./quota";
import { redact } from "./redact";
import { SiteBundleFiles } from "./site-bundles";

export interface RenderFiles {
    readonly resources: readonly RecordedResource[];
    readonly objects: readonly KubeObject[];
    readonly charts: readonly HelmChart[];
    readonly outputs: Record<string, unknown>;
    readonly outputSecrets: Record<string, boolean>;
    /** The Compute Engine quotas the stack needs (render/quota.ts). */
    readonly quota: QuotaReport;
    /** Each on-prem site's bundle, secrets already placeholders (render/site-bundles.ts). @default none */
    readonly siteBundles?: SiteBundleFiles;
}

function safe(part: string): string {
    return part.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Writes `<dir>` afresh: resources.json, manifests/, helm/, outputs.json, quota.json, sites/<site>/
 * (graph.svg: render/graph.ts). Nothing secret reaches it.
 */
export function writeRender(dir: string, files: RenderFiles): void {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, "manifests"), { recursive: true });
    mkdirSync(path.join(dir, "helm"), { recursive: true });

    const resources = files.resources.map((r) => ({ ...r, inputs: redact(r.inputs) }));
    writeFileSync(path.join(dir, "resources.json"), `${JSON.stringify(resources, null, 2)}\n`);

    for (const obj of files.objects) {
        const ns = obj.metadata.namespace ?? "_cluster";
        const file = path.join(
            dir,
            "manifests",
            safe(ns),
            `${safe(obj.kind)}-${safe(obj.metadata.name ?? "unnamed")}.yaml`,
        );
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, stringify(obj));
    }
    for (const chart of files.charts) {
        writeFileSync(path.join(dir, "helm", `${safe(chart.name)}.yaml`), stringify(chart));
    }
    writeFileSync(
        path.join(dir, "outputs.json"),
        `${JSON.stringify({ outputs: files.outputs, secret: files.outputSecrets }, null, 2)}\n`,
    );
    writeFileSync(path.join(dir, "quota.json"), `${JSON.stringify(files.quota, null, 2)}\n`);
    for (const [site, bundle] of Object.entries(files.siteBundles ?? {})) {
        for (const [file, text] of Object.entries(bundle)) {
            const target = path.join(dir, "sites", safe(site), ...file.split("/").map(safe));
            mkdirSync(path.dirname(target), { recursive: true });
            writeFileSync(target, text);
        }
    }
}
