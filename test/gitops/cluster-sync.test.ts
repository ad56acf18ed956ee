import { FLUX_NAMESPACE } from "../../components/gitops/names";
import { syncServiceAccount } from "../../components/gitops/cluster-sync";
import { rendered } from "../rendered";

// The prd gate has no side door: Flux applies clusters/<env>/ (whatever lands on main) as a
// service account that may edit the app namespaces and nothing else.
describe.each(["dev", "prd"] as const)("the clusters/%s/ sync", (stack) => {
    it("applies as its own service account, not as the controller's cluster-admin", async () => {
        const r = await rendered(stack);
        const k = r.objects.find((o) => o.kind === "Kustomization" && o.metadata.name === `cluster-${stack}`)!;
        expect((k.spec as { serviceAccountName?: string }).serviceAccountName).toBe(syncServiceAccount(stack));
        const sa = r.objects.find((o) => o.kind === "ServiceAccount" && o.metadata.name === syncServiceAccount(stack));
        expect(sa?.metadata.namespace).toBe(FLUX_NAMESPACE);
    });

    it("may edit exactly the app namespaces: no cluster-wide grant, no platform namespace", async () => {
        const r = await rendered(stack);
        const subject = (o: { subjects?: { name: string; namespace?: string }[] }) =>
            (o.subjects ?? []).some((s) => s.name === syncServiceAccount(stack) && s.namespace === FLUX_NAMESPACE);
        const bindings = r.objects.filter((o) => /RoleBinding$/.test(o.kind) && subject(o as never));
        expect(bindings.every((b) => b.kind === "RoleBinding")).toBe(true);
        expect(bindings.map((b) => (b as unknown as { roleRef: { name: string } }).roleRef.name)).toEqual(
            bindings.map(() => "edit"),
        );
        const apps = (r.outputs.apps ?? {}) as Record<string, { namespace: string }>;
        expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual(
            Object.values(apps)
                .map((a) => a.namespace)
                .sort(),
        );
        for (const platform of [FLUX_NAMESPACE, "edge", "monitoring", "kube-system"])
            expect(bindings.map((b) => b.metadata.namespace)).not.toContain(platform);
    });
});
