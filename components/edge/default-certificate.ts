import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { NO_WAIT } from "../cluster/waits";

export interface DefaultCertificateArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** The stack's domain; the certificate covers it and `*.<domain>`. */
    readonly domain: string;
    /** Traefik's namespace: the Secret and the TLSStore live there. */
    readonly namespace: string;
    /** ClusterIssuer that signs it. */
    readonly issuerName: string;
    /** What installs the cert-manager CRDs and the issuer; the Certificate waits for them. */
    readonly certManager: readonly pulumi.Resource[];
    /** What installs the traefik.io CRDs (the Traefik release); the TLSStore waits for it. */
    readonly traefik: pulumi.Resource;
}

/** Secret the wildcard certificate is written to. */
export const WILDCARD_SECRET = "wildcard-tls";

/**
 * The wildcard certificate for the domain and its apex, and Traefik's `default` TLSStore serving
 * it for every route, so routes need no certificate of their own and Traefik needs no ACME state.
 */
export class DefaultCertificate extends pulumi.ComponentResource {
    readonly certificate: k8s.apiextensions.CustomResource;
    readonly tlsStore: k8s.apiextensions.CustomResource;

    constructor(name: string, args: DefaultCertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:DefaultCertificate", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider };
        this.certificate = new k8s.apiextensions.CustomResource(
            `${name}-certificate`,
            {
                apiVersion: "cert-manager.io/v1",
                kind: "Certificate",
                // Not waited for: it is issued once the domain is delegated to the zone, which the first
                // deploy precedes (docs/operations.md), and nothing later in a run needs it: Traefik
                // serves it from the Secret as soon as cert-manager writes it.
                metadata: { name: "wildcard", namespace: args.namespace, annotations: { ...NO_WAIT } },
                spec: {
                    secretName: WILDCARD_SECRET,
                    commonName: args.domain,
                    dnsNames: [args.domain, `*.${args.domain}`],
                    issuerRef: { group: "cert-manager.io", kind: "ClusterIssuer", name: args.issuerName },
                    privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
                    renewBefore: "720h",
                },
            },
            { ...k8sOpts, dependsOn: [...args.certManager] },
        );
        this.tlsStore = new k8s.apiextensions.CustomResource(
            `${name}-tls-store`,
            {
                apiVersion: "traefik.io/v1alpha1",
                kind: "TLSStore",
                // Traefik only honours the store named `default`.
                metadata: { name: "default", namespace: args.namespace },
                spec: { defaultCertificate: { secretName: WILDCARD_SECRET } },
            },
            { ...k8sOpts, dependsOn: [args.traefik] },
        );
        this.registerOutputs({ secretName: WILDCARD_SECRET });
    }
}
