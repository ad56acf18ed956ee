// Property values as the Pulumi engine sends them to a provider in a google.protobuf.Struct, once
// the provider has said it accepts secrets: plain JSON, except for
//   - secrets: { "<sig key>": "<secret sig>", "value": <the value> }
//   - unknowns (during preview): the string "<unknown sig>"
// The signatures are the protocol's constants (sdk/go/common/resource/properties.go upstream).
"use strict";

const SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** @param {unknown} v */
function isSecret(v) {
    return typeof v === "object" && v !== null && /** @type {any} */ (v)[SIG_KEY] === SECRET_SIG;
}

/** @param {unknown} v */
function secret(v) {
    return isSecret(v) ? v : { [SIG_KEY]: SECRET_SIG, value: v };
}

/**
 * The value with every secret wrapper taken off, at any depth.
 * @param {unknown} v
 * @returns {any}
 */
function reveal(v) {
    if (isSecret(v)) return reveal(/** @type {any} */ (v).value);
    if (Array.isArray(v)) return v.map(reveal);
    if (typeof v === "object" && v !== null) {
        /** @type {Record<string, unknown>} */
        const out = {};
        for (const [k, x] of Object.entries(v)) out[k] = reveal(x);
        return out;
    }
    return v;
}

/**
 * Whether the value is, or contains, an unknown.
 * @param {unknown} v
 * @returns {boolean}
 */
function hasUnknown(v) {
    if (v === UNKNOWN) return true;
    if (Array.isArray(v)) return v.some(hasUnknown);
    if (typeof v === "object" && v !== null) return Object.values(v).some(hasUnknown);
    return false;
}

/**
 * Deep equality of two JSON values.
 * @param {unknown} a
 * @param {unknown} b
 * @returns {boolean}
 */
function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    if (Array.isArray(a) && Array.isArray(b)) {
        return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
    }
    const ka = Object.keys(/** @type {object} */ (a));
    const kb = Object.keys(/** @type {object} */ (b));
    return ka.length === kb.length && ka.every((k) => deepEqual(/** @type {any} */ (a)[k], /** @type {any} */ (b)[k]));
}

/**
 * A copy without undefined members, which google.protobuf.Struct cannot hold.
 * @param {Record<string, unknown>} obj
 */
function defined(obj) {
    /** @type {Record<string, unknown>} */
    const out = {};
    for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
    return out;
}

module.exports = { SIG_KEY, SECRET_SIG, UNKNOWN, isSecret, secret, reveal, hasUnknown, deepEqual, defined };
