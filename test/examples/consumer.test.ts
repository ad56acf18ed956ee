import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { checkContract } from "../../examples/consumer/contract";
import { stackReferenceOutputs } from "../../render/mock-state";
import { kubeObjects } from "../../render/objects";
import { record, Recording } from "../../render/recorder";
import { redact } from "../../render/redact";
import { ROOT } from "../../render/render";
import { rendered } from "../rendered";
import { validateObjects } from "../../render/validate";

const DIR = path.join(ROOT, "examples", "consumer");

/** The consumer's dev stack config as the CLI would hand it over. */
function consumerConfig(): Record<string, string> {
    const project = (parse(readFileSync(path.join(DIR, "Pulumi.yaml"), "utf8")) as { name: string }).name;
    const doc = parse(readFileSync(path.join(DIR, "Pulumi.dev.yaml"), "utf8")) as { config: Record<string, unknown> };
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(doc.config)) config[k.includes(":") ? k : `${project}:${k}`] = String(v);
    return config;
}

async function runConsumer(): Promise<Recording> {
    const mod = (await import("../../examples/consumer/index")) as unknown as
        (() => Promise<Record<string, unknown>>) | { default: () => Promise<Record<string, unknown>> };
    const program = typeof mod === "function" ? mod : mod.default;
    return record(program, { project: "platform-consumer", stack: "dev", config: consumerConfig(), secretKeys: [] });
}

describe("examples/consumer contract check", () => {
    it("refuses a platform whose output contract has another major version", () => {
        expect(() => checkContract("2.0.0")).toThrow(/platform outputs 2\.0\.0 are not contract 1\.x/);
        expect(() => checkContract(undefined)).toThrow(/not contract 1\.x/);
        expect(() => checkContract("1.4.2")).not.toThrow();
    });
});

describe("examples/consumer against the recorded outputs of dev", () => {
    let rec: Recording;
    const SECRET_MARK = "recorded-kubeconfig-marker";

    beforeAll(async () => {
        const platform = await rendered("dev");
        const outputs = { ...platform.recording.outputValues };
        // Mark the kubeconfig so a test can tell whether its value leaks anywhere.
        outputs.kubeconfig = `${String(outputs.kubeconfig)}# ${SECRET_MARK}\n`;
        const secretOutputNames = Object.entries(platform.outputSecrets)
            .filter(([, s]) => s)
            .map(([k]) => k);
        stackReferenceOutputs.set(consumerConfig()["platform-consumer:platformStack"]!, { outputs, secretOutputNames });
        rec = await runConsumer();
    });

    it("deploys a namespace, deployment and service, all schema-valid", async () => {
        const objects = kubeObjects(rec.resources);
        expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
            "Deployment/hello",
            "Namespace/hello",
            "Service/hello",
        ]);
        expect(await validateObjects(kubeObjects(rec.resources, true))).toEqual([]);
    });

    it("deploys through a Kubernetes provider built from the kubeconfig output, kept secret", () => {
        const provider = rec.resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "platform")!;
        expect(provider).toBeDefined();
        expect(redact(provider.inputs.kubeconfig)).toBe("[secret]");
        const deployment = rec.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
        expect(deployment.provider.startsWith(provider.urn)).toBe(true);
        const written = JSON.stringify(rec.resources.map((r) => redact(r.inputs)));
        expect(written).not.toContain(SECRET_MARK);
    });

    it("reads the registry and domain outputs of the platform", () => {
        const [dep] = kubeObjects(rec.resources).filter((o) => o.kind === "Deployment") as unknown as {
            spec: { template: { spec: { containers: { image: string; env: { value: string }[] }[] } } };
        }[];
        const c = dep!.spec.template.spec.containers[0]!;
        expect(c.image).toBe("asia-northeast1-docker.pkg.dev/clubplatform-dev/apps/hello:1.0.0");
        expect(c.env[0]!.value).toBe("dev.example.org");
    });

    it("reads a contract version the recorded outputs satisfy", () => {
        expect(() =>
            checkContract(
                stackReferenceOutputs.get(consumerConfig()["platform-consumer:platformStack"]!)!.outputs.outputsVersion,
            ),
        ).not.toThrow();
    });
});
