import { kubeObject, Obj } from "../k8s";
import { ALWAYS, Rule } from "../types";
import { METADATA_EGRESS_ANNOTATION, OPEN_INGRESS_ANNOTATION } from "../../contract/annotations";

/** GCE/GKE metadata server: instance credentials, or Workload Identity tokens through the GKE one. */
export const METADATA_SERVER = "169.254.169.254";

function ipv4(text: string): number {
    return text.split(".").reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** True when `address` lies in `cidr` (IPv4; an IPv6 CIDR never holds it). */
export function cidrContains(cidr: string, address: string): boolean {
    const [base, bits] = cidr.split("/") as [string, string | undefined];
    if (base.includes(":")) return false;
    const size = 2 ** (32 - Number(bits ?? 32));
    const start = Math.floor(ipv4(base) / size) * size;
    const n = ipv4(address);
    return n >= start && n < start + size;
}

interface Peer {
    readonly ipBlock?: { readonly cidr: string; readonly except?: readonly string[] };
}

/** True when an egress rule lets pods reach the metadata server's port 80. */
function reachesMetadata(rule: { to?: Peer[]; ports?: { port?: number | string }[] }): boolean {
    const ports = rule.ports ?? [];
    const port80 = ports.length === 0 || ports.some((p) => p.port === undefined || p.port === 80 || p.port === "http");
    if (!port80) return false;
    const to = rule.to ?? [];
    if (to.length === 0) return true;
    return to.some(
        (peer) =>
            peer.ipBlock !== undefined &&
            cidrContains(peer.ipBlock.cidr, METADATA_SERVER) &&
            !(peer.ipBlock.except ?? []).some((e) => cidrContains(e, METADATA_SERVER)),
    );
}

function networkPolicy(o: Obj | undefined): o is Obj {
    return o !== undefined && o.kind === "NetworkPolicy";
}

export const networkRules: Rule[] = [
    {
        id: "networkpolicy-ingress-from",
        description: `Every NetworkPolicy ingress rule names its sources (\`from\`); a rule without one admits every pod and address, and needs the \`${OPEN_INGRESS_ANNOTATION}\` annotation with the reason.`,
        benchmark:
            "Rationale: an ingress rule without `from` silently opens the pods to the whole cluster (a preview's branch code included); CIS GKE 5.6.7",
        enforcement: ALWAYS,
        check(r) {
            const o = kubeObject(r);
            if (!networkPolicy(o) || o.metadata.annotations?.[OPEN_INGRESS_ANNOTATION]) return [];
            return ((o.spec?.ingress ?? []) as { from?: unknown[] }[])
                .map((rule, i) => ({ rule, i }))
                .filter(({ rule }) => (rule.from ?? []).length === 0)
                .map(
                    ({ i }) =>
                        `ingress[${i}] has no from: it admits every pod and address; name the sources, or annotate the policy ${OPEN_INGRESS_ANNOTATION}: <why>`,
                );
        },
    },
    {
        id: "networkpolicy-metadata-server",
        description: `No NetworkPolicy egress rule reaches the metadata server (${METADATA_SERVER}:80) unless the policy carries the \`${METADATA_EGRESS_ANNOTATION}\` annotation with the reason (Workload Identity); a rule with no \`to\`, or a CIDR covering it without \`except\`, reaches it too.`,
        benchmark:
            "Rationale: the metadata server hands out credentials; only pods that use Workload Identity need it (CIS GKE 5.4.1, protect node metadata)",
        enforcement: ALWAYS,
        check(r) {
            const o = kubeObject(r);
            if (!networkPolicy(o) || o.metadata.annotations?.[METADATA_EGRESS_ANNOTATION]) return [];
            return ((o.spec?.egress ?? []) as Parameters<typeof reachesMetadata>[0][])
                .map((rule, i) => ({ rule, i }))
                .filter(({ rule }) => reachesMetadata(rule))
                .map(
                    ({ i }) =>
                        `egress[${i}] reaches the metadata server ${METADATA_SERVER}:80 (no to, or a CIDR covering it); add it to except (169.254.0.0/16), or annotate the policy ${METADATA_EGRESS_ANNOTATION}: <why> when the pods use Workload Identity`,
                );
        },
    },
];
