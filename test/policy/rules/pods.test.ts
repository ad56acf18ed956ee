import type { Environment } from "../../../contract/environment";
import { podRules } from "../../../policy/rules/pods";
import { goodContainer, goodDeployment, k8s, Loose, ruleById, secret, violations } from "../fixtures";

const rule = (id: string) => ruleById(podRules, id);
const check = (id: string, d: Record<string, Loose>, env: Environment = "prd") => violations(rule(id), [k8s(d)], env);
const container = (d: Record<string, Loose>) => d.spec.template.spec.containers[0];

describe("pod rules", () => {
    it("pass a Deployment that does everything right", () => {
        for (const r of podRules) expect(violations(r, [k8s(goodDeployment())])).toEqual([]);
    });

    it("cover every workload kind, including a CronJob's nested template", () => {
        const cron = {
            apiVersion: "batch/v1",
            kind: "CronJob",
            metadata: { name: "backup", namespace: "uploader" },
            spec: {
                schedule: "0 3 * * *",
                jobTemplate: {
                    spec: { template: { spec: { ...goodDeployment().spec.template.spec, hostNetwork: true } } },
                },
            },
        };
        expect(check("pod-host-namespaces", cron)).toEqual([
            "CronJob uploader/backup: spec.jobTemplate.spec.template.spec.hostNetwork is true; pods must not share the node's namespaces",
        ]);
        for (const kind of ["StatefulSet", "DaemonSet", "Job"]) {
            const d = goodDeployment((x) => {
                x.kind = kind;
                x.spec.template.spec.hostPID = true;
            });
            expect(check("pod-host-namespaces", d)).toHaveLength(1);
        }
    });

    it("pod-host-namespaces rejects hostIPC", () => {
        expect(
            check(
                "pod-host-namespaces",
                goodDeployment((d) => (d.spec.template.spec.hostIPC = true)),
            ),
        ).toHaveLength(1);
    });

    it("pod-privileged rejects a privileged init container", () => {
        const d = goodDeployment((x) => {
            x.spec.template.spec.initContainers = [{ ...goodContainer("init"), securityContext: { privileged: true } }];
        });
        expect(check("pod-privileged", d)).toEqual([
            "Deployment vote/web: spec.template.spec.initContainers[init].securityContext.privileged is true",
        ]);
    });

    it("pod-privilege-escalation needs an explicit false", () => {
        const d = goodDeployment((x) => delete container(x).securityContext.allowPrivilegeEscalation);
        expect(check("pod-privilege-escalation", d)).toEqual([
            "Deployment vote/web: spec.template.spec.containers[web].securityContext.allowPrivilegeEscalation must be false",
        ]);
    });

    it("pod-run-as-non-root accepts the container level and rejects uid 0 or a missing setting", () => {
        const containerLevel = goodDeployment((x) => {
            delete x.spec.template.spec.securityContext.runAsNonRoot;
            container(x).securityContext.runAsNonRoot = true;
        });
        expect(check("pod-run-as-non-root", containerLevel)).toEqual([]);
        const missing = goodDeployment((x) => delete x.spec.template.spec.securityContext.runAsNonRoot);
        expect(check("pod-run-as-non-root", missing)[0]).toMatch(/runAsNonRoot is not true/);
        const root = goodDeployment((x) => (container(x).securityContext.runAsUser = 0));
        expect(check("pod-run-as-non-root", root)[0]).toMatch(/runAsUser is 0/);
        // the container's false overrides the pod's true
        const overridden = goodDeployment((x) => (container(x).securityContext.runAsNonRoot = false));
        expect(check("pod-run-as-non-root", overridden)).toHaveLength(1);
    });

    it("pod-read-only-root-fs rejects a writable root filesystem", () => {
        const d = goodDeployment((x) => (container(x).securityContext.readOnlyRootFilesystem = false));
        expect(check("pod-read-only-root-fs", d)[0]).toMatch(/readOnlyRootFilesystem must be true/);
    });

    it("pod-capabilities needs drop ALL and a justification for adds beyond NET_BIND_SERVICE", () => {
        const noDrop = goodDeployment((x) => (container(x).securityContext.capabilities = { drop: ["NET_RAW"] }));
        expect(check("pod-capabilities", noDrop)[0]).toMatch(/drop must include ALL/);
        const bind = goodDeployment((x) => (container(x).securityContext.capabilities.add = ["NET_BIND_SERVICE"]));
        expect(check("pod-capabilities", bind)).toEqual([]);
        const raw = goodDeployment((x) => (container(x).securityContext.capabilities.add = ["NET_RAW"]));
        expect(check("pod-capabilities", raw)[0]).toMatch(/adds capability NET_RAW without a justification/);
        const justified = goodDeployment((x) => {
            container(x).securityContext.capabilities.add = ["NET_RAW"];
            x.spec.template.metadata.annotations = { "capabilities.platform/web": "NET_RAW: ICMP probes" };
        });
        expect(check("pod-capabilities", justified)).toEqual([]);
        const noReason = goodDeployment((x) => {
            container(x).securityContext.capabilities.add = ["NET_RAW"];
            x.spec.template.metadata.annotations = { "capabilities.platform/web": "NET_RAW" };
        });
        expect(check("pod-capabilities", noReason)).toHaveLength(1);
        const otherContainer = goodDeployment((x) => {
            container(x).securityContext.capabilities.add = ["SYS_ADMIN"];
            x.spec.template.metadata.annotations = { "capabilities.platform/sidecar": "SYS_ADMIN: not this one" };
        });
        expect(check("pod-capabilities", otherContainer)).toHaveLength(1);
    });

    it("pod-seccomp accepts RuntimeDefault on the container and rejects Unconfined or none", () => {
        const onContainer = goodDeployment((x) => {
            delete x.spec.template.spec.securityContext.seccompProfile;
            container(x).securityContext.seccompProfile = { type: "RuntimeDefault" };
        });
        expect(check("pod-seccomp", onContainer)).toEqual([]);
        const none = goodDeployment((x) => delete x.spec.template.spec.securityContext.seccompProfile);
        expect(check("pod-seccomp", none)).toHaveLength(1);
        const unconfined = goodDeployment(
            (x) => (container(x).securityContext.seccompProfile = { type: "Unconfined" }),
        );
        expect(check("pod-seccomp", unconfined)).toHaveLength(1);
    });

    it("pod-no-host-path rejects a hostPath volume", () => {
        const d = goodDeployment((x) =>
            x.spec.template.spec.volumes.push({ name: "docker", hostPath: { path: "/var/run" } }),
        );
        expect(check("pod-no-host-path", d)).toEqual([
            "Deployment vote/web: spec.template.spec.volumes[docker] is a hostPath volume",
        ]);
    });

    it.each([
        ["nginx", /has no tag or digest/],
        ["nginx:latest", /uses the tag latest/],
        ["registry.example.org:5000/team/app", /has no tag or digest/],
    ])("pod-image-pinned rejects %s", (image, message) => {
        const d = goodDeployment((x) => (container(x).image = image));
        expect(check("pod-image-pinned", d)[0]).toMatch(message);
    });

    it.each([
        "nginx:1.27.3",
        "registry.example.org:5000/team/app:abc-20260101000000",
        `ghcr.io/acme/app@sha256:${"a".repeat(64)}`,
    ])("pod-image-pinned accepts %s", (image) => {
        expect(
            check(
                "pod-image-pinned",
                goodDeployment((x) => (container(x).image = image)),
            ),
        ).toEqual([]);
    });

    it("pod-resources names what is missing", () => {
        const d = goodDeployment((x) => {
            delete container(x).resources.limits.cpu;
            delete container(x).resources.requests.memory;
        });
        expect(check("pod-resources", d)).toEqual([
            "Deployment vote/web: spec.template.spec.containers[web].resources lacks requests.memory, limits.cpu",
        ]);
    });

    it("pod-probes asks long-running containers for both probes, not Jobs or init containers", () => {
        const d = goodDeployment((x) => delete container(x).livenessProbe);
        expect(check("pod-probes", d)).toEqual([
            "Deployment vote/web: spec.template.spec.containers[web] has no livenessProbe",
        ]);
        const job = goodDeployment((x) => {
            x.kind = "Job";
            delete container(x).livenessProbe;
            delete container(x).readinessProbe;
        });
        expect(check("pod-probes", job)).toEqual([]);
        const init = goodDeployment((x) => {
            x.spec.template.spec.initContainers = [{ ...goodContainer("migrate"), readinessProbe: undefined }];
            delete x.spec.template.spec.initContainers[0].readinessProbe;
        });
        expect(check("pod-probes", init)).toEqual([]);
    });

    it("pod-env-no-secret-literal rejects secret values and secret-named literals, not references", () => {
        const wrapped = goodDeployment((x) => container(x).env.push({ name: "SESSION_KEY", value: secret("s3cr3t") }));
        expect(check("pod-env-no-secret-literal", wrapped)[0]).toMatch(
            /env SESSION_KEY holds a secret value literally/,
        );
        const wholeList = goodDeployment(
            (x) => (container(x).env = secret([{ name: "DB_URL", value: "mysql://u:p@db" }])),
        );
        expect(check("pod-env-no-secret-literal", wholeList)).toEqual([
            "Deployment vote/web: container web env DB_URL holds a secret value literally; use valueFrom.secretKeyRef",
        ]);
        const wholeSpec = goodDeployment((x) => (x.spec.template = secret(x.spec.template)));
        expect(check("pod-env-no-secret-literal", wholeSpec)[0]).toMatch(/env PORT holds a secret value literally/);
        const named = goodDeployment((x) => container(x).env.push({ name: "DB_PASSWORD", value: "hunter2" }));
        expect(check("pod-env-no-secret-literal", named)[0]).toMatch(/env DB_PASSWORD is set literally/);
        const pem = goodDeployment((x) =>
            container(x).env.push({ name: "TLS", value: "-----BEGIN RSA PRIVATE KEY-----\nabc" }),
        );
        expect(check("pod-env-no-secret-literal", pem)[0]).toMatch(/looks like a key or token/);
        const fine = goodDeployment((x) =>
            container(x).env.push(
                { name: "DB_PASSWORD", valueFrom: { secretKeyRef: { name: "db", key: "password" } } },
                { name: "DB_PASSWORD_FILE", value: "/run/secrets/db/password" },
                { name: "DATABASE_URL", value: "mysql://$(DB_USER):$(DB_PASSWORD)@mysql:3306/app" },
                { name: "API_TOKEN", value: "" },
            ),
        );
        expect(check("pod-env-no-secret-literal", fine)).toEqual([]);
    });

    it("report advisory on dev and mandatory on prd for the restricted-profile rules", () => {
        const d = goodDeployment((x) => (container(x).securityContext.readOnlyRootFilesystem = false));
        expect(rule("pod-read-only-root-fs").enforcement).toEqual({ dev: "advisory", prd: "mandatory" });
        expect(check("pod-read-only-root-fs", d, "dev")).toHaveLength(1);
        expect(rule("pod-privileged").enforcement.dev).toBe("mandatory");
    });

    it("ignore objects that are not workloads", () => {
        const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace: "vote" }, data: {} };
        for (const r of podRules) expect(violations(r, [k8s(cm)])).toEqual([]);
    });
});
