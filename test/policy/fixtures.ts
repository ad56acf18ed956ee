import type { RecordedResource } from "../../render/recorder";
import { runRules } from "../../policy/run";
import type { Environment } from "../../contract/environment";
import type { Rule } from "../../policy/types";

/** Hand-made objects are schemaless on purpose: tests mutate any field. */

export type Loose = any;

/** Pulumi's secret wrapper, as the recorder sees a secret input. */
export function secret(value: unknown): Record<string, unknown> {
    return { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value };
}

/** A recorded resource of any type, in stack `stack`. */
export function res(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    extra: Partial<RecordedResource> = {},
    stack = "test",
): RecordedResource {
    return {
        urn: `urn:pulumi:${stack}::platform::pulumi:pulumi:Stack$${type}::${name}`,
        engineUrn: `urn:pulumi:${stack}::platform::${type}::${name}`,
        type,
        name,
        custom: true,
        remote: false,
        parent: "",
        provider: "",
        dependsOn: [],
        explicitDependsOn: [],
        inputDependsOn: {},
        protect: false,
        retainOnDelete: false,
        inputs,
        ...extra,
    };
}

/** A Kubernetes object as the program would declare it (type token from apiVersion and kind). */
export function k8s(obj: Record<string, Loose>, extra: Partial<RecordedResource> = {}): RecordedResource {
    const apiVersion = String(obj.apiVersion);
    const gv = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
    return res(
        `kubernetes:${gv}:${String(obj.kind)}`,
        `${obj.metadata?.namespace ?? "_"}-${obj.metadata?.name}`,
        obj,
        extra,
    );
}

/** A container that passes every pod rule. */
export function goodContainer(name = "web"): Record<string, Loose> {
    return {
        name,
        image: "ghcr.io/acme/vote:abc123-20260101000000",
        securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
        resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        readinessProbe: { httpGet: { path: "/health", port: 8080 } },
        livenessProbe: { httpGet: { path: "/health", port: 8080 } },
        env: [{ name: "PORT", value: "8080" }],
    };
}

/** A pod spec that passes every pod rule. */
export function goodPodSpec(containers = [goodContainer()]): Record<string, Loose> {
    return {
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
        containers,
        volumes: [{ name: "tmp", emptyDir: {} }],
    };
}

/** A Deployment that passes every rule (two replicas, in namespace `vote`). */
export function goodDeployment(mutate: (d: Record<string, Loose>) => void = () => {}): Record<string, Loose> {
    const d: Record<string, Loose> = {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "web", namespace: "vote", labels: { app: "web" } },
        spec: {
            replicas: 2,
            selector: { matchLabels: { app: "web" } },
            template: { metadata: { labels: { app: "web" } }, spec: goodPodSpec() },
        },
    };
    mutate(d);
    return d;
}

/** Messages of one rule over the given resources. */
export function violations(
    rule: Rule,
    resources: RecordedResource[],
    environment: Environment = "prd",
    secretsVisible = true,
): string[] {
    return runRules(resources, { environment, rules: [rule], exemptions: [], secretsVisible }).violations.map(
        (v) => `${v.name}: ${v.message}`,
    );
}

export function ruleById(rules: readonly Rule[], id: string): Rule {
    const r = rules.find((x) => x.id === id);
    if (!r) throw new Error(`no rule ${id}`);
    return r;
}
