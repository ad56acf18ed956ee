import { rendered } from "../rendered";
import { find, objectsIn, stackApps } from "./fixtures";

const APPS = ["plarail", "vote", "uploader", "scoreserver"];
const cases = (["dev", "prd"] as const).flatMap((stack) => APPS.map((app) => [stack, app] as const));

/** The allow policies an app's config calls for, worked out from the stack file alone. */
function expectedAllows(spec: Record<string, any>): string[] {
    const names = ["allow-dns"];
    if ((spec.hosts ?? []).length > 0) names.push("allow-from-traefik");
    if (spec.metrics) names.push("allow-from-prometheus");
    if (spec.redis) names.push("allow-redis-from-clients", "allow-web-to-redis");
    if (spec.mysql) names.push("allow-mysql-from-clients", "allow-web-to-mysql");
    if (spec.mysql?.backup) names.push("allow-backup-to-mysql", "allow-backup-to-google-apis");
    if (spec.google) names.push("allow-web-to-google-apis");
    for (const e of spec.onprem ?? []) names.push(`allow-web-to-onprem-${e.name}`);
    return names.sort();
}

describe.each(cases)("%s %s namespace envelope", (stack, app) => {
    const spec = () => stackApps(stack)[app];

    it("labels its own namespace with the restricted Pod Security Standard", async () => {
        const ns = find((await rendered(stack)).objects, "Namespace", app)[0]!;
        const labels = ns.metadata.labels as Record<string, string>;
        expect(labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
        expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
        expect(labels["pod-security.kubernetes.io/audit"]).toBe("restricted");
    });

    it("has the ResourceQuota from config and a LimitRange for containers", async () => {
        const objs = objectsIn(await rendered(stack), app);
        const [quota] = find(objs, "ResourceQuota") as any[];
        const q = spec().quota;
        expect(quota.spec.hard["requests.cpu"]).toBe(q.cpu);
        expect(quota.spec.hard["requests.memory"]).toBe(q.memory);
        expect(quota.spec.hard.pods).toBe(String(q.pods));
        expect(quota.spec.hard["requests.storage"]).toBe(q.storage);
        if (q.cpuLimit) expect(quota.spec.hard["limits.cpu"]).toBe(q.cpuLimit);
        expect(quota.spec.hard["services.loadbalancers"]).toBe("0");
        const [lr] = find(objs, "LimitRange") as any[];
        const limit = lr.spec.limits[0];
        expect(limit.type).toBe("Container");
        expect(limit.default.cpu).toBeDefined();
        expect(limit.defaultRequest.memory).toBeDefined();
        if (spec().limits?.max) expect(limit.max).toEqual(spec().limits.max);
    });

    it("denies all ingress and egress by default", async () => {
        const [deny] = find(objectsIn(await rendered(stack), app), "NetworkPolicy", "default-deny") as any[];
        expect(deny.spec.podSelector).toEqual({});
        expect(deny.spec.policyTypes.sort()).toEqual(["Egress", "Ingress"]);
        expect(deny.spec.ingress).toBeUndefined();
        expect(deny.spec.egress).toBeUndefined();
    });

    it("allows exactly the paths its config needs", async () => {
        const names = find(objectsIn(await rendered(stack), app), "NetworkPolicy")
            .map((p) => p.metadata.name!)
            .filter((n) => n !== "default-deny")
            .sort();
        expect(names).toEqual(expectedAllows(spec()));
    });

    it("allows nothing broader than a named peer", async () => {
        const policies = find(objectsIn(await rendered(stack), app), "NetworkPolicy") as any[];
        for (const p of policies) {
            const name = p.metadata.name;
            if (name !== "default-deny" && name !== "allow-dns")
                expect(Object.keys(p.spec.podSelector.matchLabels ?? {})).toContain("app.kubernetes.io/component");
            for (const rule of p.spec.ingress ?? []) {
                expect(rule.from?.length).toBeGreaterThan(0);
                expect(rule.ports?.length).toBeGreaterThan(0);
                for (const peer of rule.from) {
                    expect(peer.ipBlock).toBeUndefined();
                    const named = peer.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"];
                    expect(named !== undefined || peer.podSelector?.matchLabels !== undefined).toBe(true);
                }
            }
            for (const rule of p.spec.egress ?? []) {
                expect(rule.to?.length).toBeGreaterThan(0);
                expect(rule.ports?.length).toBeGreaterThan(0);
                for (const peer of rule.to)
                    if (peer.ipBlock?.cidr === "0.0.0.0/0") {
                        // Only the Google API egress is open-ended, and only on 443 outside private ranges.
                        expect(name).toMatch(/-to-google-apis$/);
                        expect(rule.ports).toEqual([{ protocol: "TCP", port: 443 }]);
                        expect(peer.ipBlock.except).toEqual(expect.arrayContaining(["10.0.0.0/8", "192.168.0.0/16"]));
                    }
            }
        }
    });

    it("lets Traefik reach only the ports the app serves, from Traefik's namespace", async () => {
        const [p] = find(objectsIn(await rendered(stack), app), "NetworkPolicy", "allow-from-traefik") as any[];
        const ports = spec()
            .containers.map((c: any) => c.port)
            .filter((x: unknown) => x !== undefined);
        expect(p.spec.ingress[0].from).toEqual([
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "edge" } } },
        ]);
        expect(p.spec.ingress[0].ports.map((x: any) => x.port).sort()).toEqual([...new Set(ports)].sort());
    });
});

describe("on-prem egress", () => {
    it("lets plarail reach only the controller's address on its gRPC port", async () => {
        const [p] = find(
            objectsIn(await rendered("dev"), "plarail"),
            "NetworkPolicy",
            "allow-web-to-onprem-plarail-controller",
        ) as any[];
        const e = stackApps("dev").plarail.onprem[0];
        expect(p.spec.egress).toEqual([
            { to: [{ ipBlock: { cidr: e.cidr } }], ports: [{ protocol: "TCP", port: e.port }] },
        ]);
    });

    it("lets Prometheus scrape plarail's metrics port only", async () => {
        const [p] = find(
            objectsIn(await rendered("dev"), "plarail"),
            "NetworkPolicy",
            "allow-from-prometheus",
        ) as any[];
        expect(p.spec.ingress[0].ports).toEqual([
            { protocol: "TCP", port: stackApps("dev").plarail.containers[0].metricsPort },
        ]);
        expect(p.spec.ingress[0].from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe(
            "monitoring",
        );
    });
});
