// The schema models (kubernetes-models, @kubernetes-models/*) and two of their dependencies
// ship as ESM only; jest runs CommonJS, so they are resolved through their `import` export and
// transformed by esbuild like the project's own TypeScript.
const esm = ["kubernetes-models", "@kubernetes-models", "is-cidr", "cidr-regex"];

/** @type {import('jest').Config} */
module.exports = {
    testEnvironment: "node",
    roots: ["<rootDir>/test"],
    testMatch: ["**/*.test.ts"],
    transform: { "^.+\\.(t|j|mj)sx?$": "<rootDir>/test/esbuild-transform.js" },
    transformIgnorePatterns: [`/node_modules/(?!(${esm.join("|")})/).+\\.(js|cjs|json)$`],
    resolver: "<rootDir>/test/esm-resolver.js",
    // One render per committed stack per run, shared by the test files (test/rendered.ts).
    globalSetup: "<rootDir>/test/renders-setup.js",
    globalTeardown: "<rootDir>/test/renders-teardown.js",
    reporters: ["default", "<rootDir>/test/summary-reporter.js"],
    // Both cores: the default (cores - 1) leaves one idle on the 2-core build machines.
    maxWorkers: 2,
    testTimeout: 60000,
};
