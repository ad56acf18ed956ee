// Writes `{"passed": N, "failed": N}` to $JEST_SUMMARY_FILE so .ci/run can print one plain total
// line across jest runs (jest's own summary line is not the format CI reads).
const fs = require("node:fs");

class SummaryReporter {
    onRunComplete(_contexts, results) {
        const file = process.env.JEST_SUMMARY_FILE;
        if (!file) return;
        // A suite that fails to load has no test results but is still a failure.
        const broken = results.numRuntimeErrorTestSuites;
        const summary = { passed: results.numPassedTests, failed: results.numFailedTests + broken };
        let previous = { passed: 0, failed: 0 };
        try {
            previous = JSON.parse(fs.readFileSync(file, "utf8"));
        } catch {
            // first run
        }
        fs.writeFileSync(
            file,
            JSON.stringify({ passed: previous.passed + summary.passed, failed: previous.failed + summary.failed }),
        );
    }
}

module.exports = SummaryReporter;
