#!/usr/bin/env bash
# Stops the simulated cluster that up.sh started and removes its folder: no process, port or
# file of it is left. Safe to run when nothing is up.
# Usage: scripts/cluster/down.sh     (CLUSTER_DIR, default /tmp/platform-e2e-cluster)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster_dir=${CLUSTER_DIR:-/tmp/platform-e2e-cluster}
name=platform-e2e
export KWOK_WORKDIR=$cluster_dir/kwok

[[ -d $cluster_dir ]] || { echo "down.sh: nothing at $cluster_dir" >&2; exit 0; }

# Stops and waits for a process by the pid its starter recorded (never by name: other clusters
# or builds on the machine are not ours).
stop_pid() {
    local pid=$1 i
    kill "$pid" 2> /dev/null || return 0
    for i in $(seq 50); do
        kill -0 "$pid" 2> /dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2> /dev/null || true
}

# Every helper up.sh started in the background (stand-ins.pid) records its pid in the folder.
for f in "$cluster_dir"/*.pid; do
    [[ -f $f ]] && stop_pid "$(< "$f")"
done

# kwokctl records each component's pid; read them before its delete removes the records, to stop
# whatever it leaves running.
pids=()
for f in "$KWOK_WORKDIR/clusters/$name/pids"/*.pid; do
    [[ -f $f ]] && pids+=("$(< "$f")")
done
# shellcheck source=../tools/env.sh
source "$here/../tools/env.sh" 2> /dev/null
if [[ -d $KWOK_WORKDIR/clusters/$name ]] && command -v kwokctl > /dev/null; then
    kwokctl delete cluster --name "$name" --kubeconfig "$cluster_dir/kubeconfig" >&2 || true
fi
for pid in "${pids[@]}"; do
    stop_pid "$pid"
done

rm -rf "$cluster_dir"
echo "down.sh: cluster $name stopped, $cluster_dir removed" >&2
