import { ConfigError, parseOrThrow } from "../../config/errors";
import { appImages } from "../../config/images";
import { stackSchema } from "../../config/schema";
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

function problems(config: Record<string, any>): string[] {
    try {
        parseOrThrow(stackSchema, config);
        return [];
    } catch (e) {
        if (e instanceof ConfigError) return [...e.problems];
        throw e;
    }
}

describe("platform:apps config", () => {
    it("accepts both stack files as they are", () => {
        expect(problems(raw("dev"))).toEqual([]);
        expect(problems(raw("prd"))).toEqual([]);
    });

    it("rejects a bad image reference, naming the app and container", () => {
        const c = raw("dev");
        c.apps.vote.containers[0].image = "Vote:latest";
        expect(problems(c)).toEqual([
            expect.stringMatching(/^apps\.vote\.containers\[0\]\.image: "Vote:latest" is not an image reference/),
        ]);
        c.apps.vote.containers[0].image = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote";
        expect(problems(c)[0]).toMatch(/apps\.vote\.containers\[0\]\.image: .* is not an image reference/);
    });

    it("rejects a tag the timestamp policy cannot order", () => {
        const c = raw("dev");
        c.apps.vote.containers[0].image = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/vote:latest";
        expect(problems(c)).toEqual([expect.stringMatching(/apps\.vote\.containers\[0\]\.image: .*latest.* app vote/)]);
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

describe("appImages and the stack files' setter markers", () => {
    it.each(["dev", "prd"])(
        "%s: every image line carries the marker of its app, container and environment",
        (stack) => {
            const { readFileSync } = jest.requireActual<typeof import("node:fs")>("node:fs");
            const text = readFileSync(`${__dirname}/../../Pulumi.${stack}.yaml`, "utf8");
            const lines = text.split("\n").filter((l) => /^\s*image: /.test(l));
            const images = appImages(parseOrThrow(stackSchema, raw(stack)));
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
        const c = raw("dev");
        c.apps.vote.containers[0].image = "ghcr.io/acme/vote:1.4.2";
        c.apps.vote.containers[0].imagePolicy = { semver: ">=1.0.0 <2.0.0" };
        const vote = appImages(parseOrThrow(stackSchema, c)).find((i) => i.app === "vote")!;
        expect(vote).toEqual({
            app: "vote",
            container: "web",
            repository: "ghcr.io/acme/vote",
            tag: "1.4.2",
            policy: { kind: "semver", range: ">=1.0.0 <2.0.0" },
        });
    });
});
