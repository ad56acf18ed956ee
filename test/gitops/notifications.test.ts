import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Notifications, NotificationsArgs } from "../../components/gitops/notifications";
import { kubeObjects } from "../../render/objects";
import { validateObjects } from "../../render/validate";
import { Loose, specOf } from "./loose";
import { recordResources } from "../harness";

const HOOK = "https://hooks.slack.com/services/T000/B000/abcdef";

function build(over: Partial<NotificationsArgs> = {}) {
    return recordResources(() => {
        const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
        const crds = new random.RandomId("crds", { byteLength: 4 });
        return new Notifications("notify", {
            provider,
            environment: "prd",
            type: "slack",
            webhookUrl: pulumi.secret(HOOK),
            dependsOn: [crds],
            ...over,
        });
    });
}

describe("Notifications", () => {
    it("keeps the webhook address in a Secret the Provider references, never in the Provider itself", async () => {
        const h = await build({ channel: "deploys" });
        const provider = h.object("Provider", "slack");
        expect(provider.apiVersion).toBe("notification.toolkit.fluxcd.io/v1beta3");
        expect(provider.spec).toEqual({ type: "slack", channel: "deploys", secretRef: { name: "slack-webhook" } });
        const secret = h.inputs(h.one("kubernetes:core/v1:Secret"));
        expect(secret.metadata.name).toBe("slack-webhook");
        expect(secret.stringData).toEqual({ address: HOOK });
        expect(h.redactedText()).not.toContain("hooks.slack.com");
    });

    it("sends deploy, image-update and failure events of every Flux object to Discord", async () => {
        const h = await build({ type: "discord", severity: undefined });
        const alert = h.object("Alert", "platform-prd").spec as Loose;
        expect(alert.providerRef).toEqual({ name: "discord" });
        expect(alert.eventSeverity).toBe("info");
        const kinds = alert.eventSources.map((s: Loose) => s.kind);
        expect(kinds).toEqual(
            expect.arrayContaining(["Kustomization", "GitRepository", "ImageUpdateAutomation", "ImagePolicy"]),
        );
        for (const s of alert.eventSources) expect(s.name).toBe("*");
        expect(specOf(h.object("Provider", "discord")).channel).toBeUndefined();
    });

    it("can be narrowed to failures only", async () => {
        const h = await build({ severity: "error" });
        expect(specOf(h.object("Alert", "platform-prd")).eventSeverity).toBe("error");
    });

    it("produces objects that validate against the Flux CRD schemas", async () => {
        const h = await build();
        expect(await validateObjects(kubeObjects(h.resources, true))).toEqual([]);
    });
});
