import * as path from "node:path";
import { writeGraph } from "./graph";
import { formatViolation, runRules, withOutputs } from "../policy/run";
import { isEnvironment } from "../contract/environment";
import { helmCharts, HelmChart, KubeObject, kubeObjects } from "./objects";
import { outputsView, Program, record, RecordedResource, Recording } from "./recorder";
import { readStack, StackInput } from "./stack-file";
import { previewProblems } from "./preview-checks";
import { quotaReport, QuotaReport } from "./quota";
import { validateObjects } from "./validate";
import { writeRender } from "./write";
import { siteBundlesForRender } from "./site-bundles";

export const ROOT = path.resolve(__dirname, "..");

export interface RenderOptions {
    readonly stack: string;
    /** Stack file to read instead of `Pulumi.<stack>.yaml`. */
    readonly stackFile?: string;
    /** Output directory; files go to `<out>/<stack>/`. Omit to write nothing. */
    readonly out?: string;
    /** Secret config values, `key` or `ns:key` to value. */
    readonly secrets?: Readonly<Record<string, string>>;
    /** The program to run. @default the project's index.ts */
    readonly program?: Program;
    /** Run as the first `pulumi preview`: computed outputs unknown (render/mock-state.ts). @default false */
    readonly preview?: boolean;
}

export interface RenderResult {
    readonly input: StackInput;
    readonly recording: Recording;
    readonly resources: readonly RecordedResource[];
    readonly objects: readonly KubeObject[];
    readonly charts: readonly HelmChart[];
    readonly outputs: Record<string, unknown>;
    readonly outputSecrets: Record<string, boolean>;
    /** The Compute Engine quotas the stack needs, written as quota.json. */
    readonly quota: QuotaReport;
    /** Schema errors, one per invalid object, and mandatory policy violations; render fails when there is any. */
    readonly errors: readonly string[];
    /** Advisory policy violations (policy/): shown, not fatal. */
    readonly warnings: readonly string[];
    readonly dir?: string;
}

/** The project's program, index.ts, whichever module system loaded it. */
export async function projectProgram(): Promise<Program> {
    const mod = (await import("../index")) as unknown as Program | { default: Program };
    return typeof mod === "function" ? mod : mod.default;
}

/** Runs the program offline for a stack, validates every object, and writes the files when asked. */
export async function renderStack(opts: RenderOptions): Promise<RenderResult> {
    const input = readStack({ root: ROOT, stack: opts.stack, stackFile: opts.stackFile, overrides: opts.secrets });
    const program = opts.program ?? (await projectProgram());
    const recording = await record(program, { ...input, preview: opts.preview === true });
    const objects = kubeObjects(recording.resources);
    // An object with a value not known before the update is validated by the update's render.
    const schemaErrors = await validateObjects(
        kubeObjects(
            recording.resources.filter((r) => !r.unknownInputs),
            true,
        ),
    );
    // The policy rules, at the levels of the stack's environment (exemptions in policy/exemptions.ts).
    const environment = input.config[`${input.project}:environment`];
    const policy = isEnvironment(environment)
        ? runRules(withOutputs(recording.resources, recording.outputs), { environment })
        : { violations: [] };
    const errors = [
        ...schemaErrors,
        ...policy.violations.filter((v) => v.enforcement === "mandatory").map(formatViolation),
        ...(opts.preview ? previewProblems(recording.resources) : []),
    ];
    const warnings = policy.violations.filter((v) => v.enforcement === "advisory").map(formatViolation);
    const charts = helmCharts(recording.resources);
    const { values, secret } = outputsView(recording);
    const quota = quotaReport(recording.resources, objects, charts);
    const dir = opts.out ? path.join(opts.out, ...(opts.preview ? ["preview"] : []), opts.stack) : undefined;
    if (dir) {
        writeRender(dir, {
            resources: recording.resources,
            objects,
            charts,
            outputs: values,
            outputSecrets: secret,
            quota,
            siteBundles: siteBundlesForRender(recording.outputValues),
        });
        await writeGraph(dir, opts.stack, recording.resources);
    }
    return {
        input,
        recording,
        resources: recording.resources,
        objects,
        charts,
        outputs: values,
        outputSecrets: secret,
        quota,
        errors,
        warnings,
        dir,
    };
}
