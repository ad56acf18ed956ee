import {
    AWAITED,
    caBundleCalls,
    loadBalancerCalls,
    PROVISIONER,
    readyCalls,
    releasedVolumeCalls,
    volumeCalls,
} from "../../scripts/cluster/stand-ins/plans";

const svc = (name: string, spec: Record<string, unknown>, ingress: unknown[] = []) => ({
    metadata: { name, namespace: "edge" },
    spec,
    status: { loadBalancer: { ingress } },
});

describe("the simulated cluster's stand-in controllers", () => {
    it("give a LoadBalancer Service without an address the IP it asked for, else a TEST-NET-1 one", () => {
        const { calls, next } = loadBalancerCalls(
            [
                svc("traefik", { type: "LoadBalancer", loadBalancerIP: "203.0.113.7" }),
                svc("traps", { type: "LoadBalancer" }),
                svc("done", { type: "LoadBalancer" }, [{ ip: "192.0.2.3" }]),
                svc("internal", { type: "ClusterIP" }),
            ],
            250,
        );
        expect(calls.map((c) => [c.path, JSON.stringify(c.body)])).toEqual([
            [
                "/api/v1/namespaces/edge/services/traefik/status",
                JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: "203.0.113.7", ipMode: "VIP" }] } } }),
            ],
            [
                "/api/v1/namespaces/edge/services/traps/status",
                JSON.stringify({ status: { loadBalancer: { ingress: [{ ip: "192.0.2.250", ipMode: "VIP" }] } } }),
            ],
        ]);
        // The octet wraps inside the /24 instead of running past .255.
        expect(next).toBe(1);
    });

    it("mark Ready only the awaited objects that are not Ready yet, at their generation", () => {
        const [issuers, sources] = AWAITED;
        const awaited = { "pulumi.com/waitFor": "condition=Ready" };
        const calls = readyCalls(
            issuers,
            [
                { metadata: { name: "letsencrypt", generation: 3, annotations: awaited } },
                { metadata: { name: "not-awaited", annotations: {} } },
                {
                    metadata: { name: "ready", annotations: awaited },
                    status: { conditions: [{ type: "Ready", status: "True" }] },
                },
            ],
            "2026-11-30T00:00:00Z",
        );
        expect(calls.map((c) => c.path)).toEqual(["/apis/cert-manager.io/v1/clusterissuers/letsencrypt/status"]);
        const status = (calls[0]!.body as { status: { observedGeneration: number; conditions: object[] } }).status;
        expect(status.observedGeneration).toBe(3);
        expect(status.conditions).toEqual([
            expect.objectContaining({ type: "Ready", status: "True", observedGeneration: 3 }),
        ]);
        // A namespaced kind is patched in its namespace.
        expect(
            readyCalls(
                sources,
                [{ metadata: { name: "platform", namespace: "flux-system", annotations: awaited } }],
                "t",
            ).map((c) => c.path),
        ).toEqual(["/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/platform/status"]);
    });

    it("inject a CA bundle into the webhooks that ask for one and have none", () => {
        const calls = caBundleCalls(
            "validatingwebhookconfigurations",
            [
                {
                    metadata: {
                        name: "cert-manager-webhook",
                        annotations: { "cert-manager.io/inject-ca-from-secret": "x/y" },
                    },
                    webhooks: [{ clientConfig: { caBundle: "already" } }, { clientConfig: {} }],
                },
                { metadata: { name: "someone-else", annotations: {} }, webhooks: [{ clientConfig: {} }] },
                {
                    metadata: { name: "filled", annotations: { "cert-manager.io/inject-ca-from": "x/y" } },
                    webhooks: [{ clientConfig: { caBundle: "already" } }],
                },
            ],
            "QlVORExF",
        );
        expect(calls).toEqual([
            {
                method: "PATCH",
                path: "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/cert-manager-webhook",
                contentType: "application/json-patch+json",
                body: [{ op: "add", path: "/webhooks/1/clientConfig/caBundle", value: "QlVORExF" }],
            },
        ]);
    });

    it("bind each pending claim of the default class to a volume named after its uid, and delete released ones", () => {
        const claim = (name: string, spec: Record<string, unknown>, phase = "Pending") => ({
            metadata: { name, namespace: "uploader", uid: `uid-${name}` },
            spec: { resources: { requests: { storage: "5Gi" } }, ...spec },
            status: { phase },
        });
        const calls = volumeCalls([
            claim("data", { storageClassName: "standard", accessModes: ["ReadWriteOnce"] }),
            claim("default-class", {}),
            claim("other-class", { storageClassName: "fast" }),
            claim("has-volume", { volumeName: "pv-1" }),
            claim("bound", {}, "Bound"),
        ]);
        expect(calls.map((c) => (c.body as { metadata: { name: string } }).metadata.name)).toEqual([
            "pvc-uid-data",
            "pvc-uid-default-class",
        ]);
        expect((calls[0]!.body as { spec: unknown }).spec).toEqual(
            expect.objectContaining({
                capacity: { storage: "5Gi" },
                claimRef: expect.objectContaining({ namespace: "uploader", name: "data", uid: "uid-data" }),
            }),
        );
        const pv = (name: string, phase: string, by?: string) => ({
            metadata: {
                name,
                annotations: by ? { "pv.kubernetes.io/provisioned-by": by } : ({} as Record<string, string>),
            },
            status: { phase },
        });
        expect(
            releasedVolumeCalls([
                pv("ours", "Released", PROVISIONER),
                pv("bound", "Bound", PROVISIONER),
                pv("theirs", "Released"),
            ]),
        ).toEqual([{ method: "DELETE", path: "/api/v1/persistentvolumes/ours" }]);
    });
});
