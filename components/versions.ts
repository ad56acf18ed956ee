/**
 * Every chart and image version the platform deploys, pinned in one place. Bump here, read the
 * chart's values.yaml for that version, and let the render diff in the pull request show the rest.
 */
export interface ChartPin {
    /** Helm repository URL (or an oci:// reference for OCI charts). */
    readonly repo: string;
    readonly chart: string;
    readonly version: string;
}

export const CHARTS = {} as const satisfies Record<string, ChartPin>;

/** Container images the program itself runs (not the apps', which come from stack config). */
export const IMAGES = {
    /** Runs the on-prem Zabbix sync script (components/onprem/zabbix-sync/sync.js); uid 1000 is `node`. */
    zabbixSyncNode: "docker.io/library/node:22.12.0-alpine3.21",
} as const satisfies Record<string, string>;
