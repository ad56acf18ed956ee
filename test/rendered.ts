import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { listFiles } from "../render/diff";
import { renderStack, RenderResult } from "../render/render";
import { sentinelSecrets } from "./stack-files";

export type CommittedStack = "dev" | "prd" | "local";

/** A committed stack file rendered with a sentinel for every secret, written to `dir`. */
export interface SharedRender extends RenderResult {
    readonly dir: string;
    /** The secret config the render was given; none of these values may appear in what it wrote. */
    readonly secrets: Readonly<Record<string, string>>;
}

const WAIT_MS = 120_000;
const mine = new Map<string, Promise<SharedRender>>();

/** `update` is what `pulumi up` sees (every output known); `preview` the first `pulumi preview` (render --preview). */
export type RenderMode = "update" | "preview";

/**
 * The render of a committed stack, made once per jest run and shared by every test file: each
 * file used to render dev and prd itself, about thirty two-second renders a run. Whichever worker
 * asks first renders (claiming the stack with an exclusive mkdir); the others wait for its JSON.
 * Without jest's setup (test/renders-setup.js) it renders into a temp directory of its own.
 */
export function rendered(stack: CommittedStack, mode: RenderMode = "update"): Promise<SharedRender> {
    const key = mode === "update" ? stack : `${stack}-${mode}`;
    let found = mine.get(key);
    if (!found) {
        found = load(stack, mode, key);
        mine.set(key, found);
    }
    return found;
}

async function load(stack: CommittedStack, mode: RenderMode, key: string): Promise<SharedRender> {
    const root = process.env.PLATFORM_TEST_RENDERS ?? mkdtempSync(path.join(tmpdir(), "platform-renders-"));
    const done = path.join(root, `${key}.json`);
    const failed = path.join(root, `${key}.error`);
    if (claim(path.join(root, `${key}.claim`))) {
        try {
            const result = await make(stack, mode, root);
            writeFileSync(`${done}.tmp`, JSON.stringify(result));
            renameSync(`${done}.tmp`, done);
            return result;
        } catch (e) {
            writeFileSync(failed, e instanceof Error ? (e.stack ?? e.message) : String(e));
            throw e;
        }
    }
    for (const start = Date.now(); Date.now() - start < WAIT_MS; await sleep(100)) {
        if (existsSync(done)) return JSON.parse(readFileSync(done, "utf8")) as SharedRender;
        if (existsSync(failed)) throw new Error(`the shared render of ${key} failed:\n${readFileSync(failed, "utf8")}`);
    }
    throw new Error(`waited ${WAIT_MS / 1000} s for another worker's render of ${key} in ${root}`);
}

function claim(dir: string): boolean {
    try {
        mkdirSync(dir);
        return true;
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw e;
    }
}

async function make(stack: CommittedStack, mode: RenderMode, root: string): Promise<SharedRender> {
    const secrets = sentinelSecrets(stack);
    const result = await renderStack({ stack, out: root, secrets, preview: mode === "preview" });
    return { ...result, dir: result.dir!, secrets };
}

/** Every file under a directory, recursively (what a render wrote), as full paths. */
export function filesUnder(dir: string): string[] {
    return listFiles(dir, "").map((f) => path.join(dir, f));
}
