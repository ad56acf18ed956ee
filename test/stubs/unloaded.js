// Stands in, under jest only, for two parts of @pulumi/pulumi the program never runs: the
// Automation API and the npm tree walker behind closure serialisation (@npmcli/arborist). The
// SDK requires both eagerly, and loading them again in every test file's module registry cost
// about two seconds a file. Anything that does reach them fails loudly instead of half-working.
function unloaded(name) {
    return new Proxy(
        {},
        {
            get(_target, key) {
                // Claiming to be an ES module keeps TypeScript's import helper from copying (and so
                // hiding) this proxy; `then` and symbols are probes, not uses.
                if (key === "__esModule") return true;
                if (typeof key !== "string" || key === "then") return undefined;
                throw new Error(`${name} is not loaded under jest (see test/esm-resolver.js); ${key} was used`);
            },
        },
    );
}

module.exports = unloaded;
