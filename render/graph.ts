import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { RecordedResource } from "./recorder";

/**
 * The architecture drawing: the recorded resources collapsed to the platform's components, grouped
 * into one box per layer, with arrows from what a component builds on to the component (explicit
 * dependsOn, input dependencies, the provider it deploys through, and parents across layers).
 * Graphviz (compiled to WebAssembly, @viz-js/viz) does the layout.
 */

export interface GraphNode {
    /** URN of the component the node stands for. */
    readonly id: string;
    readonly name: string;
    /** Component type token, e.g. `platform:gcp:Network`. */
    readonly type: string;
    readonly layer: string;
    /** URN of the enclosing top-level component when this node is one of its sub-components. */
    readonly group?: string;
    /** Resources collapsed into the node. */
    members: number;
}

export interface GraphEdge {
    readonly from: string;
    readonly to: string;
    /** `depends` (dependsOn, inputs), `provider` (deploys through its provider) or `parent` (across components). */
    readonly kind: "depends" | "provider" | "parent";
}

export interface ArchitectureGraph {
    readonly nodes: GraphNode[];
    readonly edges: GraphEdge[];
    /** Layer titles present, in drawing order. */
    readonly layers: string[];
}

const COMPONENT = /^platform:([a-z0-9-]+):([A-Za-z0-9]+)$/;

/** Layers with a fixed title and place; any other area is a Kubernetes layer of its own. */
const FIXED: Readonly<Record<string, { title: string; order: number; color: string }>> = {
    gcp: { title: "GCP", order: 0, color: "#e8f0fe" },
    ci: { title: "CI (GitHub Actions)", order: 1, color: "#f3e8fd" },
    cluster: { title: "Cluster", order: 2, color: "#e6f4ea" },
    apps: { title: "Apps", order: 8, color: "#fef7e0" },
    onprem: { title: "On-prem hosts", order: 9, color: "#fce8e6" },
};
const KUBE_COLOR = "#e0f7fa";

/** Component types drawn in another layer than their area says. */
const LAYER_OVERRIDES: Readonly<Record<string, string>> = {
    "platform:gcp:GkeCluster": "cluster",
};

/** The layer key (area) of a component type token. */
export function areaOf(type: string): string | undefined {
    const m = COMPONENT.exec(type);
    if (!m) return undefined;
    return LAYER_OVERRIDES[type] ?? m[1]!;
}

/** The title a layer is drawn under. */
export function layerTitle(area: string): string {
    return FIXED[area]?.title ?? `Kubernetes: ${area}`;
}

function layerOrder(area: string): number {
    return FIXED[area]?.order ?? 5;
}

/** Builds the component-level graph from the recorded resources. */
export function buildGraph(resources: readonly RecordedResource[]): ArchitectureGraph {
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const isComponent = (r: RecordedResource) => COMPONENT.test(r.type);

    /** Platform components from the top down that contain `urn` (itself included). */
    const chainCache = new Map<string, RecordedResource[]>();
    const chain = (urn: string): RecordedResource[] => {
        const cached = chainCache.get(urn);
        if (cached) return cached;
        const r = byUrn.get(urn);
        let result: RecordedResource[] = [];
        if (r) {
            result = r.parent ? [...chain(r.parent)] : [];
            if (isComponent(r)) result.push(r);
        }
        chainCache.set(urn, result);
        return result;
    };

    const nodes = new Map<string, GraphNode>();
    const nodeOf = (urn: string): GraphNode | undefined => {
        const c = chain(urn);
        if (c.length === 0) return undefined;
        const top = c[0]!;
        const self = c[Math.min(1, c.length - 1)]!;
        let node = nodes.get(self.urn);
        if (!node) {
            node = {
                id: self.urn,
                name: self.name,
                type: self.type,
                layer: areaOf(top.type)!,
                group: self === top ? undefined : top.urn,
                members: 0,
            };
            nodes.set(self.urn, node);
        }
        return node;
    };

    for (const r of resources) {
        if (r.type === "pulumi:pulumi:Stack") continue;
        const node = nodeOf(r.urn);
        if (node && !isComponent(r)) node.members++;
    }

    const edges = new Map<string, GraphEdge>();
    const link = (fromUrn: string, to: GraphNode | undefined, kind: GraphEdge["kind"]) => {
        const from = nodeOf(fromUrn);
        if (!from || !to || from === to) return;
        // A sub-component drawn inside its parent's box needs no arrow to it.
        if (kind === "parent" && (to.group === from.id || from.group === to.id)) return;
        const key = `${from.id}\u0000${to.id}`;
        const rank = { depends: 2, provider: 1, parent: 0 };
        const old = edges.get(key);
        if (!old || rank[kind] > rank[old.kind]) edges.set(key, { from: from.id, to: to.id, kind });
    };
    for (const r of resources) {
        const node = nodeOf(r.urn);
        if (!node) continue;
        for (const dep of r.dependsOn) link(dep, node, "depends");
        // The provider reference is `<urn>::<id>`.
        if (r.provider) link(r.provider.slice(0, r.provider.lastIndexOf("::")), node, "provider");
        if (r.parent) link(r.parent, node, "parent");
    }

    const areas = [...new Set([...nodes.values()].map((n) => n.layer))].sort(
        (a, b) => layerOrder(a) - layerOrder(b) || a.localeCompare(b),
    );
    return { nodes: [...nodes.values()], edges: [...edges.values()], layers: areas.map(layerTitle) };
}

function quote(text: string): string {
    return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

/** Graphviz DOT for the graph: one cluster per layer, nested clusters for composite components. */
export function toDot(graph: ArchitectureGraph, title: string): string {
    const ids = new Map<string, string>();
    graph.nodes.forEach((n, i) => ids.set(n.id, `n${i}`));
    const lines: string[] = [
        "digraph platform {",
        `  graph [label=${quote(title)}, labelloc=t, fontsize=20, fontname="Helvetica", rankdir=TB, compound=true, newrank=true, nodesep=0.3, ranksep=0.6];`,
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=11];',
        '  edge [color="#5f6368", arrowsize=0.7];',
    ];
    const areas = [...new Set(graph.nodes.map((n) => n.layer))].sort(
        (a, b) => layerOrder(a) - layerOrder(b) || a.localeCompare(b),
    );
    // A component drawn as a box around its sub-components gets a node of its own only when it
    // holds resources itself or an arrow starts or ends at it.
    const endpoints = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
    const drawn = new Set(
        graph.nodes
            .filter(
                (n) => n.group || !graph.nodes.some((m) => m.group === n.id) || n.members > 0 || endpoints.has(n.id),
            )
            .map((n) => n.id),
    );
    const label = (n: GraphNode) =>
        quote(
            `${n.name}\n${shortType(n.type)}${n.members > 0 ? ` · ${n.members} resource${n.members === 1 ? "" : "s"}` : ""}`,
        );
    const clusterOf = new Map<string, string>();
    areas.forEach((area, li) => {
        const color = FIXED[area]?.color ?? KUBE_COLOR;
        lines.push(`  subgraph cluster_layer${li} {`);
        lines.push(
            `    label=${quote(layerTitle(area))}; style="rounded,filled"; fillcolor="${color}"; color="#9aa0a6"; fontsize=14;`,
        );
        const inLayer = graph.nodes.filter((n) => n.layer === area);
        const groups = new Set(inLayer.filter((n) => n.group).map((n) => n.group!));
        for (const n of inLayer) {
            if (n.group || groups.has(n.id)) continue;
            lines.push(`    ${ids.get(n.id)} [label=${label(n)}];`);
        }
        [...groups].forEach((g, gi) => {
            const owner = graph.nodes.find((n) => n.id === g);
            clusterOf.set(g, `cluster_layer${li}_${gi}`);
            lines.push(`    subgraph cluster_layer${li}_${gi} {`);
            lines.push(
                `      label=${quote(owner ? `${owner.name} (${shortType(owner.type)})` : g)}; style="rounded,dashed"; fillcolor=none;`,
            );
            if (owner && drawn.has(owner.id)) lines.push(`      ${ids.get(owner.id)} [label=${label(owner)}];`);
            for (const n of inLayer.filter((x) => x.group === g))
                lines.push(`      ${ids.get(n.id)} [label=${label(n)}];`);
            lines.push("    }");
        });
        lines.push("  }");
    });
    // Provider arrows into a composite component (every app deploys through the cluster's
    // provider) collapse into one arrow onto its box.
    const collapsed = new Set<string>();
    for (const e of graph.edges) {
        if (!drawn.has(e.from) || !drawn.has(e.to)) continue;
        const to = graph.nodes.find((n) => n.id === e.to)!;
        if (e.kind === "provider" && to.group && clusterOf.has(to.group)) {
            const key = `${e.from}\u0000${to.group}`;
            if (collapsed.has(key)) continue;
            collapsed.add(key);
            lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [lhead=${clusterOf.get(to.group)}];`);
            continue;
        }
        const style = e.kind === "parent" ? " [style=dashed]" : "";
        lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)}${style};`);
    }
    lines.push("}");
    return `${lines.join("\n")}\n`;
}

type Viz = { renderString(dot: string, opts: { format: string; engine?: string }): string };
let viz: Promise<Viz> | undefined;

/** Lays the DOT graph out with Graphviz (WebAssembly) and returns SVG text. */
export async function renderSvg(dot: string): Promise<string> {
    // The package's CommonJS build (dist/viz.cjs) serves require(), so jest and tsx both load it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    viz ??= (require("@viz-js/viz") as { instance(): Promise<Viz> }).instance();
    return (await viz).renderString(dot, { format: "svg", engine: "dot" });
}

/** Writes `<dir>/graph.svg` (and the DOT source beside it) for a stack's recorded resources. */
export async function writeGraph(dir: string, stack: string, resources: readonly RecordedResource[]): Promise<void> {
    const dot = toDot(buildGraph(resources), `platform / ${stack}`);
    writeFileSync(path.join(dir, "graph.dot"), dot);
    writeFileSync(path.join(dir, "graph.svg"), await renderSvg(dot));
}
