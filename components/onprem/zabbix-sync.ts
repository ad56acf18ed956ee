import { createHmac } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { contentHash } from "../hash";
import { IMAGES } from "../versions";
import { jobRun } from "../cluster/waits";
import { inventoryHash, SyncInventory, syncScript } from "./inventory";

/** The monitoring layer's Zabbix web Service (zabbix-community chart, release `zabbix` in `monitoring`). */

/** Where the sync finds its API token by default: a Secret in the sync's namespace. */
export const DEFAULT_TOKEN_SECRET = { name: "zabbix-api-token", key: "token" } as const;

export interface ZabbixSyncArgs {
    /** Provider of the cluster. */
    readonly provider: k8s.Provider;
    /** Namespace of the Job, its ConfigMap and Secrets. */
    readonly namespace: string;
    /** Hosts, interfaces, groups and templates (no credential): the ConfigMap's inventory.json. */
    readonly inventory: SyncInventory;
    /** Per-host credentials JSON (see credentials.ts); goes only into a Secret. */
    readonly credentials: pulumi.Input<string>;
    /** Per proxy: `{identity, psk}` JSON (the site bundles' pre-shared keys); goes only into a Secret. @default none */
    readonly proxies?: pulumi.Input<string>;
    /** The Zabbix JSON-RPC endpoint. */
    readonly apiUrl: string;
    /** Secret and key holding the API token. @default DEFAULT_TOKEN_SECRET */
    readonly tokenSecret?: { readonly name: string; readonly key: string };
    /** The API token; when given, the component creates `tokenSecret` from it. @default undefined (the Secret exists) */
    readonly apiToken?: pulumi.Input<string>;
    /**
     * A login instead of a token (this stack's own Zabbix, whose token cannot exist before its first
     * deploy): kept in the Secret `zabbix-sync-login`; the Job runs after `ready`. @default none
     */
    readonly login?: ZabbixLogin;
    /** How long the Job waits for the API to answer, in seconds. @default 600 */
    readonly waitSeconds?: number;
    /** Container image running the script. @default IMAGES.node */
    readonly image?: string;
    /** What every child waits for (the namespace, the Zabbix chart). @default [] */
    readonly dependsOn?: pulumi.Resource[];
}

/** A Zabbix user the sync signs in as, and what must have run before the login works. */
export interface ZabbixLogin {
    readonly username: string;
    readonly password: pulumi.Input<string>;
    readonly ready?: pulumi.Resource;
}

const SCRIPT_DIR = "/opt/zabbix-sync";
const LOGIN_SECRET = "zabbix-sync-login";
const CREDENTIALS_DIR = "/var/run/zabbix-sync";

/**
 * Zabbix hosts as code: the inventory in a ConfigMap, the credentials in a Secret, and a Job that
 * runs the dependency-free sync script against the Zabbix API. The Job's name carries the hash of
 * the inventory and script, so every change replaces it and the sync runs again.
 */
export class ZabbixSync extends pulumi.ComponentResource {
    readonly configMap: k8s.core.v1.ConfigMap;
    readonly credentialsSecret: k8s.core.v1.Secret;
    readonly tokenSecret?: k8s.core.v1.Secret;
    readonly loginSecret?: k8s.core.v1.Secret;
    readonly job: k8s.batch.v1.Job;
    /** Hash of the inventory and script, as in the Job's name. */
    readonly hash: string;
    /** The Job's name: `zabbix-sync-` and a digest of the inventory, the script and the secret files. */
    readonly jobName: pulumi.Output<string>;

    constructor(name: string, args: ZabbixSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:onprem:ZabbixSync", name, {}, opts);
        const { namespace } = args;
        const script = syncScript();
        this.hash = inventoryHash(args.inventory, script);
        const labels = { "app.kubernetes.io/name": "zabbix-sync", "app.kubernetes.io/part-of": "onprem" };
        const childOpts = { parent: this, provider: args.provider, dependsOn: args.dependsOn ?? [] };
        const token = args.tokenSecret ?? DEFAULT_TOKEN_SECRET;

        this.configMap = new k8s.core.v1.ConfigMap(
            `${name}-inventory`,
            {
                metadata: { name: "zabbix-sync", namespace, labels },
                data: { "sync.js": script, "inventory.json": JSON.stringify(args.inventory, null, 2) },
            },
            childOpts,
        );
        // Keys the fingerprints in the secret macros' descriptions: the stack's own, so neither a
        // reader of host descriptions can test a guessed credential nor a new API token rewrites them.
        const fingerprintKey = new random.RandomBytes(`${name}-fingerprint-key`, { length: 32 }, { parent: this });
        this.credentialsSecret = new k8s.core.v1.Secret(
            `${name}-credentials`,
            {
                metadata: { name: "zabbix-sync-credentials", namespace, labels },
                type: "Opaque",
                stringData: {
                    "credentials.json": pulumi.secret(args.credentials),
                    "fingerprint-key": pulumi.secret(fingerprintKey.hex),
                    ...(args.proxies !== undefined ? { "proxies.json": pulumi.secret(args.proxies) } : {}),
                },
            },
            childOpts,
        );
        // A new Job whenever what it applies changes: the inventory and script, and the credentials and
        // proxy keys, which an HMAC under the stack's own key digests without revealing (a community
        // string may be short; a plain hash of it could be guessed).
        const secretFiles = pulumi
            .all([fingerprintKey.hex, args.credentials, args.proxies ?? ""])
            .apply(([key, credentials, proxies]) =>
                createHmac("sha256", key).update(`${credentials}\0${proxies}`).digest("hex"),
            );
        this.jobName = pulumi.unsecret(
            secretFiles.apply((digest) => `zabbix-sync-${contentHash(this.hash, digest).slice(0, 10)}`),
        );
        if (args.apiToken !== undefined) {
            this.tokenSecret = new k8s.core.v1.Secret(
                `${name}-token`,
                {
                    metadata: { name: token.name, namespace, labels },
                    type: "Opaque",
                    stringData: { [token.key]: pulumi.secret(args.apiToken) },
                },
                childOpts,
            );
        }

        if (args.login) {
            this.loginSecret = new k8s.core.v1.Secret(
                `${name}-login`,
                {
                    metadata: { name: LOGIN_SECRET, namespace, labels },
                    type: "Opaque",
                    stringData: { username: args.login.username, password: pulumi.secret(args.login.password) },
                },
                childOpts,
            );
        }
        const auth = args.login
            ? [
                  { name: "ZABBIX_USER", valueFrom: { secretKeyRef: { name: LOGIN_SECRET, key: "username" } } },
                  { name: "ZABBIX_PASSWORD", valueFrom: { secretKeyRef: { name: LOGIN_SECRET, key: "password" } } },
              ]
            : [{ name: "ZABBIX_TOKEN", valueFrom: { secretKeyRef: { name: token.name, key: token.key } } }];
        const waitFor = [
            this.configMap,
            this.credentialsSecret,
            ...(this.tokenSecret ? [this.tokenSecret] : []),
            ...(this.loginSecret ? [this.loginSecret] : []),
            ...(args.login?.ready ? [args.login.ready] : []),
        ];
        // The script waits up to waitSeconds for the API, then syncs; this bounds the whole run.
        const run = jobRun((args.waitSeconds ?? 600) + 900);
        this.job = new k8s.batch.v1.Job(
            `${name}-job`,
            {
                metadata: {
                    name: this.jobName,
                    namespace,
                    labels,
                    annotations: { "platform/inventory-hash": this.hash },
                },
                spec: {
                    backoffLimit: 3,
                    activeDeadlineSeconds: run.activeDeadlineSeconds,
                    template: {
                        metadata: { labels: { ...labels, "platform/inventory-hash": this.hash } },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: {
                                runAsNonRoot: true,
                                runAsUser: 1000,
                                runAsGroup: 1000,
                                fsGroup: 1000,
                                seccompProfile: { type: "RuntimeDefault" },
                            },
                            containers: [
                                {
                                    name: "sync",
                                    image: args.image ?? IMAGES.node,
                                    command: ["node", `${SCRIPT_DIR}/sync.js`],
                                    env: [
                                        { name: "ZABBIX_URL", value: args.apiUrl },
                                        ...auth,
                                        { name: "INVENTORY_FILE", value: `${SCRIPT_DIR}/inventory.json` },
                                        { name: "CREDENTIALS_FILE", value: `${CREDENTIALS_DIR}/credentials.json` },
                                        { name: "FINGERPRINT_KEY_FILE", value: `${CREDENTIALS_DIR}/fingerprint-key` },
                                        ...(args.proxies !== undefined
                                            ? [{ name: "PROXIES_FILE", value: `${CREDENTIALS_DIR}/proxies.json` }]
                                            : []),
                                        { name: "ZABBIX_WAIT_SECONDS", value: String(args.waitSeconds ?? 600) },
                                    ],
                                    volumeMounts: [
                                        { name: "script", mountPath: SCRIPT_DIR, readOnly: true },
                                        { name: "credentials", mountPath: CREDENTIALS_DIR, readOnly: true },
                                    ],
                                    securityContext: {
                                        runAsNonRoot: true,
                                        allowPrivilegeEscalation: false,
                                        readOnlyRootFilesystem: true,
                                        capabilities: { drop: ["ALL"] },
                                    },
                                    resources: {
                                        requests: { cpu: "50m", memory: "64Mi" },
                                        limits: { cpu: "500m", memory: "256Mi" },
                                    },
                                },
                            ],
                            volumes: [
                                { name: "script", configMap: { name: "zabbix-sync", defaultMode: 0o444 } },
                                {
                                    name: "credentials",
                                    secret: { secretName: "zabbix-sync-credentials", defaultMode: 0o440 },
                                },
                            ],
                        },
                    },
                },
            },
            // The Job may run up to its deadline (25 minutes by default); Pulumi's own wait for a Job
            // is 10 minutes, so it waits for the deadline plus a pod's start instead.
            {
                ...childOpts,
                dependsOn: [...(args.dependsOn ?? []), ...waitFor],
                customTimeouts: run.customTimeouts,
            },
        );
        this.registerOutputs({ job: this.job.metadata.name, hash: this.hash });
    }
}
