# Sourced by the CI steps that end with one line `<label>: N passed, N failed`, which .ci/run
# counts:  source scripts/ci/counts.sh <label>
# Gives `ok <what>` and `fail <what>`, and prints the line on exit, whatever stops the script.
# A script with something to remove on exit defines `cleanup`.
passed=0
failed=0
counts_label=$1
report() {
    if declare -F cleanup > /dev/null; then cleanup; fi
    # A run that checked nothing (it stopped early) is a failure, not a pass.
    ((passed + failed > 0)) || failed=1
    echo "$counts_label: $passed passed, $failed failed"
}
trap report EXIT
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { failed=$((failed + 1)); echo "FAIL $*"; }
