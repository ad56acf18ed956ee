import * as pulumi from "@pulumi/pulumi";

// test/esm-resolver.js swaps two SDK parts the program never runs for stubs; a test that did
// reach them must fail with a message that says why, not with an undefined somewhere later.
describe("SDK parts not loaded under jest", () => {
    it("the Automation API fails loudly when used", () => {
        expect(() => pulumi.automation.LocalWorkspace).toThrow(/Automation API is not loaded under jest/);
    });

    it("closure serialisation's npm tree walker fails loudly when used", async () => {
        const codePaths = (await import("@pulumi/pulumi/runtime/closure/codePaths")) as {
            computeCodePaths(): Promise<unknown>;
        };
        await expect(codePaths.computeCodePaths()).rejects.toThrow(/@npmcli\/arborist is not loaded under jest/);
    });
});
