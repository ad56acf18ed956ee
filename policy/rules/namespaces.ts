import { isClusterScoped, kubeObject, Obj, objectsOf } from "../k8s";
import { ALWAYS, PRD_MANDATORY, Rule, RuleContext } from "../types";
import { PSS_JUSTIFICATION_ANNOTATION } from "../../contract/annotations";

/** Pod Security levels a namespace may enforce without a justification. */
const PSS_LEVELS = ["baseline", "restricted"];
const PSS = "pod-security.kubernetes.io/";

function namespaced(kind: string, ns: string, ctx: RuleContext): Obj[] {
    return objectsOf(ctx.resources)
        .map(({ o }) => o)
        .filter((o) => o.kind === kind && o.metadata.namespace === ns);
}

/** A namespace rule: checks each Namespace object the program declares. */
function nsRule(
    id: string,
    description: string,
    benchmark: string,
    check: (ns: Obj, ctx: RuleContext) => string[],
): Rule {
    return {
        id,
        description,
        benchmark,
        enforcement: PRD_MANDATORY,
        crossResource: true,
        check(r, ctx) {
            const o = kubeObject(r);
            return o && o.kind === "Namespace" ? check(o, ctx) : [];
        },
    };
}

/** True for a NetworkPolicy that selects every pod and admits no ingress: the default deny. */
export function isDefaultDeny(np: Obj): boolean {
    const sel = np.spec?.podSelector ?? {};
    const all = Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
    const types: string[] = np.spec?.policyTypes ?? (np.spec?.egress ? ["Ingress", "Egress"] : ["Ingress"]);
    const noIngress = (np.spec?.ingress ?? []).length === 0;
    return all && types.includes("Ingress") && noIngress;
}

export const namespaceRules: Rule[] = [
    nsRule(
        "namespace-pod-security",
        `Every namespace enforces a Pod Security Standard (label ${PSS}enforce: baseline or restricted; privileged only with a \`${PSS_JUSTIFICATION_ANNOTATION}\` annotation).`,
        "CIS GKE 4.2.1 (Pod Security Standard baseline or stricter for all namespaces)",
        (ns) => {
            const level = ns.metadata.labels?.[`${PSS}enforce`];
            if (level === undefined) return [`has no ${PSS}enforce label`];
            if (PSS_LEVELS.includes(level)) return [];
            if (level === "privileged" && ns.metadata.annotations?.[PSS_JUSTIFICATION_ANNOTATION]) return [];
            return [
                `${PSS}enforce is ${JSON.stringify(level)}; use baseline or restricted (privileged needs annotation ${PSS_JUSTIFICATION_ANNOTATION}: <why>)`,
            ];
        },
    ),
    nsRule(
        "namespace-resource-quota",
        "Every namespace has a ResourceQuota.",
        "Rationale: the live-voting load test without a quota took whole nodes down; a quota caps what one namespace can take (CIS GKE 4.6.1, administrative boundaries between resources using namespaces)",
        (ns, ctx) => (namespaced("ResourceQuota", ns.metadata.name!, ctx).length ? [] : ["has no ResourceQuota"]),
    ),
    nsRule(
        "namespace-limit-range",
        "Every namespace has a LimitRange (defaults for containers that set no requests or limits).",
        "Rationale: pairs with the ResourceQuota, which rejects pods without requests unless a LimitRange defaults them",
        (ns, ctx) => (namespaced("LimitRange", ns.metadata.name!, ctx).length ? [] : ["has no LimitRange"]),
    ),
    nsRule(
        "namespace-default-deny",
        "Every namespace has a default-deny NetworkPolicy (all pods selected, no ingress allowed); other policies open what is needed.",
        "CIS GKE 4.3.2 (all namespaces have NetworkPolicies); CIS GKE 5.6.7 (network policy enforced)",
        (ns, ctx) =>
            namespaced("NetworkPolicy", ns.metadata.name!, ctx).some(isDefaultDeny)
                ? []
                : [
                      "has no default-deny NetworkPolicy (podSelector {} with policyTypes [Ingress] and no ingress rules)",
                  ],
    ),
    {
        id: "no-default-namespace",
        description: "Every namespaced object names its namespace explicitly, and it is not `default`.",
        benchmark:
            "CIS GKE 4.6.4 (the default namespace should not be used); an omitted namespace lands wherever the provider points",
        enforcement: ALWAYS,
        check(r) {
            const o = kubeObject(r);
            if (!o || isClusterScoped(o.kind)) return [];
            const ns = o.metadata.namespace;
            if (ns === undefined || ns === "") return ["metadata.namespace is not set"];
            if (ns === "default") return ["is in the default namespace"];
            return [];
        },
    },
];
