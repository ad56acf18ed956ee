import { networkRules } from "../../../policy/rules/network";
import { METADATA_EGRESS_ANNOTATION, OPEN_INGRESS_ANNOTATION } from "../../../contract/annotations";
import { k8s, ruleById, violations } from "../fixtures";

const policy = (spec: Record<string, unknown>, annotations: Record<string, string> = {}) =>
    k8s({
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "p", namespace: "monitoring", annotations },
        spec: { podSelector: {}, ...spec },
    });

describe("networkpolicy-ingress-from", () => {
    const r = ruleById(networkRules, "networkpolicy-ingress-from");
    it("refuses an ingress rule with no from, unless the policy says why it is open", () => {
        const open = { policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 10051 }] }] };
        expect(violations(r, [policy(open)])).toEqual([expect.stringContaining("ingress[0] has no from")]);
        expect(violations(r, [policy({ ingress: [{ from: [], ports: [{ port: 1 }] }] })])).toHaveLength(1);
        expect(violations(r, [policy(open, { [OPEN_INGRESS_ANNOTATION]: "agents on the LAN" })])).toEqual([]);
        expect(violations(r, [policy({ ingress: [{ from: [{ podSelector: {} }] }] })])).toEqual([]);
    });
});

describe("networkpolicy-metadata-server", () => {
    const r = ruleById(networkRules, "networkpolicy-metadata-server");
    it.each([
        ["no to on port 80", { ports: [{ protocol: "TCP", port: 80 }] }],
        ["no to and no ports", {}],
        ["a CIDR covering it", { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8"] } }] }],
        ["the address itself", { to: [{ ipBlock: { cidr: "169.254.169.254/32" } }], ports: [{ port: 80 }] }],
    ])("refuses %s without the annotation", (_what, rule) => {
        expect(violations(r, [policy({ egress: [rule] })])).toEqual([
            expect.stringContaining("egress[0] reaches the metadata server"),
        ]);
        expect(
            violations(r, [policy({ egress: [rule] }, { [METADATA_EGRESS_ANNOTATION]: "Workload Identity" })]),
        ).toEqual([]);
    });

    it.each([
        ["DNS with no to", { ports: [{ protocol: "UDP", port: 53 }] }],
        ["a CIDR excepting link-local", { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.0.0/16"] } }] }],
        ["pods only", { to: [{ namespaceSelector: {} }], ports: [{ port: 80 }] }],
    ])("passes %s", (_what, rule) => {
        expect(violations(r, [policy({ egress: [rule] })])).toEqual([]);
    });
});
