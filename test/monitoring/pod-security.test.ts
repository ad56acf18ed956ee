import { KubeObject } from "../../render/objects";
import { unwrapSecrets } from "../../render/redact";
import { renderStack, RenderResult } from "../../render/render";
import { rendered } from "../rendered";
import { branchPreviewStackFile } from "../stack-files";

const ENFORCE = "pod-security.kubernetes.io/enforce";

/** What Pod Security `baseline` lets a container add (the Kubernetes Pod Security Standards). */
const BASELINE_CAPABILITIES = new Set([
    "AUDIT_WRITE",
    "CHOWN",
    "DAC_OVERRIDE",
    "FOWNER",
    "FSETID",
    "KILL",
    "MKNOD",
    "NET_BIND_SERVICE",
    "SETFCAP",
    "SETGID",
    "SETPCAP",
    "SETUID",
    "SYS_CHROOT",
]);

/** Resources whose writers decide what a pod runs (its spec), directly or through a template. */
const POD_SPEC_RESOURCES = new Set([
    "pods",
    "deployments",
    "daemonsets",
    "statefulsets",
    "replicasets",
    "replicationcontrollers",
    "jobs",
    "cronjobs",
    "*",
]);
const WRITE_VERBS = new Set(["create", "update", "patch", "*"]);

type Rule = { apiGroups?: string[]; resources?: string[]; verbs?: string[] };

function namespacesAt(r: RenderResult, level: string): string[] {
    return r.objects
        .filter((o) => o.kind === "Namespace" && (o.metadata.labels as Record<string, string>)?.[ENFORCE] === level)
        .map((o) => o.metadata.name!)
        .sort();
}

function chartValues(
    r: RenderResult,
    chart: string,
): { values: Record<string, any>; urn: string; dependsOn: readonly string[] } {
    const c = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === chart,
    )!;
    return { values: unwrapSecrets(c.inputs.values) as Record<string, any>, urn: c.urn, dependsOn: c.dependsOn };
}

/** The rules of `o` that let their holder write a pod spec (a sub-resource such as `/scale` does not). */
function podSpecWrites(o: KubeObject): Rule[] {
    return ((o.rules ?? []) as Rule[]).filter(
        (rule) =>
            (rule.resources ?? []).some((res) => POD_SPEC_RESOURCES.has(res)) &&
            (rule.verbs ?? []).some((v) => WRITE_VERBS.has(v)),
    );
}

describe.each(["dev", "prd"] as const)("the %s stack's Pod Security levels", (stack) => {
    let r: RenderResult;
    beforeAll(async () => {
        r = await rendered(stack);
    });

    it("are privileged only in the namespace node-exporter runs in, and node-exporter runs there", () => {
        const privileged = namespacesAt(r, "privileged");
        expect(privileged).toHaveLength(1);
        const kps = chartValues(r, "kube-prometheus-stack");
        expect(kps.values["prometheus-node-exporter"]?.namespaceOverride).toBe(privileged[0]);
        // The release creates the DaemonSet there: it waits for that Namespace.
        const ns = r.resources.find(
            (x) =>
                x.type === "kubernetes:core/v1:Namespace" &&
                (unwrapSecrets(x.inputs) as { metadata: { name: string } }).metadata.name === privileged[0],
        )!;
        expect(kps.dependsOn).toContain(ns.urn);
    });

    it("hold the rest of monitoring at baseline or stricter", () => {
        const monitoring = r.outputs.monitoringNamespace as string;
        expect([...namespacesAt(r, "baseline"), ...namespacesAt(r, "restricted")]).toContain(monitoring);
        // The charts installed into monitoring add no capability baseline refuses (NET_RAW was one).
        const blackbox = chartValues(r, "prometheus-blackbox-exporter").values;
        const added = (blackbox.securityContext?.capabilities?.add ?? []) as string[];
        expect(added.filter((c) => !BASELINE_CAPABILITIES.has(c))).toEqual([]);
    });

    // The objects the program declares; the charts' own RBAC is not rendered offline (no chart
    // sources): their pod-spec writers are the operators' (kube-prometheus-stack, Flux), by design.
    it("declare no Role in a privileged namespace, and no ClusterRole, that can write a pod spec", () => {
        const privileged = new Set(namespacesAt(r, "privileged"));
        const roles = r.objects.filter(
            (o) => o.kind === "ClusterRole" || (o.kind === "Role" && privileged.has(o.metadata.namespace!)),
        );
        const writers = roles
            .filter((o) => podSpecWrites(o).length > 0)
            .map((o) => `${o.kind} ${o.metadata.namespace ?? ""}/${o.metadata.name}`);
        expect(writers).toEqual([]);
    });

    it("give the Zabbix bootstrap Job's Role its token Secret and nothing that runs pods", () => {
        const role = r.objects.find((o) => o.kind === "Role" && o.metadata.name === "zabbix-bootstrap");
        expect(role).toBeDefined();
        expect(podSpecWrites(role!)).toEqual([]);
        expect(((role!.rules ?? []) as Rule[]).flatMap((x) => x.resources ?? [])).toEqual(["secrets"]);
    });
});

describe("a branch preview", () => {
    it("creates no privileged namespace", async () => {
        const r = await renderStack({ stack: "dev-br-x", stackFile: branchPreviewStackFile() });
        expect(r.objects.some((o) => o.kind === "Namespace")).toBe(true);
        expect(namespacesAt(r, "privileged")).toEqual([]);
    });
});
