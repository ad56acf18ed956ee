import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { addARecord, DnsZone } from "../gcp/dns";
import { AUTH_ANNOTATION } from "../../contract/annotations";
import { hostProblem } from "./hosts";
import type { TraefikAccess } from "./traefik-access";
import { Publisher, RouteSpec } from "./types";

/** A Traefik middleware reference. */
export interface MiddlewareRef {
    readonly name: string;
    readonly namespace: string;
}

export interface EdgePublisherArgs {
    /** The cluster's provider; every IngressRoute uses it. */
    readonly provider: k8s.Provider;
    /** The stack's domain. */
    readonly domain: string;
    /** The auth middlewares, outermost first: errors (sign-in redirect), then forwardAuth. */
    readonly authMiddlewares: readonly [MiddlewareRef, MiddlewareRef];
    /** oauth2-proxy's Service, which answers `/oauth2/` on every private host. */
    readonly authService: { readonly name: string; readonly namespace: string; readonly port: number };
    /** What every IngressRoute waits for: the Traefik release (CRDs) and the middlewares. */
    readonly dependsOn: readonly pulumi.Resource[];
    /** Cloud DNS zone and the ingress IP for the A records; undefined outside GCP (no records). */
    readonly dns?: { readonly zone: DnsZone; readonly address: pulumi.Input<string> };
    /** The certificate served chains to a publicly trusted root (Let's Encrypt production). @default false */
    readonly trustedCertificates?: boolean;
    /** Rate limits: `public` on public routes, `login` on the `/oauth2/` routes. @default none */
    readonly rateLimits?: { readonly public: MiddlewareRef; readonly login: MiddlewareRef };
    /** Traefik's per-namespace read access, granted where a route is published. @default Traefik reads every namespace */
    readonly access?: TraefikAccess;
}

/** `Host(`a`) && (PathPrefix(`/x`) || PathPrefix(`/y`))`, or just the host for `/`. */
export function matchRule(host: string, paths: readonly string[]): string {
    const hostRule = `Host(\`${host}\`)`;
    if (paths.length === 0 || paths.includes("/")) return hostRule;
    const prefixes = paths.map((p) => `PathPrefix(\`${p}\`)`);
    return `${hostRule} && ${prefixes.length === 1 ? prefixes[0]! : `(${prefixes.join(" || ")})`}`;
}

/** The IngressRoute spec for a route: pure, so tests and policies can reason about it. */
export function ingressRouteSpec(
    spec: RouteSpec,
    auth: Pick<EdgePublisherArgs, "authMiddlewares" | "authService" | "rateLimits">,
): Record<string, unknown> {
    const ref = (m: MiddlewareRef) => ({ name: m.name, namespace: m.namespace });
    const extra = (spec.middlewares ?? []).map(ref);
    const limits = auth.rateLimits;
    const middlewares =
        spec.auth === "public"
            ? [...(limits ? [ref(limits.public)] : []), ...extra]
            : [...auth.authMiddlewares.map(ref), ...extra];
    const routes: Record<string, unknown>[] = [
        {
            kind: "Rule",
            match: matchRule(spec.host, spec.paths ?? ["/"]),
            services: [{ name: spec.service, namespace: spec.namespace, port: spec.port }],
            ...(middlewares.length > 0 ? { middlewares } : {}),
        },
    ];
    if (spec.auth !== "public") {
        // The sign-in page posts to /oauth2/start on the host itself; that path reaches oauth2-proxy unauthenticated.
        routes.unshift({
            kind: "Rule",
            match: `Host(\`${spec.host}\`) && PathPrefix(\`/oauth2/\`)`,
            services: [
                { name: auth.authService.name, namespace: auth.authService.namespace, port: auth.authService.port },
            ],
            ...(limits ? { middlewares: [ref(limits.login)] } : {}),
        });
    }
    // `tls: {}` serves the default TLSStore's wildcard certificate.
    return { entryPoints: ["websecure"], routes, tls: {} };
}

/**
 * Publishes hosts through the edge: an IngressRoute with TLS (and the auth middlewares unless the
 * route is declared public) plus an A record to the ingress IP. Resources are children of the
 * caller's `parent`. A host outside the domain, or published twice, is an error.
 */
export class EdgePublisher implements Publisher {
    readonly domain: string;
    readonly trustedCertificates: boolean;
    private readonly published = new Map<string, string>();

    constructor(private readonly args: EdgePublisherArgs) {
        this.domain = args.domain;
        this.trustedCertificates = args.trustedCertificates ?? false;
    }

    /** Every host published so far, with the route name that published it. */
    hosts(): ReadonlyMap<string, string> {
        return this.published;
    }

    route(parent: pulumi.Resource, name: string, spec: RouteSpec): void {
        const problem = hostProblem(spec.host, this.domain);
        if (problem) throw new Error(`route ${name}: host ${spec.host} ${problem}`);
        const first = this.published.get(spec.host);
        if (first !== undefined) {
            throw new Error(
                `route ${name}: host ${spec.host} is already published by route ${first}; a host can be published once`,
            );
        }
        if (spec.auth !== "github" && spec.auth !== "public") {
            throw new Error(`route ${name}: auth ${String(spec.auth)} is not "github" or "public"`);
        }
        this.published.set(spec.host, name);
        // Traefik reads the route, its Service and its middlewares where they are.
        for (const namespace of new Set([spec.namespace, ...(spec.middlewares ?? []).map((m) => m.namespace)])) {
            this.args.access?.grant(parent, namespace);
        }

        new k8s.apiextensions.CustomResource(
            `${name}-ingressroute`,
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "IngressRoute",
                metadata: {
                    name,
                    namespace: spec.namespace,
                    // The declaration the ingressroute-auth policy reads (policy/rules/edge.ts).
                    annotations: { "platform/host": spec.host, [AUTH_ANNOTATION]: spec.auth },
                },
                spec: ingressRouteSpec(spec, this.args),
            },
            { parent, provider: this.args.provider, dependsOn: [...this.args.dependsOn] },
        );
        if (this.args.dns) {
            addARecord(parent, `${name}-dns`, this.args.dns.zone, spec.host, this.args.dns.address);
        }
    }
}

/** What the other layers get when the stack has no edge: publishing anything is an error. */
export class NoEdgePublisher implements Publisher {
    readonly trustedCertificates = false;
    constructor(readonly domain: string) {}

    route(_parent: pulumi.Resource, name: string, spec: RouteSpec): void {
        throw new Error(
            `route ${name}: cannot publish ${spec.host}: the edge is off (set platform:edge with enabled: true and githubOrg)`,
        );
    }
}
