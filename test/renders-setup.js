// Jest globalSetup: a directory for this run's shared renders (test/rendered.ts). Workers start
// after this and inherit the variable; the teardown removes the directory.
const { mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const path = require("node:path");

module.exports = () => {
    process.env.PLATFORM_TEST_RENDERS = mkdtempSync(path.join(tmpdir(), "platform-test-renders-"));
};
