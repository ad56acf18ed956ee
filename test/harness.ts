import * as pulumi from "@pulumi/pulumi";
import { kubeObjects, KubeObject } from "../render/objects";
import { record, RecordedResource, Recording } from "../render/recorder";
import { redact, unwrapSecrets } from "../render/redact";

/**
 * Runs `declare` (which builds components) under the same recorder render uses, with optional
 * `platform:*` config, and returns what it declared.
 */
export async function recordResources(
    declare: () => unknown,
    config: Record<string, string> = {},
    stack = "test",
): Promise<Harness> {
    const rec = await record(
        async () => {
            await Promise.resolve(declare());
            return {};
        },
        { project: "platform", stack, config, secretKeys: [] },
    );
    return new Harness(rec);
}

export class Harness {
    constructor(readonly recording: Recording) {}

    get resources(): RecordedResource[] {
        return this.recording.resources;
    }

    /** Resources of a type token, e.g. `gcp:container/cluster:Cluster`. */
    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The single resource of a type; fails when there is not exactly one. */
    one(type: string): RecordedResource {
        const found = this.ofType(type);
        if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
        return found[0]!;
    }

    /** Plain inputs (secrets unwrapped) of a resource, for asserting on settings. */
    inputs(r: RecordedResource): Record<string, any> {
        return unwrapSecrets(r.inputs) as Record<string, any>;
    }

    /** Kubernetes objects, secrets redacted as render writes them. */
    objects(): KubeObject[] {
        return kubeObjects(this.resources);
    }

    /** The object of a kind and name; fails when missing. */
    object(kind: string, name: string): KubeObject {
        const o = this.objects().find((x) => x.kind === kind && x.metadata.name === name);
        if (!o)
            throw new Error(
                `no ${kind} ${name} among ${this.objects()
                    .map((x) => `${x.kind}/${x.metadata.name}`)
                    .join(", ")}`,
            );
        return o;
    }

    /** Everything recorded, as render would write it (for leak checks). */
    redactedText(): string {
        return JSON.stringify(this.resources.map((r) => redact(r.inputs)));
    }
}

/** Resolves an Output's value in tests. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply((v) => resolve(v)));
}
