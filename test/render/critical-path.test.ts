import { creationSeconds, criticalPath, dependencyGraph } from "../../render/critical-path";
import { RecordedResource } from "../../render/recorder";
import { res as recorded } from "../policy/fixtures";

/** A recorded resource whose URN is `urn:<name>`, so dependencies read plainly. */
function res(name: string, type: string, extra: Partial<RecordedResource> = {}): RecordedResource {
    return recorded(type, name, {}, { urn: `urn:${name}`, ...extra });
}

const CLUSTER = "gcp:container/cluster:Cluster";
const POOL = "gcp:container/nodePool:NodePool";
const CHART = "kubernetes:helm.sh/v4:Chart";

describe("criticalPath", () => {
    it("follows the slowest chain, not the longest list", () => {
        const resources = [
            res("zone", "gcp:dns/managedZone:ManagedZone"),
            res("r1", "gcp:dns/recordSet:RecordSet", { dependsOn: ["urn:zone"] }),
            res("r2", "gcp:dns/recordSet:RecordSet", { dependsOn: ["urn:r1"] }),
            res("cluster", CLUSTER),
            res("pool", POOL, { dependsOn: ["urn:cluster"] }),
        ];
        const cp = criticalPath(resources);
        expect(cp.chain.map((s) => s.name)).toEqual(["cluster", "pool"]);
        expect(cp.seconds).toBe(creationSeconds(CLUSTER) + creationSeconds(POOL));
        expect(cp.serialSeconds).toBe(resources.reduce((s, r) => s + creationSeconds(r.type), 0));
    });

    it("waits for a resource's provider, and for every resource inside a component it depends on", () => {
        const resources = [
            res("cluster", CLUSTER),
            res("k8s", "pulumi:providers:kubernetes", { dependsOn: ["urn:cluster"] }),
            res("edge", "platform:edge:Edge", { custom: false }),
            res("traefik", CHART, { custom: false, remote: true, parent: "urn:edge", provider: "urn:k8s::k8s-id" }),
            res("route", "kubernetes:traefik.io/v1alpha1:IngressRoute", { dependsOn: ["urn:edge"] }),
        ];
        const graph = dependencyGraph(resources);
        expect([...graph.get("urn:traefik")!]).toEqual(["urn:k8s"]);
        expect([...graph.get("urn:route")!]).toEqual(["urn:traefik"]);
        expect(graph.has("urn:edge")).toBe(false);
        expect(criticalPath(resources).chain.map((s) => s.name)).toEqual(["cluster", "k8s", "traefik", "route"]);
    });

    it("reports a dependency cycle instead of looping", () => {
        const resources = [
            res("a", "kubernetes:v1:ConfigMap", { dependsOn: ["urn:b"] }),
            res("b", "kubernetes:v1:ConfigMap", { dependsOn: ["urn:a"] }),
        ];
        expect(() => criticalPath(resources)).toThrow(/dependency cycle/);
    });
});
