// What the simulated cluster's stand-in controllers do, as pure functions of what the API server
// lists: each returns the requests to send. controllers.ts sends them once a second.

/** One request to the API server. */
export interface Call {
    readonly method: "GET" | "PATCH" | "POST" | "DELETE";
    readonly path: string;
    readonly contentType?: "application/merge-patch+json" | "application/json-patch+json" | "application/json";
    readonly body?: unknown;
}

interface Meta {
    readonly name: string;
    readonly namespace?: string;
    readonly uid?: string;
    readonly generation?: number;
    readonly annotations?: Record<string, string>;
}

export interface Item {
    readonly metadata: Meta;
    readonly spec?: Record<string, unknown>;
    readonly status?: Record<string, unknown>;
}

/** The StorageClass up.sh makes default, and the provisioner name it names. */
export const STORAGE_CLASS = "standard";
export const PROVISIONER = "platform.local/fake-provisioner";

interface ServiceSpec {
    type?: string;
    loadBalancerIP?: string;
}

/**
 * Every LoadBalancer Service without an address gets one in its status, as a cloud's service
 * controller reports its forwarding rule's: the `loadBalancerIP` it asked for (the reserved IP on
 * GKE), else the next of 192.0.2.0/24 (TEST-NET-1, never routed). `next` is the last octet to hand
 * out; the returned `next` is where the following pass continues.
 */
export function loadBalancerCalls(services: readonly Item[], next: number): { calls: Call[]; next: number } {
    const calls: Call[] = [];
    for (const s of services) {
        const spec = (s.spec ?? {}) as ServiceSpec;
        const ingress = ((s.status?.loadBalancer as { ingress?: unknown[] } | undefined)?.ingress ?? []).length;
        if (spec.type !== "LoadBalancer" || ingress > 0) continue;
        let ip = spec.loadBalancerIP;
        if (!ip) {
            ip = `192.0.2.${next}`;
            next = (next % 250) + 1;
        }
        calls.push({
            method: "PATCH",
            path: `/api/v1/namespaces/${s.metadata.namespace}/services/${s.metadata.name}/status`,
            contentType: "application/merge-patch+json",
            body: { status: { loadBalancer: { ingress: [{ ip, ipMode: "VIP" }] } } },
        });
    }
    return { calls, next };
}

/** The custom resources the program awaits Ready (`pulumi.com/waitFor: condition=Ready`), by list path. */
export const AWAITED = [
    { group: "cert-manager.io", version: "v1", plural: "clusterissuers", namespaced: false },
    { group: "source.toolkit.fluxcd.io", version: "v1", plural: "gitrepositories", namespaced: true },
] as const;

type Awaited = (typeof AWAITED)[number];

/**
 * An awaited object not yet Ready is marked Ready, as its operator would be once the ACME account
 * is registered or the repository fetched. Objects without the annotation are left alone, so a
 * test still sees what is not awaited.
 */
export function readyCalls(kind: Awaited, items: readonly Item[], now: string): Call[] {
    return items
        .filter((o) => o.metadata.annotations?.["pulumi.com/waitFor"] === "condition=Ready")
        .filter((o) => {
            const conditions = (o.status?.conditions ?? []) as { type?: string; status?: string }[];
            return !conditions.some((c) => c.type === "Ready" && c.status === "True");
        })
        .map((o) => {
            const generation = o.metadata.generation ?? 1;
            const where = kind.namespaced ? `namespaces/${o.metadata.namespace}/` : "";
            return {
                method: "PATCH",
                path: `/apis/${kind.group}/${kind.version}/${where}${kind.plural}/${o.metadata.name}/status`,
                contentType: "application/merge-patch+json",
                body: {
                    status: {
                        observedGeneration: generation,
                        conditions: [
                            {
                                type: "Ready",
                                status: "True",
                                reason: "Simulated",
                                message: "marked Ready by the simulated cluster's stand-in controllers",
                                lastTransitionTime: now,
                                observedGeneration: generation,
                            },
                        ],
                    },
                },
            } satisfies Call;
        });
}

export const WEBHOOK_KINDS = ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"] as const;
const CA_ANNOTATIONS = ["cert-manager.io/inject-ca-from-secret", "cert-manager.io/inject-ca-from"];

/**
 * A webhook configuration asking for a CA the way cert-manager's do, whose webhooks have no
 * `caBundle`, gets one, as cainjector copies it from the webhook's CA Secret.
 */
export function caBundleCalls(
    kind: (typeof WEBHOOK_KINDS)[number],
    configs: readonly (Item & { webhooks?: { clientConfig?: { caBundle?: string } }[] })[],
    bundle: string,
): Call[] {
    return configs
        .filter((c) => CA_ANNOTATIONS.some((a) => c.metadata.annotations?.[a] !== undefined))
        .flatMap((c) => {
            const ops = (c.webhooks ?? []).flatMap((w, i) =>
                w.clientConfig?.caBundle
                    ? []
                    : [{ op: "add", path: `/webhooks/${i}/clientConfig/caBundle`, value: bundle }],
            );
            return ops.length === 0
                ? []
                : [
                      {
                          method: "PATCH",
                          path: `/apis/admissionregistration.k8s.io/v1/${kind}/${c.metadata.name}`,
                          contentType: "application/json-patch+json",
                          body: ops,
                      } satisfies Call,
                  ];
        });
}

interface ClaimSpec {
    storageClassName?: string;
    volumeName?: string;
    accessModes?: string[];
    volumeMode?: string;
    resources?: { requests?: { storage?: string } };
}

/**
 * For every Pending claim of our class (or of the default, which is ours) with no volume, a
 * PersistentVolume already bound to it (claimRef), named after the claim's uid like a real
 * provisioner's so a retry cannot make two. Nothing mounts it: kwok's pods never start.
 */
export function volumeCalls(claims: readonly Item[]): Call[] {
    return claims
        .filter((c) => (c.status as { phase?: string } | undefined)?.phase === "Pending")
        .filter((c) => {
            const spec = (c.spec ?? {}) as ClaimSpec;
            return !spec.volumeName && [undefined, "", STORAGE_CLASS].includes(spec.storageClassName);
        })
        .map((c) => {
            const spec = (c.spec ?? {}) as ClaimSpec;
            const pv = `pvc-${c.metadata.uid}`;
            return {
                method: "POST",
                path: "/api/v1/persistentvolumes",
                contentType: "application/json",
                body: {
                    apiVersion: "v1",
                    kind: "PersistentVolume",
                    metadata: { name: pv, annotations: { "pv.kubernetes.io/provisioned-by": PROVISIONER } },
                    spec: {
                        capacity: { storage: spec.resources?.requests?.storage },
                        accessModes: spec.accessModes ?? ["ReadWriteOnce"],
                        volumeMode: spec.volumeMode ?? "Filesystem",
                        persistentVolumeReclaimPolicy: "Delete",
                        storageClassName: STORAGE_CLASS,
                        claimRef: {
                            apiVersion: "v1",
                            kind: "PersistentVolumeClaim",
                            namespace: c.metadata.namespace,
                            name: c.metadata.name,
                            uid: c.metadata.uid,
                        },
                        hostPath: { path: `/nonexistent/platform-e2e/${pv}` },
                    },
                },
            } satisfies Call;
        });
}

/** Volumes we made whose claim is gone: the PV controller leaves them Released for their provisioner. */
export function releasedVolumeCalls(volumes: readonly Item[]): Call[] {
    return volumes
        .filter((v) => (v.status as { phase?: string } | undefined)?.phase === "Released")
        .filter((v) => v.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] === PROVISIONER)
        .map((v) => ({ method: "DELETE", path: `/api/v1/persistentvolumes/${v.metadata.name}` }));
}
