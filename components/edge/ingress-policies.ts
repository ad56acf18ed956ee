import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { OPEN_INGRESS_ANNOTATION } from "../../contract/annotations";

/** Traffic one set of pods accepts. */
export interface IngressAllow {
    /** Policy name suffix, e.g. `traefik`. */
    readonly name: string;
    /** Pods the rule opens. */
    readonly podLabels: Readonly<Record<string, string>>;
    /** Container ports. */
    readonly ports: readonly number[];
    /** Where from: `anywhere` (clients, the API server), `cluster` (any namespace), or pods of this namespace. */
    readonly from: "anywhere" | "cluster" | { readonly podLabels: Readonly<Record<string, string>> };
    /** Why `from: anywhere` is right, written on the policy (policy rule networkpolicy-ingress-from). @default none */
    readonly why?: string;
}

export interface IngressPoliciesArgs {
    /** The cluster's provider. */
    readonly provider: k8s.Provider;
    /** Namespace to open (must exist, with its default deny: PlatformNamespace). */
    readonly namespace: string;
    /** What is let in; the namespace's default deny refuses the rest. */
    readonly allow: readonly IngressAllow[];
    /** Resources the policies wait for (the namespace). @default [] */
    readonly dependsOn?: pulumi.Resource[];
}

/** One NetworkPolicy per flow let in to a namespace whose ingress is denied by default. */
export class IngressPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: IngressPoliciesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:IngressPolicies", name, {}, opts);
        const k8sOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
        for (const rule of args.allow) {
            const from =
                rule.from === "anywhere"
                    ? {}
                    : rule.from === "cluster"
                      ? { from: [{ namespaceSelector: {} }] }
                      : { from: [{ podSelector: { matchLabels: { ...rule.from.podLabels } } }] };
            new k8s.networking.v1.NetworkPolicy(
                `${name}-allow-${rule.name}`,
                {
                    metadata: {
                        name: `allow-${rule.name}`,
                        namespace: args.namespace,
                        ...(rule.from === "anywhere"
                            ? { annotations: { [OPEN_INGRESS_ANNOTATION]: rule.why ?? "declared from: anywhere" } }
                            : {}),
                    },
                    spec: {
                        podSelector: { matchLabels: { ...rule.podLabels } },
                        policyTypes: ["Ingress"],
                        ingress: [{ ...from, ports: rule.ports.map((port) => ({ protocol: "TCP", port })) }],
                    },
                },
                k8sOpts,
            );
        }
        this.registerOutputs({ namespace: args.namespace });
    }
}
