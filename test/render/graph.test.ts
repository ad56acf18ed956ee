import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { buildGraph, renderSvg, toDot } from "../../render/graph";
import { RecordedResource } from "../../render/recorder";
import { ROOT } from "../../render/render";
import { rendered } from "../rendered";

const STACK = "urn:pulumi:dev::platform::pulumi:pulumi:Stack::platform-dev";

function res(type: string, name: string, parent: string, more: Partial<RecordedResource> = {}): RecordedResource {
    const urn = type === "pulumi:pulumi:Stack" ? STACK : `urn:pulumi:dev::platform::${type}::${name}`;
    return {
        urn,
        engineUrn: urn,
        type,
        name,
        custom: !type.startsWith("platform:"),
        remote: false,
        parent,
        provider: "",
        dependsOn: [],
        explicitDependsOn: [],
        inputDependsOn: {},
        protect: false,
        retainOnDelete: false,
        inputs: {},
        ...more,
    };
}

// A small platform: network -> cluster (provider) -> edge chart; an app with a sub-component; a host.
const stack = res("pulumi:pulumi:Stack", "platform-dev", "");
const net = res("platform:gcp:Network", "net", STACK);
const vpc = res("gcp:compute/network:Network", "net-vpc", net.urn);
const gke = res("platform:gcp:GkeCluster", "gke", STACK);
const cluster = res("gcp:container/cluster:Cluster", "gke-cluster", gke.urn, { dependsOn: [vpc.urn] });
const provider = res("pulumi:providers:kubernetes", "gke-k8s", gke.urn, { dependsOn: [cluster.urn] });
const edge = res("platform:edge:Edge", "edge", STACK);
const chart = res("kubernetes:helm.sh/v4:Chart", "edge-traefik", edge.urn, { provider: `${provider.urn}::id` });
const apps = res("platform:apps:Apps", "apps", STACK);
const vote = res("platform:apps:App", "vote", apps.urn);
const deploy = res("kubernetes:apps/v1:Deployment", "vote-api", vote.urn, {
    provider: `${provider.urn}::id`,
    dependsOn: [chart.urn],
});
const inner = res("platform:apps:Redis", "vote-redis", vote.urn);
const redis = res("kubernetes:apps/v1:StatefulSet", "vote-redis-sts", inner.urn);
const onprem = res("platform:onprem:Onprem", "onprem", STACK);
const host = res("platform:onprem:Host", "controller", onprem.urn);
const slice = res("kubernetes:discovery.k8s.io/v1:EndpointSlice", "controller-eps", host.urn);
const all = [
    stack,
    net,
    vpc,
    gke,
    cluster,
    provider,
    edge,
    chart,
    apps,
    vote,
    deploy,
    inner,
    redis,
    onprem,
    host,
    slice,
];

/** The text of every <text> element, entities decoded (Graphviz writes '-' as &#45;). */
function svgTexts(svg: string): string[] {
    return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
        m[1]!
            .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
            .replace(/&lt;/g, "<")
            .replace(/&gt;/g, ">")
            .replace(/&quot;/g, '"')
            .replace(/&amp;/g, "&"),
    );
}

describe("buildGraph", () => {
    const g = buildGraph(all);
    const byName = (n: string) => g.nodes.find((x) => x.name === n)!;
    const arrows = g.edges.map(
        (e) => `${g.nodes.find((n) => n.id === e.from)!.name}->${g.nodes.find((n) => n.id === e.to)!.name}`,
    );

    it("puts each component in its layer: GCP, cluster, each Kubernetes area, apps, on-prem", () => {
        expect(g.layers).toEqual(["GCP", "Cluster", "Kubernetes: edge", "Apps", "On-prem hosts"]);
        expect(byName("gke").layer).toBe("cluster");
        expect(byName("net").layer).toBe("gcp");
    });

    it("collapses to two component levels: sub-sub-components fold into their parent", () => {
        expect(g.nodes.map((n) => n.name).sort()).toEqual([
            "apps",
            "controller",
            "edge",
            "gke",
            "net",
            "onprem",
            "vote",
        ]);
        expect(byName("vote").members).toBe(2);
        expect(byName("vote").group).toBe(apps.urn);
        expect(byName("controller").group).toBe(onprem.urn);
    });

    it("draws arrows from what a component builds on, provider included, without self-loops", () => {
        expect(arrows.sort()).toEqual(["edge->vote", "gke->edge", "gke->vote", "net->gke"]);
    });

    it("renders to SVG naming every layer and component", async () => {
        const svg = await renderSvg(toDot(g, "platform / dev"));
        expect(svg).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
        expect(svgTexts(svg)).toEqual(
            expect.arrayContaining([
                "GCP",
                "Cluster",
                "Kubernetes: edge",
                "Apps",
                "On-prem hosts",
                "vote",
                "controller",
            ]),
        );
    });

    it("collapses provider arrows into a composite component to one arrow onto its box", () => {
        const score = res("platform:apps:App", "score", apps.urn);
        const scoreDeploy = res("kubernetes:apps/v1:Deployment", "score-web", score.urn, {
            provider: `${provider.urn}::id`,
        });
        const two = buildGraph([...all, score, scoreDeploy]);
        const kinds = two.edges
            .filter((e) => e.from === gke.urn)
            .map((e) => `${two.nodes.find((n) => n.id === e.to)!.name}:${e.kind}`);
        expect(kinds.sort()).toEqual(["edge:provider", "score:provider", "vote:provider"]);
        const dot = toDot(two, "t");
        expect(dot.match(/lhead=/g)).toHaveLength(1);
    });

    it("escapes quotes in names", () => {
        const odd = res("platform:gcp:Dns", 'a"b', STACK);
        expect(toDot(buildGraph([stack, odd]), "t")).toContain('label="a\\"b\\nDns"');
    });
});

describe("graph.svg from render", () => {
    it.each(["dev", "prd"] as const)("%s: exists and names every layer present", async (stackName) => {
        const r = await rendered(stackName);
        const file = path.join(r.dir, "graph.svg");
        expect(existsSync(file)).toBe(true);
        const svg = readFileSync(file, "utf8");
        const titles: Record<string, string> = {
            gcp: "GCP",
            ci: "CI (GitHub Actions)",
            cluster: "Cluster",
            apps: "Apps",
            onprem: "On-prem hosts",
        };
        const areas = new Set(
            r.resources.map((x) => /^platform:([a-z0-9-]+):/.exec(x.type)?.[1]).filter((a): a is string => !!a),
        );
        expect(areas.size).toBeGreaterThan(1);
        const texts = svgTexts(svg);
        for (const area of areas) expect(texts).toContain(titles[area] ?? `Kubernetes: ${area}`);
        // GKE stacks always draw the cluster layer.
        expect(texts).toContain("Cluster");
        expect(texts).toContain(`platform / ${stackName}`);
    });

    it("is the README's architecture picture for dev (copy dev's graph.svg to docs/ when this fails)", async () => {
        const r = await rendered("dev");
        const committed = readFileSync(path.join(ROOT, "docs", "architecture-dev.svg"), "utf8");
        expect(committed === readFileSync(path.join(r.dir, "graph.svg"), "utf8")).toBe(true);
    });
});
