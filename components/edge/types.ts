import * as pulumi from "@pulumi/pulumi";

/** How a host is protected: behind GitHub organisation login, or open to everyone (declared). */
export type RouteAuth = "github" | "public";

/** One host to publish through the edge. */
export interface RouteSpec {
    /** Fully qualified host; must be the stack's domain or under it. */
    readonly host: string;
    /** Namespace of the backing Service (and of the IngressRoute). */
    readonly namespace: string;
    /** Name of the backing Service. */
    readonly service: pulumi.Input<string>;
    /** Service port number. */
    readonly port: number;
    /** `github` puts oauth2-proxy in front; `public` must be declared explicitly. */
    readonly auth: RouteAuth;
    /** Path prefixes to route. @default ["/"] */
    readonly paths?: readonly string[];
    /** Extra Traefik middlewares (namespace/name) applied after the auth ones. @default [] */
    readonly middlewares?: readonly { readonly name: string; readonly namespace: string }[];
}

/**
 * What the edge offers every other layer: `route(...)` publishes a host (IngressRoute with TLS, DNS
 * record, auth middlewares unless public). Created resources are children of `parent`.
 */
export interface Publisher {
    /** The stack's domain. */
    readonly domain: string;
    /**
     * Whether the hosts' certificate chains to a publicly trusted root (Let's Encrypt production).
     * Let's Encrypt staging and self-signed certificates do not: a client that verifies fails.
     */
    readonly trustedCertificates: boolean;
    route(parent: pulumi.Resource, name: string, spec: RouteSpec): void;
}
