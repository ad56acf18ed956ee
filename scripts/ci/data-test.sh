#!/usr/bin/env bash
# `npm run test:data`: starts the data test servers (scripts/ci/data-up.sh), runs the round-trip
# tests (jest.data.config.js, test/data/*.dtest.ts; extra arguments go to jest), stops the servers.
# A failed set-up is a failed run.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if ! bash scripts/ci/data-up.sh; then
    echo "data-test: scripts/ci/data-up.sh failed: the data tests could not run" >&2
    bash scripts/ci/data-down.sh
    exit 1
fi
npx jest -c jest.data.config.js "$@"
status=$?
bash scripts/ci/data-down.sh
exit "$status"
