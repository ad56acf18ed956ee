// The image-automation loop test: test/flux/*.ftest.ts (the default `npx jest` only matches
// *.test.ts, so it never runs them). It needs Flux's controller, a kube-apiserver and etcd, which
// scripts/ci/flux-loop.sh builds or finds and hands over in FLUX_IAC_DIR, KUBE_BIN_DIR, ETCD_BIN:
//   bash scripts/ci/flux-loop.sh
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/flux"],
    testMatch: ["**/*.ftest.ts"],
    // One control plane for the file; no renders shared with the unit tests.
    globalSetup: undefined,
    globalTeardown: undefined,
    maxWorkers: 1,
    testTimeout: 600000,
};
