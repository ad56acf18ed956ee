import { KubeObject } from "../../render/objects";
import { renderStack } from "../../render/render";
import { rendered } from "../rendered";
import { devWith, sentinelSecrets, writeStackFile } from "../stack-files";

/** Namespaces Kubernetes or GKE run themselves; a policy may name them without the stack declaring them. */
const SYSTEM = new Set(["kube-system", "kube-public", "kube-node-lease", "default", "gke-managed-system"]);

type Peer = { namespaceSelector?: { matchLabels?: Record<string, string> } };

/** Every namespace a NetworkPolicy selects by name, with the policy that names it. */
function selectedNamespaces(objects: readonly KubeObject[]): { policy: string; namespace: string }[] {
    const found: { policy: string; namespace: string }[] = [];
    for (const o of objects.filter((x) => x.kind === "NetworkPolicy")) {
        const spec = (o.spec ?? {}) as { ingress?: { from?: Peer[] }[]; egress?: { to?: Peer[] }[] };
        const peers = [
            ...(spec.ingress ?? []).flatMap((r) => r.from ?? []),
            ...(spec.egress ?? []).flatMap((r) => r.to ?? []),
        ];
        for (const p of peers) {
            const name = p.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
            if (name) found.push({ policy: `${o.metadata.namespace}/${o.metadata.name}`, namespace: name });
        }
    }
    return found;
}

/** Selected namespaces that are neither declared by the stack nor a system one. */
function strays(objects: readonly KubeObject[]): string[] {
    const declared = new Set(objects.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name));
    return selectedNamespaces(objects)
        .filter((s) => !declared.has(s.namespace) && !SYSTEM.has(s.namespace))
        .map((s) => `${s.policy} selects namespace ${s.namespace}, which the stack does not declare`);
}

describe("NetworkPolicies select only namespaces the stack declares", () => {
    it.each(["dev", "prd", "local"] as const)("%s", async (stack) => {
        const { objects } = await rendered(stack);
        expect(selectedNamespaces(objects).length).toBeGreaterThan(0);
        expect(strays(objects)).toEqual([]);
    });

    // Each layer's namespace is decided once and handed to every layer that admits it: a renamed
    // namespace must be the one the others' policies name.
    it("with onprem.namespace hw and monitoring.namespace obs, the policies name hw and obs", async () => {
        const stackFile = writeStackFile(
            devWith((c) => {
                c["platform:onprem"].namespace = "hw";
                c["platform:monitoring"].namespace = "obs";
            }),
        );
        const { objects, errors } = await renderStack({ stack: "dev", stackFile, secrets: sentinelSecrets("dev") });
        expect(errors).toEqual([]);
        expect(strays(objects)).toEqual([]);
        const selected = selectedNamespaces(objects);
        expect(selected).toContainEqual({ policy: "obs/allow-zabbix-sync", namespace: "hw" });
        expect(selected).toContainEqual({ policy: "flux-system/allow-metrics", namespace: "obs" });
    });
});
