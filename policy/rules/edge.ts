import { kubeObject, Obj, objectsOf } from "../k8s";
import { ALWAYS, PRD_MANDATORY, Rule, RuleContext } from "../types";
import { AUTH_ANNOTATION, PUBLIC } from "../../contract/annotations";

interface MiddlewareRef {
    readonly name?: string;
    readonly namespace?: string;
}

/**
 * True when a middleware reference is an authentication step: a Middleware object the program
 * declares with forwardAuth or basicAuth, or (when it is not declared here, e.g. in another layer's
 * chart) one whose name says auth.
 */
function isAuth(ref: MiddlewareRef, route: Obj, ctx: RuleContext): boolean {
    const ns = ref.namespace ?? route.metadata.namespace;
    const declared = objectsOf(ctx.resources).find(
        ({ o }) => o.kind === "Middleware" && o.metadata.name === ref.name && o.metadata.namespace === ns,
    );
    if (declared) {
        const spec = declared.o.spec ?? {};
        if (spec.forwardAuth || spec.basicAuth || spec.digestAuth) return true;
        // A chain counts when one of its members is an auth middleware.
        return ((spec.chain?.middlewares ?? []) as MiddlewareRef[]).some((m) =>
            isAuth({ name: m.name, namespace: m.namespace ?? ns }, route, ctx),
        );
    }
    return /auth/i.test(ref.name ?? "");
}

/** The oauth2-proxy endpoints themselves (`/oauth2/...`) must stay reachable without a session. */
function isAuthEndpoint(route: { match?: string; services?: { name?: string }[] }): boolean {
    return (
        /PathPrefix\(`\/oauth2\/?`\)/.test(route.match ?? "") &&
        (route.services ?? []).every((s) => /oauth2-proxy/.test(s.name ?? ""))
    );
}

export const edgeRules: Rule[] = [
    {
        id: "ingressroute-tls",
        description:
            "Every IngressRoute terminates TLS (spec.tls set: a certificate secret, a resolver or the default store).",
        benchmark:
            "Rationale: credentials and session cookies cross these routes (related: CIS GKE 5.6.8, managed TLS certificates for ingress)",
        enforcement: ALWAYS,
        check(r) {
            const o = kubeObject(r);
            if (!o || o.kind !== "IngressRoute") return [];
            return o.spec?.tls && typeof o.spec.tls === "object"
                ? []
                : ["has no spec.tls; every host is served over TLS"];
        },
    },
    {
        id: "ingressroute-auth",
        description: `Every route of an IngressRoute goes through an auth middleware (oauth2-proxy forwardAuth) unless the IngressRoute is annotated \`${AUTH_ANNOTATION}: ${PUBLIC}\`.`,
        benchmark: "Rationale: private by default; a public host is a decision written next to it, not an omission",
        enforcement: PRD_MANDATORY,
        crossResource: true,
        check(r, ctx) {
            const o = kubeObject(r);
            if (!o || o.kind !== "IngressRoute") return [];
            const declared = o.metadata.annotations?.[AUTH_ANNOTATION];
            if (declared === PUBLIC) return [];
            const routes = (o.spec?.routes ?? []) as {
                match?: string;
                middlewares?: MiddlewareRef[];
                services?: { name?: string }[];
            }[];
            return routes
                .filter((route) => !isAuthEndpoint(route) && !(route.middlewares ?? []).some((m) => isAuth(m, o, ctx)))
                .map(
                    (route) =>
                        `route ${JSON.stringify(route.match ?? "")} has no auth middleware; add the oauth2-proxy forwardAuth middleware or annotate the IngressRoute ${AUTH_ANNOTATION}: ${PUBLIC}`,
                );
        },
    },
];
