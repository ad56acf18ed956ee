// Jest globalTeardown: removes the shared renders made during the run (see renders-setup.js).
const { rmSync } = require("node:fs");

module.exports = () => {
    const dir = process.env.PLATFORM_TEST_RENDERS;
    if (dir) rmSync(dir, { recursive: true, force: true });
};
