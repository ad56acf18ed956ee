import { KubeObject } from "../../render/objects";
import { validateObjects } from "../../render/validate";

const deployment = (spec: unknown): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "vote" },
    spec,
});

describe("validateObjects", () => {
    it("accepts a well-formed Deployment", async () => {
        const ok = deployment({
            replicas: 2,
            selector: { matchLabels: { app: "web" } },
            template: {
                metadata: { labels: { app: "web" } },
                spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
            },
        });
        expect(await validateObjects([ok])).toEqual([]);
    });

    it("names the object and the field of a wrong type", async () => {
        const bad = deployment({ replicas: "three", selector: {}, template: {} });
        const errors = await validateObjects([bad]);
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatch(/^Deployment vote\/web: .*spec\.replicas must be integer/);
    });

    it("checks custom resources against their CRD schema", async () => {
        const policy: KubeObject = {
            apiVersion: "image.toolkit.fluxcd.io/v1",
            kind: "ImagePolicy",
            metadata: { name: "vote-web-dev", namespace: "flux-system" },
            spec: { imageRepositoryRef: { name: "vote-web-dev" }, policy: { numerical: { order: "up" } } },
        };
        const [error] = await validateObjects([policy]);
        expect(error).toContain("ImagePolicy flux-system/vote-web-dev");
        expect(error).toContain("spec.policy.numerical.order");
    });

    it("treats an object with no known schema as an error instead of passing it", async () => {
        const unknown: KubeObject = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } };
        expect(await validateObjects([unknown])).toEqual(["Widget w: no schema known for example.com/v1 Widget"]);
    });
});
