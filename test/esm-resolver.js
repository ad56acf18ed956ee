// Resolves the ESM-only schema packages through their `import` condition (see jest.config.js).
const esmOnly = /^(kubernetes-models|@kubernetes-models\/)/;

module.exports = (request, options) => {
    if (esmOnly.test(request)) {
        return options.defaultResolver(request, { ...options, conditions: ["import", "default"] });
    }
    return options.defaultResolver(request, options);
};
