import type { Environment } from "../../contract/environment";
import { parseOrThrow } from "../../config/errors";
import { requiredSecrets } from "../../config/required-secrets";
import { stackSchema } from "../../config/schema";
import { edgeSettings } from "../../config/sections/edge";
import { stackProblems } from "../stack-files";

/** This layer's secret needs (other layers add their own for the same config). */
function ownSecrets(...args: Parameters<typeof requiredSecrets>) {
    const mine = ["githubOAuthClientId", "githubOAuthClientSecret"];
    return requiredSecrets(...args).filter((n) => mine.includes(n.key));
}

function stack(environment: Environment, edge?: unknown): Record<string, unknown> {
    return {
        environment,
        cluster: { mode: "existing", context: "kind-platform" },
        dns: { domain: "dev.example.org" },
        ...(edge === undefined ? {} : { edge }),
    };
}

function problems(raw: Record<string, unknown>): string[] {
    return stackProblems(raw);
}

describe("platform:edge config", () => {
    it("is off without the key, and then needs no GitHub secrets", () => {
        const s = parseOrThrow(stackSchema, stack("dev"));
        expect(s.edge.enabled).toBe(false);
        expect(ownSecrets(s)).toEqual([]);
    });

    it("is on with the key, and then needs both GitHub OAuth secrets, saying why", () => {
        const s = parseOrThrow(stackSchema, stack("dev", { githubOrg: "example-club" }));
        expect(s.edge.enabled).toBe(true);
        const needs = ownSecrets(s);
        expect(needs.map((n) => n.key).sort()).toEqual(["githubOAuthClientId", "githubOAuthClientSecret"]);
        expect(needs[0]!.because).toMatch(/edge/);
    });

    it("requires githubOrg when enabled (no login open to every GitHub user)", () => {
        expect(problems(stack("dev", { sablier: true }))).toEqual([
            expect.stringMatching(/^edge\.githubOrg: \(missing\) is required when the edge is enabled/),
        ]);
        expect(problems(stack("dev", { enabled: false }))).toEqual([]);
    });

    it("names a bad org, a bad team slug and a repeated team", () => {
        const found = problems(stack("dev", { githubOrg: "-club", githubTeams: ["Staff Team", "infra", "infra"] }));
        expect(found).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^edge\.githubOrg: "-club" is not a GitHub organisation login/),
                expect.stringMatching(/^edge\.githubTeams\[0\]: "Staff Team" is not a GitHub team slug/),
                'edge.githubTeams[2]: "infra" repeats edge.githubTeams[1]',
            ]),
        );
    });

    it("rejects an unknown key and a bad email, naming allowed keys", () => {
        const found = problems(stack("dev", { githubOrg: "c", acmeEmail: "nobody", replica: 2 }));
        expect(found).toEqual(
            expect.arrayContaining([
                expect.stringMatching(/^edge\.replica: unknown key \(allowed: .*replicas/),
                expect.stringMatching(/^edge\.acmeEmail: "nobody" is not an email address/),
            ]),
        );
    });

    it("refuses a single Traefik or oauth2-proxy replica on prd", () => {
        expect(problems(stack("prd", { githubOrg: "c", replicas: 1, authReplicas: 1 }))).toEqual([
            "edge.replicas: 1 is below 2; prd runs the edge highly available (at least 2 replicas)",
            "edge.authReplicas: 1 is below 2; prd runs the edge highly available (at least 2 replicas)",
        ]);
        expect(problems(stack("dev", { githubOrg: "c", replicas: 1 }))).toEqual([]);
    });

    it("defaults to Let's Encrypt staging and one replica on dev, production and two on prd", () => {
        const dev = parseOrThrow(stackSchema, stack("dev", { githubOrg: "c" }));
        const prd = parseOrThrow(stackSchema, stack("prd", { githubOrg: "c" }));
        expect(edgeSettings(dev.edge, "dev")).toEqual({ issuer: "staging", replicas: 1, authReplicas: 1 });
        expect(edgeSettings(prd.edge, "prd")).toEqual({ issuer: "production", replicas: 2, authReplicas: 2 });
        const override = parseOrThrow(stackSchema, stack("dev", { githubOrg: "c", issuer: "production" }));
        expect(edgeSettings(override.edge, "dev").issuer).toBe("production");
    });
});
