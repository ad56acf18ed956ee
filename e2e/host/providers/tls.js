#!/usr/bin/env node
// STAND-IN for the Pulumi `tls` provider 5.6.1 (pulumi-resource-tls), for the e2e tests only. The
// real provider (github.com/pulumi/pulumi-tls/provider/v5) is not served by the Go module proxy
// these machines reach, so it cannot be built here: README.md.
//
// Only tls.PrivateKey, the one type the program uses, with the inputs and outputs of @pulumi/tls
// 5.6.1 and the real provider's defaults (ECDSA curve P224, RSA 2048 bits) and secret outputs. Keys
// come from node:crypto; the OpenSSH encodings from lib/openssh.js. Certificates, CSRs and the
// data sources are not provided.
"use strict";

const crypto = require("node:crypto");
const { runProvider } = require("../lib/provider-server");
const { publicKeyOpenssh, privateKeyOpenssh, fingerprints } = require("../lib/openssh");

const VERSION = "5.6.1";

const ALGORITHMS = ["RSA", "ECDSA", "ED25519"];
const CURVES = /** @type {Record<string, string>} */ ({
    P224: "P-224",
    P256: "P-256",
    P384: "P-384",
    P521: "P-521",
});

/**
 * A new key pair as node:crypto KeyObjects.
 * @param {{ algorithm: string, rsaBits: number, ecdsaCurve: string }} a
 */
function generate(a) {
    switch (a.algorithm) {
        case "ED25519":
            return crypto.generateKeyPairSync("ed25519");
        case "RSA":
            return crypto.generateKeyPairSync("rsa", { modulusLength: a.rsaBits, publicExponent: 65537 });
        case "ECDSA":
            return crypto.generateKeyPairSync("ec", { namedCurve: CURVES[a.ecdsaCurve] });
        default:
            throw new Error(`unsupported algorithm ${a.algorithm}`);
    }
}

/**
 * The private key in the PEM the real provider stores as privateKeyPem: PKCS#1 for RSA, SEC 1 for
 * ECDSA, PKCS#8 for ED25519 (which has no other).
 * @param {crypto.KeyObject} key
 * @param {string} algorithm
 */
function privatePem(key, algorithm) {
    const type = algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8";
    return /** @type {string} */ (key.export({ type, format: "pem" }));
}

/** @type {import("../lib/provider-server").ResourceSpec} */
const privateKey = {
    token: "tls:index/privateKey:PrivateKey",
    description: "A private key (RSA, ECDSA or ED25519); the private encodings are secrets.",
    inputs: {
        algorithm: { type: "string", required: true, description: "RSA, ECDSA or ED25519." },
        ecdsaCurve: { type: "string", default: "P224", description: "P224, P256, P384 or P521 (ECDSA only)." },
        rsaBits: { type: "integer", default: 2048, description: "Size of an RSA key in bits." },
    },
    outputs: {
        privateKeyOpenssh: { type: "string", secret: true },
        privateKeyPem: { type: "string", secret: true },
        privateKeyPemPkcs8: { type: "string", secret: true },
        publicKeyFingerprintMd5: { type: "string" },
        publicKeyFingerprintSha256: { type: "string" },
        publicKeyOpenssh: { type: "string" },
        publicKeyPem: { type: "string" },
    },
    validate(a) {
        /** @type {import("../lib/provider-server").Failure[]} */
        const failures = [];
        if (!ALGORITHMS.includes(a.algorithm)) {
            failures.push({ property: "algorithm", reason: `algorithm must be one of ${ALGORITHMS.join(", ")}` });
        }
        if (!(a.ecdsaCurve in CURVES)) {
            failures.push({
                property: "ecdsaCurve",
                reason: `ecdsaCurve must be one of ${Object.keys(CURVES).join(", ")}`,
            });
        }
        if (a.algorithm === "RSA" && a.rsaBits < 1024) {
            failures.push({ property: "rsaBits", reason: `rsaBits (${a.rsaBits}) is too small for an RSA key` });
        }
        return failures;
    },
    create(a) {
        const { privateKey: key, publicKey } = generate(/** @type {any} */ (a));
        const publicKeyPem = /** @type {string} */ (publicKey.export({ type: "spki", format: "pem" }));
        const prints = fingerprints(key);
        return {
            // The real provider's id: the SHA-1 of the public key PEM, in hex.
            id: crypto.createHash("sha1").update(publicKeyPem).digest("hex"),
            outputs: {
                privateKeyOpenssh: privateKeyOpenssh(key),
                privateKeyPem: privatePem(key, a.algorithm),
                privateKeyPemPkcs8: /** @type {string} */ (key.export({ type: "pkcs8", format: "pem" })),
                publicKeyFingerprintMd5: prints.md5,
                publicKeyFingerprintSha256: prints.sha256,
                publicKeyOpenssh: publicKeyOpenssh(key),
                publicKeyPem,
            },
        };
    },
};

const provider = { name: "tls", version: VERSION, resources: [privateKey] };

if (require.main === module) {
    runProvider(provider).catch((err) => {
        process.stderr.write(`pulumi-resource-tls (e2e stand-in): ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
}

module.exports = { provider };
