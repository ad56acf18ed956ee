import * as k8s from "@pulumi/kubernetes";
import { AppWorkload } from "../../components/apps/app-workload";
import { Application } from "../../components/apps/application";
import { shortUrn } from "../../render/urns";
import { recordResources } from "../harness";
import { FakePublisher, parseApp } from "./fixtures";

const IMAGE = "asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/demo:3f2a9c1-20211120093000";

function container(extra: Record<string, unknown> = {}) {
    return parseApp({ containers: [{ name: "web", image: IMAGE, port: 8080, ...extra }] }).containers[0]!;
}

function app(over: Partial<ConstructorParameters<typeof AppWorkload>[1]> = {}) {
    return () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        return new AppWorkload("demo", {
            provider,
            app: "demo",
            namespace: "demo",
            namespaceName: "demo",
            containers: [container()],
            replicas: 1,
            serviceAccountName: "demo",
            ...over,
        });
    };
}

function podTemplate(h: Awaited<ReturnType<typeof recordResources>>): any {
    return (h.object("Deployment", "demo") as any).spec.template;
}

describe("AppWorkload", () => {
    it("keeps the URNs it had as App (platform:apps:App), its children's too", async () => {
        const h = await recordResources(app());
        const aliases = (type: string) => h.one(type).aliases?.map(shortUrn);
        expect(h.one("platform:apps:AppWorkload").name).toBe("demo");
        expect(aliases("platform:apps:AppWorkload")).toEqual(["platform:apps:App::demo"]);
        expect(aliases("kubernetes:apps/v1:Deployment")).toContain(
            "platform:apps:App$kubernetes:apps/v1:Deployment::demo-deploy",
        );
    });

    it("rolls the pods when a config file changes, and only then", async () => {
        const withFile = (content: string) =>
            app({ containers: [container({ files: { "/etc/demo/config.toml": content } })] });
        const a = podTemplate(await recordResources(withFile("mode = 'a'\n")));
        const a2 = podTemplate(await recordResources(withFile("mode = 'a'\n")));
        const b = podTemplate(await recordResources(withFile("mode = 'b'\n")));
        expect(a.metadata.annotations["platform/config-hash"]).toEqual(a2.metadata.annotations["platform/config-hash"]);
        expect(b.metadata.annotations["platform/config-hash"]).not.toEqual(
            a.metadata.annotations["platform/config-hash"],
        );
        const mount = a.spec.containers[0].volumeMounts.find((m: any) => m.mountPath === "/etc/demo/config.toml");
        expect(mount.readOnly).toBe(true);
    });

    it("puts config files in a ConfigMap mounted at their paths", async () => {
        const h = await recordResources(app({ containers: [container({ files: { "/etc/demo/app.conf": "x=1\n" } })] }));
        const cm = h.object("ConfigMap", "demo-files") as any;
        const mount = podTemplate(h).spec.containers[0].volumeMounts.find((m: any) => m.name === "files");
        expect(cm.data[mount.subPath]).toBe("x=1\n");
    });

    it("adds a PodDisruptionBudget and spread only when there is more than one pod", async () => {
        const one = await recordResources(app({ replicas: 1 }));
        expect(one.objects().filter((o) => o.kind === "PodDisruptionBudget")).toHaveLength(0);
        expect(podTemplate(one).spec.topologySpreadConstraints).toBeUndefined();
        const three = await recordResources(app({ replicas: 3 }));
        const pdb = three.object("PodDisruptionBudget", "demo") as any;
        expect(pdb.spec.maxUnavailable).toBe(1);
        expect(pdb.spec.selector.matchLabels).toEqual(
            (three.object("Deployment", "demo") as any).spec.selector.matchLabels,
        );
        expect(podTemplate(three).spec.topologySpreadConstraints).toHaveLength(2);
        const min = await recordResources(app({ replicas: 3, minAvailable: 2 }));
        expect((min.object("PodDisruptionBudget", "demo") as any).spec.minAvailable).toBe(2);
    });

    it("leaves the replica count to the HPA when autoscaling", async () => {
        const h = await recordResources(app({ autoscale: { min: 3, max: 6, cpuPercent: 60 } }));
        expect((h.object("Deployment", "demo") as any).spec.replicas).toBeUndefined();
        const hpa = h.object("HorizontalPodAutoscaler", "demo") as any;
        expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 6]);
        expect(hpa.spec.metrics[0].resource.target.averageUtilization).toBe(60);
    });

    it("gives each writable path its own emptyDir under a read-only root", async () => {
        const h = await recordResources(
            app({ containers: [container({ writablePaths: ["/tmp", "/var/cache/nginx"] })] }),
        );
        const t = podTemplate(h);
        const mounts = t.spec.containers[0].volumeMounts.map((m: any) => m.mountPath);
        expect(mounts).toEqual(["/tmp", "/var/cache/nginx"]);
        expect(t.spec.volumes.every((v: any) => v.emptyDir !== undefined)).toBe(true);
        expect(t.spec.containers[0].securityContext.readOnlyRootFilesystem).toBe(true);
    });

    it("references generated and external secrets by key, never by value", async () => {
        const h = await recordResources(
            app({
                containers: [
                    container({
                        secretEnv: { API_TOKEN: { generate: 32 }, SMTP_PASSWORD: { secret: "mail", key: "password" } },
                    }),
                ],
            }),
        );
        const env = podTemplate(h).spec.containers[0].env;
        expect(env.find((e: any) => e.name === "API_TOKEN").valueFrom.secretKeyRef.name).toBe("demo-generated");
        expect(env.find((e: any) => e.name === "SMTP_PASSWORD").valueFrom.secretKeyRef).toEqual({
            name: "mail",
            key: "password",
        });
        expect(env.every((e: any) => e.value === undefined)).toBe(true);
        expect(h.redactedText()).not.toContain("render-generated");
    });

    it("publishes each host through the Publisher with the Service, port and auth", async () => {
        const publisher = new FakePublisher("dev.example.org");
        await recordResources(
            app({
                containers: [container(), { ...container(), name: "admin", port: 9000 }],
                hosts: [
                    { host: "demo.dev.example.org", auth: "public", websockets: true },
                    {
                        host: "admin.dev.example.org",
                        auth: "github",
                        container: "admin",
                        websockets: false,
                        paths: ["/admin"],
                    },
                ],
                publisher,
            }),
        );
        expect(publisher.calls.map((c) => [c.spec.host, c.spec.auth, c.spec.port, c.spec.namespace])).toEqual([
            ["demo.dev.example.org", "public", 8080, "demo"],
            ["admin.dev.example.org", "github", 9000, "demo"],
        ]);
        expect(publisher.calls[1]!.spec.paths).toEqual(["/admin"]);
        const names = publisher.calls.map((c) => c.name);
        expect(new Set(names).size).toBe(names.length);
        for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
        expect(publisher.calls[0]!.parent).toBe("AppWorkload");
    });
});

describe("Application with Google APIs", () => {
    it("binds the app's service account to its own Google service account in gke mode", async () => {
        const spec = parseApp({
            containers: [{ name: "web", image: IMAGE, port: 8080 }],
            google: { roles: ["roles/cloudtrace.agent"] },
        });
        const h = await recordResources(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            return new Application("app-demo", {
                provider,
                app: "demo",
                spec,
                environment: "dev",
                gcp: {
                    project: "clubplatform-dev",
                    region: "asia-northeast1",
                    workloadIdentityPool: "clubplatform-dev.svc.id.goog",
                },
            });
        });
        const wi = h.inputs(h.one("gcp:serviceaccount/iAMMember:IAMMember"));
        expect(wi.role).toBe("roles/iam.workloadIdentityUser");
        expect(wi.member).toBe("serviceAccount:clubplatform-dev.svc.id.goog[demo/demo]");
        const ksa = h.object("ServiceAccount", "demo") as any;
        expect(ksa.metadata.annotations["iam.gke.io/gcp-service-account"]).toMatch(/^wi-demo-app@/);
        expect(h.inputs(h.one("gcp:projects/iAMMember:IAMMember")).role).toBe("roles/cloudtrace.agent");
        expect(h.objects().map((o) => o.metadata.name)).toContain("allow-web-to-google-apis");
    });

    it("creates no Google identity without gcp (existing cluster mode)", async () => {
        const spec = parseApp({
            containers: [{ name: "web", image: IMAGE, port: 8080 }],
            google: { roles: ["roles/cloudtrace.agent"] },
        });
        const h = await recordResources(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
            return new Application("app-demo", { provider, app: "demo", spec, environment: "dev" });
        });
        expect(h.resources.filter((r) => r.type.startsWith("gcp:"))).toHaveLength(0);
        expect((h.object("ServiceAccount", "demo") as any).metadata.annotations).toBeUndefined();
    });
});
