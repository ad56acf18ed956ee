// The random and tls stand-in providers: their resource logic directly, and one provider process
// over gRPC the way the engine drives it (GetPluginInfo, Configure, Check, Create, Diff).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { execFileSync } = require("node:child_process");

const grpc = require("@grpc/grpc-js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

const { startPlugin, call } = require("./helpers");
const { checkInputs, diffInputs, createResource } = require("../lib/provider-server");
const { secret, reveal, isSecret, UNKNOWN } = require("../lib/values");
const { bcryptVerify, bcryptWithSalt, piWords } = require("../lib/bcrypt");
const random = require("../providers/random");
const tls = require("../providers/tls");

/** @param {any} provider @param {string} token */
const spec = (provider, token) => provider.resources.find((/** @type {any} */ r) => r.token.endsWith(token));
const password = spec(random.provider, ":RandomPassword");
const randomString = spec(random.provider, ":RandomString");
const randomId = spec(random.provider, ":RandomId");
const privateKey = spec(tls.provider, ":PrivateKey");

test("Check fills the real provider's defaults and links number/numeric", () => {
    const { inputs, failures } = checkInputs(password, { length: 32, special: false, number: false });
    assert.deepEqual(failures, []);
    assert.deepEqual(inputs, {
        length: 32,
        special: false,
        number: false,
        numeric: false,
        lower: true,
        upper: true,
        minLower: 0,
        minNumeric: 0,
        minSpecial: 0,
        minUpper: 0,
    });
    assert.deepEqual(checkInputs(privateKey, { algorithm: "ED25519" }).inputs, {
        algorithm: "ED25519",
        ecdsaCurve: "P224",
        rsaBits: 2048,
    });
});

test("Check fails on missing, mistyped, unknown-name and inconsistent inputs", () => {
    const reasons = (/** @type {any} */ s, /** @type {any} */ news) =>
        checkInputs(s, news).failures.map((/** @type {any} */ f) => `${f.property}: ${f.reason}`);
    assert.match(reasons(password, {}).join(), /length: Missing required property/);
    assert.match(reasons(password, { length: "32" }).join(), /must be of type integer, not string/);
    assert.match(reasons(password, { length: 8, bogus: 1 }).join(), /no input named "bogus"/);
    assert.match(reasons(password, { length: 3, minUpper: 2, minLower: 2 }).join(), /length \(3\) must be >=/);
    assert.match(reasons(privateKey, { algorithm: "DSA" }).join(), /algorithm must be one of/);
    // An unknown value (preview) is not judged.
    assert.deepEqual(reasons(password, { length: UNKNOWN }), []);
});

test("Diff: any input change replaces; secretness alone is no change; unknown is a change", () => {
    const base = checkInputs(password, { length: 32, keepers: { gen: "1" } }).inputs;
    const { state } = createResource(password, base);
    const Kind = provproto.PropertyDiff.Kind;
    assert.deepEqual(diffInputs(password, state, base), {});
    assert.deepEqual(diffInputs(password, state, { ...base, keepers: secret({ gen: "1" }) }), {});
    assert.deepEqual(diffInputs(password, state, { ...base, keepers: { gen: "2" } }), { keepers: Kind.UPDATE_REPLACE });
    assert.deepEqual(diffInputs(password, state, { ...base, length: UNKNOWN }), { length: Kind.UPDATE_REPLACE });
    const { keepers: _dropped, ...withoutKeepers } = base;
    assert.deepEqual(diffInputs(password, state, withoutKeepers), { keepers: Kind.DELETE_REPLACE });
    assert.deepEqual(
        diffInputs(password, { ...state, overrideSpecial: undefined }, { ...base, overrideSpecial: "!" }),
        {
            overrideSpecial: Kind.ADD_REPLACE,
        },
    );
});

test("RandomPassword: result and bcryptHash are secret; the result obeys the inputs; the hash matches it", () => {
    const inputs = checkInputs(password, { length: 40, special: false, minNumeric: 5, minUpper: 5 }).inputs;
    const { id, state } = createResource(password, inputs);
    assert.equal(id, "none");
    assert.ok(isSecret(state.result) && isSecret(state.bcryptHash));
    assert.equal(state.length, 40, "inputs are kept in the state");
    const result = reveal(state.result);
    assert.equal(result.length, 40);
    assert.match(result, /^[A-Za-z0-9]+$/);
    assert.ok((result.match(/[0-9]/g) || []).length >= 5);
    assert.ok((result.match(/[A-Z]/g) || []).length >= 5);
    assert.match(reveal(state.bcryptHash), /^\$2a\$10\$/);
    assert.ok(bcryptVerify(result, reveal(state.bcryptHash)));
    assert.ok(!bcryptVerify(`${result}x`, reveal(state.bcryptHash)));
});

test("RandomString: result is not secret and is the id; overrideSpecial is the special set", () => {
    const inputs = checkInputs(randomString, {
        length: 20,
        upper: false,
        lower: false,
        numeric: false,
        overrideSpecial: "#",
    }).inputs;
    const { id, state } = createResource(randomString, inputs);
    assert.equal(state.result, "#".repeat(20));
    assert.equal(id, state.result);
    assert.throws(
        () =>
            createResource(
                randomString,
                checkInputs(randomString, { length: 4, upper: false, lower: false, numeric: false, special: false })
                    .inputs,
            ),
        /character set is empty/,
    );
});

test("random text draws from exactly the enabled sets", () => {
    const text = random.randomText(checkInputs(randomString, { length: 2000, special: false }).inputs);
    assert.match(text, /^[A-Za-z0-9]{2000}$/);
    for (const set of [/[A-Z]/, /[a-z]/, /[0-9]/]) assert.match(text, set);
    const specials = random.randomText(checkInputs(randomString, { length: 2000, upper: false, lower: false }).inputs);
    assert.match(specials, /^[0-9!@#$%&*()\-_=+[\]{}<>:?]{2000}$/);
    assert.match(specials, /[!@#$%&*()\-_=+[\]{}<>:?]/);
});

test("RandomId: every encoding is of the same bytes, with the prefix", () => {
    const { id, state } = createResource(randomId, checkInputs(randomId, { byteLength: 8, prefix: "p-" }).inputs);
    const bytes = Buffer.from(String(state.hex).slice(2), "hex");
    assert.equal(bytes.length, 8);
    assert.equal(id, bytes.toString("base64url"));
    assert.equal(state.b64Url, `p-${bytes.toString("base64url")}`);
    assert.equal(state.b64Std, `p-${bytes.toString("base64")}`);
    assert.equal(state.dec, `p-${BigInt(`0x${bytes.toString("hex")}`)}`);
});

test("bcrypt: Blowfish's pi constants and a published test vector", () => {
    const words = piWords();
    assert.equal(words[0].toString(16), "243f6a88");
    assert.equal(words[18].toString(16), "d1310ba6"); // first word of S-box 0
    // From the OpenBSD/Openwall bcrypt test vectors.
    assert.match(bcryptWithSalt("U*U", Buffer.alloc(16), 4), /^\$2a\$04\$\.{21}[./A-Za-z0-9]{32}$/);
    assert.ok(bcryptVerify("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
    assert.ok(!bcryptVerify("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"));
});

test("tls.PrivateKey ED25519: PEMs parse, OpenSSH public key and fingerprint match the key", () => {
    const inputs = checkInputs(privateKey, { algorithm: "ED25519" }).inputs;
    const { id, state } = createResource(privateKey, inputs);
    for (const k of ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"]) assert.ok(isSecret(state[k]), k);
    for (const k of ["publicKeyOpenssh", "publicKeyPem", "publicKeyFingerprintSha256"])
        assert.ok(!isSecret(state[k]), k);
    const priv = crypto.createPrivateKey(reveal(state.privateKeyPem));
    const pub = crypto.createPublicKey(priv);
    assert.equal(pub.export({ type: "spki", format: "pem" }), state.publicKeyPem);
    assert.equal(id, crypto.createHash("sha1").update(String(state.publicKeyPem)).digest("hex"));
    const raw = Buffer.from(/** @type {any} */ (pub.export({ format: "jwk" })).x, "base64url");
    const [type, blob] = String(state.publicKeyOpenssh).trim().split(" ");
    assert.equal(type, "ssh-ed25519");
    assert.deepEqual(Buffer.from(blob, "base64").subarray(-32), raw);
    const sha = crypto.createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64").replace(/=+$/, "");
    assert.equal(state.publicKeyFingerprintSha256, `SHA256:${sha}`);
    assert.match(reveal(state.privateKeyOpenssh), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
});

test("tls.PrivateKey OpenSSH private keys load in ssh-keygen (when installed)", (t) => {
    try {
        execFileSync("ssh-keygen", ["-?"], { stdio: "ignore" });
    } catch (err) {
        if (/** @type {any} */ (err).code === "ENOENT") {
            t.skip("ssh-keygen is not installed");
            return;
        }
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-standin-"));
    try {
        for (const args of [
            { algorithm: "ED25519" },
            { algorithm: "RSA", rsaBits: 2048 },
            { algorithm: "ECDSA", ecdsaCurve: "P256" },
            { algorithm: "ECDSA", ecdsaCurve: "P521" },
        ]) {
            const { state } = createResource(privateKey, checkInputs(privateKey, args).inputs);
            const file = path.join(dir, "key");
            fs.writeFileSync(file, reveal(state.privateKeyOpenssh), { mode: 0o600 });
            const derived = execFileSync("ssh-keygen", ["-y", "-f", file], { encoding: "utf8" }).trim();
            assert.equal(derived, String(state.publicKeyOpenssh).trim(), JSON.stringify(args));
            fs.rmSync(file);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});

test("tls.PrivateKey ECDSA P224 has no OpenSSH form, as with the real provider", () => {
    const { state } = createResource(privateKey, checkInputs(privateKey, { algorithm: "ECDSA" }).inputs);
    assert.equal(state.publicKeyOpenssh, "");
    assert.equal(reveal(state.privateKeyOpenssh), "");
    assert.match(reveal(state.privateKeyPem), /^-----BEGIN EC PRIVATE KEY-----/);
});

test("pulumi-resource-random over gRPC: info, configure, check, create, diff", async () => {
    const plugin = await startPlugin("pulumi-resource-random");
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    const urn = "urn:pulumi:dev::proj::random:index/randomPassword:RandomPassword::pw";
    const struct = (/** @type {any} */ v) => structproto.Struct.fromJavaScript(v);
    try {
        const info = await call(client, "getPluginInfo", new emptyproto.Empty());
        assert.equal(info.getVersion(), "4.21.2");

        const conf = new provproto.ConfigureRequest();
        conf.setAcceptsecrets(true);
        conf.setArgs(struct({}));
        const configured = await call(client, "configure", conf);
        assert.equal(configured.getAcceptsecrets(), true);

        const check = new provproto.CheckRequest();
        check.setUrn(urn);
        check.setOlds(struct({}));
        check.setNews(struct({ length: 16, special: false }));
        const checked = await call(client, "check", check);
        assert.equal(checked.getFailuresList().length, 0);
        const inputs = checked.getInputs().toJavaScript();
        assert.equal(inputs.upper, true);

        const create = new provproto.CreateRequest();
        create.setUrn(urn);
        create.setProperties(checked.getInputs());
        const created = await call(client, "create", create);
        assert.equal(created.getId(), "none");
        const state = created.getProperties().toJavaScript();
        assert.ok(isSecret(state.result));
        assert.equal(reveal(state.result).length, 16);

        const diff = new provproto.DiffRequest();
        diff.setId("none");
        diff.setUrn(urn);
        diff.setOlds(created.getProperties());
        diff.setNews(struct({ ...inputs, length: 20 }));
        const diffed = await call(client, "diff", diff);
        assert.equal(diffed.getChanges(), provproto.DiffResponse.DiffChanges.DIFF_SOME);
        assert.deepEqual(diffed.getReplacesList(), ["length"]);

        diff.setNews(checked.getInputs());
        const same = await call(client, "diff", diff);
        assert.equal(same.getChanges(), provproto.DiffResponse.DiffChanges.DIFF_NONE);

        const bad = new provproto.CheckRequest();
        bad.setUrn("urn:pulumi:dev::proj::random:index/randomPet:RandomPet::pet");
        bad.setNews(struct({}));
        await assert.rejects(call(client, "check", bad), /has no resource type random:index\/randomPet:RandomPet/);
    } finally {
        client.close();
        plugin.child.kill();
    }
});

test("pulumi-resource-tls over gRPC: version 5.6.1 and a schema naming PrivateKey", async () => {
    const plugin = await startPlugin("pulumi-resource-tls");
    const client = new provrpc.ResourceProviderClient(`127.0.0.1:${plugin.port}`, grpc.credentials.createInsecure());
    try {
        const info = await call(client, "getPluginInfo", new emptyproto.Empty());
        assert.equal(info.getVersion(), "5.6.1");
        const schema = JSON.parse((await call(client, "getSchema", new provproto.GetSchemaRequest())).getSchema());
        assert.equal(schema.name, "tls");
        const res = schema.resources["tls:index/privateKey:PrivateKey"];
        assert.equal(res.properties.privateKeyOpenssh.secret, true);
        assert.deepEqual(res.requiredInputs, ["algorithm"]);
    } finally {
        client.close();
        plugin.child.kill();
    }
});
