#!/usr/bin/env bash
# Stops what scripts/ci/data-up.sh started (by the pid files it wrote) and removes its state.
set -uo pipefail

STATE_DIR="${DATA_STATE_DIR:-/tmp/data-ci}"
[ -d "$STATE_DIR" ] || exit 0

stop() {
    local pid
    pid="$(cat "$1" 2>/dev/null)" || return 0
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.5
    done
    kill -9 "$pid" 2>/dev/null || true
}
stop "$STATE_DIR/source/pid"
stop "$STATE_DIR/target/pid"
stop "$STATE_DIR/fake-gcs.pid"
rm -rf "$STATE_DIR/source" "$STATE_DIR/target" "$STATE_DIR/env" "$STATE_DIR/fake-gcs.pid"
echo "data-down: stopped the data test servers" >&2
