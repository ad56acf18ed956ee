import { secretRules } from "../../../policy/rules/secrets";
import { k8s, res, ruleById, secret, violations } from "../fixtures";

const rule = (id: string) => ruleById(secretRules, id);
const chart = (values: Record<string, unknown>) =>
    res("kubernetes:helm.sh/v4:Chart", "monitoring-grafana", { chart: "grafana", version: "9.0.0", values });
const configMap = (data: Record<string, unknown>) =>
    k8s({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app", namespace: "vote" }, data });
const stack = (outputs: Record<string, unknown>) => res("pulumi:pulumi:Stack", "platform-prd", outputs);

describe("secret-not-in-helm-values", () => {
    it("rejects a secret value anywhere in values and a literal under a secret-named key", () => {
        expect(violations(rule("secret-not-in-helm-values"), [chart({ env: [{ value: secret("x") }] })])).toEqual([
            "monitoring-grafana: chart monitoring-grafana: values.env[0].value holds a secret value",
        ]);
        expect(violations(rule("secret-not-in-helm-values"), [chart({ config: { clientSecret: "abc" } })])[0]).toMatch(
            /values.config.clientSecret is a literal though its key names a secret/,
        );
        expect(violations(rule("secret-not-in-helm-values"), [chart({ adminPassword: "admin" })])).toHaveLength(1);
        expect(
            violations(rule("secret-not-in-helm-values"), [chart({ datasource: { apiKey: "abc123" } })]),
        ).toHaveLength(1);
    });
    it("accepts references to a Secret", () => {
        const values = {
            admin: { existingSecret: "grafana-admin", userKey: "user", passwordKey: "password" },
            config: { existingSecret: "oauth2-proxy", clientSecret: "" },
            "grafana.ini": { "auth.github": { client_secret: "$__file{/etc/secrets/github/client-secret}" } },
            envFromSecrets: [{ name: "x" }],
        };
        expect(violations(rule("secret-not-in-helm-values"), [chart(values)])).toEqual([]);
    });
});

describe("secret-not-in-configmap", () => {
    it("rejects a secret value, a private key, or a password-named entry", () => {
        expect(violations(rule("secret-not-in-configmap"), [configMap({ "app.conf": secret("x") })])[0]).toMatch(
            /data.app.conf holds a secret value/,
        );
        expect(
            violations(rule("secret-not-in-configmap"), [
                configMap({ "tls.key": "-----BEGIN PRIVATE KEY-----\nabc" }),
            ])[0],
        ).toMatch(/holds a private key/);
        expect(violations(rule("secret-not-in-configmap"), [configMap({ DB_PASSWORD: "hunter2" })])).toHaveLength(1);
        expect(violations(rule("secret-not-in-configmap"), [configMap({ SECRET_KEY: "django" })])).toHaveLength(1);
        expect(
            violations(rule("secret-not-in-configmap"), [configMap({ LOG_LEVEL: "info", DB_HOST: "mysql" })]),
        ).toEqual([]);
    });
});

describe("secret-not-in-plain-output", () => {
    it("accepts secret outputs and rejects plain ones that name or hold a secret", () => {
        expect(
            violations(rule("secret-not-in-plain-output"), [stack({ kubeconfig: secret("apiVersion: v1") })]),
        ).toEqual([]);
        expect(violations(rule("secret-not-in-plain-output"), [stack({ kubeconfig: "apiVersion: v1" })])).toEqual([
            "platform-prd: outputs.kubeconfig is a literal though its key names a secret",
        ]);
        expect(
            violations(rule("secret-not-in-plain-output"), [
                stack({ deployKey: "-----BEGIN OPENSSH PRIVATE KEY-----\n" }),
            ]),
        ).toHaveLength(1);
    });
    it("falls back to content only where secrets are not visible (the pack)", () => {
        expect(
            violations(rule("secret-not-in-plain-output"), [stack({ kubeconfig: "apiVersion: v1" })], "prd", false),
        ).toEqual([]);
        expect(
            violations(
                rule("secret-not-in-plain-output"),
                [stack({ key: "-----BEGIN PRIVATE KEY-----" })],
                "prd",
                false,
            ),
        ).toHaveLength(1);
    });
});
