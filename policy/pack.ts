import type {
    EnforcementLevel,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "@pulumi/policy";
import { resolveEnvironment } from "./environment";
import { exemptionFor } from "./exemptions";
import { RULES } from "./rules";
import { checkRule } from "./run";
import type { Environment } from "../contract/environment";
import type { RecordedResource, Rule, RuleContext } from "./types";

/** One policy of the pack. */
export type PackPolicy = ResourceValidationPolicy | StackValidationPolicy;

type Report = (message: string, urn?: string) => void;

/** A resource as CrossGuard hands it to a resource validation, in the recorder's shape. */
export function fromValidationArgs(a: ResourceValidationArgs): RecordedResource {
    return {
        urn: a.urn,
        engineUrn: a.urn,
        type: a.type,
        name: a.name,
        custom: true,
        remote: false,
        parent: a.opts.parent ?? "",
        provider: a.provider?.urn ?? "",
        dependsOn: [],
        explicitDependsOn: [],
        inputDependsOn: {},
        protect: a.opts.protect,
        // CrossGuard does not hand policies retainOnDelete: the pack sees only protect.
        retainOnDelete: false,
        ...lifecycleOf(a.opts),
        inputs: a.props,
    };
}

/** A resource as CrossGuard hands it to a stack validation, in the recorder's shape. */
export function fromPolicyResource(p: PolicyResource): RecordedResource {
    return {
        urn: p.urn,
        engineUrn: p.urn,
        type: p.type,
        name: p.name,
        custom: true,
        remote: false,
        parent: p.parent?.urn ?? p.opts.parent ?? "",
        provider: p.provider?.urn ?? "",
        dependsOn: p.dependencies.map((d) => d.urn),
        ...dependenciesOf(p),
        protect: p.opts.protect,
        retainOnDelete: false,
        ...lifecycleOf(p.opts),
        inputs: p.props,
    };
}

/** CrossGuard tells input dependencies per property; the rest were given as `dependsOn`. */
function dependenciesOf(p: PolicyResource): Pick<RecordedResource, "explicitDependsOn" | "inputDependsOn"> {
    const inputDependsOn = Object.fromEntries(
        Object.entries(p.propertyDependencies ?? {}).map(([k, deps]) => [k, deps.map((d) => d.urn)]),
    );
    const fromInputs = new Set(Object.values(inputDependsOn).flat());
    return {
        explicitDependsOn: p.dependencies.map((d) => d.urn).filter((u) => !fromInputs.has(u)),
        inputDependsOn,
    };
}

/** The options CrossGuard shows (it does not show retainOnDelete, deletedWith or replaceOnChanges). */
function lifecycleOf(o: {
    ignoreChanges: string[];
    deleteBeforeReplace?: boolean;
}): Pick<RecordedResource, "ignoreChanges" | "deleteBeforeReplace"> {
    return {
        ...(o.ignoreChanges?.length ? { ignoreChanges: o.ignoreChanges } : {}),
        ...(o.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: o.deleteBeforeReplace } : {}),
    };
}

export interface PackOptions {
    /** Decides the environment from a URN. @default resolveEnvironment */
    readonly environmentOf?: (urn: string) => Environment;
}

/**
 * The policies for one rule. CrossGuard fixes a policy's level up front while ours depends on the
 * stack, so a rule whose level differs between environments becomes two policies, `<id>`
 * (mandatory) and `<id>-advisory`; each reports only in the environments at its level.
 */
export function policiesFor(rule: Rule, opts: PackOptions = {}): PackPolicy[] {
    const environmentOf = opts.environmentOf ?? ((urn: string) => resolveEnvironment(urn));
    const out: PackPolicy[] = [];
    for (const level of ["mandatory", "advisory"] as const) {
        const envs = (Object.keys(rule.enforcement) as Environment[]).filter((e) => rule.enforcement[e] === level);
        if (envs.length === 0) continue;
        const others = Object.values(rule.enforcement).filter((l) => l !== "disabled" && l !== level);
        const name = level === "advisory" && others.length > 0 ? `${rule.id}-advisory` : rule.id;
        const base = {
            name,
            description: `${rule.description} [${rule.benchmark}] (${level} on ${envs.join(", ")})`,
            enforcementLevel: level as EnforcementLevel,
        };
        const report = (r: RecordedResource, ctx: RuleContext, reportViolation: Report) => {
            for (const v of checkRule(rule, r, ctx)) {
                const exemption = exemptionFor(v, ctx.environment);
                if (!exemption) reportViolation(`${v.name}: ${v.message}`, v.urn);
            }
        };
        if (rule.crossResource) {
            const p: StackValidationPolicy = {
                ...base,
                validateStack: (args: StackValidationArgs, reportViolation: Report) => {
                    const resources = args.resources.map(fromPolicyResource);
                    if (resources.length === 0) return;
                    const environment = environmentOf(resources[0]!.urn);
                    if (!envs.includes(environment)) return;
                    const ctx: RuleContext = { environment, resources, secretsVisible: false };
                    for (const r of resources) report(r, ctx, reportViolation);
                },
            };
            out.push(p);
        } else {
            const p: ResourceValidationPolicy = {
                ...base,
                validateResource: (args: ResourceValidationArgs, reportViolation: Report) => {
                    const r = fromValidationArgs(args);
                    const environment = environmentOf(r.urn);
                    if (!envs.includes(environment)) return;
                    report(r, { environment, resources: [r], secretsVisible: false }, reportViolation);
                },
            };
            out.push(p);
        }
    }
    return out;
}

/** Every policy of the pack. */
export function policies(opts: PackOptions = {}): PackPolicy[] {
    return RULES.flatMap((rule) => policiesFor(rule, opts));
}
