// JSON answers and manifests are untyped data here; `any` reads them without ceremony.

import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ExternalHost, ExternalHostArgs } from "../../components/onprem/external-host";
import { onpremHostSchema } from "../../config/sections/onprem";
import { recordResources } from "../harness";

const controller = onpremHostSchema.parse({
    kind: "service",
    address: "192.168.40.10",
    ports: [
        { name: "grpc", port: 50051 },
        { name: "stats", port: 8125, protocol: "UDP" },
    ],
    dns: true,
});
const board = onpremHostSchema.parse({ kind: "microcontroller", address: "192.168.40.101" });

function declare(name: string, host: typeof controller, extra: Partial<ExternalHostArgs> = {}) {
    return () => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "render" });
        return new ExternalHost(`onprem-${name}`, {
            name,
            host,
            namespace: "onprem",
            provider,
            blackboxAddress: "blackbox-exporter.monitoring.svc:9115",
            ...extra,
        });
    };
}

const zone = {
    domain: "onprem.dev.example.org",
    zoneName: pulumi.output("onprem-dev-example-org"),
    ttl: 300,
    visibility: "private" as const,
};

describe("ExternalHost", () => {
    it("gives the host a Service without selector and an EndpointSlice with its address and ports", async () => {
        const h = await recordResources(declare("plarail-controller", controller));
        const svc = h.object("Service", "plarail-controller") as any;
        expect(svc.metadata.namespace).toBe("onprem");
        expect(svc.spec.selector).toBeUndefined();
        expect(svc.spec.ports).toEqual([
            { name: "grpc", port: 50051, targetPort: 50051, protocol: "TCP" },
            { name: "stats", port: 8125, targetPort: 8125, protocol: "UDP" },
        ]);
        const slice = h.object("EndpointSlice", "plarail-controller") as any;
        expect(slice.apiVersion).toBe("discovery.k8s.io/v1");
        expect(slice.metadata.labels["kubernetes.io/service-name"]).toBe("plarail-controller");
        // The EndpointSlice controller would delete a slice claiming to be its own.
        expect(slice.metadata.labels["endpointslice.kubernetes.io/managed-by"]).not.toBe(
            "endpointslice-controller.k8s.io",
        );
        expect(slice.addressType).toBe("IPv4");
        expect(slice.endpoints).toEqual([{ addresses: ["192.168.40.10"], conditions: { ready: true } }]);
        expect(slice.ports.map((p: any) => `${p.name}:${p.port}/${p.protocol}`)).toEqual([
            "grpc:50051/TCP",
            "stats:8125/UDP",
        ]);
    });

    it("makes a port-less host's Service headless, so its name resolves to the address", async () => {
        const h = await recordResources(declare("esp32-01", board));
        const svc = h.object("Service", "esp32-01") as any;
        expect(svc.spec.clusterIP).toBe("None");
        expect(svc.spec.ports).toBeUndefined();
        expect((h.object("EndpointSlice", "esp32-01") as any).endpoints[0].addresses).toEqual(["192.168.40.101"]);
    });

    it("probes a service over TCP on its TCP ports and a board over ICMP, through the blackbox exporter", async () => {
        const svc = await recordResources(
            declare("plarail-controller", controller, { blackboxAddress: "bb.monitoring.svc:9115" }),
        );
        const probes = svc.objects().filter((o) => o.kind === "Probe") as any[];
        expect(probes).toHaveLength(1); // the UDP port is not probed
        expect(probes[0].apiVersion).toBe("monitoring.coreos.com/v1");
        expect(probes[0].spec.module).toBe("tcp_connect");
        expect(probes[0].spec.prober).toEqual({ url: "bb.monitoring.svc:9115", path: "/probe" });
        expect(probes[0].spec.targets.staticConfig.static).toEqual(["192.168.40.10:50051"]);
        expect(probes[0].spec.targets.staticConfig.labels.onprem_host).toBe("plarail-controller");

        const b = await recordResources(declare("esp32-01", board));
        const icmp = b.objects().filter((o) => o.kind === "Probe") as any[];
        expect(icmp.map((p) => [p.spec.module, p.spec.targets.staticConfig.static])).toEqual([
            ["icmp", ["192.168.40.101"]],
        ]);
    });

    it("turns an http probe into a URL target", async () => {
        const web = onpremHostSchema.parse({
            kind: "service",
            address: "10.0.0.5",
            ports: [{ name: "web", port: 8080 }],
            probes: [{ module: "http", port: "web", path: "/healthz" }],
        });
        const h = await recordResources(declare("scoreboard", web));
        const probe = h.object("Probe", "scoreboard-http-web") as any;
        expect(probe.spec.module).toBe("http_2xx");
        expect(probe.spec.targets.staticConfig.static).toEqual(["http://10.0.0.5:8080/healthz"]);
    });

    it("alerts when the host stops answering, and makes neither probe nor alert with probes: []", async () => {
        const h = await recordResources(declare("esp32-01", board));
        const rule = h.object("PrometheusRule", "esp32-01-down") as any;
        const alerts = rule.spec.groups[0].rules;
        const down = alerts.find((r: any) => r.alert === "OnpremHostDown");
        expect(down.expr).toContain('probe_success{onprem_host="esp32-01"}');
        expect(down.expr).toContain("== 0");
        expect(down.labels.severity).toBe("warning");

        const quiet = await recordResources(declare("esp32-02", { ...board, probes: [] }));
        expect(quiet.objects().filter((o) => o.kind === "Probe" || o.kind === "PrometheusRule")).toEqual([]);
    });

    it("refuses to put its private address in a public zone", async () => {
        const publicZone = { ...zone, domain: "dev.example.org", visibility: "public" as const };
        await expect(
            recordResources(declare("plarail-controller", controller, { dnsZone: publicZone })),
        ).rejects.toThrow(
            "plarail-controller.dev.example.org -> 192.168.40.10 is a private address (192.168.0.0/16); it goes in a private zone, never the public zone dev.example.org",
        );
    });

    it("adds an A record under the zone when asked and a zone exists, and none otherwise", async () => {
        const withZone = await recordResources(declare("plarail-controller", controller, { dnsZone: zone }));
        const rec = withZone.inputs(withZone.one("gcp:dns/recordSet:RecordSet"));
        expect(rec.name).toBe("plarail-controller.onprem.dev.example.org.");
        expect(rec.type).toBe("A");
        expect(rec.rrdatas).toEqual(["192.168.40.10"]);

        const noZone = await recordResources(declare("plarail-controller", controller));
        expect(noZone.ofType("gcp:dns/recordSet:RecordSet")).toEqual([]);
        const notAsked = await recordResources(declare("esp32-01", board, { dnsZone: zone }));
        expect(notAsked.ofType("gcp:dns/recordSet:RecordSet")).toEqual([]);
    });

    it("makes the Probe and rule wait for the CRD chart", async () => {
        let crd: pulumi.Resource | undefined;
        const h = await recordResources(() => {
            const provider = new k8s.Provider("k8s", { kubeconfig: "render" });
            crd = new k8s.core.v1.ConfigMap(
                "crd-stand-in",
                { metadata: { name: "x", namespace: "monitoring" } },
                { provider },
            );
            return new ExternalHost("onprem-esp", {
                name: "esp",
                host: board,
                namespace: "onprem",
                blackboxAddress: "blackbox-exporter.monitoring.svc:9115",
                provider,
                crdDependsOn: [crd],
            });
        });
        const crdUrn = h.resources.find((r) => r.name === "crd-stand-in")!.urn;
        const crs = h
            .ofType("kubernetes:monitoring.coreos.com/v1:Probe")
            .concat(h.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule"));
        expect(crs).toHaveLength(2);
        for (const r of crs) expect(r.dependsOn).toContain(crdUrn);
        expect(h.resources.find((r) => r.type === "kubernetes:core/v1:Service")!.dependsOn).not.toContain(crdUrn);
    });
});
