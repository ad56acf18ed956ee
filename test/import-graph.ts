import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

/** The project's own modules: file (relative to the root, `/`-separated) to the project files it imports. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** Every `.ts` file under `dir` (no `.d.ts`), node_modules left out. */
function tsFiles(dir: string): string[] {
    const out: string[] = [];
    for (const entry of readdirSync(dir)) {
        if (entry === "node_modules") continue;
        const full = path.join(dir, entry);
        if (statSync(full).isDirectory()) out.push(...tsFiles(full));
        else if (entry.endsWith(".ts") && !entry.endsWith(".d.ts")) out.push(full);
    }
    return out;
}

/** The project file a relative specifier names, as Node and tsc resolve it; undefined for JSON and packages. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
    if (!specifier.startsWith(".")) return undefined;
    const base = path.resolve(path.dirname(from), specifier);
    const candidates = [`${base}.ts`, `${base}.d.ts`, path.join(base, "index.ts"), base];
    return candidates.find((c) => existsSync(c) && statSync(c).isFile() && /\.ts$/.test(c));
}

/**
 * Walks the imports (static, `import type`, re-exports, `require` and `import()`) of every `.ts`
 * file in `roots` (files or directories under `rootDir`) and of every project file they reach.
 */
export function importGraph(rootDir: string, roots: readonly string[]): ImportGraph {
    const rel = (f: string) => path.relative(rootDir, f).split(path.sep).join("/");
    const graph = new Map<string, string[]>();
    const queue = roots.flatMap((r) => {
        const full = path.join(rootDir, r);
        return statSync(full).isDirectory() ? tsFiles(full) : [full];
    });
    while (queue.length > 0) {
        const file = queue.pop()!;
        if (graph.has(rel(file))) continue;
        const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
        const targets = [
            ...new Set(
                info.importedFiles.flatMap((i) => {
                    const target = resolveSpecifier(file, i.fileName);
                    return target ? [target] : [];
                }),
            ),
        ];
        graph.set(rel(file), targets.map(rel).sort());
        queue.push(...targets);
    }
    return graph;
}

/**
 * The import cycles of a graph, one per strongly connected component, each as the path
 * `a -> b -> ... -> a` starting at its alphabetically first file (a self-import is `a -> a`).
 */
export function importCycles(graph: ImportGraph): string[][] {
    // Tarjan's strongly connected components, iterative so a deep chain cannot overflow the stack.
    let counter = 0;
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const components: string[][] = [];
    const next = (n: string) => graph.get(n) ?? [];
    for (const start of [...graph.keys()].sort()) {
        if (index.has(start)) continue;
        const work: { node: string; i: number }[] = [{ node: start, i: 0 }];
        index.set(start, counter);
        low.set(start, counter++);
        stack.push(start);
        onStack.add(start);
        while (work.length > 0) {
            const frame = work[work.length - 1]!;
            const edges = next(frame.node);
            if (frame.i < edges.length) {
                const to = edges[frame.i++]!;
                if (!index.has(to)) {
                    index.set(to, counter);
                    low.set(to, counter++);
                    stack.push(to);
                    onStack.add(to);
                    work.push({ node: to, i: 0 });
                } else if (onStack.has(to)) {
                    low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
                }
                continue;
            }
            work.pop();
            const parent = work[work.length - 1];
            if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
            if (low.get(frame.node) === index.get(frame.node)) {
                const component: string[] = [];
                let n: string;
                do {
                    n = stack.pop()!;
                    onStack.delete(n);
                    component.push(n);
                } while (n !== frame.node);
                const selfLoop = component.length === 1 && next(component[0]!).includes(component[0]!);
                if (component.length > 1 || selfLoop) components.push(component);
            }
        }
    }
    return components.map((c) => cyclePath(graph, new Set(c))).sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** One concrete cycle through a strongly connected component: a shortest path from its first file back to it. */
function cyclePath(graph: ImportGraph, members: ReadonlySet<string>): string[] {
    const first = [...members].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [first];
    while (queue.length > 0) {
        const n = queue.shift()!;
        for (const to of graph.get(n) ?? []) {
            if (!members.has(to)) continue;
            if (to === first) {
                const trail = [first];
                for (let at: string | undefined = n; at !== undefined && at !== first; at = cameFrom.get(at))
                    trail.unshift(at);
                return [first, ...trail];
            }
            if (!cameFrom.has(to)) {
                cameFrom.set(to, n);
                queue.push(to);
            }
        }
    }
    return [first, first];
}
