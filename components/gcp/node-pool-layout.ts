/**
 * How a pool's configured totals become what GKE is asked for. `minCount` and `maxCount` are totals
 * across the pool's zones (autoscaling `totalMinNodeCount` / `totalMaxNodeCount`), but a pool's
 * initial size is per zone: a regional pool asked for one initial node starts with one in each of
 * its three zones, three times its total minimum. So the initial count per zone is the minimum
 * divided by the zones, and the minimum must divide evenly (name fewer zones, `zones`, otherwise).
 */

/** Zones GKE spreads a regional cluster's nodes over when the pool names none. */
export const REGIONAL_ZONES = 3;

/** True for a region (`asia-northeast1`), false for a zone (`asia-northeast1-a`). */
export function isRegion(location: string): boolean {
    return !/-[a-z]$/.test(location);
}

export interface PoolLayout {
    /** How many zones the pool's nodes run in. */
    readonly zoneCount: number;
    /** `initialNodeCount`: nodes per zone when the pool is created, so it starts at `minCount` in total. */
    readonly initialPerZone: number;
}

/** The layout of a pool, or a message saying why its counts cannot mean totals. */
export function poolLayout(
    location: string,
    pool: { readonly minCount: number; readonly zones?: readonly string[] },
): PoolLayout | { readonly problem: string } {
    const zoneCount = pool.zones?.length ?? (isRegion(location) ? REGIONAL_ZONES : 1);
    if (pool.minCount % zoneCount !== 0) {
        const where = pool.zones ? `its ${zoneCount} zones` : `the ${zoneCount} zones of a regional cluster`;
        return {
            problem: `is not a multiple of ${where}: a pool starts with the same number of nodes in each zone, so it would start with ${Math.ceil(pool.minCount / zoneCount) * zoneCount}; name fewer zones (zones: [...]) or use a multiple`,
        };
    }
    return { zoneCount, initialPerZone: pool.minCount / zoneCount };
}
