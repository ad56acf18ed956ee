// bcrypt ($2a$, cost 10 by default), for the random stand-in's RandomPassword.bcryptHash: the real
// provider fills it with Go's bcrypt.GenerateFromPassword(result, bcrypt.DefaultCost). No bcrypt
// package is installed in this repository, so this is a small implementation of the published
// algorithm (Provos and Mazières, "A Future-Adaptable Password Scheme", 1999): Blowfish with the
// expensive key schedule, then "OrpheanBeholderScryDoubt" encrypted 64 times.
//
// Blowfish's initial P-array and S-boxes are, by definition, the hexadecimal digits of pi's
// fractional part (P first, then S0..S3): they are computed here once, with BigInt and Machin's
// formula, instead of being written out as a table.
"use strict";

const crypto = require("node:crypto");

const WORDS = 18 + 4 * 256; // P-array and four S-boxes

/** The first `WORDS` 32-bit words of pi's fractional part. */
function piWords() {
    const bits = BigInt(WORDS * 32);
    const guard = 64n; // room for the truncation error of every series term
    const one = 1n << (bits + guard);
    /** arctan(1/x) * one, by its Taylor series. @param {bigint} x */
    const arctanInverse = (x) => {
        const x2 = x * x;
        let power = one / x;
        let sum = power;
        for (let k = 1n, sign = -1n; power !== 0n; k++, sign = -sign) {
            power /= x2;
            sum += (sign * power) / (2n * k + 1n);
        }
        return sum;
    };
    const pi = 16n * arctanInverse(5n) - 4n * arctanInverse(239n); // Machin: pi/4 = 4 atan(1/5) - atan(1/239)
    const fraction = (pi - 3n * one) >> guard;
    const hex = fraction.toString(16).padStart(WORDS * 8, "0");
    const words = new Uint32Array(WORDS);
    for (let i = 0; i < WORDS; i++) words[i] = parseInt(hex.slice(i * 8, i * 8 + 8), 16);
    return words;
}

/** @type {Uint32Array | undefined} */
let initial;

/** A fresh Blowfish state: P (18 words) and S (4 x 256 words) in one array. */
function initialState() {
    if (!initial) initial = piWords();
    return new Uint32Array(initial);
}

/**
 * Encrypts one 64-bit block in place: 16 Feistel rounds with F(x) = ((S0[a] + S1[b]) ^ S2[c]) + S3[d]
 * on the bytes a..d of x, then the last two P words.
 * @param {Uint32Array} st state: P at 0..17, S-box i at 18 + 256 i
 * @param {Uint32Array} block two words
 */
function encrypt(st, block) {
    let l = block[0];
    let r = block[1];
    for (let i = 0; i < 16; i += 2) {
        l ^= st[i];
        r ^=
            (((st[18 + (l >>> 24)] + st[274 + ((l >>> 16) & 0xff)]) ^ st[530 + ((l >>> 8) & 0xff)]) +
                st[786 + (l & 0xff)]) |
            0;
        r ^= st[i + 1];
        l ^=
            (((st[18 + (r >>> 24)] + st[274 + ((r >>> 16) & 0xff)]) ^ st[530 + ((r >>> 8) & 0xff)]) +
                st[786 + (r & 0xff)]) |
            0;
    }
    block[0] = r ^ st[17];
    block[1] = l ^ st[16];
}

/**
 * Reads 32-bit big-endian words from `data`, cycling through it, into an array of `count` words.
 * @param {Uint8Array} data
 * @param {number} count
 */
function cycleWords(data, count) {
    const words = new Uint32Array(count);
    let pos = 0;
    for (let n = 0; n < count; n++) {
        let w = 0;
        for (let i = 0; i < 4; i++) {
            w = (w << 8) | data[pos];
            pos = (pos + 1) % data.length;
        }
        words[n] = w;
    }
    return words;
}

/**
 * The key schedule: key into P, then P and S replaced by successive encryptions, each block mixed
 * with the salt first (no salt: the plain Blowfish schedule).
 * @param {Uint32Array} st
 * @param {Uint32Array} keyWords the key as 18 cycled words
 * @param {Uint32Array | undefined} saltWords the salt's 4 words
 */
function expand(st, keyWords, saltWords) {
    for (let i = 0; i < 18; i++) st[i] ^= keyWords[i];
    const block = new Uint32Array(2);
    for (let i = 0, s = 0; i < WORDS; i += 2) {
        if (saltWords) {
            block[0] ^= saltWords[s];
            block[1] ^= saltWords[s + 1];
            s ^= 2;
        }
        encrypt(st, block);
        st[i] = block[0];
        st[i + 1] = block[1];
    }
}

const B64 = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STD = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** bcrypt's base64: the standard bit layout with its own alphabet and no padding. @param {Uint8Array} bytes */
function encode64(bytes) {
    return Buffer.from(bytes)
        .toString("base64")
        .replace(/=+$/, "")
        .replace(/./g, (c) => B64[STD.indexOf(c)]);
}

/** @param {string} text */
function decode64(text) {
    const std = text.replace(/./g, (c) => {
        const i = B64.indexOf(c);
        if (i < 0) throw new Error(`invalid bcrypt base64 character ${c}`);
        return STD[i];
    });
    return Buffer.from(std, "base64");
}

/**
 * The bcrypt hash of a password with a given 16-byte salt.
 * @param {string} password
 * @param {Uint8Array} salt 16 bytes
 * @param {number} cost 4..31
 */
function bcryptWithSalt(password, salt, cost) {
    if (salt.length !== 16) throw new Error("bcrypt salt must be 16 bytes");
    if (!Number.isInteger(cost) || cost < 4 || cost > 31) throw new Error(`bcrypt cost ${cost} out of range`);
    // The key is the password's bytes with a terminating NUL, at most 72 bytes.
    const key = Buffer.concat([Buffer.from(password, "utf8"), Buffer.from([0])]).subarray(0, 72);
    const keyWords = cycleWords(key, 18);
    const saltAsKey = cycleWords(salt, 18);
    const st = initialState();
    expand(st, keyWords, cycleWords(salt, 4));
    for (let round = 0; round < 2 ** cost; round++) {
        expand(st, keyWords, undefined);
        expand(st, saltAsKey, undefined);
    }
    const text = Buffer.from("OrpheanBeholderScryDoubt", "latin1");
    const words = new Uint32Array(6);
    for (let i = 0; i < 6; i++) words[i] = text.readUInt32BE(i * 4);
    const block = new Uint32Array(2);
    for (let n = 0; n < 64; n++) {
        for (let i = 0; i < 6; i += 2) {
            block[0] = words[i];
            block[1] = words[i + 1];
            encrypt(st, block);
            words[i] = block[0];
            words[i + 1] = block[1];
        }
    }
    const out = Buffer.alloc(24);
    for (let i = 0; i < 6; i++) out.writeUInt32BE(words[i], i * 4);
    const costText = String(cost).padStart(2, "0");
    return `$2a$${costText}$${encode64(salt)}${encode64(out.subarray(0, 23))}`;
}

/**
 * A new bcrypt hash with a random salt, as Go's bcrypt.GenerateFromPassword makes.
 * @param {string} password
 * @param {number} [cost]
 */
function bcryptHash(password, cost = 10) {
    return bcryptWithSalt(password, crypto.randomBytes(16), cost);
}

/**
 * Whether `hash` ($2a$/$2b$/$2y$) is the bcrypt hash of `password`.
 * @param {string} password
 * @param {string} hash
 */
function bcryptVerify(password, hash) {
    const m = /^\$2[aby]\$(\d\d)\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/.exec(hash);
    if (!m) throw new Error("not a bcrypt hash");
    const again = bcryptWithSalt(password, decode64(m[2]).subarray(0, 16), Number(m[1]));
    return again.slice(7) === hash.slice(7);
}

module.exports = { bcryptHash, bcryptWithSalt, bcryptVerify, piWords };
