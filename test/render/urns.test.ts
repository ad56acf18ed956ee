import * as pulumi from "@pulumi/pulumi";
import { record, RecordedResource } from "../../render/recorder";
import { compareUrns, readSnapshot, shortUrn } from "../../render/urns";
import { rendered } from "../rendered";

const HOW =
    "A resource's URN changed. If the change is intended, run `npm run urns -- --update` and commit " +
    "test/urns/; where the resource must survive (a cluster, a zone, a database), give it an alias first.";

describe("resource URNs are pinned", () => {
    it.each(["dev", "prd", "local"] as const)("%s declares exactly the URNs in test/urns/", async (stack) => {
        const { resources } = await rendered(stack);
        const change = compareUrns(readSnapshot(stack), resources);
        expect({ ...change, how: HOW }).toEqual({ added: [], moved: [], deleted: [], how: HOW });
    });
});

describe("compareUrns", () => {
    const res = (urn: string, aliases?: string[]): RecordedResource => ({
        urn,
        engineUrn: urn,
        type: "t",
        name: "n",
        custom: true,
        remote: false,
        parent: "",
        provider: "",
        dependsOn: [],
        explicitDependsOn: [],
        inputDependsOn: {},
        protect: false,
        retainOnDelete: false,
        inputs: {},
        ...(aliases ? { aliases } : {}),
    });
    const u = (chain: string, name: string) => `urn:pulumi:dev::platform::${chain}::${name}`;

    it("tells a rename with an alias (moved) from one without (deleted)", () => {
        const snapshot = ["gcp:container/cluster:Cluster::gke-cluster", "kubernetes:core/v1:Namespace::ns"];
        const now = [
            res(u("gcp:container/cluster:Cluster", "cluster"), [u("gcp:container/cluster:Cluster", "gke-cluster")]),
            res(u("kubernetes:core/v1:Namespace", "ns2")),
        ];
        expect(compareUrns(snapshot, now)).toEqual({
            added: ["gcp:container/cluster:Cluster::cluster", "kubernetes:core/v1:Namespace::ns2"],
            moved: [
                { from: "gcp:container/cluster:Cluster::gke-cluster", to: "gcp:container/cluster:Cluster::cluster" },
            ],
            deleted: ["kubernetes:core/v1:Namespace::ns"],
        });
    });

    it("keeps the parent's type chain in the short form", () => {
        expect(shortUrn(u("platform:gcp:GkeCluster$gcp:container/cluster:Cluster", "gke-cluster"))).toBe(
            "platform:gcp:GkeCluster$gcp:container/cluster:Cluster::gke-cluster",
        );
    });
});

describe("the recorder's engine URNs and aliases", () => {
    it("gives nested resources the parent's whole type chain and resolves spec aliases, inherited ones too", async () => {
        class Leaf extends pulumi.CustomResource {
            constructor(name: string, opts: pulumi.CustomResourceOptions) {
                super("test:x:Leaf", name, {}, opts);
            }
        }
        class Outer extends pulumi.ComponentResource {
            constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
                super("test:x:Outer", name, {}, opts);
                const inner = new pulumi.ComponentResource("test:x:Inner", `${name}-inner`, {}, { parent: this });
                new Leaf(`${name}-leaf`, { parent: inner });
            }
        }
        const { resources } = await record(
            async () => {
                new Outer("new", { aliases: [{ name: "old" }] });
            },
            { project: "platform", stack: "dev", config: {}, secretKeys: [] },
        );
        const leaf = resources.find((r) => r.type === "test:x:Leaf")!;
        expect(shortUrn(leaf.engineUrn)).toBe("test:x:Outer$test:x:Inner$test:x:Leaf::new-leaf");
        const outer = resources.find((r) => r.type === "test:x:Outer")!;
        expect(outer.aliases?.map(shortUrn)).toContain("test:x:Outer::old");
        const inner = resources.find((r) => r.type === "test:x:Inner")!;
        expect(inner.aliases?.map(shortUrn)).toContain("test:x:Outer$test:x:Inner::old-inner");
    });

    it("resolves an alias parent given as pulumi.createUrn (a sibling component) to the engine's URN", async () => {
        class Leaf extends pulumi.CustomResource {
            constructor(name: string, opts: pulumi.CustomResourceOptions) {
                super("test:x:Leaf", name, {}, opts);
            }
        }
        // The leaf used to be declared by `<name>-policies` (test:x:Policies); it moved to `<name>-ns`.
        class Layer extends pulumi.ComponentResource {
            constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
                super(type, name, {}, opts);
                const ns = new pulumi.ComponentResource("test:x:Ns", `${name}-ns`, {}, { parent: this });
                const formerParent = pulumi.createUrn(`${name}-policies`, "test:x:Policies", this);
                new Leaf(`${name}-ns-deny`, {
                    parent: ns,
                    aliases: [{ name: `${name}-policies-deny`, parent: formerParent }],
                });
            }
        }
        const { resources } = await record(
            async () => {
                const top = new Layer("test:x:Top", "top");
                new Layer("test:x:Sub", "sub", { parent: top });
            },
            { project: "platform", stack: "dev", config: {}, secretKeys: [] },
        );
        const aliases = (name: string) => resources.find((r) => r.name === name)!.aliases?.map(shortUrn);
        expect(aliases("top-ns-deny")).toEqual(["test:x:Top$test:x:Policies$test:x:Leaf::top-policies-deny"]);
        expect(aliases("sub-ns-deny")).toEqual([
            "test:x:Top$test:x:Sub$test:x:Policies$test:x:Leaf::sub-policies-deny",
        ]);
    });
});
