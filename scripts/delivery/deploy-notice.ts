// The chat message the deploy workflow posts after every `pulumi up` (dev and prd), built from the
// engine events `pulumi up --json` streams to stdout: one JSON object per line, the CLI's
// apitype.EngineEvent (sequence, timestamp and one of resourcePreEvent, resOutputsEvent,
// resOpFailedEvent, diagnosticEvent, summaryEvent, ...). Only the fields read below are relied on.

/** What the engine says about one resource step (apitype.StepEventMetadata). */
export interface StepMetadata {
    readonly op: string;
    readonly urn: string;
    readonly type: string;
    readonly old?: { readonly inputs?: Record<string, unknown> } | null;
    readonly new?: { readonly inputs?: Record<string, unknown> } | null;
}

/** One line of `pulumi up --json`. */
export interface EngineEvent {
    readonly sequence?: number;
    readonly resourcePreEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
    readonly resOutputsEvent?: { readonly metadata: StepMetadata; readonly planning?: boolean };
    readonly resOpFailedEvent?: { readonly metadata: StepMetadata; readonly status?: number; readonly steps?: number };
    readonly diagnosticEvent?: { readonly urn?: string; readonly message: string; readonly severity: string };
    readonly summaryEvent?: {
        readonly durationSeconds?: number;
        readonly resourceChanges?: Readonly<Record<string, number>>;
    };
}

/** Reads the JSON lines; lines that are not JSON objects (a banner, a blank line) are skipped. */
export function parseEvents(text: string): EngineEvent[] {
    const events: EngineEvent[] = [];
    for (const line of text.split("\n")) {
        const t = line.trim();
        if (!t.startsWith("{")) continue;
        try {
            events.push(JSON.parse(t) as EngineEvent);
        } catch {
            // a partial last line of a killed run
        }
    }
    return events;
}

/** `urn:pulumi:dev::platform::a$b$kubernetes:apps/v1:Deployment::app-vote-workload` -> its name. */
export function urnName(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/** The short form of a type token: `kubernetes:apps/v1:Deployment` -> `Deployment`. */
function shortType(type: string): string {
    return type.split(":").pop() ?? type;
}

export interface ResourceChange {
    readonly op: string;
    readonly type: string;
    readonly name: string;
}

export interface ImageChange {
    readonly resource: string;
    readonly container: string;
    readonly from: string;
    readonly to: string;
}

export interface Failure {
    readonly resource?: string;
    readonly type?: string;
    readonly message: string;
}

export interface UpSummary {
    /** Counts by operation (create, update, delete, replace, same), from the summary event. */
    readonly counts: Readonly<Record<string, number>>;
    /** Every step that changed something, in the order the engine finished them. */
    readonly changes: readonly ResourceChange[];
    readonly images: readonly ImageChange[];
    readonly failures: readonly Failure[];
    /** The engine reached its summary (a run killed mid-way has none). */
    readonly completed: boolean;
}

const NO_CHANGE = new Set(["same", "read", "refresh"]);

/** Container name to image, for every `containers`/`initContainers` list anywhere in the inputs. */
function containerImages(inputs: unknown, into = new Map<string, string>()): Map<string, string> {
    if (Array.isArray(inputs)) inputs.forEach((v) => containerImages(v, into));
    else if (inputs && typeof inputs === "object") {
        for (const [k, v] of Object.entries(inputs)) {
            if ((k === "containers" || k === "initContainers") && Array.isArray(v)) {
                for (const c of v)
                    if (c && typeof c.name === "string" && typeof c.image === "string") into.set(c.name, c.image);
            } else containerImages(v, into);
        }
    }
    return into;
}

/** What a `pulumi up --json` run did. */
export function summarize(events: readonly EngineEvent[]): UpSummary {
    const changes: ResourceChange[] = [];
    const images: ImageChange[] = [];
    const failures: Failure[] = [];
    let counts: Record<string, number> = {};
    let completed = false;
    for (const e of events) {
        const done = e.resOutputsEvent && !e.resOutputsEvent.planning ? e.resOutputsEvent.metadata : undefined;
        if (done && !NO_CHANGE.has(done.op)) {
            changes.push({ op: done.op, type: shortType(done.type), name: urnName(done.urn) });
            const before = containerImages(done.old?.inputs);
            for (const [container, to] of containerImages(done.new?.inputs)) {
                const from = before.get(container);
                if (from !== undefined && from !== to)
                    images.push({ resource: `${shortType(done.type)} ${urnName(done.urn)}`, container, from, to });
            }
        }
        if (e.resOpFailedEvent) {
            const m = e.resOpFailedEvent.metadata;
            const i = failures.findIndex((f) => f.resource === urnName(m.urn));
            // The engine's error diagnostic for the resource usually comes first and says more.
            if (i >= 0) failures[i] = { ...failures[i]!, type: shortType(m.type) };
            else failures.push({ resource: urnName(m.urn), type: shortType(m.type), message: `${m.op} failed` });
        }
        if (e.diagnosticEvent?.severity === "error") {
            const d = e.diagnosticEvent;
            const message = d.message.replace(/\s+$/, "");
            const known = d.urn ? failures.find((f) => f.resource === urnName(d.urn!)) : undefined;
            if (known) failures[failures.indexOf(known)] = { ...known, message };
            else failures.push({ resource: d.urn ? urnName(d.urn) : undefined, message });
        }
        if (e.summaryEvent) {
            completed = true;
            counts = { ...(e.summaryEvent.resourceChanges ?? {}) };
        }
    }
    return { counts, changes, images, failures, completed };
}

export interface NoticeContext {
    /** The stack, e.g. dev. */
    readonly stack: string;
    /** `owner/name` of the platform repository. */
    readonly repository: string;
    /** The merge commit deployed. */
    readonly commit: string;
    /** First line of its message. */
    readonly title?: string;
    /** Who merged (the push's actor). */
    readonly mergedBy: string;
    /** The workflow run, for the full log. */
    readonly runUrl: string;
    /** `https://github.com` or a GitHub Enterprise server. @default https://github.com */
    readonly serverUrl?: string;
    /** The `pulumi up` step's outcome. */
    readonly outcome: "success" | "failure" | "cancelled";
}

/** The branch the deploy workflow's revert job pushes `git revert <commit>` to. */
export function revertBranch(commit: string): string {
    return `revert/${commit.slice(0, 12)}`;
}

/** Opens GitHub's new-pull-request form for the revert branch against main. */
export function revertUrl(ctx: Pick<NoticeContext, "repository" | "commit" | "serverUrl">): string {
    const server = ctx.serverUrl ?? "https://github.com";
    return `${server}/${ctx.repository}/compare/main...${revertBranch(ctx.commit)}?expand=1`;
}

const MAX_LISTED = 15;
const PAST: Readonly<Record<string, string>> = {
    create: "created",
    update: "updated",
    delete: "deleted",
    replace: "replaced",
};

/** The notice as plain Markdown-ish text (both Slack and Discord render it). */
export function noticeText(summary: UpSummary, ctx: NoticeContext): string {
    const server = ctx.serverUrl ?? "https://github.com";
    const ok = ctx.outcome === "success" && summary.failures.length === 0;
    const short = ctx.commit.slice(0, 7);
    const lines = [
        ok
            ? `:white_check_mark: platform/${ctx.stack} deployed`
            : `:x: platform/${ctx.stack} deploy ${ctx.outcome === "cancelled" ? "cancelled" : "failed"}`,
        `commit ${short}${ctx.title ? ` ${ctx.title}` : ""} (${server}/${ctx.repository}/commit/${ctx.commit}), merged by ${ctx.mergedBy}`,
    ];
    const changed = Object.entries(summary.counts).filter(([op, n]) => !NO_CHANGE.has(op) && n > 0);
    lines.push(
        changed.length > 0
            ? `resources: ${changed.map(([op, n]) => `${n} ${PAST[op] ?? op}`).join(", ")}`
            : summary.completed
              ? "resources: no changes"
              : "resources: the update did not finish",
    );
    for (const c of summary.changes.slice(0, MAX_LISTED)) lines.push(`- ${c.op} ${c.type} ${c.name}`);
    if (summary.changes.length > MAX_LISTED) lines.push(`- ... and ${summary.changes.length - MAX_LISTED} more`);
    if (summary.images.length > 0) {
        lines.push("images:");
        for (const i of summary.images) lines.push(`- ${i.resource} ${i.container}: ${i.from} -> ${i.to}`);
    }
    if (!ok) {
        if (summary.failures.length > 0) {
            lines.push("failed:");
            for (const f of summary.failures.slice(0, MAX_LISTED))
                lines.push(
                    `- ${f.resource ? `${f.type ? `${f.type} ` : ""}${f.resource}: ` : ""}${firstLine(f.message)}`,
                );
        }
        lines.push(`revert: ${revertUrl(ctx)}`);
    }
    lines.push(`log: ${ctx.runUrl}`);
    return lines.join("\n");
}

function firstLine(message: string): string {
    const line = message.split("\n").find((l) => l.trim() !== "") ?? message;
    return line.length > 300 ? `${line.slice(0, 297)}...` : line.trim();
}

/** The webhook body: Slack's `text`, Discord's `content` (2000 characters at most). */
export function webhookBody(chat: "slack" | "discord", text: string): string {
    if (chat === "discord") {
        const content = text.length > 2000 ? `${text.slice(0, 1990)}\n...` : text;
        return JSON.stringify({ content, allowed_mentions: { parse: [] } });
    }
    return JSON.stringify({ text });
}
