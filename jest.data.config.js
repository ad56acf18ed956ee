// Backup round-trip tests against real servers: test/data/*.dtest.ts (the default `npx jest` only
// matches *.test.ts, so it never runs them). They need the MariaDB servers and fake-gcs-server
// that scripts/ci/data-up.sh starts (as root); `npm run test:data` starts and stops them around:
//   scripts/ci/data-up.sh && npx jest -c jest.data.config.js; scripts/ci/data-down.sh
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/data"],
    testMatch: ["**/*.dtest.ts"],
    // The tests share two servers: one file at a time.
    maxWorkers: 1,
    globalSetup: undefined,
    globalTeardown: undefined,
    testTimeout: 300000,
};
