// OpenSSH encodings of node:crypto keys, for the tls stand-in's PrivateKey outputs: the
// authorized_keys line (publicKeyOpenssh), the "openssh-key-v1" private key file
// (privateKeyOpenssh) and the two fingerprints, as golang.org/x/crypto/ssh produces them for the
// real tls provider. Formats: RFC 4253 (wire encoding), RFC 8709 (Ed25519), RFC 5656 (ECDSA) and
// OpenSSH's PROTOCOL.key (the private key file).
"use strict";

const crypto = require("node:crypto");

/** uint32 big-endian. @param {number} n */
function u32(n) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
}

/** An SSH "string": length-prefixed bytes. @param {Buffer | string} data */
function sshString(data) {
    const b = typeof data === "string" ? Buffer.from(data) : data;
    return Buffer.concat([u32(b.length), b]);
}

/** An SSH "mpint" from an unsigned big-endian magnitude. @param {Buffer} magnitude */
function mpint(magnitude) {
    let i = 0;
    while (i < magnitude.length && magnitude[i] === 0) i++;
    let b = magnitude.subarray(i);
    if (b.length > 0 && b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return sshString(b);
}

/** @param {string} s base64url */
const b64u = (s) => Buffer.from(s, "base64url");

const CURVES = /** @type {Record<string, { ssh: string, name: string }>} */ ({
    "P-256": { ssh: "ecdsa-sha2-nistp256", name: "nistp256" },
    "P-384": { ssh: "ecdsa-sha2-nistp384", name: "nistp384" },
    "P-521": { ssh: "ecdsa-sha2-nistp521", name: "nistp521" },
});

/**
 * The key's SSH algorithm name and its public and private parts in wire encoding, or undefined
 * for a key SSH has no format for (ECDSA P-224).
 * @param {crypto.KeyObject} privateKey
 */
function sshParts(privateKey) {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve;
    if (privateKey.asymmetricKeyType === "ec" && !["prime256v1", "secp384r1", "secp521r1"].includes(curve || "")) {
        return undefined; // node cannot even export P-224 as JWK; SSH has no P-224 keys either
    }
    const jwk = /** @type {any} */ (privateKey.export({ format: "jwk" }));
    if (jwk.kty === "OKP" && jwk.crv === "Ed25519") {
        const pub = b64u(jwk.x);
        const seed = b64u(jwk.d);
        const type = "ssh-ed25519";
        return {
            type,
            publicBlob: Buffer.concat([sshString(type), sshString(pub)]),
            privateFields: Buffer.concat([sshString(type), sshString(pub), sshString(Buffer.concat([seed, pub]))]),
        };
    }
    if (jwk.kty === "RSA") {
        const type = "ssh-rsa";
        const [n, e, d, p, q, qi] = [jwk.n, jwk.e, jwk.d, jwk.p, jwk.q, jwk.qi].map(b64u);
        return {
            type,
            publicBlob: Buffer.concat([sshString(type), mpint(e), mpint(n)]),
            privateFields: Buffer.concat([
                sshString(type),
                mpint(n),
                mpint(e),
                mpint(d),
                mpint(qi),
                mpint(p),
                mpint(q),
            ]),
        };
    }
    if (jwk.kty === "EC" && CURVES[jwk.crv]) {
        const { ssh: type, name } = CURVES[jwk.crv];
        const point = Buffer.concat([Buffer.from([4]), b64u(jwk.x), b64u(jwk.y)]);
        return {
            type,
            publicBlob: Buffer.concat([sshString(type), sshString(name), sshString(point)]),
            privateFields: Buffer.concat([sshString(type), sshString(name), sshString(point), mpint(b64u(jwk.d))]),
        };
    }
    return undefined;
}

/**
 * The authorized_keys line for the key, with a trailing newline (ssh.MarshalAuthorizedKey).
 * @param {crypto.KeyObject} privateKey
 */
function publicKeyOpenssh(privateKey) {
    const parts = sshParts(privateKey);
    return parts ? `${parts.type} ${parts.publicBlob.toString("base64")}\n` : "";
}

/**
 * The unencrypted "openssh-key-v1" private key file (ssh.MarshalPrivateKey with no comment),
 * PEM-armoured at 64 columns.
 * @param {crypto.KeyObject} privateKey
 */
function privateKeyOpenssh(privateKey) {
    const parts = sshParts(privateKey);
    if (!parts) return "";
    const check = crypto.randomBytes(4);
    let secret = Buffer.concat([check, check, parts.privateFields, sshString("")]);
    const pad = [];
    for (let i = 1; (secret.length + pad.length) % 8 !== 0; i++) pad.push(i);
    secret = Buffer.concat([secret, Buffer.from(pad)]);
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0", "latin1"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        u32(1),
        sshString(parts.publicBlob),
        sshString(secret),
    ]);
    const lines = body.toString("base64").match(/.{1,64}/g) || [];
    return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join("\n")}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/**
 * The MD5 ("aa:bb:...") and SHA256 ("SHA256:...", unpadded base64) fingerprints of the public key.
 * @param {crypto.KeyObject} privateKey
 */
function fingerprints(privateKey) {
    const parts = sshParts(privateKey);
    if (!parts) return { md5: "", sha256: "" };
    const md5 = crypto.createHash("md5").update(parts.publicBlob).digest("hex");
    const sha = crypto.createHash("sha256").update(parts.publicBlob).digest("base64").replace(/=+$/, "");
    return { md5: md5.match(/../g)?.join(":") || "", sha256: `SHA256:${sha}` };
}

module.exports = { publicKeyOpenssh, privateKeyOpenssh, fingerprints, sshParts };
