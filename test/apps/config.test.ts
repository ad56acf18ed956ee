import { ConfigError, parseOrThrow } from "../../config/errors";
import { appImages, parseImageFile, readImageFile, resolveImages, withImages } from "../../config/images";
import { ParsedStack, stackSchema, StackConfig } from "../../config/schema";
import { ROOT } from "../../render/render";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { stackConfig } from "./fixtures";

/** The stack file's config in the shape the schema reads (`platform:x` -> `x`, `gcp:*` -> gcp). */
function raw(stack: string): Record<string, any> {
    const out: Record<string, any> = { gcp: {} };
    for (const [key, value] of Object.entries(stackConfig(stack))) {
        const [ns, name] = key.split(":") as [string, string];
        if (ns === "platform") out[name] = structuredClone(value);
        else if (ns === "gcp") out.gcp[name] = value;
    }
    return out;
}

/** The committed image file of a stack, as text. */
function imageFileText(stack: string): string {
    return readFileSync(path.join(ROOT, "images", `${stack}.yaml`), "utf8");
}

/** The stack resolved as loadConfig does, with the image file's text given (default: the committed one). */
function resolved(config: Record<string, any>, images?: string): StackConfig {
    const stack: ParsedStack = parseOrThrow(stackSchema, config);
    const file = stack.imageFile ?? "";
    const text = images ?? (stack.imageFile ? readFileSync(path.join(ROOT, stack.imageFile), "utf8") : undefined);
    return resolveImages(stack, text === undefined ? undefined : parseImageFile(text, file), file);
}

function problems(config: Record<string, any>, images?: string): string[] {
    try {
        resolved(config, images);
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return [...e.problems];
        throw e;
    }
}

/** dev's config with vote's image written in the stack file instead of the image file. */
function voteInStackFile(image: string): Record<string, any> {
    const c = raw("dev");
    c.apps.vote.containers[0].image = image;
    return c;
}
const devImagesWithoutVote = () => imageFileText("dev").replace(/^  vote:\n    web: .*\n/m, "");

describe("platform:apps config", () => {
    it("accepts both stack files as they are", () => {
        expect(problems(raw("dev"))).toEqual([]);
        expect(problems(raw("prd"))).toEqual([]);
    });

    it("rejects a bad image reference in the stack file, naming the app and container", () => {
        const c = voteInStackFile("Vote:latest");
        expect(problems(c, devImagesWithoutVote())).toEqual([
            expect.stringMatching(/^apps\.vote\.containers\[0\]\.image: "Vote:latest" is not an image reference/),
        ]);
        c.apps.vote.containers[0].image = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote";
        expect(problems(c, devImagesWithoutVote())[0]).toMatch(
            /apps\.vote\.containers\[0\]\.image: .* is not an image reference/,
        );
    });

    it("rejects a tag the timestamp policy cannot order, wherever the image is written", () => {
        const latest = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:latest";
        expect(problems(voteInStackFile(latest), devImagesWithoutVote())).toEqual([
            expect.stringMatching(/^apps\.vote\.containers\[0\]\.image: .*latest.* app vote/),
        ]);
        const text = imageFileText("dev").replace(/(vote:)3f2a9c1-20211120093000/, "$1latest");
        expect(problems(raw("dev"), text)).toEqual([
            expect.stringMatching(/^images\/dev\.yaml: spec\.vote\.web: .*latest.* the timestamp policy cannot order/),
        ]);
    });

    it("takes each container's image from the image file, and the same images as before the move", () => {
        const dev = resolved(raw("dev"));
        expect(dev.apps.vote!.containers[0]!.image).toBe(
            "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:3f2a9c1-20211120093000",
        );
        expect(appImages(resolved(raw("prd"))).map((i) => `${i.repository}:${i.tag}`)).toEqual([
            "asia-northeast1-docker.pkg.dev/clubplatform-prd/apps/plarail:3f2a9c1-20211120093000",
            "asia-northeast1-docker.pkg.dev/clubplatform-prd/apps/vote:3f2a9c1-20211120093000",
            "asia-northeast1-docker.pkg.dev/clubplatform-prd/apps/uploader-frontend:9c41be0-20211118120000",
            "asia-northeast1-docker.pkg.dev/clubplatform-prd/apps/uploader-api:9c41be0-20211118120000",
            "asia-northeast1-docker.pkg.dev/clubplatform-prd/apps/scoreserver:51d0e7a-20211101080000",
        ]);
    });

    it("rejects an image file entry for an app or container the stack does not have, by key path", () => {
        const text = `${imageFileText("dev")}  votes:\n    web: a.b/c:3f2a9c1-20211120093000\n`;
        expect(problems(raw("dev"), text)).toEqual([
            expect.stringMatching(
                /^images\/dev\.yaml: spec\.votes: is not an app of platform:apps \(apps: plarail, vote/,
            ),
        ]);
        const other = imageFileText("dev").replace(
            "    web: asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote",
            "    wbe: asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote",
        );
        expect(problems(raw("dev"), other)).toEqual([
            expect.stringMatching(
                /^images\/dev\.yaml: spec\.vote\.wbe: is not a container of app vote \(containers: web\)/,
            ),
            expect.stringMatching(
                /^apps\.vote\.containers\[0\]\.image: is required: add spec\.vote\.web to images\/dev\.yaml/,
            ),
        ]);
    });

    it("rejects a bad reference, another environment's file and a wrong document type, by key path", () => {
        const bad = imageFileText("dev").replace("apps/vote:3f2a9c1", "apps/Vote:3f2a9c1");
        expect(problems(raw("dev"), bad)).toEqual([
            expect.stringMatching(/^images\/dev\.yaml: spec\.vote\.web: ".*\/Vote:3f2a9c1.* is not an image reference/),
        ]);
        expect(problems(raw("prd"), imageFileText("prd").replace("name: prd", "name: dev"))).toEqual([
            expect.stringMatching(/^images\/prd\.yaml: metadata\.name: "dev" is not this stack's environment prd/),
        ]);
        expect(problems(raw("dev"), imageFileText("dev").replace("kind: AppImages", "kind: ConfigMap"))).toEqual([
            expect.stringMatching(
                /^images\/dev\.yaml: kind: "ConfigMap" is not one of "AppImages"|^images\/dev\.yaml: kind: "ConfigMap"/,
            ),
        ]);
    });

    it("names an image file it cannot read, and resolves the stack's relative to the project folder", () => {
        expect(() => readImageFile("images/nope.yaml", ROOT)).toThrow(/imageFile: "images\/nope\.yaml" cannot be read/);
        expect(() => parseOrThrow(stackSchema, { ...raw("dev"), imageFile: "../images/dev.yaml" })).toThrow(
            /imageFile: "\.\.\/images\/dev\.yaml" is not a path of a \.yaml file without '\.\.'/,
        );
        expect(withImages(parseOrThrow(stackSchema, raw("dev")), ROOT).apps.plarail!.containers[0]!.image).toMatch(
            /plarail:3f2a9c1-20211120093000$/,
        );
    });

    it("keeps each image in one place: both places and neither are errors", () => {
        expect(problems(voteInStackFile("a.b/vote:3f2a9c1-20211120093000"))).toEqual([
            expect.stringMatching(
                /^apps\.vote\.containers\[0\]\.image: "a\.b\/vote:3f2a9c1-20211120093000" is also set in images\/dev\.yaml \(spec\.vote\.web\)/,
            ),
        ]);
        const noFile = raw("dev");
        delete noFile.imageFile;
        expect(problems(noFile)).toHaveLength(5);
        expect(problems(noFile)[0]).toMatch(
            /^apps\.plarail\.containers\[0\]\.image: is required \(or set platform:imageFile/,
        );
    });

    it("rejects a port out of range", () => {
        const c = raw("dev");
        c.apps.plarail.containers[0].port = 70000;
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.plarail\.containers\[0\]\.port: 70000 is above the maximum 65535/),
        ]);
    });

    it("rejects replicas at or below the PodDisruptionBudget minimum, naming the app", () => {
        const c = raw("prd");
        c.apps.scoreserver.replicas = 1;
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.scoreserver\.replicas: 1 is not above minAvailable 1: app scoreserver/),
        ]);
        const v = raw("prd");
        v.apps.vote.autoscale.min = 2;
        expect(problems(v)).toEqual([
            expect.stringMatching(/^apps\.vote\.autoscale\.min: 2 is not above minAvailable 2: app vote/),
        ]);
    });

    it("rejects a single-replica reason on an app that runs more", () => {
        const c = raw("prd");
        c.apps.scoreserver.singleReplicaReason = "only one scoreboard writer";
        expect(problems(c)).toEqual([
            'apps.scoreserver.singleReplicaReason: "only one scoreboard writer" is set but app scoreserver runs 2 replicas',
        ]);
        const auto = raw("dev");
        auto.apps.plarail.autoscale = { min: 1, max: 2 };
        expect(problems(auto)).toEqual([
            expect.stringMatching(
                /^apps\.plarail\.singleReplicaReason: "one gRPC .*" is set but app plarail autoscales up to 2 replicas/,
            ),
        ]);
    });

    it("rejects a host outside the stack's domain", () => {
        const c = raw("dev");
        c.apps.vote.hosts[0].host = "vote.example.com";
        expect(problems(c)).toEqual([
            'apps.vote.hosts[0].host: "vote.example.com" is outside the stack\'s domain dev.example.org (app vote)',
        ]);
        const prd = raw("prd");
        prd.apps.vote.hosts[0].host = "vote.dev.example.org.evil.org";
        expect(problems(prd)[0]).toMatch(/outside the stack's domain example\.org/);
    });

    it("requires a backup schedule for MySQL on prd only", () => {
        const prd = raw("prd");
        delete prd.apps.uploader.mysql.backup;
        expect(problems(prd)).toEqual([
            expect.stringMatching(/^apps\.uploader\.mysql\.backup: .*required on prd: app uploader/),
        ]);
        const dev = raw("dev");
        delete dev.apps.uploader.mysql.backup;
        expect(problems(dev)).toEqual([]);
    });

    it("refuses Redis without persistence on prd only", () => {
        const prd = raw("prd");
        prd.apps.vote.redis.persistence = false;
        expect(problems(prd)).toEqual([
            expect.stringMatching(
                /^apps\.vote\.redis\.persistence: false is refused on prd: app vote's Redis would lose/,
            ),
        ]);
        const dev = raw("dev");
        dev.apps.vote.redis.persistence = false;
        expect(problems(dev)).toEqual([]);
    });

    it("rejects a storage quota below the volumes the app claims (MySQL, and Redis on prd)", () => {
        const prd = raw("prd");
        prd.apps.vote.quota.storage = "512Mi";
        expect(problems(prd)).toEqual([
            expect.stringMatching(
                /^apps\.vote\.quota\.storage: "512Mi" is below the 1024Mi of volumes app vote claims/,
            ),
        ]);
        // dev's Redis keeps nothing on disk: no volume to hold.
        const dev = raw("dev");
        dev.apps.vote.quota.storage = "512Mi";
        expect(problems(dev)).toEqual([]);
        const big = raw("prd");
        big.apps.uploader.mysql.storage = "50Gi";
        expect(problems(big)).toEqual([expect.stringMatching(/^apps\.uploader\.quota\.storage: "40Gi" is below/)]);
    });

    it("rejects a quota the app cannot fit at full scale (the load test that took nodes down)", () => {
        const c = raw("prd");
        c.apps.vote.quota.cpu = "2";
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.vote\.quota\.cpu: "2" is below the 3600m app vote needs at full scale/),
        ]);
    });

    it("rejects a container limit above the namespace's LimitRange maximum", () => {
        const c = raw("dev");
        c.apps.vote.containers[0].resources.limits.cpu = "2";
        expect(problems(c)).toContainEqual(
            expect.stringMatching(
                /apps\.vote\.containers\[0\]\.resources\.limits\.cpu: "2" is above limits\.max\.cpu 1/,
            ),
        );
    });

    it("rejects a route to a container without a port and an unknown key", () => {
        const c = raw("dev");
        c.apps.scoreserver.hosts[0].container = "worker";
        c.apps.scoreserver.replica = 2;
        const p = problems(c);
        expect(p).toContainEqual('apps.scoreserver.hosts[0].container: "worker" names no container of app scoreserver');
        expect(p.some((x) => x.startsWith("apps.scoreserver.replica: unknown key (allowed: namespace,"))).toBe(true);
    });

    it("rejects Google APIs and backups on an existing cluster, which has no Google Cloud", () => {
        const c = raw("dev");
        c.cluster = { mode: "existing", context: "kind-platform" };
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.uploader\.mysql\.backup: .* needs cluster\.mode gke .* app uploader/),
        ]);
    });

    it("keeps the data stores' env names for the platform", () => {
        const c = raw("dev");
        c.apps.vote.containers[0].env = { REDIS_URL: "redis://elsewhere" };
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.vote\.containers\[0\]\.env\.REDIS_URL: .* set by the platform/),
        ]);
    });
});

describe("appImages and the image files' setter markers", () => {
    it.each(["dev", "prd"])(
        "%s: every image line carries the marker of its app, container and environment",
        (stack) => {
            const text = imageFileText(stack);
            const lines = text.split("\n").filter((l) => /^    [a-z0-9-]+: /.test(l));
            const images = appImages(resolved(raw(stack)));
            expect(lines).toHaveLength(images.length);
            for (const img of images) {
                const line = lines.find((l) => l.includes(`${img.repository}:${img.tag}`));
                expect(line).toBeDefined();
                expect(line).toMatch(
                    new RegExp(`# \\{"\\$imagepolicy": "flux-system:${img.app}-${img.container}-${stack}"\\}$`),
                );
                expect(img.policy).toEqual({ kind: "timestamp" });
            }
            expect(images.map((i) => `${i.app}/${i.container}`)).toEqual([
                "plarail/server",
                "vote/web",
                "uploader/frontend",
                "uploader/api",
                "scoreserver/web",
            ]);
        },
    );

    it("reads a semver policy", () => {
        const c = voteInStackFile("ghcr.io/acme/vote:1.4.2");
        c.apps.vote.containers[0].imagePolicy = { semver: ">=1.0.0 <2.0.0" };
        const vote = appImages(resolved(c, devImagesWithoutVote())).find((i) => i.app === "vote")!;
        expect(vote).toEqual({
            app: "vote",
            container: "web",
            repository: "ghcr.io/acme/vote",
            tag: "1.4.2",
            policy: { kind: "semver", range: ">=1.0.0 <2.0.0" },
        });
    });
});
