// Resolves the ESM-only schema packages through their `import` condition (see jest.config.js),
// and swaps two unused, slow-to-load parts of the Pulumi SDK for stubs (test/stubs/unloaded.js).
const path = require("node:path");

const esmOnly = /^(kubernetes-models|@kubernetes-models\/)/;
const automation = `${path.sep}@pulumi${path.sep}pulumi${path.sep}automation${path.sep}index.js`;
const stubs = path.join(__dirname, "stubs");

module.exports = (request, options) => {
    if (esmOnly.test(request)) {
        return options.defaultResolver(request, { ...options, conditions: ["import", "default"] });
    }
    if (request === "@npmcli/arborist") return path.join(stubs, "npmcli-arborist.js");
    const resolved = options.defaultResolver(request, options);
    return resolved.endsWith(automation) ? path.join(stubs, "pulumi-automation.js") : resolved;
};
