import { ParsedStack } from "../config/schema";
import { ENVIRONMENTS } from "./environment";

/**
 * The stack outputs other teams consume (through a StackReference). Version it: removing an
 * output or changing its secretness is a breaking change and bumps `OUTPUTS_VERSION`'s major.
 */
export const OUTPUTS_VERSION = "1.5.0";

export interface OutputSpec {
    readonly type: string;
    readonly secret: boolean;
    /** Which stacks have it: all, gke ones (cluster.mode gke), or those with that layer enabled. */
    readonly when:
        "always" | "gke" | "gitops" | "monitoring" | "zabbix" | "snmpTraps" | "previews" | "bootstrap" | "sites";
    readonly description: string;
    readonly example: string;
}

export const OUTPUTS = {
    outputsVersion: {
        type: "string",
        secret: false,
        when: "always",
        description: "Version of this output contract (semver).",
        example: '"1.0.0"',
    },
    environment: {
        type: ENVIRONMENTS.map((e) => JSON.stringify(e)).join(" \\| "),
        secret: false,
        when: "always",
        description: "Which environment the stack is.",
        example: '"dev"',
    },
    domain: {
        type: "string",
        secret: false,
        when: "always",
        description: "The stack's domain; every host is under it.",
        example: '"dev.example.org"',
    },
    kubeconfig: {
        type: "string (YAML)",
        secret: true,
        when: "gke",
        description:
            "Kubeconfig for the cluster; authenticates through gke-gcloud-auth-plugin with the caller's own Google identity.",
        example: "apiVersion: v1 ...",
    },
    clusterName: {
        type: "string",
        secret: false,
        when: "gke",
        description: "GKE cluster name.",
        example: '"platform-dev"',
    },
    clusterEndpoint: {
        type: "string",
        secret: false,
        when: "gke",
        description: "Control plane IP endpoint.",
        example: '"34.84.10.20"',
    },
    region: {
        type: "string",
        secret: false,
        when: "gke",
        description: "GCP region of the cluster, NAT, IP and registry.",
        example: '"asia-northeast1"',
    },
    ingressIp: {
        type: "string",
        secret: false,
        when: "gke",
        description: "Reserved IP of the ingress load balancer; every public A record points here.",
        example: '"35.200.1.2"',
    },
    nameServers: {
        type: "string[]",
        secret: false,
        when: "gke",
        description: "Cloud DNS name servers to set at the registrar for the domain.",
        example: '["ns-cloud-a1.googledomains.com.", ...]',
    },
    artifactRegistry: {
        type: "string",
        secret: false,
        when: "gke",
        description: "Image prefix for the apps: `<region>-docker.pkg.dev/<project>/<repo>`.",
        example: '"asia-northeast1-docker.pkg.dev/acme-dev/apps"',
    },
    workloadIdentityPool: {
        type: "string",
        secret: false,
        when: "gke",
        description: "Workload Identity pool for binding Kubernetes to Google service accounts.",
        example: '"acme-dev.svc.id.goog"',
    },
    gitopsDeployKey: {
        type: "string",
        secret: false,
        when: "gitops",
        description:
            "Public half of Flux's SSH deploy key (only when gitops is enabled); add it to the platform repository on GitHub with write access unless gitops.registerDeployKey did.",
        example: '"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA..."',
    },
    monitoringNamespace: {
        type: "string",
        secret: false,
        when: "monitoring",
        description: "Namespace of the monitoring layer (absent when monitoring.enabled is false).",
        example: '"monitoring"',
    },
    blackboxAddress: {
        type: "string",
        secret: false,
        when: "monitoring",
        description:
            "In-cluster `host:port` of the blackbox exporter, for a Probe's `prober.url` (modules http_2xx, http_reachable, http_reachable_untrusted_tls, tcp_connect, icmp).",
        example: '"blackbox-exporter.monitoring.svc:9115"',
    },
    zabbixApiUrl: {
        type: "string",
        secret: false,
        when: "zabbix",
        description: "In-cluster Zabbix JSON-RPC URL (absent when monitoring.zabbix.enabled is false).",
        example: '"http://zabbix-zabbix-web.monitoring.svc:80/api_jsonrpc.php"',
    },
    zabbixAdminSecretName: {
        type: "string",
        secret: false,
        when: "zabbix",
        description:
            "Name of the Secret (keys `username`, `password`) in monitoringNamespace holding the Zabbix Admin login.",
        example: '"zabbix-admin"',
    },
    snmpTrapAddress: {
        type: "string",
        secret: false,
        when: "snmpTraps",
        description:
            "Reserved IP of the SNMP trap receiver (UDP 162), for the devices' trap destination (gke with monitoring.zabbix.snmpTraps.enabled; protected on prd).",
        example: '"35.200.3.4"',
    },
    onpremSites: {
        type: 'Record<string, { mode: "vpn" | "gateway"; ranges: string[]; monitoredBy: string; watched: boolean; gatewayAddress?: string; gatewayPublicKey?: string; sitePublicKey?: string; vpnAddresses?: string[] }>',
        secret: false,
        when: "sites",
        description:
            "Each on-prem site (gke stacks with onprem.sites): how it connects, and what its people configure: the WireGuard gateway's address and public keys (gateway), or the HA VPN gateway's two addresses (vpn).",
        example:
            '{"festival": {"mode": "gateway", "ranges": ["192.168.40.0/24"], "monitoredBy": "prd", "watched": true, "gatewayAddress": "35.200.1.2", "gatewayPublicKey": "...", "sitePublicKey": "..."}}',
    },
    onpremSiteTunnels: {
        type: "Record<string, string>",
        secret: true,
        when: "sites",
        description:
            "Each `gateway` site's WireGuard config (wg-quick `wg0.conf`) for the machine at the site; holds that machine's private key.",
        example: '{"festival": "[Interface]\\nAddress = 10.255.40.2/30 ..."}',
    },
    onpremSiteBundles: {
        type: "Record<string, Record<string, string>>",
        secret: true,
        when: "sites",
        description:
            "What each site's machine runs (every site the stack watches, and every `gateway` site it tunnels to), path to file content: `compose.yaml`, `README.md`, `blackbox.yml` and the secret files `secrets/wg0.conf` and `secrets/zabbix.psk` that compose.yaml names. Render writes the same under `sites/<site>/`, secret files as placeholders (docs/onprem.md, The site bundle).",
        example: '{"festival": {"compose.yaml": "name: festival-prd\\nservices: ...", "secrets/zabbix.psk": "..."}}',
    },
    grafanaUrl: {
        type: "string",
        secret: false,
        when: "monitoring",
        description: "Public Grafana URL (behind GitHub login).",
        example: '"https://grafana.dev.example.org"',
    },
    apps: {
        type: "Record<string, { namespace: string; hosts: string[]; backupBucket?: string }>",
        secret: false,
        when: "always",
        description:
            "Each app's namespace, published hosts and (gke, MySQL with backup) the bucket of its nightly dumps.",
        example: '{"vote": {"namespace": "vote", "hosts": ["vote.example.org"]}}',
    },
    imagesToPush: {
        type: "string[]",
        secret: false,
        when: "bootstrap",
        description:
            "Only while platform:bootstrap is true (the first deploy): the apps' images, `<repository>:<tag>`, that belong in the registry this stack created; push them, then set bootstrap to false.",
        example: '["asia-northeast1-docker.pkg.dev/acme-dev/apps/vote:3f2a9c1-20211120093000"]',
    },
    sablierUrl: {
        type: "string",
        secret: false,
        when: "previews",
        description: "Sablier server URL the branch previews' middleware calls; only when platform:previews.enabled.",
        example: '"http://sablier.sablier.svc.cluster.local:10000"',
    },
} as const satisfies Readonly<Record<string, OutputSpec>>;

type Outputs = typeof OUTPUTS;
type AlwaysKey = { [K in keyof Outputs]: Outputs[K]["when"] extends "always" ? K : never }[keyof Outputs];

/**
 * What the program returns: the `always` outputs required, the rest optional, nothing else. index.ts
 * returns it with `satisfies`, so a missing or misspelt output fails the type check.
 */
export type StackOutputs = { readonly [K in AlwaysKey]: unknown } & {
    readonly [K in Exclude<keyof Outputs, AlwaysKey>]?: unknown;
};

/** Whether a stack with this config exports the output. */
export function outputPresent(spec: OutputSpec, stack: ParsedStack): boolean {
    if (spec.when === "gke") return stack.cluster.mode === "gke";
    if (spec.when === "gitops") return stack.gitops.enabled;
    if (spec.when === "previews") return stack.previews.enabled;
    if (spec.when === "bootstrap") return stack.bootstrap;
    if (spec.when === "monitoring") return stack.monitoring.enabled;
    if (spec.when === "zabbix") return stack.monitoring.enabled && stack.monitoring.zabbix.enabled;
    if (spec.when === "sites") return stack.cluster.mode === "gke" && Object.keys(stack.onprem.sites).length > 0;
    if (spec.when === "snmpTraps")
        return (
            stack.cluster.mode === "gke" &&
            stack.monitoring.enabled &&
            stack.monitoring.zabbix.enabled &&
            stack.monitoring.zabbix.snmpTraps.enabled
        );
    return true;
}
