import { readFileSync } from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { PLATFORM_RESOURCES } from "./spec";
import { containerSecurityContext, podSecurityContext, writable } from "./pod";

type EnvVar = k8s.types.input.core.v1.EnvVar;

/** The backup and restore script; the pods run this very file (test/data/ runs it too). */
export const MYSQL_BACKUP_SCRIPT_PATH = path.join(__dirname, "mysql-backup.sh");
/** Its key in the ConfigMap and its name where the pods mount it. */
export const SCRIPT_FILE = "mysql-backup.sh";
const SCRIPT_DIR = "/opt/mysql-backup";
const CLIENT_DIR = "/etc/mysql-backup";
const WORK_DIR = "/backup";
/** The mysql image's `mysql` user; the curl image runs as it too (it needs no user entry). */
const UID = 999;

export function mysqlBackupScript(): string {
    return readFileSync(MYSQL_BACKUP_SCRIPT_PATH, "utf8");
}

/** A step of the script and the image that has its tools (mysql for dump/apply, curl for upload/fetch). */
export interface Step {
    readonly step: "dump" | "upload" | "fetch" | "apply";
    readonly image: string;
}

export interface StepsPodArgs {
    readonly serviceAccountName: string;
    /** Secret with `backup.cnf` (the MySQL client file: root, host, port). */
    readonly mysqlSecret: string;
    readonly scriptConfigMap: string;
    /** Size limit of the work directory the dump passes through. */
    readonly storage: string;
    /** DATABASE, BUCKET, PREFIX (and OBJECT for a restore). */
    readonly env: readonly EnvVar[];
    /** First step as an init container, second as the container: the second runs only if the first succeeded. */
    readonly steps: readonly [Step, Step];
}

/**
 * The pod of a backup or restore run: two steps of mysql-backup.sh sharing one work directory,
 * both non-root with read-only root filesystems, the MySQL client file mounted read-only.
 */
export function stepsPod(args: StepsPodArgs): k8s.types.input.core.v1.PodSpec {
    const scratch = writable("backup", ["/tmp"]);
    const env: EnvVar[] = [
        { name: "HOME", value: "/tmp" },
        { name: "BACKUP_DIR", value: WORK_DIR },
        { name: "MYSQL_DEFAULTS_FILE", value: `${CLIENT_DIR}/backup.cnf` },
        ...args.env,
    ];
    const container = ({ step, image }: Step): k8s.types.input.core.v1.Container => ({
        name: step,
        image,
        command: ["sh", `${SCRIPT_DIR}/${SCRIPT_FILE}`, step],
        env,
        resources: PLATFORM_RESOURCES.backup,
        securityContext: containerSecurityContext(UID),
        volumeMounts: [
            { name: "script", mountPath: SCRIPT_DIR, readOnly: true },
            { name: "client", mountPath: CLIENT_DIR, readOnly: true },
            { name: "work", mountPath: WORK_DIR },
            ...scratch.mounts,
        ],
    });
    return {
        serviceAccountName: args.serviceAccountName,
        restartPolicy: "Never",
        securityContext: podSecurityContext(UID),
        volumes: [
            { name: "script", configMap: { name: args.scriptConfigMap, defaultMode: 0o444 } },
            {
                name: "client",
                secret: {
                    secretName: args.mysqlSecret,
                    items: [{ key: "backup.cnf", path: "backup.cnf" }],
                    defaultMode: 0o440,
                },
            },
            { name: "work", emptyDir: { sizeLimit: args.storage } },
            ...scratch.volumes,
        ],
        initContainers: [container(args.steps[0])],
        containers: [container(args.steps[1])],
    };
}
