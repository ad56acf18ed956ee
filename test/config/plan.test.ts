import { bootstrapMessage } from "../../config/plan";
import { rawConfig } from "../../config/load";
import { renderStack } from "../../render/render";
import { stackConfig, writeStackFile } from "../stack-files";

/** local with monitoring off and one on-prem host, plus `onprem` overrides. */
function localWithHost(onprem: Record<string, unknown> = {}): string {
    return writeStackFile({
        ...stackConfig("local"),
        "platform:monitoring": { enabled: false },
        "platform:onprem": { hosts: { sw: { kind: "network-device", address: "10.0.0.2" } }, ...onprem },
    });
}

describe("the resolved plan: what one layer needs from another", () => {
    it("refuses on-prem probes and sync without monitoring unless the addresses are given, naming the keys", async () => {
        await expect(renderStack({ stack: "local", stackFile: localWithHost() })).rejects.toThrow(
            /onprem\.blackboxAddress: is required when monitoring is off[\s\S]*onprem\.zabbix\.apiUrl: is required/,
        );
    });

    it("uses the given addresses when monitoring is off", async () => {
        const stackFile = localWithHost({
            blackboxAddress: "blackbox.example.internal:9115",
            zabbix: { apiUrl: "http://zabbix.example.internal/api_jsonrpc.php", sync: false },
        });
        const { objects } = await renderStack({ stack: "local", stackFile });
        const probe = objects.find((o) => o.kind === "Probe") as { spec: { prober: { url: string } } } | undefined;
        expect(probe?.spec.prober.url).toBe("blackbox.example.internal:9115");
    });
});

describe("the bootstrap run's message", () => {
    it("names the apps it left out, each image to push, and the next command", () => {
        const text = bootstrapMessage("dev", {
            appsHeldBack: ["vote", "plarail"],
            imagesToPush: ["r.example/p/apps/plarail:a-1", "r.example/p/apps/vote:b-2"],
            registry: "r.example/p/apps",
        });
        expect(text).toContain("Not deployed: vote, plarail.");
        expect(text).toContain("push these images to r.example/p/apps");
        expect(text).toContain("\n  r.example/p/apps/plarail:a-1\n  r.example/p/apps/vote:b-2\n");
        expect(text).toContain("pulumi config set platform:bootstrap false --stack dev && pulumi up --stack dev");
    });

    it("reads the flag as the CLI hands it over (text), from `pulumi config set platform:bootstrap true`", () => {
        expect(rawConfig({ "platform:bootstrap": "true" }).bootstrap).toBe(true);
        expect(rawConfig({ "platform:bootstrap": "false" }).bootstrap).toBe(false);
    });
});
