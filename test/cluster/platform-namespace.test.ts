import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    declaredBefore,
    PlatformNamespace,
    PlatformNamespaceArgs,
    PodSecurity,
} from "../../components/cluster/platform-namespace";
import { runRules } from "../../policy/run";
import { namespaceRules } from "../../policy/rules/namespaces";
import { shortUrn } from "../../render/urns";
import { kubeObjects } from "../../render/objects";
import { validateObjects } from "../../render/validate";
import { recordResources, valueOf } from "../harness";

const QUOTA = { cpu: "1", memory: "1Gi", cpuLimit: "2", memoryLimit: "2Gi", pods: 10 };
const PSS = "pod-security.kubernetes.io";
const NAMESPACE = "kubernetes:core/v1:Namespace";

type Over = Partial<Omit<PlatformNamespaceArgs, "provider" | "podSecurity">> & { podSecurity?: PodSecurity };

function build(over: Over = {}) {
    let made: PlatformNamespace | undefined;
    const recording = recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        made = new PlatformNamespace("layer-ns", {
            provider,
            namespace: "team",
            podSecurity: { level: "restricted" },
            quota: QUOTA,
            defaultDeny: "ingress-and-egress",
            ...over,
        });
    });
    return recording.then((h) => ({ h, ns: made! }));
}

describe("PlatformNamespace Pod Security", () => {
    it("restricted: all three modes restricted, pinned to latest, no justification", async () => {
        const { h } = await build();
        const ns = h.object("Namespace", "team");
        expect(ns.metadata.labels).toEqual({
            [`${PSS}/enforce`]: "restricted",
            [`${PSS}/enforce-version`]: "latest",
            [`${PSS}/warn`]: "restricted",
            [`${PSS}/warn-version`]: "latest",
            [`${PSS}/audit`]: "restricted",
            [`${PSS}/audit-version`]: "latest",
        });
        expect(ns.metadata.annotations).toBeUndefined();
    });

    it("baseline: enforces baseline, warns and audits at restricted, records the reason", async () => {
        const { h } = await build({ podSecurity: { level: "baseline", reason: "legacy image runs as root" } });
        const ns = h.object("Namespace", "team");
        expect(ns.metadata.labels).toMatchObject({
            [`${PSS}/enforce`]: "baseline",
            [`${PSS}/warn`]: "restricted",
            [`${PSS}/audit`]: "restricted",
        });
        expect(ns.metadata.annotations).toEqual({
            "platform/pod-security-justification": "legacy image runs as root",
        });
    });

    it("privileged: enforces privileged, warns and audits at baseline, records the reason", async () => {
        const reason = "node-exporter reads the host network and PID namespace";
        const { h } = await build({ podSecurity: { level: "privileged", reason } });
        const ns = h.object("Namespace", "team");
        expect(ns.metadata.labels).toMatchObject({
            [`${PSS}/enforce`]: "privileged",
            [`${PSS}/warn`]: "baseline",
            [`${PSS}/audit`]: "baseline",
        });
        expect(ns.metadata.annotations).toEqual({ "platform/pod-security-justification": reason });
    });

    it("makes a level below restricted without a reason a type error, and an empty reason a runtime one", async () => {
        // Each marked line must fail to compile: if the reason ever became optional, `tsc`
        // (npm run typecheck) would fail on the now unused expect-error directives.
        // @ts-expect-error privileged needs a reason
        const privileged: PodSecurity = { level: "privileged" };
        // @ts-expect-error baseline needs a reason
        const baseline: PodSecurity = { level: "baseline" };
        const args = (podSecurity: PodSecurity): PlatformNamespaceArgs => ({
            namespace: "team",
            podSecurity,
            quota: QUOTA,
            defaultDeny: "ingress",
        });
        const inline: PlatformNamespaceArgs = {
            ...args({ level: "restricted" }),
            // @ts-expect-error the same inline in the component's args
            podSecurity: { level: "privileged" },
        };
        expect([privileged, baseline, inline.podSecurity].map((p) => p.level)).toEqual([
            "privileged",
            "baseline",
            "privileged",
        ]);
        await expect(build({ podSecurity: { level: "privileged", reason: " " } })).rejects.toThrow(
            "namespace team: Pod Security privileged needs a reason",
        );
    });

    it("keeps other labels and lets the Pod Security ones win", async () => {
        const { h } = await build({
            labels: { "app.kubernetes.io/part-of": "team", [`${PSS}/enforce`]: "privileged" },
        });
        const labels = h.object("Namespace", "team").metadata.labels as Record<string, string>;
        expect(labels["app.kubernetes.io/part-of"]).toBe("team");
        expect(labels[`${PSS}/enforce`]).toBe("restricted");
    });
});

describe("PlatformNamespace guards", () => {
    it("caps the namespace with a ResourceQuota: no volumes unless given, object counts after", async () => {
        const { h } = await build();
        expect((h.object("ResourceQuota", "quota") as any).spec.hard).toEqual({
            "requests.cpu": "1",
            "requests.memory": "1Gi",
            "limits.cpu": "2",
            "limits.memory": "2Gi",
            pods: "10",
            "requests.storage": "0",
        });
        const withCounts = await build({
            quota: { ...QUOTA, storage: "20Gi", objectCounts: { persistentvolumeclaims: 5, "services.nodeports": 0 } },
        });
        expect((withCounts.h.object("ResourceQuota", "quota") as any).spec.hard).toMatchObject({
            "requests.storage": "20Gi",
            persistentvolumeclaims: "5",
            "services.nodeports": "0",
        });
    });

    it("defaults containers' requests and limits with a LimitRange, with a maximum when given", async () => {
        const { h } = await build();
        expect((h.object("LimitRange", "limits") as any).spec.limits).toEqual([
            {
                type: "Container",
                defaultRequest: { cpu: "50m", memory: "64Mi" },
                default: { cpu: "500m", memory: "512Mi" },
            },
        ]);
        const max = { cpu: "2", memory: "2Gi" };
        const limits = { defaultRequest: { cpu: "10m", memory: "32Mi" }, default: { cpu: "1", memory: "1Gi" }, max };
        const withMax = await build({ limits });
        expect((withMax.h.object("LimitRange", "limits") as any).spec.limits[0]).toEqual({
            type: "Container",
            ...limits,
        });
    });

    it.each([
        ["ingress-and-egress", "default-deny", ["Ingress", "Egress"]],
        ["ingress", "default-deny-ingress", ["Ingress"]],
    ] as const)("denies %s by default (NetworkPolicy %s)", async (defaultDeny, policy, types) => {
        const { h } = await build({ defaultDeny });
        const netpols = h.objects().filter((o) => o.kind === "NetworkPolicy");
        expect(netpols.map((p) => [p.metadata.name, p.spec])).toEqual([
            [policy, { podSelector: {}, policyTypes: types }],
        ]);
    });

    it("satisfies the namespace policy rules and the Kubernetes schemas", async () => {
        for (const podSecurity of [
            { level: "restricted" },
            { level: "privileged", reason: "host metrics" },
        ] satisfies PodSecurity[]) {
            const { h } = await build({ podSecurity, defaultDeny: "ingress" });
            expect(runRules(h.resources, { environment: "prd", rules: namespaceRules }).violations).toEqual([]);
            expect(await validateObjects(kubeObjects(h.resources, true))).toEqual([]);
        }
    });
});

describe("PlatformNamespace as a component", () => {
    it("is platform:cluster:PlatformNamespace with children `${name}-<role>` under it", async () => {
        const { h } = await build();
        const component = h.one("platform:cluster:PlatformNamespace");
        expect(component.name).toBe("layer-ns");
        const children = h.resources.filter((r) => r.parent === component.urn);
        expect(children.map((r) => `${r.type} ${r.name}`).sort()).toEqual([
            "kubernetes:core/v1:LimitRange layer-ns-limits",
            "kubernetes:core/v1:Namespace layer-ns-namespace",
            "kubernetes:core/v1:ResourceQuota layer-ns-quota",
            "kubernetes:networking.k8s.io/v1:NetworkPolicy layer-ns-default-deny",
        ]);
    });

    it("outputs the namespace's name and the Namespace, which the guards wait for", async () => {
        const { h, ns } = await build();
        expect(await valueOf(ns.name)).toBe("team");
        expect(ns.namespace).toBeInstanceOf(k8s.core.v1.Namespace);
        const namespace = h.one(NAMESPACE);
        for (const r of h.resources.filter((x) => x.parent === namespace.parent && x !== namespace))
            expect(r.dependsOn).toContain(namespace.urn);
    });

    it("keeps the URNs of objects a layer declared itself before, through aliases", async () => {
        const h = await recordResources(() => {
            const layer = new pulumi.ComponentResource("platform:test:Layer", "layer");
            new PlatformNamespace(
                "layer-ns",
                {
                    namespace: "team",
                    podSecurity: { level: "restricted" },
                    quota: QUOTA,
                    defaultDeny: "ingress",
                    childAliases: declaredBefore(layer, { namespace: "layer-namespace", quota: "layer-quota" }),
                },
                { parent: layer },
            );
        });
        const aliases = Object.fromEntries(h.resources.map((r) => [r.name, r.aliases?.map(shortUrn)]));
        expect(aliases["layer-ns-namespace"]).toEqual([
            "platform:test:Layer$kubernetes:core/v1:Namespace::layer-namespace",
        ]);
        expect(aliases["layer-ns-quota"]).toEqual([
            "platform:test:Layer$kubernetes:core/v1:ResourceQuota::layer-quota",
        ]);
        expect(aliases["layer-ns-limits"]).toBeUndefined();
    });
});
