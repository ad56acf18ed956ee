import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { mockState } from "./mock-state";
import { containsSecret, isSecretWrapper, redact } from "./redact";

// The RPC helpers and settings are internal to the SDK but stable; they are how the mock
// monitor itself decodes a registration.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rpc = require("@pulumi/pulumi/runtime/rpc") as { deserializeProperties(s: unknown): Record<string, unknown> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): MockMonitor };

/** One resource as the program declared it. Inputs keep secret wrappers; use `redact` to show them. */
export interface RecordedResource {
    /** The mock runtime's URN: `parent`, `dependsOn` and `provider` refer to resources by it. */
    readonly urn: string;
    /**
     * The URN the real engine gives the resource: the parent's whole type chain (the mock keeps
     * only the parent's own type, and counts the stack as a parent). What aliases and state match.
     */
    readonly engineUrn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly remote: boolean;
    readonly parent: string;
    readonly provider: string;
    /** Every resource this one waits for: explicit dependsOn plus the ones its inputs come from. */
    readonly dependsOn: readonly string[];
    /**
     * The part of `dependsOn` given as the `dependsOn` option (a component there stands for its
     * custom children). A resource named both there and by an input counts as an input dependency.
     */
    readonly explicitDependsOn: readonly string[];
    /** The resources an input comes from, per input property. */
    readonly inputDependsOn: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    /** `retainOnDelete`: deleting it in Pulumi leaves the object in the cloud or cluster. */
    readonly retainOnDelete: boolean;
    /** `deleteBeforeReplace`, when the program set it. */
    readonly deleteBeforeReplace?: boolean;
    /** `ignoreChanges` property paths; absent when none. */
    readonly ignoreChanges?: readonly string[];
    /** `replaceOnChanges` property paths; absent when none. */
    readonly replaceOnChanges?: readonly string[];
    /** `deletedWith`: the resource (mock URN) whose deletion removes this one, so Pulumi skips deleting it. */
    readonly deletedWith?: string;
    /** Input paths whose value is unknown (only in a preview-mode recording); absent when none. */
    readonly unknownInputs?: readonly string[];
    /** `customTimeouts` as given (e.g. `{ create: "30m" }`); absent when none. */
    readonly customTimeouts?: Readonly<Record<string, string>>;
    readonly inputs: Record<string, unknown>;
    /** Engine URNs this resource was known by before (its `aliases`, the inherited ones included); absent when none. */
    readonly aliases?: readonly string[];
}

export interface Recording {
    readonly resources: RecordedResource[];
    /** Stack outputs with secret wrappers kept. */
    readonly outputs: Record<string, unknown>;
    /** Stack outputs as plain values (secrets unwrapped); for tests only. */
    readonly outputValues: Record<string, unknown>;
    /** Transforms the program registered for every resource (`pulumi.runtime.registerResourceTransform`). */
    readonly stackTransforms: readonly pulumi.ResourceTransform[];
}

export interface RunOptions {
    readonly project: string;
    readonly stack: string;
    /** Config as the CLI hands it to a program: `ns:key` to text (objects as JSON). */
    readonly config: Record<string, string>;
    /** Keys of `config` that are secrets. */
    readonly secretKeys: readonly string[];
    /**
     * Run as `pulumi preview` of a stack that does not exist yet: every output a provider computes
     * is unknown (only what echoes an input, and what a read returns, is known). @default false
     */
    readonly preview?: boolean;
    /**
     * The organization the CLI reports (`pulumi.getOrganization()`): `organization` on a
     * self-managed backend (gs://, file://), the Pulumi Cloud org otherwise. @default "organization"
     */
    readonly organization?: string;
}

type Req = {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getRemote(): boolean;
    getProvider(): string;
    getProtect(): boolean | undefined;
    getRetainondelete(): boolean | undefined;
    getDeletebeforereplace(): boolean;
    getDeletebeforereplacedefined(): boolean;
    getIgnorechangesList(): string[];
    getReplaceonchangesList(): string[];
    getDeletedwith(): string;
    getPropertydependenciesMap(): { forEach(cb: (v: { getUrnsList(): string[] }, k: string) => void): void };
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getDependenciesList(): string[];
    getObject(): unknown;
    getAliasesList(): AliasProto[];
};
type AliasProto = {
    getUrn(): string;
    getSpec():
        | {
              getName(): string;
              getType(): string;
              getStack(): string;
              getProject(): string;
              getParenturn(): string;
              getNoparent(): boolean;
          }
        | undefined;
};
type Callback = (err: unknown, res: { getUrn(): string } | undefined) => void;

/** A program under test: declares resources and returns the stack outputs. */
export type Program = () => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/**
 * Runs `program` under Pulumi's mock runtime and records every resource it declares. The engine
 * fails an update on a repeated URN while the mock monitor silently overwrites, so a repeat is an
 * error here too.
 */
export function record(program: Program, opts: RunOptions): Promise<Recording> {
    // The Pulumi runtime is process-global: recordings must take turns.
    const turn = queue.then(() => recordAlone(program, opts));
    queue = turn.then(
        () => undefined,
        () => undefined,
    );
    return turn;
}

let queue: Promise<void> = Promise.resolve();

/**
 * What a provider function answers offline: its inputs back, plus what the program reads of a
 * project (its number, the same fake one the Workload Identity pools carry in render/mock-state.ts).
 */
function mockCall(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
    if (token === "gcp:organizations/getProject:getProject") return { ...inputs, number: "123456789012" };
    return inputs;
}

async function recordAlone(program: Program, opts: RunOptions): Promise<Recording> {
    pulumi.runtime.setAllConfig(opts.config, [...opts.secretKeys]);
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => mockState(args, opts.preview === true),
            call: (args) => mockCall(args.token, args.inputs as Record<string, unknown>),
            registerTransform: (t) => {
                stackTransforms.push(t);
            },
        },
        opts.project,
        opts.stack,
        opts.preview === true,
        opts.organization ?? "organization",
    );
    const monitor = settings.getMonitor();
    const resources: RecordedResource[] = [];
    const stackTransforms: pulumi.ResourceTransform[] = [];
    const urns = new Set<string>();
    // Mock URN to the engine's, for the parent chains of later registrations.
    const engineUrns = new Map<string, string>();
    // Engine URN to the engine URNs it had before (its aliases), which its children inherit.
    const oldUrns = new Map<string, string[]>();
    let stackOutputs: Record<string, unknown> = {};
    let stackUrn = "";
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = async (req: Req, callback: Callback) => {
        const inputs = markUnknowns(rpc.deserializeProperties(req.getObject())) as Record<string, unknown>;
        return register(req, (err, res) => {
            if (!err && res) {
                const urn = res.getUrn();
                if (urns.has(urn)) {
                    callback(
                        new Error(
                            `duplicate resource URN ${urn}: two resources share a type and name under one parent`,
                        ),
                        undefined,
                    );
                    return;
                }
                urns.add(urn);
                if (req.getType() === "pulumi:pulumi:Stack") stackUrn = urn;
                const engineUrn = engineUrnOf(engineUrns, req.getParent(), req.getType(), req.getName(), urn);
                engineUrns.set(urn, engineUrn);
                resources.push({
                    urn,
                    engineUrn,
                    type: req.getType(),
                    name: req.getName(),
                    custom: req.getCustom(),
                    remote: req.getRemote(),
                    parent: req.getParent(),
                    provider: req.getProvider(),
                    ...dependenciesOf(req),
                    protect: req.getProtect() === true,
                    retainOnDelete: req.getRetainondelete() === true,
                    ...optionsOf(req),
                    ...timeoutsOf(req),
                    ...aliasesOf(req, engineUrns, oldUrns, engineUrn),
                    ...unknownsOf(inputs),
                    inputs,
                });
            }
            callback(err, res);
        });
    };
    const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
    monitor.registerResourceOutputs = (
        req: { getUrn(): string; getOutputs(): unknown },
        callback: (e: unknown, r: unknown) => void,
    ) => {
        if (req.getUrn() === stackUrn && req.getOutputs()) {
            stackOutputs = rpc.deserializeProperties(req.getOutputs());
        }
        registerOutputs(req, callback);
    };

    // A program that throws (bad config, a refused host) must not leave the stack resource's
    // registration rejected with nobody listening: catch, let the runtime drain, then rethrow.
    let failure: { error: unknown } | undefined;
    const run = async () => {
        try {
            return (await program()) ?? {};
        } catch (error) {
            failure = { error };
            return {};
        }
    };
    let outputValues: Record<string, unknown> = {};
    // The SDK records a stack trace for every promise it makes, for leak reports render never
    // prints; formatting them (through source maps, which tsx turns on) was most of render's time.
    // Meanwhile traces are short and keep compiled positions; error messages are unchanged. A
    // test runner's own formatter (jest installs source-map-support) is set aside for the same reason.
    const sourceMaps = process.sourceMapsEnabled;
    const traceLimit = Error.stackTraceLimit;
    const prepare = Error.prepareStackTrace;
    process.setSourceMapsEnabled(false);
    Error.stackTraceLimit = 3;
    Error.prepareStackTrace = plainStack;
    try {
        outputValues = (await pulumi.runtime.runInPulumiStack(run)) ?? {};
    } finally {
        await pulumi.runtime.disconnect();
        process.setSourceMapsEnabled(sourceMaps);
        Error.stackTraceLimit = traceLimit;
        Error.prepareStackTrace = prepare;
    }
    if (failure) throw failure.error;
    return { resources, outputs: stackOutputs, outputValues, stackTransforms };
}

/** Explicit and input dependencies, told apart by the request's per-property dependencies. */
function dependenciesOf(req: Req): Pick<RecordedResource, "dependsOn" | "explicitDependsOn" | "inputDependsOn"> {
    const all = [...new Set(req.getDependenciesList())];
    const byInput: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((v, k) => {
        const urns = [...new Set(v.getUrnsList())];
        if (urns.length > 0) byInput[k] = urns;
    });
    const fromInputs = new Set(Object.values(byInput).flat());
    return { dependsOn: all, explicitDependsOn: all.filter((u) => !fromInputs.has(u)), inputDependsOn: byInput };
}

/** The lifecycle options that are set, and only those. */
function optionsOf(
    req: Req,
): Pick<RecordedResource, "deleteBeforeReplace" | "ignoreChanges" | "replaceOnChanges" | "deletedWith"> {
    const ignore = req.getIgnorechangesList();
    const replaceOn = req.getReplaceonchangesList();
    return {
        ...(req.getDeletebeforereplacedefined() ? { deleteBeforeReplace: req.getDeletebeforereplace() } : {}),
        ...(ignore.length > 0 ? { ignoreChanges: [...ignore] } : {}),
        ...(replaceOn.length > 0 ? { replaceOnChanges: [...replaceOn] } : {}),
        ...(req.getDeletedwith() ? { deletedWith: req.getDeletedwith() } : {}),
    };
}

/** What an unknown input value is recorded (and written) as. */
export const UNKNOWN = "[unknown]";

/** Replaces the SDK's unknown value (a preview's "known after apply") with `UNKNOWN`, at any depth. */
function markUnknowns(value: unknown): unknown {
    if (pulumi.Output.isInstance(value)) return value;
    if (isUnknownValue(value)) return UNKNOWN;
    if (Array.isArray(value)) return value.map(markUnknowns);
    if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markUnknowns(v)]));
    }
    return value;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const output = require("@pulumi/pulumi/output") as { isUnknown(v: unknown): boolean };
function isUnknownValue(v: unknown): boolean {
    return output.isUnknown(v);
}

/** The paths (`values.a.b`, `spec.x[0]`) of the unknown values among the inputs. */
export function unknownPaths(value: unknown, at = ""): string[] {
    if (value === UNKNOWN) return [at];
    // A secret's wrapper is not part of the path.
    if (isSecretWrapper(value)) return unknownPaths(value.value, at);
    if (Array.isArray(value)) return value.flatMap((v, i) => unknownPaths(v, `${at}[${i}]`));
    if (typeof value === "object" && value !== null)
        return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, at ? `${at}.${k}` : k));
    return [];
}

function unknownsOf(inputs: Record<string, unknown>): { unknownInputs?: string[] } {
    const paths = unknownPaths(inputs);
    return paths.length > 0 ? { unknownInputs: paths } : {};
}

function timeoutsOf(req: Req): { customTimeouts?: Record<string, string> } {
    const t = req.getCustomtimeouts();
    const all = { create: t?.getCreate() ?? "", update: t?.getUpdate() ?? "", delete: t?.getDelete() ?? "" };
    const set = Object.entries(all).filter(([, v]) => v !== "");
    return set.length > 0 ? { customTimeouts: Object.fromEntries(set) } : {};
}

/**
 * The engine's URN for a registration: a resource under the stack (or none) has its own type as
 * its chain; any other has its parent's chain, `$`, its type.
 */
function engineUrnOf(known: Map<string, string>, parent: string, type: string, name: string, mockUrn: string): string {
    const own = parseUrn(mockUrn);
    const parentUrn = parent ? (known.get(parent) ?? parent) : "";
    const chain =
        parentUrn && parseUrn(parentUrn).type !== "pulumi:pulumi:Stack" ? `${parseUrn(parentUrn).chain}$${type}` : type;
    return `urn:pulumi:${own.stack}::${own.project}::${chain}::${name}`;
}

/**
 * The engine URNs a registration's aliases stand for. A spec alias names only what changed; the
 * rest is the resource's own (the engine fills it in the same way).
 */
function aliasesOf(
    req: Req,
    known: Map<string, string>,
    inherited: Map<string, string[]>,
    engineUrn: string,
): { aliases?: string[] } {
    const own = parseUrn(engineUrn);
    const aliases = req.getAliasesList().map((a) => {
        const spec = a.getSpec();
        if (!spec) return a.getUrn();
        const parent = spec.getNoparent() ? "" : aliasParent(known, spec.getParenturn()) || req.getParent();
        const urn = engineUrnOf(
            known,
            parent,
            spec.getType() || req.getType(),
            spec.getName() || req.getName(),
            engineUrn,
        );
        const p = parseUrn(urn);
        return `urn:pulumi:${spec.getStack() || own.stack}::${spec.getProject() || own.project}::${p.chain}::${p.name}`;
    });
    // The engine (structured aliases) also moves children with their parent: under each of the
    // parent's old URNs, a child is known by its own name and, where its name starts with the
    // parent's, by that name with the parent's old one in front.
    const parent = known.get(req.getParent());
    const parentName = parent ? parseUrn(parent).name : "";
    for (const old of parent ? (inherited.get(parent) ?? []) : []) {
        const p = parseUrn(old);
        const base = `urn:pulumi:${p.stack}::${p.project}::${p.chain}$${req.getType()}::`;
        aliases.push(base + req.getName());
        if (req.getName().startsWith(parentName)) aliases.push(base + p.name + req.getName().slice(parentName.length));
    }
    const unique = [...new Set(aliases)].filter((a) => a !== engineUrn);
    if (unique.length > 0) inherited.set(engineUrn, unique);
    return unique.length > 0 ? { aliases: unique } : {};
}

/**
 * The parent an alias names, as the recorder knows it. A parent given as a resource arrives as its
 * mock URN. One given as `pulumi.createUrn(name, type, parentResource)` (the URN of a resource not
 * declared yet, or no longer) is built from the parent resource's mock URN: its chain is the mock's
 * (the parent's parent's own type only, the stack counted as a parent) plus `$<type>`. This finds
 * the registered resource it was built from and returns the engine URN it stands for; when that is
 * ambiguous (two such resources with different engine chains) or unknown, the URN as given.
 */
function aliasParent(known: Map<string, string>, urn: string): string {
    if (!urn || known.has(urn)) return urn;
    const prefixOf = (mock: string) => `${mock.slice(0, mock.lastIndexOf("::"))}$`;
    const candidates = [...known.keys()].filter((mock) => urn.startsWith(prefixOf(mock)));
    const longest = Math.max(0, ...candidates.map((m) => prefixOf(m).length));
    const from = candidates.filter((m) => prefixOf(m).length === longest);
    const rest = urn.slice(longest);
    const sep = rest.indexOf("::");
    if (from.length === 0 || sep <= 0 || rest.slice(0, sep).includes("$")) return urn;
    const [type, name] = [rest.slice(0, sep), rest.slice(sep + 2)];
    const engine = new Set(from.map((m) => engineUrnOf(known, m, type, name, urn)));
    return engine.size === 1 ? [...engine][0]! : urn;
}

/** The parts of `urn:pulumi:<stack>::<project>::<type chain>::<name>`; `type` is the chain's last type. */
export function parseUrn(urn: string): { stack: string; project: string; chain: string; type: string; name: string } {
    const [head = "", project = "", chain = "", ...rest] = urn.split("::");
    const types = chain.split("$");
    return {
        stack: head.replace(/^urn:pulumi:/, ""),
        project,
        chain,
        type: types[types.length - 1] ?? "",
        name: rest.join("::"),
    };
}

/** V8's own trace text, frame by frame, with no source-map lookups. */
function plainStack(error: Error, frames: NodeJS.CallSite[]): string {
    return [String(error), ...frames.map((f) => `    at ${f}`)].join("\n");
}

/** The stack outputs with secrets shown as `[secret]`, and which of them are secret. */
export function outputsView(rec: Recording): { values: Record<string, unknown>; secret: Record<string, boolean> } {
    const secret: Record<string, boolean> = {};
    for (const [k, v] of Object.entries(rec.outputs)) secret[k] = containsSecret(v);
    return { values: redact(rec.outputs) as Record<string, unknown>, secret };
}
