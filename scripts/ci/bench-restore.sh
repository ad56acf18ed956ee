#!/usr/bin/env bash
# Measures the backup script on this machine: a database whose dump is about 200 MB of SQL is
# dumped and uploaded, then fetched (download + MD5, gzip and trailer checks) and applied (scratch
# database + table swap) into the empty target server. The figures go in docs/operations.md.
# Needs the servers of scripts/ci/data-up.sh (run it first; scripts/ci/data-down.sh after).
#
#   scripts/ci/data-up.sh && scripts/ci/bench-restore.sh; scripts/ci/data-down.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck disable=SC1090,SC1091
. "${DATA_ENV_FILE:-/tmp/data-ci/env}"
ROWS="${BENCH_ROWS:-196608}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cnf() { printf '[client]\nuser=root\npassword=%s\nhost=127.0.0.1\nport=%s\n' "$DATA_MYSQL_PASSWORD" "$1" >"$work/$2.cnf"; }
cnf "$DATA_MYSQL_SOURCE_PORT" source
cnf "$DATA_MYSQL_TARGET_PORT" target
sql() { mariadb --defaults-extra-file="$work/$1.cnf" -NB "${@:2}"; }

# A metadata server stand-in (the script asks it for a token) and a bucket.
node -e 'require("http").createServer((q,s)=>s.end(JSON.stringify({access_token:"t"}))).listen(0,"127.0.0.1",function(){console.log(this.address().port)})' >"$work/meta.port" &
meta=$!
trap 'kill $meta; rm -rf "$work"' EXIT
until [ -s "$work/meta.port" ]; do sleep 0.1; done
bucket="bench-$$"
curl -sSf -X POST -H 'content-type: application/json' -d "{\"name\":\"$bucket\"}" "$DATA_GCS_URL/storage/v1/b" >/dev/null

# Eight random SHA-512 digests in hex a row: gzip halves it, about as much as it does real rows.
PAD="CONCAT(SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512), SHA2(RAND(), 512))"
echo "generating $ROWS rows of about 1 KB"
sql source -e "DROP DATABASE IF EXISTS bench; CREATE DATABASE bench"
sql source bench -e "CREATE TABLE t (id INT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(1024)) ENGINE=InnoDB;
  INSERT INTO t (pad) VALUES ($PAD);"
while [ "$(sql source bench -e 'SELECT COUNT(*) FROM t')" -lt "$ROWS" ]; do
    sql source bench -e "INSERT INTO t (pad) SELECT $PAD FROM t LIMIT $ROWS"
done
sql source bench -e "DELETE FROM t WHERE id > (SELECT id FROM (SELECT id FROM t ORDER BY id LIMIT 1 OFFSET $((ROWS - 1))) x)"
sql target -e "DROP DATABASE IF EXISTS bench"

GCE_METADATA_HOST="127.0.0.1:$(cat "$work/meta.port")"
export DATABASE=bench BUCKET="$bucket" PREFIX=bench STORAGE_EMULATOR_HOST="$DATA_GCS_URL" GCE_METADATA_HOST
timed() {
    local start=$SECONDS label="$1"
    shift
    "$@" >/dev/null 2>"$work/err" || {
        cat "$work/err" >&2
        exit 1
    }
    echo "$label: $((SECONDS - start)) s"
}
BACKUP_DIR="$work/dump" MYSQL_DEFAULTS_FILE="$work/source.cnf" timed dump sh components/apps/mysql-backup.sh dump
sql_bytes="$(gzip -dc "$work"/dump/*.sql.gz | wc -c)"
gz_bytes="$(cat "$work"/dump/*.sql.gz | wc -c)"
BACKUP_DIR="$work/dump" MYSQL_DEFAULTS_FILE="$work/source.cnf" timed upload sh components/apps/mysql-backup.sh upload
BACKUP_DIR="$work/restore" MYSQL_DEFAULTS_FILE="$work/target.cnf" timed fetch sh components/apps/mysql-backup.sh fetch
BACKUP_DIR="$work/restore" MYSQL_DEFAULTS_FILE="$work/target.cnf" timed apply sh components/apps/mysql-backup.sh apply
echo "dump: $((sql_bytes / 1000000)) MB of SQL, $((gz_bytes / 1000000)) MB gzipped; rows restored: $(sql target bench -e 'SELECT COUNT(*) FROM t')"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%d GiB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1-3 /proc/loadavg)"
