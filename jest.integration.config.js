// Integration tests against real services: test/integration/*.itest.ts (the default `npx jest`
// only matches *.test.ts, so it never runs them). They need a Zabbix 6.0 API from Debian's
// packages, which scripts/ci/zabbix-up.sh starts (as root):
//   scripts/ci/zabbix-up.sh && npx jest -c jest.integration.config.js
const base = require("./jest.config.js");

/** @type {import('jest').Config} */
module.exports = {
    ...base,
    roots: ["<rootDir>/test/integration"],
    testMatch: ["**/*.itest.ts"],
    testTimeout: 120000,
};
