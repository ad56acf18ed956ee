// A small resource-provider server (pulumirpc.ResourceProvider over grpc-js) for the e2e stand-in
// providers: random and tls. Each resource type is declared once (inputs with types and defaults,
// outputs with their secret flags, a create function); this file turns the declarations into the
// RPCs the engine calls for preview, up, refresh and destroy.
//
// Behaviour shared by every stand-in resource, as in the real random and tls providers, where
// every input is "ForceNew": any change to an input replaces the resource; create computes the
// outputs once and they never change afterwards (refresh reads back the stored state).
"use strict";

const grpc = require("@grpc/grpc-js");
const emptyproto = require("google-protobuf/google/protobuf/empty_pb");
const structproto = require("google-protobuf/google/protobuf/struct_pb");
const plugproto = require("@pulumi/pulumi/proto/plugin_pb");
const provproto = require("@pulumi/pulumi/proto/provider_pb");
const provrpc = require("@pulumi/pulumi/proto/provider_grpc_pb");

const { parsePluginArgs, makeLogger, serve, stopWithEngine, grpcError } = require("./serve");
const { UNKNOWN, isSecret, secret, reveal, hasUnknown, deepEqual, defined } = require("./values");

/**
 * @typedef {{ type: "string" | "integer" | "boolean" | "map", required?: boolean, default?: unknown,
 *             secret?: boolean, description?: string, deprecated?: string }} PropertySpec
 * @typedef {{ property: string, reason: string }} Failure
 * @typedef {{
 *   token: string,
 *   description: string,
 *   inputs: Record<string, PropertySpec>,
 *   outputs: Record<string, PropertySpec>,
 *   normalize?: (news: Record<string, any>) => void,
 *   validate?: (inputs: Record<string, any>) => Failure[],
 *   create: (inputs: Record<string, any>) => { id: string, outputs: Record<string, unknown> },
 * }} ResourceSpec
 * @typedef {{ name: string, version: string, resources: ResourceSpec[] }} ProviderSpec
 */

/**
 * The type of a property value, as the checks below name it.
 * @param {unknown} v
 */
function typeOf(v) {
    if (Array.isArray(v)) return "array";
    if (v === null) return "null";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    if (typeof v === "object") return "map";
    return typeof v;
}

/**
 * Check: defaults filled in, types and required inputs checked, then the resource's own rules.
 * Secret wrappers on the inputs are kept, so a secret input stays secret in the state.
 * @param {ResourceSpec} spec
 * @param {Record<string, any>} news
 * @returns {{ inputs: Record<string, any>, failures: Failure[] }}
 */
function checkInputs(spec, news) {
    /** @type {Failure[]} */
    const failures = [];
    /** @type {Record<string, any>} */
    const inputs = {};
    for (const [key, value] of Object.entries(news)) {
        if (!(key in spec.inputs)) {
            failures.push({ property: key, reason: `${spec.token} has no input named "${key}"` });
            continue;
        }
        inputs[key] = value;
    }
    if (spec.normalize) spec.normalize(inputs);
    for (const [key, prop] of Object.entries(spec.inputs)) {
        const value = inputs[key];
        if (value === undefined || value === null) {
            if (prop.default !== undefined) inputs[key] = prop.default;
            else if (prop.required) failures.push({ property: key, reason: `Missing required property '${key}'` });
            else delete inputs[key];
            continue;
        }
        const plain = reveal(value);
        if (hasUnknown(plain)) continue;
        const actual = typeOf(plain);
        if (actual !== prop.type && !(prop.type === "map" && actual === "map")) {
            failures.push({ property: key, reason: `${key} must be of type ${prop.type}, not ${actual}` });
        }
    }
    if (failures.length === 0 && spec.validate) {
        const plain = reveal(inputs);
        if (!hasUnknown(plain)) failures.push(...spec.validate(plain));
    }
    return { inputs, failures };
}

/**
 * Diff: which inputs differ between the stored state and the checked new inputs. Secretness alone
 * is no change; an unknown new value is. Every changed input replaces the resource.
 * @param {ResourceSpec} spec
 * @param {Record<string, any>} olds state (outputs) of the existing resource
 * @param {Record<string, any>} news checked inputs
 */
function diffInputs(spec, olds, news) {
    /** @type {Record<string, number>} key -> PropertyDiff.Kind */
    const detailed = {};
    const Kind = provproto.PropertyDiff.Kind;
    for (const key of Object.keys(spec.inputs)) {
        const before = olds[key];
        const after = news[key];
        if (before === undefined && after === undefined) continue;
        if (hasUnknown(after) || !deepEqual(reveal(before), reveal(after))) {
            if (before === undefined) detailed[key] = Kind.ADD_REPLACE;
            else if (after === undefined) detailed[key] = Kind.DELETE_REPLACE;
            else detailed[key] = Kind.UPDATE_REPLACE;
        }
    }
    return detailed;
}

/**
 * Create: the outputs, with the secret ones wrapped as secrets, after the inputs (as the state holds
 * both; the inputs keep their own secret wrappers).
 * @param {ResourceSpec} spec
 * @param {Record<string, any>} inputs checked inputs
 */
function createResource(spec, inputs) {
    const { id, outputs } = spec.create(reveal(inputs));
    /** @type {Record<string, unknown>} */
    const state = { ...inputs };
    for (const [key, prop] of Object.entries(spec.outputs)) {
        const value = outputs[key];
        if (value === undefined) continue;
        state[key] = prop.secret ? secret(value) : value;
    }
    return { id, state: defined(state) };
}

/**
 * A Pulumi package schema for the provider: enough for `pulumi package get-schema` and tools that
 * list resources, not the real provider's full schema.
 * @param {ProviderSpec} provider
 */
function schemaOf(provider) {
    /** @param {PropertySpec} p */
    const prop = (p) =>
        defined({
            type: p.type === "map" ? "object" : p.type,
            additionalProperties: p.type === "map" ? { type: "string" } : undefined,
            description: p.description,
            default: p.default,
            secret: p.secret || undefined,
            deprecationMessage: p.deprecated,
        });
    /** @type {Record<string, unknown>} */
    const resources = {};
    for (const r of provider.resources) {
        const all = { ...r.inputs, ...r.outputs };
        resources[r.token] = {
            description: r.description,
            inputProperties: Object.fromEntries(Object.entries(r.inputs).map(([k, p]) => [k, prop(p)])),
            requiredInputs: Object.entries(r.inputs)
                .filter(([, p]) => p.required)
                .map(([k]) => k),
            properties: Object.fromEntries(Object.entries(all).map(([k, p]) => [k, prop(p)])),
            required: Object.keys(r.outputs),
        };
    }
    return {
        name: provider.name,
        version: provider.version,
        description: `e2e stand-in for the ${provider.name} provider (e2e/host/README.md)`,
        resources,
    };
}

/** @param {any} struct a google.protobuf.Struct or undefined */
function toObject(struct) {
    return struct ? struct.toJavaScript() : {};
}

/** @param {Record<string, unknown>} obj */
function toStruct(obj) {
    return structproto.Struct.fromJavaScript(/** @type {any} */ (defined(obj)));
}

/**
 * The gRPC method table of a provider.
 * @param {ProviderSpec} provider
 * @param {ReturnType<typeof makeLogger>} log
 */
function providerImplementation(provider, log) {
    const byToken = new Map(provider.resources.map((r) => [r.token, r]));
    /** @param {string} urn */
    const specFor = (urn, type = "") => {
        // urn:pulumi:<stack>::<project>::<qualified type>::<name>; the type's last part is ours.
        const qualified = type || urn.split("::")[2] || "";
        const token = qualified.split("$").pop() || "";
        const spec = byToken.get(token);
        if (!spec) throw new Error(`the ${provider.name} stand-in provider has no resource type ${token}`);
        return spec;
    };
    /**
     * @param {(req: any) => any} fn
     * @returns {import("@grpc/grpc-js").handleUnaryCall<any, any>}
     */
    const unary = (fn) => (call, cb) => {
        try {
            cb(null, fn(call.request));
        } catch (err) {
            log.warn(err instanceof Error ? err.message : String(err));
            cb(grpcError(err));
        }
    };

    return {
        getPluginInfo: unary(() => {
            const info = new plugproto.PluginInfo();
            info.setVersion(provider.version);
            return info;
        }),
        getSchema: unary((req) => {
            const resp = new provproto.GetSchemaResponse();
            resp.setSchema(req.getVersion() === 0 ? JSON.stringify(schemaOf(provider)) : "{}");
            return resp;
        }),
        // Neither stand-in has provider configuration: any is accepted and never needs a replace.
        checkConfig: unary((req) => {
            const resp = new provproto.CheckResponse();
            resp.setInputs(req.getNews() || toStruct({}));
            return resp;
        }),
        diffConfig: unary((req) => {
            const resp = new provproto.DiffResponse();
            const same = deepEqual(reveal(toObject(req.getOlds())), reveal(toObject(req.getNews())));
            resp.setChanges(
                same ? provproto.DiffResponse.DiffChanges.DIFF_NONE : provproto.DiffResponse.DiffChanges.DIFF_SOME,
            );
            return resp;
        }),
        configure: unary(() => {
            const resp = new provproto.ConfigureResponse();
            resp.setAcceptsecrets(true);
            resp.setAcceptresources(true);
            // No previews of create/update: the engine then shows computed outputs as unknown itself.
            resp.setSupportspreview(false);
            return resp;
        }),
        check: unary((req) => {
            const spec = specFor(req.getUrn(), req.getType());
            const { inputs, failures } = checkInputs(spec, toObject(req.getNews()));
            const resp = new provproto.CheckResponse();
            resp.setInputs(toStruct(inputs));
            for (const f of failures) {
                const failure = new provproto.CheckFailure();
                failure.setProperty(f.property);
                failure.setReason(f.reason);
                resp.addFailures(failure);
            }
            return resp;
        }),
        diff: unary((req) => {
            const spec = specFor(req.getUrn(), req.getType());
            const detailed = diffInputs(spec, toObject(req.getOlds()), toObject(req.getNews()));
            const resp = new provproto.DiffResponse();
            const keys = Object.keys(detailed);
            resp.setChanges(
                keys.length
                    ? provproto.DiffResponse.DiffChanges.DIFF_SOME
                    : provproto.DiffResponse.DiffChanges.DIFF_NONE,
            );
            resp.setReplacesList(keys);
            resp.setDiffsList(keys);
            resp.setHasdetaileddiff(true);
            const map = resp.getDetaileddiffMap();
            for (const [key, kind] of Object.entries(detailed)) {
                const pd = new provproto.PropertyDiff();
                pd.setKind(kind);
                pd.setInputdiff(true);
                map.set(key, pd);
            }
            return resp;
        }),
        create: unary((req) => {
            const spec = specFor(req.getUrn(), req.getType());
            const inputs = toObject(req.getProperties());
            if (req.getPreview()) throw new Error("create previews are not supported (Configure said so)");
            const { id, state } = createResource(spec, inputs);
            const resp = new provproto.CreateResponse();
            resp.setId(id);
            resp.setProperties(toStruct(state));
            return resp;
        }),
        read: unary((req) => {
            specFor(req.getUrn(), req.getType());
            const props = toObject(req.getProperties());
            if (Object.keys(props).length === 0) {
                throw new Error(`the ${provider.name} stand-in provider cannot import resources (id ${req.getId()})`);
            }
            // Nothing outside the state to compare with: the resource is exactly what was stored.
            const resp = new provproto.ReadResponse();
            resp.setId(req.getId());
            resp.setProperties(req.getProperties());
            if (req.hasInputs()) resp.setInputs(req.getInputs());
            return resp;
        }),
        update: unary((req) => {
            // Every input change is a replace (diff), so the engine has no update to ask for; should it
            // ask anyway (e.g. a diff forced by the user), the stored outputs stay and the inputs move.
            const spec = specFor(req.getUrn(), req.getType());
            const olds = toObject(req.getOlds());
            const news = toObject(req.getNews());
            /** @type {Record<string, unknown>} */
            const state = { ...news };
            for (const key of Object.keys(spec.outputs)) if (olds[key] !== undefined) state[key] = olds[key];
            const resp = new provproto.UpdateResponse();
            resp.setProperties(toStruct(state));
            return resp;
        }),
        delete: unary(() => new emptyproto.Empty()),
        cancel: unary(() => new emptyproto.Empty()),
        attach: unary(() => new emptyproto.Empty()),
        getMapping: unary(() => {
            const resp = new provproto.GetMappingResponse();
            resp.setProvider("");
            return resp;
        }),
        getMappings: unary(() => new provproto.GetMappingsResponse()),
    };
}

/**
 * Runs a provider as a plugin process: serves, prints the port, exits with the engine.
 * @param {ProviderSpec} provider
 */
async function runProvider(provider) {
    const { engineAddress, verbose } = parsePluginArgs(process.argv.slice(2));
    const log = makeLogger(`pulumi-resource-${provider.name} (e2e stand-in)`, verbose);
    const { server } = await serve(provrpc.ResourceProviderService, providerImplementation(provider, log));
    stopWithEngine(server, engineAddress);
}

module.exports = {
    UNKNOWN,
    isSecret,
    checkInputs,
    diffInputs,
    createResource,
    schemaOf,
    providerImplementation,
    runProvider,
    grpcStatus: grpc.status,
};
