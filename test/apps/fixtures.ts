import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { KubeObject, kubeObjects } from "../../render/objects";
import { RenderResult, ROOT } from "../../render/render";
import { Publisher, RouteSpec } from "../../components/edge/types";
import type { AppSpec } from "../../components/apps/spec";
import { appSchema } from "../../config/sections/apps";

/** An app spec from raw stack-file config whose every container names its image (fails otherwise). */
export function parseApp(raw: unknown): AppSpec {
    const app = appSchema.parse(raw);
    const missing = app.containers.filter((c) => c.image === undefined).map((c) => c.name);
    if (missing.length > 0) throw new Error(`parseApp: containers without an image: ${missing.join(", ")}`);
    return app as AppSpec;
}

/** The stack file's `platform:apps` as the user wrote it (read independently of the schema). */
export function stackApps(stack: string): Record<string, any> {
    const doc = parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
    return doc.config["platform:apps"] as Record<string, any>;
}

/** An app container's image as the user wrote it: its image file line, or its stack file `image`. */
export function writtenImage(stack: string, app: string, container: { name: string; image?: string }): string {
    const file = path.join(ROOT, "images", `${stack}.yaml`);
    const images = parse(readFileSync(file, "utf8")) as { spec?: Record<string, Record<string, string>> };
    return images.spec?.[app]?.[container.name] ?? String(container.image);
}

/** The stack file's whole config block. */
export function stackConfig(stack: string): Record<string, any> {
    return (parse(readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> })
        .config;
}

/** Kubernetes objects with secrets unwrapped (mock values), to look for leaks. */
export function revealedObjects(r: RenderResult): KubeObject[] {
    return kubeObjects(r.resources, true);
}

export function objectsIn(r: RenderResult, namespace: string): KubeObject[] {
    return r.objects.filter(
        (o) => o.metadata.namespace === namespace || (o.kind === "Namespace" && o.metadata.name === namespace),
    );
}

export function find(objects: readonly KubeObject[], kind: string, name?: string): KubeObject[] {
    return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

/** Every pod spec of a set of objects (Deployments, StatefulSets, CronJobs). */
export function podSpecs(objects: readonly KubeObject[]): { owner: string; spec: any }[] {
    return objects.flatMap((o: any) => {
        if (o.kind === "Deployment" || o.kind === "StatefulSet")
            return [{ owner: `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`, spec: o.spec.template.spec }];
        if (o.kind === "CronJob")
            return [
                {
                    owner: `CronJob ${o.metadata.namespace}/${o.metadata.name}`,
                    spec: o.spec.jobTemplate.spec.template.spec,
                },
            ];
        return [];
    });
}

/** A Publisher that records what it was asked to publish. */
export class FakePublisher implements Publisher {
    readonly trustedCertificates = true;
    readonly calls: { parent: string; name: string; spec: RouteSpec }[] = [];
    constructor(readonly domain: string) {}
    route(parent: { constructor: { name: string } }, name: string, spec: RouteSpec): void {
        this.calls.push({ parent: parent.constructor.name, name, spec });
    }
}
