import { readFileSync } from "node:fs";
import * as path from "node:path";
import { TIMESTAMP_TAG_PATTERN, TIMESTAMP_TAG_REGEXP } from "../../components/gitops/image-policy";
import { setterMarker, setterMarkerProblems } from "../../components/gitops/setter-markers";

const ROOT = path.resolve(__dirname, "../..");
// The fixtures' markers name a `fixture` environment: no cluster has such policies, so Flux's
// automation (which scans the whole repository) never rewrites these files.
// The fixtures' markers name a `fixture` environment: no cluster has such policies, so Flux's
// automation (which scans the whole repository) never rewrites these files.
const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");

describe("setterMarkerProblems", () => {
    it("accepts a file whose every app image line names its own app, container and environment", () => {
        expect(setterMarkerProblems(fixture("stack-good.yaml"), "fixture")).toEqual([]);
    });

    it("rejects the same file read as another environment's: every marker names dev", () => {
        const problems = setterMarkerProblems(fixture("stack-good.yaml"), "prd");
        expect(problems).toHaveLength(3);
        expect(problems[0]).toContain(
            "marker names flux-system:plarail-server-fixture; expected flux-system:plarail-server-prd",
        );
    });

    it("names each bad line: missing, other environment, other container, not JSON, not on the line", () => {
        const problems = setterMarkerProblems(fixture("stack-bad.yaml"), "fixture");
        expect(problems).toEqual([
            expect.stringMatching(
                /^platform:apps\.vote\.containers\[0\]\.image \(line 7\): has no setter marker; end the line with # \{"\$imagepolicy": "flux-system:vote-web-fixture"\}$/,
            ),
            expect.stringMatching(
                /containers\[1\]\.image \(line 9\): marker names flux-system:vote-worker-staging; expected flux-system:vote-worker-fixture/,
            ),
            expect.stringMatching(
                /containers\[2\]\.image \(line 11\): marker names flux-system:vote-web-fixture; expected flux-system:vote-api-fixture/,
            ),
            expect.stringMatching(/containers\[3\]\.image \(line 13\): its marker is not JSON/),
            expect.stringMatching(/containers\[4\]\.image \(line 14\): has no setter marker/),
        ]);
    });

    it("reports a container without a name, since no policy can match it", () => {
        const text =
            'config:\n  platform:apps:\n    a:\n      containers:\n        - image: x/y:1 # {"$imagepolicy": "flux-system:a--dev"}\n';
        expect(setterMarkerProblems(text, "dev")).toEqual([expect.stringContaining("its container has no name")]);
    });

    it("has nothing to say about a file without apps, and reports YAML it cannot read", () => {
        expect(setterMarkerProblems("config:\n  platform:environment: dev\n", "dev")).toEqual([]);
        expect(setterMarkerProblems("config: [\n", "dev")[0]).toMatch(/not valid YAML/);
    });

    it("writes the marker in the form Flux's setters read", () => {
        expect(setterMarker("prd", "vote", "web")).toBe('# {"$imagepolicy": "flux-system:vote-web-prd"}');
    });

    it.each(["dev", "prd"])("finds every image line in Pulumi.%s.yaml correctly marked", (env) => {
        const text = readFileSync(path.join(ROOT, `Pulumi.${env}.yaml`), "utf8");
        expect(setterMarkerProblems(text, env)).toEqual([]);
    });
});

describe("the timestamp tag pattern", () => {
    it("accepts {sha}-{YYYYMMDDHHmmss} tags and extracts the timestamp", () => {
        expect(TIMESTAMP_TAG_REGEXP.exec("3f2a9c1-20211120093000")?.groups?.ts).toBe("20211120093000");
        expect(TIMESTAMP_TAG_REGEXP.test("3f2a9c1d8e0b4a6c2e1f3a5b7c9d0e2f4a6b8c0d-20260101000000")).toBe(true);
    });

    it.each([
        "latest",
        "3f2a9c1",
        "20211120093000",
        "3f2a9c-20211120093000",
        "3F2A9C1-20211120093000",
        "3f2a9c1-2021112009300",
        "3f2a9c1-20211120093000-dirty",
        "v1.2.3",
    ])("rejects %s", (tag) => {
        expect(TIMESTAMP_TAG_REGEXP.test(tag)).toBe(false);
    });

    it("is written for Flux's Go regexp: a (?P<ts>...) group", () => {
        expect(TIMESTAMP_TAG_PATTERN).toContain("(?P<ts>");
    });
});
