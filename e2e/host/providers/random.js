#!/usr/bin/env node
// STAND-IN for the Pulumi `random` provider 4.21.2 (pulumi-resource-random), for the e2e tests
// only. The real provider (github.com/pulumi/pulumi-random/provider/v4) is not served by the Go
// module proxy these machines reach, so it cannot be built here: README.md.
//
// Resource types, inputs and outputs are those of @pulumi/random 4.21.2 (the SDK the program
// uses), with the real provider's defaults, validation and secret outputs. Values are generated
// with node:crypto. Types the program does not use (RandomInteger, RandomPet, RandomShuffle,
// RandomUuid*) are not provided: the engine reports a clear error if one is ever declared.
"use strict";

const crypto = require("node:crypto");
const { runProvider } = require("../lib/provider-server");
const { bcryptHash } = require("../lib/bcrypt");

const VERSION = "4.21.2";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
const SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/**
 * `count` characters drawn uniformly from `set`.
 * @param {string} set
 * @param {number} count
 */
function draw(set, count) {
    let out = "";
    for (let i = 0; i < count; i++) out += set[crypto.randomInt(set.length)];
    return out;
}

/**
 * A random string as random_string / random_password make it: the minimum counts first, the rest
 * from every enabled set, then shuffled.
 * @param {Record<string, any>} a checked inputs
 */
function randomText(a) {
    const special = a.overrideSpecial ? a.overrideSpecial : SPECIAL;
    let all = "";
    if (a.upper) all += UPPER;
    if (a.lower) all += LOWER;
    if (a.numeric) all += DIGITS;
    if (a.special) all += special;
    if (all === "")
        throw new Error("the character set is empty: enable at least one of upper, lower, numeric, special");
    let chars = draw(DIGITS, a.minNumeric) + draw(LOWER, a.minLower) + draw(UPPER, a.minUpper);
    chars += draw(special, a.minSpecial);
    chars += draw(all, a.length - chars.length);
    // Fisher-Yates with a cryptographic source.
    const out = chars.split("");
    for (let i = out.length - 1; i > 0; i--) {
        const j = crypto.randomInt(i + 1);
        [out[i], out[j]] = [out[j], out[i]];
    }
    return out.join("");
}

/** @type {Record<string, import("../lib/provider-server").PropertySpec>} */
const KEEPERS = {
    keepers: {
        type: "map",
        description: "Arbitrary map of values that, when changed, will trigger recreation of resource.",
    },
};

/** @type {Record<string, import("../lib/provider-server").PropertySpec>} */
const TEXT_INPUTS = {
    ...KEEPERS,
    length: { type: "integer", required: true, description: "The length of the string desired (>= 1)." },
    lower: { type: "boolean", default: true },
    minLower: { type: "integer", default: 0 },
    minNumeric: { type: "integer", default: 0 },
    minSpecial: { type: "integer", default: 0 },
    minUpper: { type: "integer", default: 0 },
    number: { type: "boolean", default: true, deprecated: "Use numeric instead." },
    numeric: { type: "boolean", default: true },
    overrideSpecial: { type: "string" },
    special: { type: "boolean", default: true },
    upper: { type: "boolean", default: true },
};

/**
 * `number` is the deprecated spelling of `numeric`: either one sets both, and numeric wins a tie.
 * @param {Record<string, any>} inputs
 */
function linkNumeric(inputs) {
    if (inputs.numeric === undefined && inputs.number !== undefined) inputs.numeric = inputs.number;
    else if (inputs.numeric !== undefined) inputs.number = inputs.numeric;
}

/** @param {Record<string, any>} a */
function validateText(a) {
    /** @type {import("../lib/provider-server").Failure[]} */
    const failures = [];
    if (a.length < 1) failures.push({ property: "length", reason: `length (${a.length}) must be >= 1` });
    for (const k of ["minLower", "minNumeric", "minSpecial", "minUpper"]) {
        if (a[k] < 0) failures.push({ property: k, reason: `${k} (${a[k]}) must be >= 0` });
    }
    const mins = a.minUpper + a.minLower + a.minNumeric + a.minSpecial;
    if (a.length < mins) {
        failures.push({
            property: "length",
            reason: `length (${a.length}) must be >= minUpper + minLower + minNumeric + minSpecial (${mins})`,
        });
    }
    return failures;
}

/** @type {import("../lib/provider-server").ResourceSpec} */
const randomPassword = {
    token: "random:index/randomPassword:RandomPassword",
    description: "A random password; result and bcryptHash are secrets.",
    inputs: TEXT_INPUTS,
    outputs: {
        result: { type: "string", secret: true },
        bcryptHash: { type: "string", secret: true },
    },
    normalize: linkNumeric,
    validate: validateText,
    create(a) {
        const result = randomText(a);
        return { id: "none", outputs: { result, bcryptHash: bcryptHash(result) } };
    },
};

/** @type {import("../lib/provider-server").ResourceSpec} */
const randomString = {
    token: "random:index/randomString:RandomString",
    description: "A random string; not secret (use RandomPassword for secrets).",
    inputs: TEXT_INPUTS,
    outputs: { result: { type: "string" } },
    normalize: linkNumeric,
    validate: validateText,
    create(a) {
        const result = randomText(a);
        return { id: result, outputs: { result } };
    },
};

/** @type {import("../lib/provider-server").ResourceSpec} */
const randomId = {
    token: "random:index/randomId:RandomId",
    description: "Random bytes presented in several encodings, each with the optional prefix.",
    inputs: {
        ...KEEPERS,
        byteLength: { type: "integer", required: true, description: "The number of random bytes (>= 1)." },
        prefix: { type: "string" },
    },
    outputs: {
        b64Std: { type: "string" },
        b64Url: { type: "string" },
        dec: { type: "string" },
        hex: { type: "string" },
    },
    validate(a) {
        return a.byteLength < 1
            ? [{ property: "byteLength", reason: `byteLength (${a.byteLength}) must be >= 1` }]
            : [];
    },
    create(a) {
        const bytes = crypto.randomBytes(a.byteLength);
        const prefix = a.prefix || "";
        const url = bytes.toString("base64url");
        return {
            id: url,
            outputs: {
                b64Std: prefix + bytes.toString("base64"),
                b64Url: prefix + url,
                dec: prefix + BigInt(`0x${bytes.toString("hex")}`).toString(10),
                hex: prefix + bytes.toString("hex"),
            },
        };
    },
};

/** @type {import("../lib/provider-server").ResourceSpec} */
const randomBytes = {
    token: "random:index/randomBytes:RandomBytes",
    description: "Random bytes for secrets or keys; base64 and hex are secrets.",
    inputs: {
        ...KEEPERS,
        length: { type: "integer", required: true, description: "The number of bytes (>= 1)." },
    },
    outputs: {
        base64: { type: "string", secret: true },
        hex: { type: "string", secret: true },
    },
    validate(a) {
        return a.length < 1 ? [{ property: "length", reason: `length (${a.length}) must be >= 1` }] : [];
    },
    create(a) {
        const bytes = crypto.randomBytes(a.length);
        return { id: "none", outputs: { base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
    },
};

const provider = {
    name: "random",
    version: VERSION,
    resources: [randomPassword, randomString, randomId, randomBytes],
};

if (require.main === module) {
    runProvider(provider).catch((err) => {
        process.stderr.write(`pulumi-resource-random (e2e stand-in): ${err && err.stack ? err.stack : err}\n`);
        process.exit(1);
    });
}

module.exports = { provider, randomText };
