#!/usr/bin/env bash
# Starts the real servers the backup round-trip tests (test/data/, `npm run test:data`) need, on
# loopback, with throwaway state:
#   - two MariaDB servers from Debian's packages (Debian ships no MySQL): "source", which the
#     backup dumps, and "target", an empty server the restore loads into;
#   - fake-gcs-server (Cloud Storage's JSON API), built from its Go module into the tool cache.
# Installs what is missing (as root: apt-get), writes the addresses and the generated password to
# $DATA_ENV_FILE. Every run starts from empty data directories. Stop with scripts/ci/data-down.sh.
#
#   scripts/ci/data-up.sh && npx jest -c jest.data.config.js; scripts/ci/data-down.sh
set -euo pipefail

STATE_DIR="${DATA_STATE_DIR:-/tmp/data-ci}"
ENV_FILE="${DATA_ENV_FILE:-$STATE_DIR/env}"
SOURCE_PORT="${DATA_MYSQL_SOURCE_PORT:-13306}"
TARGET_PORT="${DATA_MYSQL_TARGET_PORT:-13307}"
GCS_PORT="${DATA_GCS_PORT:-14443}"
FAKE_GCS_VERSION="v1.56.1"
TOOLS="${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}"
FAKE_GCS="$TOOLS/fake-gcs-server-$FAKE_GCS_VERSION/fake-gcs-server"
PACKAGES=(mariadb-server-core mariadb-client redis-server)

log() { echo "data-up: $*" >&2; }
die() {
    echo "data-up: ERROR: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and runs mariadbd --user=root)"
HERE="$(cd "$(dirname "$0")" && pwd)"
DATA_STATE_DIR="$STATE_DIR" bash "$HERE/data-down.sh" >/dev/null 2>&1 || true
mkdir -p "$STATE_DIR"

# 1. Debian packages: MariaDB server and clients (mysqldump), Redis (test/data/redis.dtest.ts).
if ! dpkg -s "${PACKAGES[@]}" >/dev/null 2>&1; then
    log "installing ${PACKAGES[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >"$STATE_DIR/apt.log" 2>&1 || die "apt-get update failed; see $STATE_DIR/apt.log"
    # redis-server's maintainer script may start a server on 6379; policy-rc.d keeps it from doing so.
    had_policy=0
    [ -e /usr/sbin/policy-rc.d ] && had_policy=1
    if [ "$had_policy" = 0 ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 0755 /usr/sbin/policy-rc.d
    fi
    apt-get install -y -qq "${PACKAGES[@]}" >>"$STATE_DIR/apt.log" 2>&1 || status=$?
    [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
    [ "${status:-0}" = 0 ] || die "apt-get install failed; see $STATE_DIR/apt.log"
fi

# 2. fake-gcs-server from its Go module, once per version.
if [ ! -x "$FAKE_GCS" ]; then
    # Go lives in /usr/local/go on these machines; a shell without its profile may not have it on PATH.
    command -v go >/dev/null || PATH="$PATH:/usr/local/go/bin"
    command -v go >/dev/null || die "go is not installed: it builds fake-gcs-server"
    log "building fake-gcs-server $FAKE_GCS_VERSION (go install; a few minutes the first time)"
    partial="$(dirname "$FAKE_GCS").partial"
    rm -rf "$partial" && mkdir -p "$partial"
    (cd "$partial" && CGO_ENABLED=0 GOBIN="$partial" GOFLAGS=-mod=mod \
        go install "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION") >"$STATE_DIR/go.log" 2>&1 ||
        die "building fake-gcs-server failed; see $STATE_DIR/go.log"
    rm -rf "$(dirname "$FAKE_GCS")" && mv "$partial" "$(dirname "$FAKE_GCS")"
fi

# 3. Two MariaDB servers, each on a fresh data directory. root gets a generated password over TCP.
PASSWORD="$(head -c 18 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
start_mariadb() {
    local name="$1" port="$2" dir="$STATE_DIR/$1"
    rm -rf "$dir" && mkdir -p "$dir"
    mariadb-install-db --no-defaults --user=root --datadir="$dir/data" --auth-root-authentication-method=normal \
        --skip-test-db >"$dir/install.log" 2>&1 || die "mariadb-install-db ($name) failed; see $dir/install.log"
    # setsid: the server outlives this script and the shell that ran it.
    setsid mariadbd --no-defaults --user=root --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" \
        --port="$port" --bind-address=127.0.0.1 --skip-name-resolve --log-error="$dir/error.log" \
        --innodb-buffer-pool-size=256M --max-allowed-packet=256M </dev/null >/dev/null 2>&1 &
    for _ in $(seq 1 120); do
        mariadb --no-defaults --socket="$dir/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
        sleep 0.5
    done
    mariadb --no-defaults --socket="$dir/sock" -uroot >/dev/null 2>&1 <<SQL || die "MariaDB $name did not start; see $dir/error.log"
CREATE USER IF NOT EXISTS 'root'@'127.0.0.1';
ALTER USER 'root'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
GRANT ALL PRIVILEGES ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION;
SQL
    log "MariaDB $name on 127.0.0.1:$port ($(mariadb --no-defaults --socket="$dir/sock" -uroot -NBe 'SELECT VERSION()'))"
}
start_mariadb source "$SOURCE_PORT"
start_mariadb target "$TARGET_PORT"

# 4. fake-gcs-server: Cloud Storage's JSON API over plain HTTP, objects in memory.
setsid "$FAKE_GCS" -scheme http -host 127.0.0.1 -port "$GCS_PORT" -backend memory \
    -public-host "127.0.0.1:$GCS_PORT" -external-url "http://127.0.0.1:$GCS_PORT" \
    </dev/null >"$STATE_DIR/fake-gcs.log" 2>&1 &
echo $! >"$STATE_DIR/fake-gcs.pid"
for _ in $(seq 1 60); do
    curl -sSf "http://127.0.0.1:$GCS_PORT/storage/v1/b" >/dev/null 2>&1 && break
    sleep 0.5
done
curl -sSf "http://127.0.0.1:$GCS_PORT/storage/v1/b" >/dev/null || die "fake-gcs-server did not answer; see $STATE_DIR/fake-gcs.log"
log "fake-gcs-server $FAKE_GCS_VERSION on http://127.0.0.1:$GCS_PORT"

umask 077
cat >"$ENV_FILE" <<ENV
export DATA_MYSQL_SOURCE_PORT=$SOURCE_PORT
export DATA_MYSQL_TARGET_PORT=$TARGET_PORT
export DATA_MYSQL_PASSWORD=$PASSWORD
export DATA_GCS_URL=http://127.0.0.1:$GCS_PORT
ENV
log "wrote $ENV_FILE"
