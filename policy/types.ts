import type { RecordedResource } from "../render/recorder";
import type { Environment } from "../contract/environment";

export type { RecordedResource };

/** What a violation does: `mandatory` fails the preview, `advisory` warns, `disabled` skips the rule. */
export type Enforcement = "mandatory" | "advisory" | "disabled";

/** Everything a rule may look at besides the resource it checks. */
export interface RuleContext {
    readonly environment: Environment;
    /** Every resource of the stack (for rules that relate objects, e.g. a Namespace and its quota). */
    readonly resources: readonly RecordedResource[];
    /**
     * True when secret values still carry Pulumi's secret wrapper (render, tests). A CrossGuard pack
     * receives secrets already unwrapped, so rules fall back to name and content heuristics there.
     */
    readonly secretsVisible: boolean;
}

export interface Rule {
    /** Stable id, also the CrossGuard policy name. */
    readonly id: string;
    /** One line: what the rule requires. */
    readonly description: string;
    /** The CIS benchmark item(s) it implements, or the rationale when no benchmark item applies. */
    readonly benchmark: string;
    /** Level per environment. */
    readonly enforcement: Readonly<Record<Environment, Enforcement>>;
    /** Looks at other resources too (runs as a stack validation in the pack). @default false */
    readonly crossResource?: boolean;
    /** One message per problem found on `r`; empty when `r` complies or is not the rule's concern. */
    check(r: RecordedResource, ctx: RuleContext): string[];
}

export interface Violation {
    readonly rule: string;
    readonly urn: string;
    /** `Deployment vote/api` for Kubernetes objects, the resource name otherwise. */
    readonly name: string;
    readonly message: string;
    readonly enforcement: Enforcement;
}

/** Mandatory on prd, advisory on dev: the usual level. */
export const PRD_MANDATORY = { dev: "advisory", prd: "mandatory" } as const satisfies Record<Environment, Enforcement>;
/** Mandatory everywhere: cheap to satisfy and dangerous to miss on any cluster. */
export const ALWAYS = { dev: "mandatory", prd: "mandatory" } as const satisfies Record<Environment, Enforcement>;
/** Only prd: availability requirements a one-node dev cluster cannot and need not meet. */
export const PRD_ONLY = { dev: "disabled", prd: "mandatory" } as const satisfies Record<Environment, Enforcement>;
