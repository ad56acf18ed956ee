import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

const NAMESPACE = "kubernetes:core/v1:Namespace";
const CHARTS = new Set(["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Release"]);

type Props = {
    readonly namespace?: unknown;
    readonly metadata?: { readonly name?: unknown; readonly namespace?: unknown };
};

/**
 * The Namespace an Output such as `PlatformNamespace.name` comes from: one of the resources the
 * Output carries (the SDK's `resources()`, internal but what its own dependency tracking reads).
 */
function fromOutput(
    value: unknown,
    declared: ReadonlyMap<string, k8s.core.v1.Namespace>,
): k8s.core.v1.Namespace | undefined {
    if (!pulumi.Output.isInstance(value)) return undefined;
    const carried = (value as unknown as { resources?: () => Set<pulumi.Resource> }).resources?.() ?? new Set();
    return [...declared.values()].find((ns) => carried.has(ns));
}

/**
 * Makes every Kubernetes object, and every chart, that names a namespace the program declares wait
 * for that Namespace, and lets the Namespace's deletion take the object with it (`deletedWith`:
 * Pulumi does not delete one by one what deleting the namespace removes). Not for a namespace
 * retained on delete (it holds data): nothing deletes it, so `deletedWith` would leave its
 * workloads, Services and routes running, unmanaged, after the app is renamed or the stack
 * destroyed. What must outlive the objects there (volumes, the credentials their data was
 * initialised with) is retained by its own option.
 *
 * `dependsOn` given to a component does not reach the component's children in the Node SDK, and
 * most objects name their namespace as a plain string, so without this a layer's objects race its
 * namespace on the first run. It is a stack transformation (the SDK's client-side one) so it
 * sees each registration where the program makes it, the mock runtime included; register it before
 * any resource, once: `pulumi.runtime.registerStackTransformation(namespaceOrder())`.
 */
export function namespaceOrder(): pulumi.ResourceTransformation {
    const declared = new Map<string, k8s.core.v1.Namespace>();
    const retained = new Set<pulumi.Resource>();
    return (args) => {
        const props = args.props as Props;
        if (args.type === NAMESPACE) {
            const name = props.metadata?.name;
            if (typeof name === "string") declared.set(name, args.resource as k8s.core.v1.Namespace);
            if (args.opts.retainOnDelete) retained.add(args.resource);
            return undefined;
        }
        if (!args.type.startsWith("kubernetes:")) return undefined;
        const chart = CHARTS.has(args.type);
        const name = chart ? props.namespace : props.metadata?.namespace;
        const namespace = typeof name === "string" ? declared.get(name) : fromOutput(name, declared);
        if (!namespace) return undefined;
        // A chart is a component: its objects go with the namespace through their own chart.
        const deletedWith = chart || args.opts.deletedWith || retained.has(namespace) ? {} : { deletedWith: namespace };
        return {
            props: args.props,
            opts: pulumi.mergeOptions(args.opts, { dependsOn: [namespace], ...deletedWith }),
        };
    };
}
