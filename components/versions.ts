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
    /** MySQL 8.4 LTS: the apps' database and the mysqldump of the backup CronJob. */
    mysql: "docker.io/library/mysql:8.4.6",
    /** Redis for an app's shared state and pub/sub. */
    redis: "docker.io/library/redis:7.4.5",
    /** gcloud, gzip and a shell: uploads the nightly dumps to Cloud Storage. */
    cloudSdk: "gcr.io/google.com/cloudsdktool/google-cloud-cli:530.0.0-slim",
    /** Sablier: scales idle branch previews to zero and wakes them (Traefik plugin backend). */
    sablier: "docker.io/sablierapp/sablier:1.15.0",
} as const satisfies Record<string, string>;
