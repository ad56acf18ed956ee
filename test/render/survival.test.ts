import { RecordedResource } from "../../render/recorder";
import { rendered } from "../rendered";

const named = (resources: readonly RecordedResource[], type: string, name?: string) =>
    resources.filter((r) => r.type === type && (name === undefined || r.name === name));

/** What prd cannot lose to a `pulumi up` or `destroy` by mistake, by type and name. */
const MUST_SURVIVE: readonly [string, string, string][] = [
    ["gcp:artifactregistry/repository:Repository", "registry-repo", "every image the workloads run"],
    ["gcp:iam/workloadIdentityPool:WorkloadIdentityPool", "ci-pool", "CI's identity; soft-deleted 30 days"],
    ["gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "ci-provider", "soft-deleted 30 days"],
    ["random:index/randomPassword:RandomPassword", "monitoring-zabbix-db-password", "PostgreSQL keeps its first"],
    ["random:index/randomPassword:RandomPassword", "monitoring-zabbix-admin-password", "kept in Zabbix's database"],
    ["random:index/randomPassword:RandomPassword", "monitoring-stack-grafana-admin-password", "kept in Grafana's DB"],
    ["random:index/randomPassword:RandomPassword", "monitoring-stack-grafana-secret-key", "encrypts data sources"],
];

describe("what prd must not lose", () => {
    it.each(MUST_SURVIVE)("%s %s is protected on prd (%s)", async (type, name) => {
        const [r] = named((await rendered("prd")).resources, type, name);
        expect(r).toBeDefined();
        expect(r!.protect).toBe(true);
    });

    it("dev protects none of them, so it can be torn down", async () => {
        const dev = (await rendered("dev")).resources;
        const found = MUST_SURVIVE.flatMap(([type, name]) => named(dev, type, name));
        expect(found.length).toBe(MUST_SURVIVE.length);
        expect(found.filter((r) => r.protect).map((r) => r.name)).toEqual([]);
    });
});

describe("namespaces that hold data", () => {
    const namespace = (resources: readonly RecordedResource[], name: string) =>
        resources.find(
            (r) => r.type === "kubernetes:core/v1:Namespace" && (r.inputs.metadata as { name?: string }).name === name,
        )!;
    // uploader runs MySQL on a volume; monitoring holds Prometheus', Alertmanager's, Grafana's and
    // Zabbix's volumes. Deleting a namespace deletes every volume claim in it.
    const DATA = ["uploader", "monitoring"];

    it.each(["dev", "prd"] as const)("%s: are never deleted by Pulumi (retainOnDelete)", async (stack) => {
        const { resources } = await rendered(stack);
        for (const ns of DATA)
            expect({ ns, retain: namespace(resources, ns).retainOnDelete }).toEqual({ ns, retain: true });
    });

    it("prd: are protected too", async () => {
        const { resources } = await rendered("prd");
        for (const ns of DATA) expect({ ns, protect: namespace(resources, ns).protect }).toEqual({ ns, protect: true });
    });

    it("namespaces without data are not held back (a rename really moves them)", async () => {
        const { resources } = await rendered("prd");
        for (const ns of ["vote", "scoreserver", "edge"]) expect(namespace(resources, ns).retainOnDelete).toBe(false);
    });
});
