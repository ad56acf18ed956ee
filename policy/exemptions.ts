import { ENVIRONMENTS, Environment } from "../contract/environment";

/**
 * A violation the platform accepts on purpose. Every entry says why; the whole-program test fails
 * on any violation not listed here, and on any entry that no longer matches anything (so the list
 * never outlives its reason).
 */
export interface Exemption {
    /** Rule id. */
    readonly rule: string;
    /** Matches the violation's name (`Deployment ns/name`, or the resource name) or its URN. */
    readonly resource: RegExp;
    /** Environments it applies to. @default both */
    readonly environments?: readonly Environment[];
    /** Why the violation is acceptable; shown in the docs and the pack's output. */
    readonly reason: string;
}

/**
 * The list. Objects a Helm chart renders are not here: render records a v4 Chart as one resource,
 * and the pack skips chart children (they are the chart's, reviewed when its pin moves in
 * components/versions.ts); the `entry-replicas` and `secret-not-in-helm-values` rules check the
 * chart values the program controls instead.
 */
export const EXEMPTIONS: readonly Exemption[] = [];

export function exemptionFor(
    v: { rule: string; name: string; urn: string },
    environment: Environment,
    list: readonly Exemption[] = EXEMPTIONS,
): Exemption | undefined {
    return list.find(
        (e) =>
            e.rule === v.rule &&
            (e.environments ?? ENVIRONMENTS).includes(environment) &&
            (e.resource.test(v.name) || e.resource.test(v.urn)),
    );
}
