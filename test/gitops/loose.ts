import { KubeObject } from "../../render/objects";

/** A rendered value read loosely in assertions: the tests walk nested spec fields freely. */

export type Loose = any;

/** An object's `spec`, loosely typed. */
export function specOf(o: KubeObject | undefined): Loose {
    return o?.spec;
}
