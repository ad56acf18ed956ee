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

/**
 * Where the charts come from: their upstream repositories, or a mirror for a site behind a proxy
 * or air-gapped (an HTTP Helm repository, an `oci://` prefix, or a folder of
 * `<chart>-<version>.tgz`). The pinned name and version are the same wherever a chart comes from.
 */
export type ChartSource =
    | { readonly kind: "upstream" }
    | { readonly kind: "repository"; readonly url: string }
    | { readonly kind: "oci"; readonly prefix: string }
    | { readonly kind: "folder"; readonly path: string };

export const UPSTREAM: ChartSource = { kind: "upstream" };

/** The chart, version and repository arguments of a `helm.v4.Chart` for a pinned chart from `source`. */
export function pinned(
    pin: ChartPin,
    source: ChartSource = UPSTREAM,
): { chart: string; version?: string; repositoryOpts?: { repo: string } } {
    switch (source.kind) {
        case "upstream":
            return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
        case "repository":
            return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: source.url } };
        case "oci":
            return { chart: `${source.prefix.replace(/\/+$/, "")}/${pin.chart}`, version: pin.version };
        case "folder":
            // A packaged chart file carries its own version.
            return { chart: chartFile(pin, source.path) };
    }
}

/** The file a folder mirror holds a pinned chart in (what `helm package` writes). */
export function chartFile(pin: ChartPin, folder: string): string {
    return `${folder.replace(/\/+$/, "")}/${pin.chart}-${pin.version}.tgz`;
}

export const CHARTS = {
    /**
     * Flux 2.8.5 (controllers: source 1.8.2, kustomize 1.8.3, helm 1.5.3, notification 1.8.3,
     * image-reflector 1.1.1, image-automation 1.1.1), the fluxcd-community chart. See docs/gitops.md.
     */
    flux2: { repo: "https://fluxcd-community.github.io/helm-charts", chart: "flux2", version: "2.18.3" },
    /** Traefik v3.7; installs the traefik.io CRDs from its crds/ directory. */
    traefik: { repo: "https://traefik.github.io/charts", chart: "traefik", version: "41.3.0" },
    /** cert-manager; its CRDs come from the chart (`crds.enabled`). */
    certManager: { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.1" },
    /** oauth2-proxy 7.15. */
    oauth2Proxy: { repo: "https://oauth2-proxy.github.io/manifests", chart: "oauth2-proxy", version: "10.7.0" },
    /** Prometheus operator, Prometheus, Alertmanager, node-exporter, kube-state-metrics, Grafana 12.11.1 (Grafana 13.2). */
    kubePrometheusStack: {
        repo: "https://prometheus-community.github.io/helm-charts",
        chart: "kube-prometheus-stack",
        version: "88.5.3",
    },
    /** Blackbox exporter v0.28. */
    blackboxExporter: {
        repo: "https://prometheus-community.github.io/helm-charts",
        chart: "prometheus-blackbox-exporter",
        version: "11.17.2",
    },
    /** zabbix-community chart; Zabbix 7.0 LTS (7.0.16). */
    zabbix: {
        repo: "https://zabbix-community.github.io/helm-zabbix",
        chart: "zabbix",
        version: "7.0.12",
    },
} as const satisfies Record<string, ChartPin>;

/** Managed database versions the program creates (Cloud SQL `databaseVersion`). */
export const CLOUD_SQL = {
    /** Grafana's database: PostgreSQL 16 (Cloud SQL Enterprise edition). */
    grafanaPostgres: "POSTGRES_16",
} as const;

/** Grafana plugins Grafana installs at start (`GF_PLUGINS_PREINSTALL_SYNC`, `<id>@<version>`). */
export const GRAFANA_PLUGINS = {
    /** grafana/grafana-zabbix, the Zabbix app and data source. */
    zabbix: { id: "alexanderzobnin-zabbix-app", version: "6.6.0" },
} as const;

/**
 * Container images the program itself runs (not the apps', which come from stack config), as
 * `<repository>:<tag>@sha256:<digest>`: the tag says what it is, the digest is what the kubelet
 * pulls, so a re-pushed tag cannot change what runs. Each digest is the one published for that
 * exact tag (the multi-arch index); bump tag and digest together. An image whose digest could not
 * be confirmed yet is in NOT_YET_PINNED with the reason, and the render test
 * (test/render/image-digests.test.ts) fails on any other image without a digest.
 */
export const IMAGES = {
    /**
     * Runs the program's own dependency-free scripts from ConfigMaps: the on-prem Zabbix sync
     * (components/onprem/zabbix-sync/sync.js) and the log-alert relay
     * (components/monitoring/log-alert-relay/relay.js); uid 1000 is `node`.
     */
    node: "docker.io/library/node:22.12.0-alpine3.21@sha256:51eff88af6dff26f59316b6e356188ffa2c422bd3c3b76f2556a2e7e89d080bd",

    /** Image tag of every Zabbix component (server, web, agent, snmptraps): 7.0 LTS. */
    zabbixTag: "ubuntu-7.0.16",
    /** SNMP trap receiver beside the Zabbix server. */
    zabbixSnmptraps: "zabbix/zabbix-snmptraps:ubuntu-7.0.16",
    /**
     * Small HTTP client (curl, busybox gzip/md5sum/base64): the Zabbix bootstrap Job, and the upload and
     * fetch steps of the MySQL backup and restore (Cloud Storage's JSON API).
     */
    curl: "curlimages/curl:8.11.1@sha256:c1fe1679c34d9784c1b0d1e5f62ac0a79fca01fb6377cdd33e90473c6f9f9a69",
    /** MySQL 8.4 LTS: the apps' database and the mysqldump of the backup CronJob. */
    mysql: "docker.io/library/mysql:8.4.6@sha256:869218921e61d6c3c89820955d63cca42971f0e3e6c1e2792247bbd944ebc6e9",
    /** Redis for an app's shared state and pub/sub. */
    redis: "docker.io/library/redis:7.4.5@sha256:90e7a336d044f1abc9e9dbc05d65566850896d11453bbd1dd0fb7e5059f0e8fb",
    /** Sablier: scales idle branch previews to zero and wakes them (Traefik plugin backend). */
    sablier: "docker.io/sablierapp/sablier:1.15.0",

    // What an on-prem site's machine runs (components/onprem/site-bundle.ts, docker compose).
    /** Zabbix proxy with its own SQLite buffer, at the server's Zabbix version (zabbixTag). */
    siteZabbixProxy: "docker.io/zabbix/zabbix-proxy-sqlite3:ubuntu-7.0.16",
    /** The site's local ICMP/TCP prober, the same exporter version as the cluster's (chart above). */
    siteBlackbox:
        "quay.io/prometheus/blackbox-exporter:v0.28.0@sha256:e753ff9f3fc458d02cca5eddab5a77e1c175eee484a8925ac7d524f04366c2fc",
    /**
     * wg-quick in a container (wireguard-tools 1.0.20250521, LinuxServer build r1-ls111: the plain
     * version tag moves with every rebuild); the kernel's WireGuard does the work.
     */
    siteWireguard:
        "docker.io/linuxserver/wireguard:1.0.20250521-r1-ls111@sha256:2c0b2809181e71521733973a73482aa1e0ae2c14809a09a5270b209be03b60aa",
    /** goflow2: NetFlow v5/v9, IPFIX and sFlow collector (the site's optional flow collector). */
    siteFlows: "docker.io/netsampler/goflow2:v2.2.3",
} as const satisfies Record<string, string>;

/**
 * Images the program sets without a digest yet, each with why. Pin one by looking up its digest
 * (`docker buildx imagetools inspect <image>` or `crane digest <image>`), appending `@sha256:...`
 * above and removing it here; the render test fails while an entry here is pinned or an unlisted
 * image is not.
 */
export const NOT_YET_PINNED: Readonly<Record<string, string>> = {
    [IMAGES.zabbixSnmptraps]: "no published digest for this tag was found offline",
    [IMAGES.sablier]: "no published digest for this tag was found offline",
    [IMAGES.siteZabbixProxy]: "no published digest for this tag was found offline",
    [IMAGES.siteFlows]: "no published digest for this tag was found offline",
    [`zabbixImageTag: ${IMAGES.zabbixTag}`]:
        "the program sets only the zabbix chart's one tag for all its components (server, web, agent, web service); per-component digests through the chart's values are not set yet",
};
