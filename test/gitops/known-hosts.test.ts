import { createHash } from "node:crypto";
import { GITHUB_KNOWN_HOSTS, knownHostsFile } from "../../components/gitops/known-hosts";

// SHA256 fingerprints GitHub publishes for github.com (docs.github.com, "GitHub's SSH key fingerprints").
const PUBLISHED = {
    "ssh-ed25519": "SHA256:+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU",
    "ecdsa-sha2-nistp256": "SHA256:p2QAMXNIC1TJYWeIOttrVc98/R1BUFWu3/LiyKgUfQM",
    "ssh-rsa": "SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s",
};

function fingerprint(base64Key: string): string {
    return `SHA256:${createHash("sha256").update(Buffer.from(base64Key, "base64")).digest("base64").replace(/=+$/, "")}`;
}

describe("GitHub known_hosts", () => {
    it("holds exactly GitHub's three published host keys, each matching its fingerprint", () => {
        const seen: Record<string, string> = {};
        for (const line of GITHUB_KNOWN_HOSTS) {
            const [host, type, key] = line.split(" ");
            expect(host).toBe("github.com");
            seen[type!] = fingerprint(key!);
        }
        expect(seen).toEqual(PUBLISHED);
    });

    it("is a known_hosts file: one entry per line, newline-terminated", () => {
        const text = knownHostsFile();
        expect(text.endsWith("\n")).toBe(true);
        expect(text.trimEnd().split("\n")).toHaveLength(3);
    });
});
