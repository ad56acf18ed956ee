/**
 * Compile-time agreement between a schema's output and the type a component is given: both
 * directions must be assignable, so a field added, dropped or retyped on one side fails `tsc`.
 */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Use as `agree<Same<z.output<typeof schema>, ComponentType>>(true)`. */
export function agree<T extends true>(ok: T): T {
    return ok;
}
