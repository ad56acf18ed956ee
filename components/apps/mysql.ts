import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { IMAGES } from "../versions";
import { contentHash } from "../hash";
import { mysqlInitSql } from "./mysql-init";
import { SINGLE_REPLICA_ANNOTATION } from "../../contract/annotations";
import { COMPONENTS } from "./network-policies";
import { appLabels, containerSecurityContext, podSecurityContext, selectorLabels, writable } from "./pod";

export interface MysqlArgs {
    /** The Kubernetes provider. */
    readonly provider: k8s.Provider;
    /** The app it serves (labels, names). */
    readonly app: string;
    /** Namespace (an Output of the envelope, so MySQL waits for it). */
    readonly namespace: pulumi.Input<string>;
    /** Database name. */
    readonly database: string;
    /** Size of the data volume. */
    readonly storage: string;
    /** StorageClass of the data volume. @default the cluster's default class */
    readonly storageClass?: string;
    /** Requests and limits of the MySQL container. */
    readonly resources: { readonly requests: Record<string, string>; readonly limits: Record<string, string> };
    /** Pulumi `protect` and retain-on-delete for the volume and the credentials (prd). @default false */
    readonly protect?: boolean;
    /** Extra labels on the StatefulSet (e.g. Sablier's). @default {} */
    readonly labels?: Readonly<Record<string, string>>;
    /** Something else (Sablier) sets the replica count; Pulumi leaves spec.replicas alone. @default false */
    readonly replicasManagedElsewhere?: boolean;
}

const PORT = 3306;
const UID = 999;
const DATADIR = "/var/lib/mysql";
const INIT_DIR = "/etc/mysql-init";
export const MYSQL_INIT_FILE = `${INIT_DIR}/init.sql`;
export const MYSQL_INIT_HASH_ANNOTATION = "platform/mysql-init-hash";
/** Generated passwords are alphanumeric, so they sit in a URL without escaping. */
const PASSWORD = { length: 32, special: false } as const;

/**
 * MySQL as a one-replica StatefulSet on its own PersistentVolumeClaim, with generated root and app
 * credentials in a Secret (which also holds the client file the backup job reads).
 */
export class Mysql extends pulumi.ComponentResource {
    /** Secret with `root-password`, `user`, `password`, `database`, `backup.cnf`, `init.sql`. */
    readonly secret: k8s.core.v1.Secret;
    readonly host: string;
    readonly port = PORT;
    readonly database: string;
    readonly user: string;

    constructor(name: string, args: MysqlArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:apps:Mysql", name, {}, opts);
        const child = { parent: this, provider: args.provider };
        const keep = args.protect ? { protect: true, retainOnDelete: true } : {};
        const svcName = `${args.app}-mysql`;
        this.host = svcName;
        this.database = args.database;
        this.user = args.database.slice(0, 32);
        const labels = appLabels(args.app, COMPONENTS.mysql);
        const selector = selectorLabels(args.app, COMPONENTS.mysql);

        const root = new random.RandomPassword(`${name}-root-password`, PASSWORD, { parent: this, ...keep });
        const user = new random.RandomPassword(`${name}-user-password`, PASSWORD, { parent: this, ...keep });
        const initSql = pulumi
            .all([root.result, user.result])
            .apply(([rootPassword, password]) =>
                mysqlInitSql({ rootPassword, user: this.user, password, database: args.database }),
            );
        this.secret = new k8s.core.v1.Secret(
            `${name}-secret`,
            {
                metadata: { name: svcName, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: {
                    "root-password": root.result,
                    user: this.user,
                    password: user.result,
                    database: args.database,
                    "backup.cnf": pulumi.secret(
                        pulumi.interpolate`[client]\nuser=root\npassword=${root.result}\nhost=${svcName}\nport=${PORT}\n`,
                    ),
                    "init.sql": pulumi.secret(initSql),
                },
            },
            child,
        );
        const pvc = new k8s.core.v1.PersistentVolumeClaim(
            `${name}-data`,
            {
                metadata: { name: `${svcName}-data`, namespace: args.namespace, labels },
                spec: {
                    accessModes: ["ReadWriteOnce"],
                    ...(args.storageClass ? { storageClassName: args.storageClass } : {}),
                    resources: { requests: { storage: args.storage } },
                },
            },
            // Retained in every environment: the app's namespace is kept for its data (nothing
            // deletes it with the namespace), so a rename or destroy leaves the volume beside it.
            { ...child, retainOnDelete: true, ...(args.protect ? { protect: true } : {}) },
        );
        const scratch = writable("mysql", ["/var/run/mysqld", "/tmp", "/var/lib/mysql-files"]);
        const secretEnv = (envName: string, key: string) => ({
            name: envName,
            valueFrom: { secretKeyRef: { name: svcName, key } },
        });
        new k8s.apps.v1.StatefulSet(
            `${name}-sts`,
            {
                metadata: {
                    name: svcName,
                    namespace: args.namespace,
                    labels: { ...labels, ...args.labels },
                    annotations: {
                        [SINGLE_REPLICA_ANNOTATION]:
                            "MySQL without replication; the nightly dump in Cloud Storage is the recovery path",
                    },
                },
                spec: {
                    serviceName: svcName,
                    ...(args.replicasManagedElsewhere ? {} : { replicas: 1 }),
                    selector: { matchLabels: selector },
                    persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
                    template: {
                        metadata: {
                            labels,
                            // mysqld reads the init file only when it starts: new passwords must
                            // restart it. Sixteen hex digits of SHA-256 reveal nothing of 32
                            // random characters, and the same passwords give the same digest.
                            annotations: {
                                [MYSQL_INIT_HASH_ANNOTATION]: pulumi.unsecret(initSql.apply((t) => contentHash(t))),
                            },
                        },
                        spec: {
                            automountServiceAccountToken: false,
                            securityContext: podSecurityContext(UID),
                            terminationGracePeriodSeconds: 60,
                            volumes: [
                                { name: "data", persistentVolumeClaim: { claimName: pvc.metadata.name } },
                                {
                                    name: "init",
                                    secret: {
                                        secretName: svcName,
                                        items: [{ key: "init.sql", path: "init.sql" }],
                                        // owner root, group fsGroup (mysql): readable by mysqld only
                                        defaultMode: 0o440,
                                    },
                                },
                                ...scratch.volumes,
                            ],
                            containers: [
                                {
                                    name: "mysql",
                                    image: IMAGES.mysql,
                                    // The init file only once the data directory exists (the
                                    // entrypoint's own test): the entrypoint hands mysqld's
                                    // arguments to `--initialize-insecure` (bootstrap mode, no
                                    // account statements) and to its temporary server, whose set-up
                                    // signs in as root without a password and runs plain CREATE
                                    // USER; the init file would break both. The first start gets
                                    // the same passwords from the environment below instead.
                                    command: [
                                        "bash",
                                        "-c",
                                        `if [ -d ${DATADIR}/mysql ]; then set -- --init-file=${MYSQL_INIT_FILE}; else set --; fi; exec docker-entrypoint.sh mysqld "$@"`,
                                    ],
                                    env: [
                                        secretEnv("MYSQL_ROOT_PASSWORD", "root-password"),
                                        secretEnv("MYSQL_DATABASE", "database"),
                                        secretEnv("MYSQL_USER", "user"),
                                        secretEnv("MYSQL_PASSWORD", "password"),
                                    ],
                                    ports: [{ name: "mysql", containerPort: PORT }],
                                    // mysqladmin ping succeeds once the server answers, credentials or not.
                                    readinessProbe: {
                                        exec: { command: ["mysqladmin", "ping", "-h", "127.0.0.1", "--silent"] },
                                        initialDelaySeconds: 10,
                                        periodSeconds: 10,
                                        timeoutSeconds: 5,
                                    },
                                    livenessProbe: {
                                        tcpSocket: { port: PORT },
                                        initialDelaySeconds: 60,
                                        periodSeconds: 20,
                                        failureThreshold: 6,
                                    },
                                    resources: { requests: args.resources.requests, limits: args.resources.limits },
                                    securityContext: containerSecurityContext(UID),
                                    volumeMounts: [
                                        { name: "data", mountPath: DATADIR },
                                        { name: "init", mountPath: INIT_DIR, readOnly: true },
                                        ...scratch.mounts,
                                    ],
                                },
                            ],
                        },
                    },
                },
            },
            // protect on prd: replacing it (a changed selector or serviceName) must be a deliberate act.
            { ...child, dependsOn: [this.secret], ...(args.protect ? { protect: true } : {}) },
        );
        new k8s.core.v1.Service(
            `${name}-svc`,
            {
                metadata: { name: svcName, namespace: args.namespace, labels },
                spec: { selector, clusterIP: "None", ports: [{ name: "mysql", port: PORT, targetPort: PORT }] },
            },
            child,
        );
        this.registerOutputs({ host: this.host, database: this.database });
    }

    /**
     * Env for the app: user and password from the Secret, then the URL composed from them by
     * Kubernetes `$(VAR)` expansion (the referenced variables come first), so no wrapper script.
     */
    env(urlEnv: string, scheme: string): k8s.types.input.core.v1.EnvVar[] {
        return [
            { name: "DB_USER", valueFrom: { secretKeyRef: { name: this.host, key: "user" } } },
            { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: this.host, key: "password" } } },
            { name: "DB_HOST", value: this.host },
            { name: "DB_PORT", value: String(PORT) },
            { name: "DB_NAME", value: this.database },
            { name: urlEnv, value: `${scheme}://$(DB_USER):$(DB_PASSWORD)@$(DB_HOST):$(DB_PORT)/$(DB_NAME)` },
        ];
    }
}
