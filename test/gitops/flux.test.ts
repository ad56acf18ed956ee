import * as k8s from "@pulumi/kubernetes";
import { Flux, FluxArgs } from "../../components/gitops/flux";
import { kubeObjects } from "../../render/objects";
import { validateObjects } from "../../render/validate";
import { Loose, specOf } from "./loose";
import { recordResources } from "../harness";

const CHART = "kubernetes:helm.sh/v4:Chart";

function build(over: Partial<Omit<FluxArgs, "provider">> = {}) {
    return recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        return new Flux("flux", { provider, metricsNamespace: "monitoring", ...over });
    });
}

const CONTROLLERS = [
    "sourceController",
    "kustomizeController",
    "helmController",
    "notificationController",
    "imageReflectionController",
    "imageAutomationController",
];

describe("Flux", () => {
    it("installs the community flux2 chart at a pinned version into flux-system", async () => {
        const h = await build();
        const chart = h.inputs(h.one(CHART));
        expect(chart.chart).toBe("flux2");
        expect(chart.repositoryOpts.repo).toBe("https://fluxcd-community.github.io/helm-charts");
        expect(chart.version).toMatch(/^[0-9]+\.[0-9]+\.[0-9]+$/);
        expect(chart.namespace).toBe("flux-system");
        expect(chart.values.installCRDs).toBe(true);
    });

    it("runs the image reflector and image automation controllers", async () => {
        const h = await build();
        const values = h.inputs(h.one(CHART)).values;
        expect(values.imageReflectionController.create).toBe(true);
        expect(values.imageAutomationController.create).toBe(true);
    });

    it("gives every controller CPU and memory requests and limits", async () => {
        const h = await build();
        const values = h.inputs(h.one(CHART)).values;
        for (const c of CONTROLLERS) {
            const r = values[c].resources;
            expect({ c, requests: Object.keys(r.requests).sort(), limits: Object.keys(r.limits).sort() }).toEqual({
                c,
                requests: ["cpu", "memory"],
                limits: ["cpu", "memory"],
            });
        }
    });

    it("annotates the reflector's service account for Workload Identity only when given one", async () => {
        const email = "flux-image-reflector@clubplatform-dev.iam.gserviceaccount.com";
        const withSa = await build({ reflectorServiceAccount: email });
        expect(withSa.inputs(withSa.one(CHART)).values.imageReflectionController.serviceAccount.annotations).toEqual({
            "iam.gke.io/gcp-service-account": email,
        });
        const without = await build();
        expect(without.inputs(without.one(CHART)).values.imageReflectionController.serviceAccount.annotations).toEqual(
            {},
        );
    });

    it("puts flux-system under the restricted Pod Security standard", async () => {
        const ns = (await build()).object("Namespace", "flux-system");
        expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    });

    it("denies all traffic by default and opens only what the controllers need", async () => {
        const h = await build({ metricsNamespace: "observability" });
        expect(h.inputs(h.one(CHART)).values.policies.create).toBe(false);
        const policies = h.objects().filter((o) => o.kind === "NetworkPolicy");
        const deny = policies.find((p) => specOf(p).ingress === undefined && specOf(p).egress === undefined);
        expect(deny?.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
        // Ingress from outside the namespace: only metrics, only from the monitoring namespace.
        const external = policies.flatMap((p) =>
            (specOf(p).ingress ?? []).filter((rule: Loose) =>
                (rule.from ?? []).some((f: Loose) => f.namespaceSelector !== undefined || f.ipBlock !== undefined),
            ),
        );
        expect(external).toEqual([
            {
                from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "observability" } } }],
                ports: [{ protocol: "TCP", port: 8080 }],
            },
        ]);
        // Egress leaves the namespace only on DNS, SSH, HTTPS, the API server and the metadata server.
        const ports = policies
            .flatMap((p) => specOf(p).egress ?? [])
            .flatMap((rule: Loose) => (rule.ports ?? []).map((x: Loose) => x.port));
        expect(new Set(ports)).toEqual(new Set([53, 22, 443, 6443, 80, 988]));
    });

    it("installs the chart only after the namespace and its policies exist", async () => {
        const h = await build();
        const chart = h.one(CHART);
        const first = h.resources.filter((r) =>
            ["kubernetes:core/v1:Namespace", "kubernetes:networking.k8s.io/v1:NetworkPolicy"].includes(r.type),
        );
        expect(first).toHaveLength(5);
        for (const r of first) expect(chart.dependsOn).toContain(r.urn);
    });

    it("produces objects that validate against the Kubernetes schemas", async () => {
        const h = await build();
        expect(await validateObjects(kubeObjects(h.resources, true))).toEqual([]);
    });
});
