// Jest transformer: esbuild turns the project's TypeScript and the ESM-only schema packages into
// CommonJS. Dynamic import() becomes require() because jest's CommonJS runtime cannot load ESM.
const { transformSync } = require("esbuild");

module.exports = {
    process(source, filename) {
        const result = transformSync(source, {
            loader: /\.tsx?$/.test(filename) ? "ts" : "js",
            format: "cjs",
            target: "node20",
            sourcemap: "inline",
            sourcefile: filename,
            supported: { "dynamic-import": false },
        });
        return { code: result.code };
    },
};
