import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { changesOf, errorsOf, resourcesOf, run, TOOL_BUILD_TIMEOUT_SECONDS } from "../../scripts/e2e/cli";
import { traefikReadsSecrets, TRAEFIK_USER, withoutPreviews } from "../../scripts/e2e/without-previews";
import { lookups, namesPrinted, ownedObjects, resourceArg } from "../../scripts/e2e/leftovers";
import { unwrapSecrets } from "../../render/redact";
import { renderStack, ROOT } from "../../render/render";
import { parse } from "yaml";
import { sentinelSecrets } from "../stack-files";

const E2E_STACK = path.join(ROOT, "e2e", "Pulumi.e2e.yaml");

describe("the e2e stack file", () => {
    it("turns on every Kubernetes layer and renders with no errors, no GCP resource", async () => {
        const r = await renderStack({
            stack: "e2e",
            stackFile: E2E_STACK,
            secrets: sentinelSecrets("e2e", "E2E", E2E_STACK),
        });
        expect(r.errors).toEqual([]);
        const types = new Set(r.resources.map((x) => x.type));
        for (const layer of ["Edge", "Monitoring", "Onprem", "GitOps", "SablierServer", "Application"]) {
            expect([...types].some((t) => t.endsWith(`:${layer}`))).toBe(true);
        }
        expect([...types].filter((t) => t.startsWith("gcp:"))).toEqual([]);
        expect(r.charts.map((c) => c.chart).sort()).toEqual([
            "cert-manager",
            "flux2",
            "kube-prometheus-stack",
            // The stack's own and the branch previews' (it hosts previews).
            "oauth2-proxy",
            "oauth2-proxy",
            "prometheus-blackbox-exporter",
            "traefik",
            "zabbix",
        ]);
    });
});

describe("the e2e stack without previews (the interrupted stack's shape)", () => {
    it("keeps the stack file's salt and secrets, and turns off only previews and Sablier", () => {
        const text = `encryptionsalt: v1:abc\n${readFileSync(E2E_STACK, "utf8")}  platform:secret:\n    secure: v1:xyz\n`;
        const before = parse(text) as Record<string, any>;
        const after = parse(withoutPreviews(text)) as Record<string, any>;
        expect(after.encryptionsalt).toBe("v1:abc");
        expect(after.config["platform:secret"]).toEqual({ secure: "v1:xyz" });
        expect(before.config["platform:previews"].enabled).toBe(true);
        expect(after.config["platform:previews"].enabled).toBe(false);
        expect(after.config["platform:edge"]).toEqual({ ...before.config["platform:edge"], sablier: false });
        const untouched = (c: Record<string, unknown>) =>
            Object.fromEntries(Object.entries(c).filter(([k]) => k !== "platform:previews" && k !== "platform:edge"));
        expect(untouched(after.config)).toEqual(untouched(before.config));
    });

    it("renders a Traefik that watches the app namespaces it asks about, not flux-system", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "e2e-day2-"));
        const file = path.join(dir, "Pulumi.e2e.yaml");
        writeFileSync(file, withoutPreviews(readFileSync(E2E_STACK, "utf8")));
        const r = await renderStack({
            stack: "e2e",
            stackFile: file,
            secrets: sentinelSecrets("e2e", "E2E", E2E_STACK),
        });
        expect(r.errors).toEqual([]);
        const traefik = r.charts.find((c) => c.chart === "traefik")!;
        const watched = (unwrapSecrets(traefik.values) as any).providers.kubernetesCRD.namespaces as string[];
        expect(watched).toContain("vote");
        expect(watched).not.toContain("flux-system");
        expect(r.resources.some((x) => x.type.endsWith(":SablierServer"))).toBe(false);
    });

    it("asks the API server about Traefik's own ServiceAccount, in one namespace or all", () => {
        expect(traefikReadsSecrets("vote")).toEqual([
            "auth",
            "can-i",
            "list",
            "secrets",
            "--namespace",
            "vote",
            "--as",
            TRAEFIK_USER,
        ]);
        expect(traefikReadsSecrets("every namespace")).toContain("--all-namespaces");
    });
});

describe("reading the engine's JSON", () => {
    it("counts every operation but same as a change", () => {
        const json = JSON.stringify({ changeSummary: { same: 200, update: 2, create: 1 } });
        expect(changesOf(json)).toBe(3);
        expect(resourcesOf(json)).toBe(203);
        expect(changesOf(JSON.stringify({ changeSummary: { same: 5 } }))).toBe(0);
        expect(changesOf("not json")).toBeUndefined();
    });

    it("reads the summary event at the end of an up's event stream", () => {
        const stream = [
            { sequence: 1, resourcePreEvent: { metadata: { op: "create" } } },
            { sequence: 2, summaryEvent: { durationSeconds: 357, resourceChanges: { create: 255 } } },
        ]
            .map((e) => JSON.stringify(e))
            .join("\n");
        expect(changesOf(stream)).toBe(255);
        expect(resourcesOf(stream)).toBe(255);
        expect(changesOf(JSON.stringify({ sequence: 1 }))).toBeUndefined();
    });

    it("names the errors of a failed run, from an event stream or a preview document", () => {
        const urn = "urn:pulumi:e2e::platform::platform:edge:Edge$kubernetes:core/v1:Service::edge-traefik-service";
        const stream = [
            { sequence: 1, diagnosticEvent: { severity: "warning", message: "slow\n" } },
            { sequence: 2, diagnosticEvent: { urn, severity: "error", message: "timed out waiting\n" } },
        ]
            .map((e) => JSON.stringify(e))
            .join("\n");
        expect(errorsOf(stream)).toEqual(["edge-traefik-service: timed out waiting"]);
        const doc = JSON.stringify({ diagnostics: [{ severity: "error", message: "boom" }] });
        expect(errorsOf(doc)).toEqual(["boom"]);
        expect(errorsOf("not json")).toEqual([]);
    });

    it("takes namespaces and cluster-scoped objects from a state export, marking retained ones", () => {
        const exported = JSON.stringify({
            deployment: {
                resources: [
                    { type: "pulumi:providers:kubernetes", custom: true, outputs: {} },
                    {
                        type: "kubernetes:core/v1:Namespace",
                        custom: true,
                        outputs: { apiVersion: "v1", kind: "Namespace", metadata: { name: "edge" } },
                    },
                    {
                        type: "kubernetes:apps/v1:Deployment",
                        custom: true,
                        outputs: {
                            apiVersion: "apps/v1",
                            kind: "Deployment",
                            metadata: { name: "x", namespace: "edge" },
                        },
                    },
                    {
                        type: "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
                        custom: true,
                        retainOnDelete: true,
                        outputs: {
                            apiVersion: "apiextensions.k8s.io/v1",
                            kind: "CustomResourceDefinition",
                            metadata: { name: "probes.monitoring.coreos.com" },
                        },
                    },
                ],
            },
        });
        expect(ownedObjects(exported)).toEqual([
            { apiVersion: "v1", kind: "Namespace", name: "edge", retained: false },
            {
                apiVersion: "apiextensions.k8s.io/v1",
                kind: "CustomResourceDefinition",
                name: "probes.monitoring.coreos.com",
                retained: true,
            },
        ]);
    });

    it("lists the objects inside a kept namespace, since nothing deletes them with it", () => {
        const ns = (name: string, retainOnDelete: boolean) => ({
            type: "kubernetes:core/v1:Namespace",
            custom: true,
            retainOnDelete,
            outputs: { apiVersion: "v1", kind: "Namespace", metadata: { name } },
        });
        const secret = (namespace: string, retainOnDelete = false) => ({
            type: "kubernetes:core/v1:Secret",
            custom: true,
            retainOnDelete,
            outputs: { apiVersion: "v1", kind: "Secret", metadata: { name: `s-${namespace}`, namespace } },
        });
        const exported = JSON.stringify({
            deployment: { resources: [ns("uploader", true), ns("edge", false), secret("uploader"), secret("edge")] },
        });
        expect(ownedObjects(exported)).toEqual([
            { apiVersion: "v1", kind: "Namespace", name: "uploader", retained: true },
            { apiVersion: "v1", kind: "Namespace", name: "edge", retained: false },
            { apiVersion: "v1", kind: "Secret", name: "s-uploader", namespace: "uploader", retained: false },
        ]);
    });

    it("names core types by kind and others by Kind.group, as kubectl resolves them", () => {
        expect(resourceArg({ apiVersion: "v1", kind: "Namespace" })).toBe("namespace");
        expect(resourceArg({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer" })).toBe(
            "ClusterIssuer.cert-manager.io",
        );
    });
});

describe("the destroy's leftover check", () => {
    const owned = [
        { apiVersion: "v1", kind: "Namespace", name: "edge", retained: false },
        { apiVersion: "v1", kind: "Namespace", name: "uploader", retained: true },
        { apiVersion: "v1", kind: "Secret", name: "a", namespace: "uploader", retained: false },
        { apiVersion: "v1", kind: "Secret", name: "b", namespace: "uploader", retained: false },
        { apiVersion: "v1", kind: "Secret", name: "c", namespace: "other", retained: false },
        { apiVersion: "v1", kind: "Namespace", name: "monitoring", retained: false },
    ];

    it("asks once per type and namespace, for every object not kept on purpose", () => {
        const asked = lookups(owned).map((l) => l.args);
        expect(asked).toHaveLength(3);
        expect(asked).toContainEqual(["get", "namespace", "edge", "monitoring", "--ignore-not-found", "-o", "name"]);
        expect(asked).toContainEqual(["get", "secret", "a", "b", "-n", "uploader", "--ignore-not-found", "-o", "name"]);
        expect(asked).toContainEqual(["get", "secret", "c", "-n", "other", "--ignore-not-found", "-o", "name"]);
        expect(
            lookups(owned)
                .flatMap((l) => l.objects)
                .some((o) => o.retained),
        ).toBe(false);
    });

    it("reads back which of them kubectl still found", () => {
        expect([...namesPrinted("secret/b\n")]).toEqual(["b"]);
        expect([...namesPrinted("clusterrole.rbac.authorization.k8s.io/platform-sablier\n\n")]).toEqual([
            "platform-sablier",
        ]);
        expect(namesPrinted("").size).toBe(0);
    });
});

describe("running a command", () => {
    it("survives a command that exits without reading its input (EPIPE on a busy machine)", async () => {
        const dir = mkdtempSync(path.join(tmpdir(), "e2e-run-"));
        // More than a pipe holds, so the write outlives the child for certain.
        const r = await run("bash", ["-c", "exit 3"], {
            env: process.env,
            cwd: dir,
            log: path.join(dir, "log"),
            input: "x".repeat(4 * 1024 * 1024),
        });
        expect(r.code).toBe(3);
    });
});

describe("the tool build's time limit", () => {
    it("outlasts the slowest cold build measured (docs/tools.md), so a cold machine is not killed mid-build", () => {
        const doc = readFileSync(path.join(ROOT, "docs", "tools.md"), "utf8");
        const measured = /\*\*sum\*\*[^\n]*?\*\*(\d+) \(/.exec(doc);
        expect(measured).not.toBeNull();
        expect(TOOL_BUILD_TIMEOUT_SECONDS).toBeGreaterThan(Number(measured![1]));
    });
});
