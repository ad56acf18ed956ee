import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { TIMESTAMP_TAG_PATTERN, TIMESTAMP_TAG_REGEXP } from "../../components/gitops/image-policy";
import { SETTER_TOKEN, setterMarker, setterMarkerProblems, strayMarkers } from "../../components/gitops/setter-markers";

const ROOT = path.resolve(__dirname, "../..");
// The fixtures' markers name a `fixture` environment, and they sit outside every automation's
// update path (./images): Flux never rewrites these files.
const fixture = (name: string) => readFileSync(path.join(__dirname, "fixtures", name), "utf8");

describe("setterMarkerProblems (image files)", () => {
    it("accepts a file whose every image line names its own app, container and environment", () => {
        expect(setterMarkerProblems(fixture("images-good.yaml"), "fixture")).toEqual([]);
    });

    it("rejects the same file read as another environment's: every marker names the fixture one", () => {
        const problems = setterMarkerProblems(fixture("images-good.yaml"), "prd");
        expect(problems).toHaveLength(3);
        expect(problems[0]).toContain(
            "spec.plarail.server (line 7): marker names flux-system:plarail-server-fixture; expected flux-system:plarail-server-prd",
        );
    });

    it("names each bad line: missing, other environment, other container, not JSON, not on the line", () => {
        expect(setterMarkerProblems(fixture("images-bad.yaml"), "fixture")).toEqual([
            expect.stringMatching(
                /^spec\.vote\.web \(line 7\): has no setter marker; end the line with # \{"\$imagepolicy": "flux-system:vote-web-fixture"\}$/,
            ),
            expect.stringMatching(
                /^spec\.vote\.worker \(line 8\): marker names flux-system:vote-worker-staging; expected flux-system:vote-worker-fixture/,
            ),
            expect.stringMatching(
                /^spec\.vote\.api \(line 9\): marker names flux-system:vote-web-fixture; expected flux-system:vote-api-fixture/,
            ),
            expect.stringMatching(/^spec\.vote\.cron \(line 10\): its marker is not JSON/),
            expect.stringMatching(/^spec\.vote\.redis \(line 11\): has no setter marker/),
        ]);
    });

    it("insists on a Kubernetes-shaped document: Flux records no change in one without apiVersion, kind, metadata", () => {
        const text = fixture("images-good.yaml").replace("apiVersion: platform/v1\nkind: AppImages\n", "");
        expect(setterMarkerProblems(text, "fixture")).toEqual([
            expect.stringContaining("Flux records no change in a document without apiVersion, kind and metadata"),
        ]);
    });

    it("has nothing to say about a file without images, and reports YAML it cannot read", () => {
        expect(
            setterMarkerProblems("apiVersion: platform/v1\nkind: AppImages\nmetadata: {name: dev}\n", "dev"),
        ).toEqual([]);
        expect(setterMarkerProblems("spec: [\n", "dev")[0]).toMatch(/not valid YAML/);
    });

    it("writes the marker in the form Flux's setters read", () => {
        expect(setterMarker("prd", "vote", "web")).toBe('# {"$imagepolicy": "flux-system:vote-web-prd"}');
    });

    it.each(["dev", "prd"])("finds every image line in images/%s.yaml correctly marked", (env) => {
        const text = readFileSync(path.join(ROOT, "images", `${env}.yaml`), "utf8");
        expect(setterMarkerProblems(text, env)).toEqual([]);
    });
});

describe("where Flux may write", () => {
    /** Every file git tracks, with its text (binary files skipped). */
    function trackedFiles(): [string, string][] {
        const files = execFileSync("git", ["ls-files", "-z"], { cwd: ROOT, encoding: "utf8" })
            .split("\0")
            .filter(Boolean);
        return files
            .filter((f) => existsSync(path.join(ROOT, f)))
            .map((f) => [f, readFileSync(path.join(ROOT, f), "utf8")] as [string, string]);
    }

    it("no stack file carries a setter marker: Flux would never commit a bump there", () => {
        for (const file of readdirSync(ROOT).filter((f) => /^Pulumi\..+\.ya?ml$/.test(f)))
            expect([file, strayMarkers(readFileSync(path.join(ROOT, file), "utf8"))]).toEqual([file, []]);
        expect(strayMarkers('  image: a/b:1 # {"$imagepolicy": "flux-system:a-b-dev"}\nx: 1\n')).toEqual([1]);
    });

    it("the only YAML files with a marker in the automation's path are the image files", () => {
        // image-automation-controller screens every .yaml/.yml file under update.path for the token.
        const marked = trackedFiles()
            .filter(([f, text]) => /\.ya?ml$/.test(f) && text.includes(SETTER_TOKEN))
            .map(([f]) => f);
        expect(marked.filter((f) => f.startsWith("images/")).sort()).toEqual(["images/dev.yaml", "images/prd.yaml"]);
        // Elsewhere only test fixtures, which name no real environment and no automation reads.
        expect(marked.filter((f) => !f.startsWith("images/") && !f.startsWith("test/gitops/fixtures/"))).toEqual([]);
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
