import { describe } from "./k8s";
import { exemptionFor, Exemption, EXEMPTIONS } from "./exemptions";
import { RULES } from "./rules";
import type { Environment } from "../contract/environment";
import type { RecordedResource, Rule, RuleContext, Violation } from "./types";

export interface RunResult {
    /** Violations no exemption covers. */
    readonly violations: Violation[];
    /** Violations an exemption covers, with it. */
    readonly exempted: { violation: Violation; exemption: Exemption }[];
}

/**
 * The resources as the rules see them: the root stack resource carries the stack outputs as its
 * inputs (that is how a CrossGuard stack validation sees it too).
 */
export function withOutputs(
    resources: readonly RecordedResource[],
    outputs: Record<string, unknown>,
): RecordedResource[] {
    return resources.map((r) => (r.type === "pulumi:pulumi:Stack" ? { ...r, inputs: outputs } : r));
}

/** Every violation of `rule` on `r` (none when the rule is disabled in this environment). */
export function checkRule(rule: Rule, r: RecordedResource, ctx: RuleContext): Violation[] {
    const enforcement = rule.enforcement[ctx.environment];
    if (enforcement === "disabled") return [];
    return rule.check(r, ctx).map((message) => ({
        rule: rule.id,
        urn: r.urn,
        name: describe(r),
        message,
        enforcement,
    }));
}

/** Runs every rule over every resource and splits the violations by the exemption list. */
export function runRules(
    resources: readonly RecordedResource[],
    opts: {
        environment: Environment;
        secretsVisible?: boolean;
        rules?: readonly Rule[];
        exemptions?: readonly Exemption[];
    },
): RunResult {
    const ctx: RuleContext = {
        environment: opts.environment,
        resources,
        secretsVisible: opts.secretsVisible ?? true,
    };
    const violations: Violation[] = [];
    const exempted: RunResult["exempted"] = [];
    for (const rule of opts.rules ?? RULES) {
        for (const r of resources) {
            for (const v of checkRule(rule, r, ctx)) {
                const e = exemptionFor(v, opts.environment, opts.exemptions ?? EXEMPTIONS);
                if (e) exempted.push({ violation: v, exemption: e });
                else violations.push(v);
            }
        }
    }
    return { violations, exempted };
}

export function formatViolation(v: Violation): string {
    return `[${v.enforcement}] ${v.rule}: ${v.name}: ${v.message}`;
}
