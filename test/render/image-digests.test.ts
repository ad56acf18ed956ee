import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { IMAGES, NOT_YET_PINNED } from "../../components/versions";
import { ROOT } from "../../render/render";
import { unwrapSecrets } from "../../render/redact";
import { CommittedStack, rendered, SharedRender } from "../rendered";
import { stackConfig } from "../stack-files";

const DIGEST = /@sha256:[0-9a-f]{64}$/;

/** Every `image` of a container, anywhere in an object (Pod templates, CronJob job templates, chart values). */
function containerImages(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) {
        for (const v of value) containerImages(v, found);
    } else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
            if (k === "image" && typeof v === "string") found.push(v);
            else if (k === "image" && v && typeof v === "object") found.push(chartImage(v as Record<string, unknown>));
            else if (k === "zabbixImageTag" && typeof v === "string") found.push(`zabbixImageTag: ${v}`);
            else containerImages(v, found);
        }
    }
    return found;
}

/** A chart's `image: {registry?, repository, tag?, digest?}` as one reference. */
function chartImage(i: Record<string, unknown>): string {
    const repo = [i.registry, i.repository].filter(Boolean).join("/");
    return `${repo}${i.tag ? `:${String(i.tag)}` : ""}${i.digest ? `@${String(i.digest)}` : ""}`;
}

/** The apps' images come from the stack file or its image file (Flux bumps their tags), not from the program. */
function appImageText(stack: CommittedStack): string {
    const file = stackConfig(stack)["platform:imageFile"] as string | undefined;
    const imageFile = file ? path.join(ROOT, file) : undefined;
    const stackText = readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
    return stackText + (imageFile && existsSync(imageFile) ? readFileSync(imageFile, "utf8") : "");
}

/** The services' images of each on-prem site bundle's compose.yaml (the stack output onpremSiteBundles). */
function siteBundleImages(r: SharedRender): string[] {
    const bundles = (r.recording.outputValues.onpremSiteBundles ?? {}) as Record<string, Record<string, string>>;
    return Object.values(bundles).flatMap((files) => containerImages(parse(files["compose.yaml"]!)));
}

/** Every image the program itself sets in a render: containers of Kubernetes objects, chart values, site bundles. */
function programImages(r: SharedRender, stack: CommittedStack): string[] {
    const apps = appImageText(stack);
    const all = [
        ...containerImages(r.objects),
        ...containerImages(r.charts.map((c) => unwrapSecrets(c.values))),
        ...siteBundleImages(r),
    ];
    // An app image reads `<repository>:<tag>`; its repository is written in the stack or image file.
    return [...new Set(all)].filter((i) => !apps.includes(i.replace(/[:@].*$/, "")) || i.startsWith("zabbixImageTag"));
}

describe.each(["dev", "prd", "local"] as const)("render %s: images pinned by digest", (stack) => {
    it("sets no image without a digest, except those listed as not yet pinned", async () => {
        const r = await rendered(stack);
        const images = programImages(r, stack);
        expect(images.length).toBeGreaterThan(0);
        const unpinned = images.filter((i) => !DIGEST.test(i) && !(i in NOT_YET_PINNED));
        expect(unpinned).toEqual([]);
    });

    it("keeps the tag beside the digest, for people", async () => {
        const r = await rendered(stack);
        const pinned = programImages(r, stack).filter((i) => DIGEST.test(i));
        expect(pinned.length).toBeGreaterThan(0);
        for (const i of pinned) expect(i).toMatch(/^[^@]+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[0-9a-f]{64}$/);
    });
});

describe("render prd: site bundle images", () => {
    it("come from the pins in components/versions.ts, the tunnel, proxy and prober among them", async () => {
        const images = siteBundleImages(await rendered("prd"));
        const pinned = new Set<string>(Object.values(IMAGES));
        expect(images.filter((i) => !pinned.has(i))).toEqual([]);
        // prd watches the festival (gateway) and the contest (vpn) sites.
        for (const i of [IMAGES.siteWireguard, IMAGES.siteZabbixProxy, IMAGES.siteBlackbox])
            expect(images).toContain(i);
    });
});

describe("the pinned images", () => {
    it("lists as not yet pinned only images that lack a digest", () => {
        for (const image of Object.keys(NOT_YET_PINNED)) expect(image).not.toMatch(DIGEST);
    });

    it("has every image of components/versions.ts either pinned or listed", () => {
        const refs = Object.entries(IMAGES)
            .filter(([k]) => k !== "zabbixTag")
            .map(([, v]) => v);
        expect(refs.filter((i) => !DIGEST.test(i) && !(i in NOT_YET_PINNED))).toEqual([]);
        expect(`zabbixImageTag: ${IMAGES.zabbixTag}` in NOT_YET_PINNED || DIGEST.test(IMAGES.zabbixTag)).toBe(true);
    });

    it("parses as YAML-safe plain strings (a digest needs no quoting in a manifest)", () => {
        for (const i of Object.values(IMAGES)) expect(parse(`image: ${i}`)).toEqual({ image: i });
    });
});
