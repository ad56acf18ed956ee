import * as k8s from "@pulumi/kubernetes";
import { SablierServer } from "../../components/apps/sablier";
import { IMAGES } from "../../components/versions";
import { recordResources } from "../harness";

function server() {
    return recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        return new SablierServer("sablier", {
            provider,
            namespace: "sablier",
            traefikNamespace: "edge",
            apiServer: [{ cidr: "172.16.0.0/28", port: 443 }],
        });
    });
}

describe("SablierServer", () => {
    it("may only read and scale Deployments and StatefulSets", async () => {
        const role = (await server()).object("ClusterRole", "platform-sablier") as any;
        const verbs = new Set(role.rules.flatMap((r: any) => r.verbs));
        expect(verbs.has("delete")).toBe(false);
        expect(verbs.has("create")).toBe(false);
        const resources = role.rules.flatMap((r: any) => r.resources).sort();
        expect(resources).toEqual(["deployments", "deployments/scale", "statefulsets", "statefulsets/scale"]);
        const writes = role.rules.filter((r: any) => r.verbs.includes("patch"));
        expect(writes.flatMap((r: any) => r.resources).every((x: string) => x.endsWith("/scale"))).toBe(true);
    });

    it("runs the pinned image with the Kubernetes provider, reachable only from Traefik", async () => {
        const h = await server();
        const d = h.object("Deployment", "sablier") as any;
        const c = d.spec.template.spec.containers[0];
        expect(c.image).toBe(IMAGES.sablier);
        expect(c.image).toMatch(/:[0-9]+\.[0-9]+\.[0-9]+$/);
        expect(c.args).toContain("--provider.name=kubernetes");
        expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
        const binding = h.object("ClusterRoleBinding", "platform-sablier") as any;
        expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "sablier", namespace: "sablier" }]);
        const from = (h.object("NetworkPolicy", "allow-from-traefik") as any).spec.ingress[0];
        expect(from.from[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"]).toBe("edge");
        expect((h.object("NetworkPolicy", "allow-to-apiserver") as any).spec.egress[0].to).toEqual([
            { ipBlock: { cidr: "172.16.0.0/28" } },
        ]);
    });
});
