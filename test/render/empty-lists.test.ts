import { KubeObject } from "../../render/objects";
import { rendered } from "../rendered";

/** Paths of every empty list in an object. */
function emptyLists(value: unknown, at: string, found: string[]): void {
    if (Array.isArray(value)) {
        if (value.length === 0) found.push(at);
        value.forEach((v, i) => emptyLists(v, `${at}[${i}]`, found));
    } else if (value !== null && typeof value === "object") {
        for (const [k, v] of Object.entries(value)) emptyLists(v, at ? `${at}.${k}` : k, found);
    }
}

// Lists the API server drops when empty (omitempty): declaring `[]` makes every refresh report
// drift, and `pulumi preview --expect-no-changes` fail (found by the e2e tier on EndpointSlice ports).
const DROPPED_WHEN_EMPTY =
    /(^|\.)(ports|endpoints|addresses|rules|ingress|egress|from|to|tolerations|env|volumes|volumeMounts|args|command)$/;

describe("no object declares an empty list the API server drops", () => {
    it.each(["dev", "prd", "local"] as const)("%s", async (stack) => {
        const { objects } = await rendered(stack);
        const found: string[] = [];
        for (const o of objects as KubeObject[]) {
            const paths: string[] = [];
            emptyLists(o, "", paths);
            for (const p of paths.filter((x) => DROPPED_WHEN_EMPTY.test(x)))
                found.push(`${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}: ${p}`);
        }
        expect(found).toEqual([]);
    });
});
