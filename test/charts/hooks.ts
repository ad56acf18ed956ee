/**
 * The Helm hooks of every chart the program pins (components/versions.ts), read from each chart's
 * templates at exactly that version, and the value paths that only those hooks read.
 *
 * helm.v4.Chart renders a chart like `helm template` and leaves out every object annotated
 * `helm.sh/hook` (install/upgrade hooks and test hooks alike; pulumi-kubernetes#3284): a hook Job
 * never runs, and a value read only by hooks configures nothing. test/charts/hooks.test.ts fails
 * when the program sets such a value, and when a pinned version has no entry here.
 *
 * Bumping a chart: read its templates at the new version (`grep -rl helm.sh/hook templates/`,
 * and values.yaml for annotations given as values, as cert-manager does), then list each hook
 * template and the values only they read (a value also read by an ordinary template is not
 * hook-only). Only paths and our own descriptions are kept here, none of the charts' text.
 */

export interface HookTemplate {
    /** Template path inside the chart. */
    readonly template: string;
    /** The `helm.sh/hook` events it runs on. */
    readonly hook: string;
    /** What it is. */
    readonly what: string;
}

export interface ChartHooks {
    /** Hook templates of the chart (and of subcharts it ships inside itself). */
    readonly hooks: readonly HookTemplate[];
    /**
     * Value paths, in the chart's values as the program passes them, that only hook templates read;
     * a path covers everything under it.
     */
    readonly hookOnlyValues: readonly string[];
    /** Subcharts from other repositories: the values key they are configured under, and `chart@version`. */
    readonly subcharts?: Readonly<Record<string, string>>;
}

/** `chart@version` of every chart and subchart the program installs. */
export const CHART_HOOKS: Readonly<Record<string, ChartHooks>> = {
    "flux2@2.18.3": {
        hooks: [
            {
                template: "templates/pre-install-job.yaml",
                hook: "pre-install",
                what: "`flux check --pre` Job",
            },
            {
                template: "templates/pre-install-job-serviceaccount.yaml",
                hook: "pre-install",
                what: "that Job's ServiceAccount",
            },
            {
                template: "templates/pre-upgrade-migrate-resources.yaml",
                hook: "pre-upgrade",
                what: "CRD storage-version migration Job and its RBAC (crds.migration.enabled)",
            },
        ],
        hookOnlyValues: ["cli", "crds.migration"],
    },
    "traefik@41.3.0": { hooks: [], hookOnlyValues: [] },
    "cert-manager@v1.21.1": {
        // Hook annotations come from values (startupapicheck.jobAnnotations, .rbac.annotations,
        // .serviceAccount.annotations), so with the chart's defaults every startupapicheck object is one.
        hooks: [
            {
                template: "templates/startupapicheck-job.yaml",
                hook: "post-install (from values)",
                what: "startupapicheck Job (waits for the webhook)",
            },
            {
                template: "templates/startupapicheck-rbac.yaml",
                hook: "post-install (from values)",
                what: "its Role and RoleBinding",
            },
            {
                template: "templates/startupapicheck-serviceaccount.yaml",
                hook: "post-install (from values)",
                what: "its ServiceAccount",
            },
            {
                template: "templates/startupapicheck-psp*.yaml",
                hook: "post-install (from values)",
                what: "its PodSecurityPolicy and RBAC (global.podSecurityPolicy.enabled)",
            },
        ],
        hookOnlyValues: ["startupapicheck"],
    },
    "oauth2-proxy@10.7.0": { hooks: [], hookOnlyValues: [] },
    "kube-prometheus-stack@88.5.3": {
        hooks: [
            {
                template: "charts/crds/templates/upgrade/*.yaml",
                hook: "pre-install,pre-upgrade,pre-rollback",
                what: "CRD upgrade Job, its ConfigMap of CRDs and RBAC (crds.upgradeJob.enabled)",
            },
            {
                template: "templates/prometheus-operator/admission-webhooks/job-patch/*.yaml",
                hook: "pre-install,pre-upgrade / post-install,post-upgrade",
                what: "admission webhook certificate Jobs (create the Secret, patch the webhook configurations), their RBAC and NetworkPolicies",
            },
        ],
        hookOnlyValues: [
            "crds.upgradeJob",
            "prometheusOperator.admissionWebhooks.annotations",
            "prometheusOperator.admissionWebhooks.createSecretJob",
            "prometheusOperator.admissionWebhooks.patchWebhookJob",
            // `patch.enabled` is also read by the webhook configurations; the rest only by the Jobs.
            "prometheusOperator.admissionWebhooks.patch.affinity",
            "prometheusOperator.admissionWebhooks.patch.annotations",
            "prometheusOperator.admissionWebhooks.patch.image",
            "prometheusOperator.admissionWebhooks.patch.nodeSelector",
            "prometheusOperator.admissionWebhooks.patch.podAnnotations",
            "prometheusOperator.admissionWebhooks.patch.priorityClassName",
            "prometheusOperator.admissionWebhooks.patch.resources",
            "prometheusOperator.admissionWebhooks.patch.securityContext",
            "prometheusOperator.admissionWebhooks.patch.serviceAccount",
            "prometheusOperator.admissionWebhooks.patch.tolerations",
            "prometheusOperator.admissionWebhooks.patch.ttlSecondsAfterFinished",
        ],
        subcharts: {
            grafana: "grafana@12.11.1",
            "kube-state-metrics": "kube-state-metrics@8.4.0",
            "prometheus-node-exporter": "prometheus-node-exporter@4.56.1",
        },
    },
    "grafana@12.11.1": {
        hooks: [
            {
                template: "templates/tests/*.yaml",
                hook: "test (testFramework.hookType)",
                what: "`helm test` Pod, its ConfigMap, RBAC and ServiceAccount",
            },
        ],
        hookOnlyValues: ["testFramework"],
    },
    "kube-state-metrics@8.4.0": { hooks: [], hookOnlyValues: [] },
    "prometheus-node-exporter@4.56.1": { hooks: [], hookOnlyValues: [] },
    "prometheus-blackbox-exporter@11.17.2": { hooks: [], hookOnlyValues: [] },
    "zabbix@7.0.12": {
        hooks: [
            {
                template: "templates/job-create-upgrade-db.yaml",
                hook: "pre-install,pre-upgrade",
                what: "database create/upgrade Job (only with zabbixServer.zabbixServerHA.enabled)",
            },
            {
                template: "templates/tests/*.yaml",
                hook: "test",
                what: "`helm test` connection Pods for the server and the web UI",
            },
        ],
        hookOnlyValues: ["helmTestJobs", "zabbixServer.zabbixServerHA.dbCreateUpgradeJob"],
    },
};
