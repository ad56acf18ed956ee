import { KubeObject } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { cidrContains } from "../../policy/rules/network";
import { METADATA_EGRESS_ANNOTATION } from "../../contract/annotations";
import { rendered } from "../rendered";

type Labels = Readonly<Record<string, string>>;
type Selector = { matchLabels?: Labels };
type Peer = { ipBlock?: { cidr: string; except?: string[] }; namespaceSelector?: Selector; podSelector?: Selector };
type Rule = { to?: Peer[]; ports?: { port?: number; protocol?: string }[] };
type Spec = { podSelector: Selector; policyTypes?: string[]; egress?: Rule[] };

/** Where a connection goes: an address outside the pod network, or a pod of a namespace. */
type Destination =
    | { readonly ip: string; readonly port: number; readonly protocol?: "TCP" | "UDP" }
    | { readonly namespace: string; readonly pod: Labels; readonly port: number; readonly protocol?: "TCP" | "UDP" };

const matches = (sel: Selector | undefined, labels: Labels) =>
    Object.entries(sel?.matchLabels ?? {}).every(([k, v]) => labels[k] === v);

function peerAdmits(peer: Peer, from: string, d: Destination): boolean {
    if ("ip" in d) {
        const b = peer.ipBlock;
        return b !== undefined && cidrContains(b.cidr, d.ip) && !(b.except ?? []).some((e) => cidrContains(e, d.ip));
    }
    if (peer.ipBlock) return false;
    const nsLabels = { "kubernetes.io/metadata.name": d.namespace };
    if (peer.namespaceSelector) return matches(peer.namespaceSelector, nsLabels) && matches(peer.podSelector, d.pod);
    return d.namespace === from && matches(peer.podSelector, d.pod);
}

/**
 * NetworkPolicy egress as Kubernetes decides it: a pod selected by no Egress policy may go
 * anywhere; otherwise a connection needs one rule of one policy selecting the pod that admits both
 * its destination and its port.
 */
function egressAllowed(r: RenderResult, namespace: string, pod: Labels, d: Destination): boolean {
    const policies = r.objects
        .filter((o) => o.kind === "NetworkPolicy" && o.metadata.namespace === namespace)
        .map((o) => o.spec as Spec)
        .filter((s) => (s.policyTypes ?? []).includes("Egress") && matches(s.podSelector, pod));
    if (policies.length === 0) return true;
    const protocol = d.protocol ?? "TCP";
    return policies.some((s) =>
        (s.egress ?? []).some(
            (rule) =>
                ((rule.to ?? []).length === 0 || (rule.to ?? []).some((p) => peerAdmits(p, namespace, d))) &&
                ((rule.ports ?? []).length === 0 ||
                    (rule.ports ?? []).some((p) => p.port === d.port && (p.protocol ?? "TCP") === protocol)),
        ),
    );
}

function chartNamespace(r: RenderResult, chart: string): string {
    const c = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === chart,
    )!;
    return unwrapSecrets(c.inputs.namespace) as string;
}

/** An address of the control plane, from the cluster's own declaration. */
function apiServerAddress(r: RenderResult): string {
    const cluster = r.resources.find((x) => x.type === "gcp:container/cluster:Cluster")!;
    const cidr = (unwrapSecrets(cluster.inputs) as any).privateClusterConfig.masterIpv4CidrBlock as string;
    const [a, b, c, d] = cidr.split("/")[0]!.split(".").map(Number) as [number, number, number, number];
    return `${a}.${b}.${c}.${d + 2}`;
}

const GITHUB = "140.82.112.3";
const LETS_ENCRYPT = "172.65.32.248";
const METADATA = "169.254.169.254";
const KUBE_DNS = { namespace: "kube-system", pod: { "k8s-app": "kube-dns" }, port: 53, protocol: "UDP" } as const;
const APP_POD = { namespace: "vote", pod: { "app.kubernetes.io/name": "vote" }, port: 8080 } as const;

function defaultDeniesEgress(r: RenderResult, namespace: string): boolean {
    return r.objects.some(
        (o: KubeObject) =>
            o.kind === "NetworkPolicy" &&
            o.metadata.namespace === namespace &&
            Object.keys((o.spec as Spec).podSelector ?? {}).length === 0 &&
            ((o.spec as Spec).policyTypes ?? []).includes("Egress") &&
            ((o.spec as Spec).egress ?? []).length === 0,
    );
}

describe.each(["dev", "prd"] as const)("the %s stack's egress", (stack) => {
    let r: RenderResult;
    let api: string;
    const out = (ns: string, pod: Labels, d: Destination) => egressAllowed(r, ns, pod, d);
    beforeAll(async () => {
        r = await rendered(stack);
        api = apiServerAddress(r);
    });

    it("is denied by default in edge, cert-manager and monitoring", () => {
        for (const ns of [
            chartNamespace(r, "traefik"),
            chartNamespace(r, "cert-manager"),
            r.outputs.monitoringNamespace as string,
        ])
            expect({ ns, denied: defaultDeniesEgress(r, ns) }).toEqual({ ns, denied: true });
    });

    it("lets Traefik reach DNS, the API server and the pods it routes to, nothing outside, and oauth2-proxy only GitHub", () => {
        const ns = chartNamespace(r, "traefik");
        const traefik = { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": `traefik-${ns}` };
        const proxy = { "app.kubernetes.io/name": "oauth2-proxy" };
        expect(out(ns, traefik, KUBE_DNS)).toBe(true);
        expect(out(ns, traefik, { ip: api, port: 443 })).toBe(true);
        expect(out(ns, traefik, APP_POD)).toBe(true);
        expect(out(ns, traefik, { namespace: ns, pod: proxy, port: 4180 })).toBe(true);
        expect(out(ns, traefik, { ip: METADATA, port: 80 })).toBe(false);
        expect(out(ns, traefik, { ip: GITHUB, port: 22 })).toBe(false);
        // Nothing to download: its one plugin is local, on dev too.
        expect(out(ns, traefik, { ip: GITHUB, port: 443 })).toBe(false);
        expect(out(ns, proxy, { ip: GITHUB, port: 443 })).toBe(true);
        expect(out(ns, proxy, KUBE_DNS)).toBe(true);
        expect(out(ns, proxy, { ip: METADATA, port: 80 })).toBe(false);
        expect(out(ns, proxy, { ip: "10.20.0.5", port: 443 })).toBe(false);
        expect(out(ns, proxy, APP_POD)).toBe(false);
        expect(out(ns, proxy, { ip: api, port: 443 })).toBe(false);
    });

    it("lets cert-manager's controller reach Let's Encrypt, Cloud DNS and its token, and the rest only the API server", () => {
        const ns = chartNamespace(r, "cert-manager");
        const pod = (component: string) => ({
            "app.kubernetes.io/name": component === "controller" ? "cert-manager" : component,
            "app.kubernetes.io/instance": "cert-manager",
            "app.kubernetes.io/component": component,
        });
        const controller = pod("controller");
        expect(out(ns, controller, { ip: LETS_ENCRYPT, port: 443 })).toBe(true);
        expect(out(ns, controller, { ip: "8.8.8.8", port: 53, protocol: "UDP" })).toBe(true);
        expect(out(ns, controller, { ip: METADATA, port: 80 })).toBe(true);
        expect(out(ns, controller, { ip: api, port: 443 })).toBe(true);
        expect(out(ns, controller, { ip: "10.20.0.5", port: 443 })).toBe(false);
        expect(out(ns, controller, APP_POD)).toBe(false);
        // The metadata server only through a policy that says why (rule networkpolicy-metadata-server).
        const toMetadata = r.objects.filter(
            (o) =>
                o.kind === "NetworkPolicy" &&
                o.metadata.namespace === ns &&
                JSON.stringify(o.spec).includes("169.254.169.254/32"),
        );
        expect(toMetadata.length).toBeGreaterThan(0);
        for (const p of toMetadata)
            expect((p.metadata.annotations as Record<string, string>)[METADATA_EGRESS_ANNOTATION]).toMatch(/\w/);
        for (const other of [pod("webhook"), pod("cainjector")]) {
            expect(out(ns, other, { ip: api, port: 443 })).toBe(true);
            expect(out(ns, other, KUBE_DNS)).toBe(true);
            expect(out(ns, other, { ip: METADATA, port: 80 })).toBe(false);
            expect(out(ns, other, { ip: LETS_ENCRYPT, port: 443 })).toBe(false);
        }
    });

    it("lets each monitoring component reach what it needs, and none of them the metadata server", () => {
        const ns = r.outputs.monitoringNamespace as string;
        const name = (n: string, extra: Labels = {}) => ({ "app.kubernetes.io/name": n, ...extra });
        const prometheus = name("prometheus");
        const alertmanager = name("alertmanager");
        const grafana = name("grafana");
        // The zabbix chart's server pods (release `zabbix`).
        const zabbixServer = name("zabbix", {
            "app.kubernetes.io/instance": "zabbix",
            "app.kubernetes.io/component": "server",
        });
        const bootstrap = name("zabbix-bootstrap");
        const kubeStateMetrics = name("kube-state-metrics");
        const zabbixWeb = { namespace: ns, pod: name("zabbix", { "app.kubernetes.io/component": "web" }), port: 8080 };
        // Scrapes: pods anywhere, node-exporter and the kubelet on the nodes.
        expect(out(ns, prometheus, { ...APP_POD, port: 9090 })).toBe(true);
        expect(out(ns, prometheus, { ip: "10.128.0.5", port: 9100 })).toBe(true);
        expect(out(ns, prometheus, { ip: "10.128.0.5", port: 10250 })).toBe(true);
        expect(out(ns, prometheus, { ip: GITHUB, port: 443 })).toBe(false);
        // Receivers outside; nothing private.
        expect(out(ns, alertmanager, { ip: "34.120.0.9", port: 443 })).toBe(true);
        expect(out(ns, alertmanager, { ip: "10.20.0.5", port: 5432 })).toBe(false);
        expect(out(ns, grafana, { ip: GITHUB, port: 443 })).toBe(true);
        expect(out(ns, grafana, { namespace: ns, pod: prometheus, port: 9090 })).toBe(true);
        // Zabbix polls on-prem hosts (IPMI) and reaches its database here.
        expect(out(ns, zabbixServer, { ip: "10.50.100.11", port: 623, protocol: "UDP" })).toBe(true);
        expect(out(ns, zabbixServer, { namespace: ns, pod: name("postgresql"), port: 5432 })).toBe(true);
        // The bootstrap Job: the Zabbix API and the API server (its Secret), nothing outside.
        expect(out(ns, bootstrap, zabbixWeb)).toBe(true);
        expect(out(ns, bootstrap, { ip: api, port: 443 })).toBe(true);
        expect(out(ns, bootstrap, { ip: GITHUB, port: 443 })).toBe(false);
        expect(out(ns, kubeStateMetrics, { ip: api, port: 443 })).toBe(true);
        expect(out(ns, kubeStateMetrics, { ip: GITHUB, port: 443 })).toBe(false);
        for (const pod of [
            prometheus,
            alertmanager,
            grafana,
            zabbixServer,
            bootstrap,
            name("prometheus-blackbox-exporter"),
        ])
            expect({ pod, metadata: out(ns, pod, { ip: METADATA, port: 80 }) }).toEqual({ pod, metadata: false });
    });

    it("lets the log-alert relay reach Pub/Sub and its Workload Identity token, Alertmanager, nothing private", () => {
        const ns = r.outputs.monitoringNamespace as string;
        const relay = r.objects.find((o) => o.kind === "Deployment" && o.metadata.name === "log-alert-relay") as any;
        expect(relay).toBeDefined();
        const pod: Labels = relay.spec.template.metadata.labels;
        expect(out(ns, pod, { ip: "142.250.0.95", port: 443 })).toBe(true);
        expect(out(ns, pod, { ip: METADATA, port: 80 })).toBe(true);
        expect(out(ns, pod, { namespace: ns, pod: { "app.kubernetes.io/name": "alertmanager" }, port: 9093 })).toBe(
            true,
        );
        expect(out(ns, pod, { ip: "10.20.0.5", port: 5432 })).toBe(false);
        expect(out(ns, pod, { ip: "142.250.0.95", port: 80 })).toBe(false);
    });

    it("lets Grafana reach its private database when it has one", () => {
        const ns = r.outputs.monitoringNamespace as string;
        const grafana = { "app.kubernetes.io/name": "grafana" };
        const kps = r.resources.find(
            (x) =>
                x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "kube-prometheus-stack",
        )!;
        const ini = (unwrapSecrets(kps.inputs.values) as any).grafana["grafana.ini"];
        const sql = r.resources.find((x) => x.type === "gcp:sql/databaseInstance:DatabaseInstance");
        expect(out(ns, grafana, { ip: "10.60.0.3", port: 5432 })).toBe(ini.database !== undefined && sql !== undefined);
    });
});
