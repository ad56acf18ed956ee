import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { TraefikAccess } from "../../components/edge/traefik-access";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { recordResources } from "../harness";
import { rendered } from "../rendered";

// The chart names its ServiceAccount after the release (`helm template` of traefik 41.3.0, release
// `traefik`), and the traefik.io kinds are what its CRD provider serves routes from.
const TRAEFIK_SA = { kind: "ServiceAccount", name: "traefik", namespace: "edge" };
const TRAEFIK_KINDS = new Set(["IngressRoute", "Middleware", "TLSStore", "TLSOption", "ServersTransport"]);

type Obj = { kind: string; metadata: { name: string; namespace?: string }; [k: string]: any };

function traefikChart(r: RenderResult) {
    return r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "traefik",
    )!;
}

function values(r: RenderResult): Record<string, any> {
    return unwrapSecrets(traefikChart(r).inputs.values) as Record<string, any>;
}

/** What a binding grants the Traefik ServiceAccount, by namespace (`*` for cluster-wide). */
function grantsToTraefik(r: RenderResult): Map<string, Obj> {
    const objects = r.objects as unknown as Obj[];
    const bound = new Map<string, Obj>();
    for (const b of objects.filter((o) => o.kind === "RoleBinding" || o.kind === "ClusterRoleBinding")) {
        const toTraefik = (b.subjects ?? []).some(
            (s: any) =>
                s.kind === TRAEFIK_SA.kind && s.name === TRAEFIK_SA.name && s.namespace === TRAEFIK_SA.namespace,
        );
        if (!toTraefik) continue;
        const role = objects.find(
            (o) =>
                o.kind === b.roleRef.kind &&
                o.metadata.name === b.roleRef.name &&
                (o.kind === "ClusterRole" || o.metadata.namespace === b.metadata.namespace),
        );
        bound.set(b.kind === "ClusterRoleBinding" ? "*" : b.metadata.namespace!, role!);
    }
    return bound;
}

function readsSecrets(role: Obj): boolean {
    return (role.rules ?? []).some(
        (rule: any) =>
            rule.apiGroups.includes("") &&
            rule.resources.includes("secrets") &&
            ["get", "list", "watch"].every((v) => rule.verbs.includes(v)),
    );
}

describe("render prd: Traefik reads Secrets only where it serves routes", () => {
    let prd: RenderResult;
    beforeAll(async () => {
        prd = await rendered("prd");
    }, 240_000);

    it("watches exactly the namespaces holding the routes, middlewares and TLS store it serves", () => {
        const served = new Set(
            (prd.objects as unknown as Obj[])
                .filter((o) => TRAEFIK_KINDS.has(o.kind))
                .map((o) => o.metadata.namespace!),
        );
        expect(served.size).toBeGreaterThan(2);
        expect([...values(prd).providers.kubernetesCRD.namespaces].sort()).toEqual([...served].sort());
    });

    it("has no ClusterRole from the chart, and stays off cluster-scoped resources", () => {
        expect(values(prd).rbac).toEqual({ enabled: false, namespaced: true });
    });

    it("can read Secrets in each watched namespace through a Role there, and nowhere else", () => {
        const grants = grantsToTraefik(prd);
        expect(grants.has("*")).toBe(false);
        const watched = [...values(prd).providers.kubernetesCRD.namespaces].sort();
        expect([...grants.keys()].sort()).toEqual(watched);
        for (const ns of watched) {
            const role = grants.get(ns)!;
            expect({ ns, kind: role.kind, readsSecrets: readsSecrets(role) }).toEqual({
                ns,
                kind: "Role",
                readsSecrets: true,
            });
            // Reading is all it may do.
            for (const rule of role.rules)
                expect(rule.verbs.filter((v: string) => !["get", "list", "watch"].includes(v))).toEqual([]);
        }
    });

    it("installs Traefik only after every one of those Roles and RoleBindings", () => {
        const chart = traefikChart(prd);
        const rbac = new Set(["Role", "RoleBinding"].map((k) => `kubernetes:rbac.authorization.k8s.io/v1:${k}`));
        const access = prd.resources.filter(
            (x) => rbac.has(x.type) && (unwrapSecrets(x.inputs.metadata) as { name: string }).name === TRAEFIK_SA.name,
        );
        expect(access.length).toBe(2 * values(prd).providers.kubernetesCRD.namespaces.length);
        for (const a of access) expect(chart.dependsOn).toContain(a.urn);
    });
});

describe("render dev: Traefik watches every namespace", () => {
    it("because the branch previews it serves live in namespaces dev never declares", async () => {
        const dev = await rendered("dev");
        const crd = values(dev).providers.kubernetesCRD;
        expect(crd.namespaces).toBeUndefined();
        expect(values(dev).rbac).toBeUndefined();
        expect(dev.resources.some((x) => x.type === "platform:apps:SablierServer")).toBe(true);
    });
});

describe("TraefikAccess", () => {
    it("grants a namespace once, and refuses a new one after the list is fixed", async () => {
        let error: unknown;
        const h = await recordResources(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            const access = new TraefikAccess({ provider, traefikNamespace: "edge", serviceAccount: "traefik" });
            const parent = new pulumi.ComponentResource("test:index:App", "vote");
            access.grant(parent, "vote");
            access.grant(parent, "vote");
            access.seal();
            try {
                access.grant(parent, "late");
            } catch (e) {
                error = e;
            }
        });
        expect(
            h
                .objects()
                .filter((o) => o.kind === "Role")
                .map((o) => o.metadata.namespace),
        ).toEqual(["vote"]);
        expect(String(error)).toContain("late");
    });
});
