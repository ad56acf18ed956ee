import { isReference, namesSecret, SECRET_TEXT } from "../../policy/secret-names";

describe("namesSecret", () => {
    it.each([
        "password",
        "DB_PASSWORD",
        "adminPassword",
        "clientSecret",
        "cookie-secret",
        "SECRET_KEY",
        "apiKey",
        "privateKey",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_TOKEN",
        "kubeconfig",
        "credentials",
    ])("treats %s as a secret", (name) => {
        expect(namesSecret(name)).toBe(true);
    });

    it.each([
        "existingSecret",
        "existingSecretPasswordKey",
        "secretName",
        "passwordKey",
        "userKey",
        "DB_PASSWORD_FILE",
        "tokenPath",
        "secretKeyRef",
        "DATABASE_URL",
        "username",
        "secrets",
        "tokenTTL",
        "LOG_LEVEL",
        "",
    ])("treats %s as not a secret", (name) => {
        expect(namesSecret(name)).toBe(false);
    });
});

describe("isReference and SECRET_TEXT", () => {
    it("knows references from values", () => {
        expect(isReference("$__file{/etc/secrets/x}")).toBe(true);
        expect(isReference("mysql://$(DB_USER):$(DB_PASSWORD)@db/app")).toBe(true);
        expect(isReference("/run/secrets/token")).toBe(true);
        expect(isReference("hunter2")).toBe(false);
    });
    it("recognises key material by its shape", () => {
        expect(SECRET_TEXT.test("-----BEGIN OPENSSH PRIVATE KEY-----\nabc")).toBe(true);
        expect(SECRET_TEXT.test(`ghp_${"a".repeat(36)}`)).toBe(true);
        expect(SECRET_TEXT.test("AKIAABCDEFGHIJKLMNOP")).toBe(true);
        expect(SECRET_TEXT.test("-----BEGIN CERTIFICATE-----")).toBe(false);
        expect(SECRET_TEXT.test("ghp")).toBe(false);
    });
});
