import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

export interface AlertRule {
    readonly alert: string;
    readonly expr: string;
    readonly for: string;
    readonly labels: { readonly severity: "warning" | "critical" };
    readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
    readonly name: string;
    readonly rules: readonly AlertRule[];
}

const DAY = 24 * 3600;

/** The platform's own alerts: edge errors, certificates, volumes, backups, probes. */
export function platformRuleGroups(): RuleGroup[] {
    return [
        {
            name: "platform.edge",
            rules: [
                {
                    alert: "TraefikHighHttp5xxRate",
                    expr:
                        'sum by (service) (rate(traefik_service_requests_total{code=~"5.."}[5m]))' +
                        " / sum by (service) (rate(traefik_service_requests_total[5m])) > 0.05" +
                        " and sum by (service) (rate(traefik_service_requests_total[5m])) > 0.1",
                    for: "10m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Traefik service {{ $labels.service }} answers more than 5% 5xx",
                        description:
                            "{{ $value | humanizePercentage }} of requests to {{ $labels.service }} failed with 5xx over 10 minutes.",
                    },
                },
            ],
        },
        {
            name: "platform.certificates",
            rules: [
                {
                    alert: "CertificateExpiringSoon",
                    expr: `min by (namespace, name) (certmanager_certificate_expiration_timestamp_seconds) - time() < ${14 * DAY}`,
                    for: "1h",
                    labels: { severity: "warning" },
                    annotations: {
                        summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within 14 days",
                        description: "cert-manager has not renewed it; it expires in {{ $value | humanizeDuration }}.",
                    },
                },
                {
                    alert: "ServedCertificateExpiringSoon",
                    expr: `min by (cn) (traefik_tls_certs_not_after) - time() < ${7 * DAY}`,
                    for: "1h",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Traefik serves a certificate for {{ $labels.cn }} that expires within 7 days",
                        description:
                            "It expires in {{ $value | humanizeDuration }}; check cert-manager and the Certificate's events.",
                    },
                },
            ],
        },
        {
            name: "platform.storage",
            rules: [
                {
                    alert: "PersistentVolumeFilling",
                    expr:
                        "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.15" +
                        " and predict_linear(kubelet_volume_stats_available_bytes[6h], 2 * 86400) < 0",
                    for: "30m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary:
                            "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} fills within two days",
                        description: "Under 15% free and, at the last 6 hours' rate, full within 48 hours.",
                    },
                },
                {
                    alert: "PersistentVolumeAlmostFull",
                    expr: "kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes < 0.05",
                    for: "5m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 95% full",
                        description: "{{ $value | humanizePercentage }} free; grow the volume or delete data now.",
                    },
                },
            ],
        },
        {
            name: "platform.backups",
            rules: [
                {
                    alert: "BackupJobFailed",
                    expr: 'max by (namespace, job_name) (kube_job_failed{condition="true", job_name=~".*backup.*"}) > 0',
                    for: "5m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "Backup job {{ $labels.namespace }}/{{ $labels.job_name }} failed",
                        description:
                            "Read its pod's logs (kubectl -n {{ $labels.namespace }} logs job/{{ $labels.job_name }}).",
                    },
                },
                {
                    alert: "BackupNotRecent",
                    expr: `time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time{cronjob=~".*backup.*"}) > ${26 * 3600}`,
                    for: "30m",
                    labels: { severity: "warning" },
                    annotations: {
                        summary:
                            "Backup {{ $labels.namespace }}/{{ $labels.cronjob }} has not succeeded for over 26 hours",
                        description:
                            "The nightly backup missed a run; the last success was {{ $value | humanizeDuration }} ago.",
                    },
                },
            ],
        },
        {
            name: "platform.probes",
            rules: [
                {
                    alert: "ProbeDown",
                    expr: "max by (job, instance) (probe_success) == 0",
                    for: "3m",
                    labels: { severity: "critical" },
                    annotations: {
                        summary: "{{ $labels.instance }} does not answer its {{ $labels.job }} probe",
                        description: "The blackbox exporter has failed to reach it for 3 minutes.",
                    },
                },
            ],
        },
    ];
}

export interface PlatformRulesArgs {
    /** Namespace of the PrometheusRule. */
    readonly namespace: pulumi.Input<string>;
    /** The chart that installs the monitoring.coreos.com CRDs; the rule waits for it. */
    readonly crds: pulumi.Resource;
}

/** The starter PrometheusRule for the platform itself, created once the CRD exists. */
export class PlatformRules extends pulumi.ComponentResource {
    readonly rule: k8s.apiextensions.CustomResource;

    constructor(name: string, args: PlatformRulesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:monitoring:PlatformRules", name, {}, opts);
        this.rule = new k8s.apiextensions.CustomResource(
            `${name}-rule`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: {
                    name: "platform",
                    namespace: args.namespace,
                    labels: { "app.kubernetes.io/part-of": "platform-monitoring" },
                },
                spec: { groups: platformRuleGroups() },
            },
            { parent: this, dependsOn: [args.crds] },
        );
        this.registerOutputs({ name: this.rule.metadata.name });
    }
}
