import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ZabbixSettings } from "./settings";
import { CHARTS, IMAGES, pinned } from "../versions";
import { contentHash } from "../hash";
import { jobRun } from "../cluster/waits";
import { UNPRIVILEGED_PING } from "./blackbox";
import { BOOTSTRAP_SCRIPT } from "./zabbix-bootstrap";
import { ZABBIX_RELEASE, ZABBIX_SERVER_PODS, ZABBIX_WEB_PORT, zabbixApiUrl } from "./addresses";
import type { ChartSource } from "../versions";

export { ZABBIX_RELEASE, ZABBIX_WEB_PORT };

export const ZABBIX_NAMES = {
    dbSecret: "zabbix-db",
    adminSecret: "zabbix-admin",
    apiTokenSecret: "zabbix-api-token",
    web: `${ZABBIX_RELEASE}-zabbix-web`,
    server: `${ZABBIX_RELEASE}-zabbix-server`,
    postgresql: `${ZABBIX_RELEASE}-postgresql`,
    bootstrap: "zabbix-bootstrap",
    snmpTraps: "zabbix-snmptraps",
    /** The server's trapper behind an internal load balancer, for on-prem sites' proxies. */
    trapper: "zabbix-trapper",
} as const;
/**
 * Name of the bootstrap Job (and its script ConfigMap): it carries the hash of the script and the
 * image, so a changed script runs as a new Job (Job templates are immutable), and it changes only
 * then: what Grafana's roll after a new token keys on.
 */
export function bootstrapJobName(): string {
    return `${ZABBIX_NAMES.bootstrap}-${bootstrapHash()}`;
}

function bootstrapHash(): string {
    return contentHash(BOOTSTRAP_SCRIPT, IMAGES.curl);
}

const TRAPS_DIR = "/var/lib/zabbix/snmptraps";
/** The bootstrap waits up to 15 minutes for Zabbix's first start (schema creation), then works briefly; one hour bounds all retries. */
const BOOTSTRAP = jobRun(3600);

const nonRoot = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

/** Values for the zabbix-community chart 7.0.12; credentials only by Secret reference. */
export function zabbixValues(c: ZabbixSettings, storageClass?: string): Record<string, unknown> {
    const traps = c.snmpTraps.enabled;
    const serverEnv = [
        // Current images read ZBX_START*POLLERS; the old ZBX_IPMIPOLLERS is ignored.
        { name: "ZBX_STARTIPMIPOLLERS", value: String(c.ipmiPollers) },
        { name: "ZBX_STARTSNMPPOLLERS", value: String(c.snmpPollers) },
        ...(traps ? [{ name: "ZBX_ENABLE_SNMP_TRAPS", value: "true" }] : []),
    ];
    return {
        zabbixImageTag: IMAGES.zabbixTag,
        postgresAccess: {
            existingSecretName: ZABBIX_NAMES.dbSecret,
            secretHostKey: "host",
            secretPortKey: "port",
            secretUserKey: "user",
            secretPasswordKey: "password",
            secretDBKey: "dbname",
        },
        zabbixServer: {
            enabled: true,
            extraEnv: serverEnv,
            securityContext: nonRoot,
            // "ICMP Ping" runs fping as a non-root user with no capabilities: it needs unprivileged
            // ICMP sockets, which this (namespaced, Kubernetes-safe) sysctl allows for every group.
            extraPodSpecs: { securityContext: { sysctls: [UNPRIVILEGED_PING] } },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            ...(traps
                ? {
                      extraVolumes: [{ name: "snmptraps", emptyDir: {} }],
                      extraVolumeMounts: [{ name: "snmptraps", mountPath: TRAPS_DIR, readOnly: true }],
                      extraContainers: [
                          {
                              name: "snmptraps",
                              image: IMAGES.zabbixSnmptraps,
                              ports: [{ name: "snmp-trap", containerPort: 1162, protocol: "UDP" }],
                              volumeMounts: [{ name: "snmptraps", mountPath: TRAPS_DIR }],
                              securityContext: nonRoot,
                              resources: {
                                  requests: { cpu: "10m", memory: "32Mi" },
                                  limits: { cpu: "200m", memory: "128Mi" },
                              },
                          },
                      ],
                  }
                : {}),
        },
        postgresql: {
            enabled: true,
            persistence: {
                enabled: true,
                storageSize: c.databaseVolumeSize,
                ...(storageClass ? { storageClass } : {}),
            },
            resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
        },
        zabbixAgent: {
            enabled: true,
            runAsSidecar: true,
            runAsDaemonSet: false,
            securityContext: nonRoot,
            resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        },
        zabbixWeb: {
            enabled: true,
            securityContext: nonRoot,
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
        zabbixWebService: {
            enabled: true,
            securityContext: nonRoot,
            resources: { requests: { cpu: "10m", memory: "64Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
        },
    };
}

export interface ZabbixArgs {
    readonly namespace: string;
    /** The validated `monitoring.zabbix` section. */
    readonly config: ZabbixSettings;
    /**
     * Reserved IP of the SNMP trap receiver's load balancer (what devices send traps to).
     * @default an address the cloud picks, which changes whenever the Service is recreated
     */
    readonly snmpTrapAddress?: pulumi.Input<string>;
    /**
     * The server's trapper port behind an internal passthrough load balancer at this reserved
     * address, open only to these sources (the watched on-prem sites). @default none
     */
    readonly trapper?: { readonly address: pulumi.Input<string>; readonly sourceRanges: readonly string[] };
    /** Where the chart comes from (components/versions.ts). @default the upstream repository */
    readonly charts?: ChartSource;
    /**
     * Pulumi `protect` on the generated passwords (prd): PostgreSQL keeps the password it was
     * initialised with and Zabbix's Admin password lives in its database, so a new one locks Zabbix
     * out of both. @default false
     */
    readonly protect?: boolean;
    /** StorageClass of the PostgreSQL volume. @default the cluster's default */
    readonly storageClass?: string;
}

/**
 * Zabbix 7.0 LTS (server with the agent beside it, web, PostgreSQL with a volume), generated DB and
 * Admin credentials in Secrets, and a bootstrap Job that applies the Admin password and issues the
 * API token Grafana's Zabbix data source uses.
 */
export class Zabbix extends pulumi.ComponentResource {
    readonly chart: k8s.helm.v4.Chart;
    readonly bootstrap: k8s.batch.v1.Job;
    /** In-cluster JSON-RPC endpoint. */
    readonly apiUrl: string;
    readonly adminSecretName = ZABBIX_NAMES.adminSecret;
    readonly apiTokenSecretName = ZABBIX_NAMES.apiTokenSecret;
    readonly webService = { name: ZABBIX_NAMES.web, port: ZABBIX_WEB_PORT } as const;
    /** The generated Admin password (secret), which the bootstrap Job sets. */
    readonly adminPassword: pulumi.Output<string>;

    constructor(name: string, args: ZabbixArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:Zabbix", name, {}, opts);
        const { namespace } = args;
        const password = (role: string) =>
            new random.RandomPassword(
                `${name}-${role}`,
                { length: 32, special: false },
                { parent: this, protect: args.protect === true },
            ).result;

        const db = new k8s.core.v1.Secret(
            `${name}-db`,
            {
                metadata: { name: ZABBIX_NAMES.dbSecret, namespace },
                type: "Opaque",
                stringData: {
                    host: ZABBIX_NAMES.postgresql,
                    port: "5432",
                    user: "zabbix",
                    dbname: "zabbix",
                    password: pulumi.secret(password("db-password")),
                },
            },
            { parent: this },
        );
        this.adminPassword = pulumi.secret(password("admin-password"));
        const admin = new k8s.core.v1.Secret(
            `${name}-admin`,
            {
                metadata: { name: ZABBIX_NAMES.adminSecret, namespace },
                type: "Opaque",
                stringData: { username: "Admin", password: this.adminPassword },
            },
            { parent: this },
        );
        // The bootstrap Job writes the token; Pulumi creates the Secret empty and never resets it.
        const token = new k8s.core.v1.Secret(
            `${name}-api-token`,
            {
                metadata: { name: ZABBIX_NAMES.apiTokenSecret, namespace },
                type: "Opaque",
                stringData: { token: "" },
            },
            { parent: this, ignoreChanges: ["stringData", "data"] },
        );

        const pin = CHARTS.zabbix;
        this.chart = new k8s.helm.v4.Chart(
            `${name}-chart`,
            {
                name: ZABBIX_RELEASE,
                ...pinned(pin, args.charts),
                namespace,
                values: zabbixValues(args.config, args.storageClass),
            },
            { parent: this, dependsOn: [db] },
        );
        this.apiUrl = zabbixApiUrl(namespace);

        if (args.config.snmpTraps.enabled) {
            new k8s.core.v1.Service(
                `${name}-snmptraps`,
                {
                    metadata: { name: ZABBIX_NAMES.snmpTraps, namespace },
                    spec: {
                        type: "LoadBalancer",
                        externalTrafficPolicy: "Local",
                        // GKE puts a reserved regional address on the forwarding rule of an
                        // external passthrough load balancer, UDP included, from this field.
                        ...(args.snmpTrapAddress !== undefined ? { loadBalancerIP: args.snmpTrapAddress } : {}),
                        loadBalancerSourceRanges: args.config.snmpTraps.sourceRanges,
                        selector: { ...ZABBIX_SERVER_PODS },
                        ports: [{ name: "snmp-trap", port: 162, targetPort: 1162, protocol: "UDP" }],
                    },
                },
                { parent: this, dependsOn: [this.chart] },
            );
        }

        if (args.trapper) {
            new k8s.core.v1.Service(
                `${name}-trapper`,
                {
                    metadata: {
                        name: ZABBIX_NAMES.trapper,
                        namespace,
                        // An internal passthrough load balancer: reachable in the VPC and through
                        // its VPN and WireGuard routes, never from the internet.
                        annotations: { "networking.gke.io/load-balancer-type": "Internal" },
                    },
                    spec: {
                        type: "LoadBalancer",
                        // The proxy's own address reaches the pod, for the NetworkPolicy to check.
                        externalTrafficPolicy: "Local",
                        loadBalancerIP: args.trapper.address,
                        loadBalancerSourceRanges: [...args.trapper.sourceRanges],
                        selector: { ...ZABBIX_SERVER_PODS },
                        ports: [{ name: "trapper", port: 10051, targetPort: 10051, protocol: "TCP" }],
                    },
                },
                { parent: this, dependsOn: [this.chart] },
            );
        }

        this.bootstrap = this.bootstrapJob(name, namespace, [admin, token, this.chart]);
        this.registerOutputs({ apiUrl: this.apiUrl, adminSecretName: this.adminSecretName });
    }

    private bootstrapJob(name: string, namespace: string, deps: pulumi.Resource[]): k8s.batch.v1.Job {
        const n = ZABBIX_NAMES.bootstrap;
        const labels = { "app.kubernetes.io/name": n, "app.kubernetes.io/part-of": "platform-monitoring" };
        const sa = new k8s.core.v1.ServiceAccount(
            `${name}-bootstrap-sa`,
            { metadata: { name: n, namespace, labels } },
            { parent: this },
        );
        const role = new k8s.rbac.v1.Role(
            `${name}-bootstrap-role`,
            {
                metadata: { name: n, namespace, labels },
                // The token Secret only: Grafana is rolled by the program once this Job is done
                // (GrafanaTokenRoll), so this account can start no pod.
                rules: [
                    {
                        apiGroups: [""],
                        resources: ["secrets"],
                        resourceNames: [ZABBIX_NAMES.apiTokenSecret],
                        verbs: ["patch"],
                    },
                ],
            },
            { parent: this },
        );
        const binding = new k8s.rbac.v1.RoleBinding(
            `${name}-bootstrap-binding`,
            {
                metadata: { name: n, namespace, labels },
                roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n },
                subjects: [{ kind: "ServiceAccount", name: n, namespace }],
            },
            { parent: this, dependsOn: [role, sa] },
        );
        const hash = bootstrapHash();
        const script = new k8s.core.v1.ConfigMap(
            `${name}-bootstrap-script`,
            {
                metadata: { name: `${n}-${hash}`, namespace, labels },
                data: { "bootstrap.sh": BOOTSTRAP_SCRIPT },
            },
            { parent: this },
        );
        const secretEnv = (envName: string, secret: string, key: string, optional = false) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: secret, key, optional } },
        });
        // A changed script makes a new Job (its name carries the script's hash): Job templates are immutable.
        return new k8s.batch.v1.Job(
            `${name}-bootstrap`,
            {
                metadata: { name: `${n}-${hash}`, namespace, labels },
                spec: {
                    backoffLimit: 3,
                    activeDeadlineSeconds: BOOTSTRAP.activeDeadlineSeconds,
                    template: {
                        metadata: { labels, annotations: { "platform/config-hash": hash } },
                        spec: {
                            serviceAccountName: n,
                            restartPolicy: "OnFailure",
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 100,
                                runAsGroup: 101,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            containers: [
                                {
                                    name: "bootstrap",
                                    image: IMAGES.curl,
                                    command: ["/bin/sh", "/scripts/bootstrap.sh"],
                                    env: [
                                        { name: "ZABBIX_URL", value: this.apiUrl },
                                        { name: "NAMESPACE", value: namespace },
                                        { name: "TOKEN_SECRET_NAME", value: ZABBIX_NAMES.apiTokenSecret },
                                        secretEnv("ADMIN_USER", ZABBIX_NAMES.adminSecret, "username"),
                                        secretEnv("ADMIN_PASSWORD", ZABBIX_NAMES.adminSecret, "password"),
                                        secretEnv("GRAFANA_TOKEN", ZABBIX_NAMES.apiTokenSecret, "token", true),
                                    ],
                                    volumeMounts: [{ name: "scripts", mountPath: "/scripts", readOnly: true }],
                                    securityContext: {
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                    resources: {
                                        requests: { cpu: "10m", memory: "16Mi" },
                                        limits: { cpu: "100m", memory: "64Mi" },
                                    },
                                },
                            ],
                            volumes: [{ name: "scripts", configMap: { name: `${n}-${hash}` } }],
                        },
                    },
                },
            },
            // Pulumi's own wait for a Job is 10 minutes by default; this one outlasts the Job's deadline.
            { parent: this, dependsOn: [...deps, binding, script], customTimeouts: BOOTSTRAP.customTimeouts },
        );
    }
}
