import { checkHosts, hostProblem } from "../../components/edge/hosts";

const domain = "dev.example.org";

describe("checkHosts", () => {
    it("accepts the apex and one label under the domain", () => {
        expect(
            checkHosts(
                [
                    { host: "dev.example.org", owner: "app top" },
                    { host: "vote.dev.example.org", owner: "app vote" },
                    { host: "feature-x--g.dev.example.org", owner: "preview uploader" },
                ],
                domain,
            ),
        ).toEqual([]);
    });

    it("names a host outside the domain, its owner and the domain", () => {
        const problems = checkHosts([{ host: "vote.example.com", owner: "app vote" }], domain);
        expect(problems).toHaveLength(1);
        expect(problems[0]).toContain("vote.example.com");
        expect(problems[0]).toContain("app vote");
        expect(problems[0]).toContain("outside the stack's domain dev.example.org");
    });

    it("does not take a look-alike suffix for the domain", () => {
        expect(hostProblem("evildev.example.org", domain)).toMatch(/outside/);
        expect(hostProblem("example.org", domain)).toMatch(/outside/);
    });

    it("refuses names the wildcard certificate does not cover", () => {
        expect(hostProblem("a.b.dev.example.org", domain)).toMatch(/wildcard certificate/);
    });

    it("names both owners of a host claimed twice", () => {
        const problems = checkHosts(
            [
                { host: "grafana.dev.example.org", owner: "monitoring grafana" },
                { host: "vote.dev.example.org", owner: "app vote" },
                { host: "grafana.dev.example.org", owner: "app grafana" },
            ],
            domain,
        );
        expect(problems).toEqual([
            expect.stringMatching(/grafana\.dev\.example\.org.*monitoring grafana.*app grafana/),
        ]);
    });
});
