import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { rendered } from "../rendered";
import { stackConfig, stackProblems } from "../stack-files";

/** RFC 6265 domain match: a cookie with `Domain=<domain>` (leading dot ignored) is sent to `host`. */
function domainMatch(domain: string, host: string): boolean {
    const d = domain.replace(/^\./, "");
    return host === d || host.endsWith(`.${d}`);
}

function oauth2ProxyArgs(r: RenderResult): Record<string, string> {
    const chart = r.resources.find(
        (x) => x.type === "kubernetes:helm.sh/v4:Chart" && unwrapSecrets(x.inputs.chart) === "oauth2-proxy",
    )!;
    return (unwrapSecrets(chart.inputs.values) as { extraArgs: Record<string, string> }).extraArgs;
}

function routedHosts(r: RenderResult): string[] {
    return r.objects
        .filter((o) => o.kind === "IngressRoute")
        .flatMap((o) => ((o.spec as { routes: { match: string }[] }).routes ?? []).map((x) => x.match))
        .flatMap((m) => [...m.matchAll(/Host\(`([^`]+)`\)/g)].map((x) => x[1]!));
}

const domainOf = (stack: string) => (stackConfig(stack)["platform:dns"] as { domain: string }).domain;
/** A branch preview's host on a stack's domain (`<branch>--g.<domain>`, docs/design.md). */
const previewHostOn = (domain: string) => `some-branch--g.${domain}`;

describe.each([
    ["prd", "dev"],
    ["dev", "prd"],
] as const)("the %s session cookie", (stack, other) => {
    let own: RenderResult;
    let foreign: string[];
    beforeAll(async () => {
        own = await rendered(stack);
        const otherRender = await rendered(other);
        // Hosts that are not this stack's own: the other stack's, and branch previews (on dev's domain).
        foreign = [...routedHosts(otherRender), previewHostOn(domainOf("dev")), previewHostOn(domainOf(other))];
    });

    /** The hosts a cookie oauth2-proxy sets on `host` reaches. */
    const reaches = (args: Record<string, string>, cookieHost: string, target: string) =>
        args["cookie-domain"] ? domainMatch(args["cookie-domain"], target) : target === cookieHost;

    it("reaches no host of the other stack and no branch preview", () => {
        const args = oauth2ProxyArgs(own);
        const ownHosts = routedHosts(own);
        expect(ownHosts.length).toBeGreaterThan(0);
        const leaks = ownHosts.flatMap((h) => foreign.filter((f) => reaches(args, h, f)).map((f) => `${h} -> ${f}`));
        expect(leaks).toEqual([]);
    });

    it("redirects after sign-in to no host of the other stack or a preview", () => {
        const whitelist = (oauth2ProxyArgs(own)["whitelist-domain"] ?? "").split(",").filter((d) => d !== "");
        expect(foreign.filter((f) => whitelist.some((d) => domainMatch(d, f)))).toEqual([]);
    });

    it("is set on the host that asked: with host-only cookies the callback is that host's own", () => {
        const args = oauth2ProxyArgs(own);
        if (args["cookie-domain"] === undefined) expect(args["redirect-url"]).toBeUndefined();
    });
});

function problems(edge: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
    const raw = {
        environment: "prd",
        cluster: { mode: "existing", context: "kind-platform" },
        dns: { domain: "example.org" },
        edge: { githubOrg: "example-club", replicas: 2, authReplicas: 2, ...edge },
        ...extra,
    };
    return stackProblems(raw);
}

describe("edge.cookieDomain", () => {
    it("is refused when it contains another stack's domain, naming both", () => {
        expect(problems({ cookieDomain: "example.org", otherStackDomains: ["dev.example.org"] })).toEqual([
            expect.stringMatching(
                /^edge\.cookieDomain: "example\.org" contains dev\.example\.org, another stack's domain \(edge\.otherStackDomains\[0\]\)/,
            ),
        ]);
    });

    it("is refused when it lies inside another stack's domain", () => {
        const found = problems(
            { cookieDomain: "dev.example.org", otherStackDomains: ["example.org"] },
            { environment: "dev", dns: { domain: "dev.example.org" } },
        );
        expect(found).toEqual([
            expect.stringMatching(/^edge\.cookieDomain: "dev\.example\.org" lies inside example\.org/),
        ]);
    });

    it("is refused on a stack hosting branch previews, and when its hosts would not get it", () => {
        expect(problems({ cookieDomain: "example.org", sablier: true })).toEqual([
            expect.stringMatching(
                /^edge\.cookieDomain: "example\.org" covers the branch previews <branch>--g\.example\.org/,
            ),
        ]);
        expect(problems({ cookieDomain: "other.org" })).toEqual([
            expect.stringMatching(
                /^edge\.cookieDomain: "other\.org" is neither dns\.domain \(example\.org\) nor a parent/,
            ),
        ]);
    });

    it("is accepted for a stack whose domain nests with no other's, and unset is always fine", () => {
        expect(problems({ cookieDomain: "example.org", otherStackDomains: ["example-dev.net"] })).toEqual([]);
        expect(problems({ otherStackDomains: ["dev.example.org"] })).toEqual([]);
    });
});
