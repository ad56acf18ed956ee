import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { KubeObject } from "../../render/objects";
import { renderStack, RenderResult, ROOT } from "../../render/render";
import { rendered } from "../rendered";
import { devWith, sentinelSecrets, stackConfig, writeStackFile } from "../stack-files";

/** Every container image of every pod template among the rendered objects. */
function podImages(objects: readonly KubeObject[]): string[] {
    return objects.flatMap((o: any) => {
        const spec =
            o.kind === "CronJob"
                ? o.spec?.jobTemplate?.spec?.template?.spec
                : o.kind === "Pod"
                  ? o.spec
                  : o.spec?.template?.spec;
        if (!spec) return [];
        return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c: any) => String(c.image));
    });
}

/** Every app image of a committed stack: those in its stack file and those in its image file. */
function stackFileImages(stack: "dev" | "prd"): string[] {
    const apps = stackConfig(stack)["platform:apps"] as Record<string, { containers: { image?: string }[] }>;
    const inStackFile = Object.values(apps).flatMap((a) => a.containers.flatMap((c) => (c.image ? [c.image] : [])));
    const file = parse(readFileSync(path.join(ROOT, stackConfig(stack)["platform:imageFile"] as string), "utf8")) as {
        spec: Record<string, Record<string, string>>;
    };
    return [...inStackFile, ...Object.values(file.spec).flatMap((containers) => Object.values(containers))];
}

describe("the first deploy (platform:bootstrap)", () => {
    let first: RenderResult;

    beforeAll(async () => {
        const file = writeStackFile(devWith((c) => (c["platform:bootstrap"] = true)));
        first = await renderStack({ stack: "dev", stackFile: file, secrets: sentinelSecrets("dev") });
    });

    it("renders without errors and creates the platform, the registry among it", () => {
        expect(first.errors).toEqual([]);
        const types = new Set(first.resources.map((r) => r.type));
        for (const t of [
            "gcp:container/cluster:Cluster",
            "gcp:artifactregistry/repository:Repository",
            "gcp:dns/managedZone:ManagedZone",
        ])
            expect(types).toContain(t);
        expect(first.charts.map((c) => c.chart)).toEqual(
            expect.arrayContaining(["traefik", "cert-manager", "kube-prometheus-stack", "flux2"]),
        );
    });

    it("starts nothing that pulls from the registry the same run creates", () => {
        const registry = String(first.outputs.artifactRegistry);
        expect(registry).toMatch(/-docker\.pkg\.dev\//);
        const images = podImages(first.objects);
        expect(images.length).toBeGreaterThan(0);
        expect(images.filter((i) => i.startsWith(`${registry}/`))).toEqual([]);
        // Nor does Flux scan it for tags that cannot be there yet.
        const scanned = first.objects
            .filter((o) => o.kind === "ImageRepository")
            .map((o: any) => String(o.spec.image))
            .filter((i) => i.startsWith(`${registry}/`));
        expect(scanned).toEqual([]);
    });

    it("names every image to push, by name, as an output", () => {
        const registry = String(first.outputs.artifactRegistry);
        const expected = [...new Set(stackFileImages("dev").filter((i) => i.startsWith(`${registry}/`)))].sort();
        expect(expected.length).toBeGreaterThan(0);
        expect(first.outputs.imagesToPush).toEqual(expected);
    });

    it("the next run (bootstrap off) deploys exactly those images, and names none", async () => {
        const next = await rendered("dev");
        expect(next.outputs.imagesToPush).toBeUndefined();
        const used = new Set(podImages(next.objects));
        for (const image of first.outputs.imagesToPush as string[]) expect(used).toContain(image);
        // The platform the first run made is the same platform: nothing of it is replaced or renamed.
        const firstUrns = new Set(first.resources.map((r) => r.engineUrn));
        const kept = next.resources.filter((r) => firstUrns.has(r.engineUrn));
        expect(kept.length).toBe(firstUrns.size);
    });
});
