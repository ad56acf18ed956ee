#!/bin/sh
# The MySQL backup and restore of an app (components/apps/mysql-backup.ts, mysql-restore.ts;
# docs/operations.md "Restore the uploader's database"). The CronJob and the restore Job run this
# very file from a ConfigMap; test/data/ runs it against real servers. One step per call, each in
# the image that has its tools:
#
#   dump    (mysql image)  mysqldump --single-transaction | gzip into $BACKUP_DIR, checked
#   upload  (curl image)   the dump to gs://$BUCKET/$PREFIX/<database>-<UTC>.sql.gz, MD5 checked
#   fetch   (curl image)   $OBJECT, or the newest dump under $PREFIX, into $BACKUP_DIR, verified
#   apply   (mysql image)  the fetched dump into a scratch database, then its tables swapped in
#
# Cloud Storage is reached only through the gcs_* functions below: its JSON API with curl, and a
# token from the metadata server (Workload Identity on GKE). Tests point both elsewhere with
# STORAGE_EMULATOR_HOST and GCE_METADATA_HOST; nothing else differs.
set -eu

DATABASE="${DATABASE:?DATABASE is not set}"
BACKUP_DIR="${BACKUP_DIR:-/backup}"
MYSQL_DEFAULTS_FILE="${MYSQL_DEFAULTS_FILE:-/etc/mysql-backup/backup.cnf}"
PREFIX="${PREFIX:-$DATABASE}"
# The last line mysqldump writes when it finished (comments on, the default).
TRAILER='-- Dump completed'

log() { echo "mysql-backup: $*" >&2; }
die() {
    echo "mysql-backup: ERROR: $*" >&2
    exit 1
}

# --- Cloud Storage (JSON API) -------------------------------------------------------------------

gcs_endpoint() {
    case "${STORAGE_EMULATOR_HOST:-}" in
    "") echo "https://storage.googleapis.com" ;;
    http://* | https://*) echo "${STORAGE_EMULATOR_HOST%/}" ;;
    *) echo "http://${STORAGE_EMULATOR_HOST%/}" ;;
    esac
}

# Writes the Authorization header to a file curl reads (-H @file), so the token is in no argv.
gcs_auth() {
    url="http://${GCE_METADATA_HOST:-169.254.169.254}/computeMetadata/v1/instance/service-accounts/default/token"
    answer="$(curl -sSf --max-time 30 -H 'Metadata-Flavor: Google' "$url")" ||
        die "no token from the metadata server ($url)"
    token="$(printf '%s' "$answer" | tr -d '\n' | sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p')"
    [ -n "$token" ] || die "no token in the metadata server's answer ($url)"
    (umask 077 && printf 'Authorization: Bearer %s\n' "$token" >"$BACKUP_DIR/.auth")
}

# Object names hold only [A-Za-z0-9_./-]; the API wants the slash escaped in a path segment.
gcs_escape() { printf '%s' "$1" | sed 's|/|%2F|g'; }

# gcs_upload FILE NAME: creates the object, never replaces one (ifGenerationMatch=0); prints its metadata.
gcs_upload() {
    curl -sSf --retry 3 -X POST -H @"$BACKUP_DIR/.auth" -H 'Content-Type: application/gzip' -T "$1" \
        "$(gcs_endpoint)/upload/storage/v1/b/$BUCKET/o?uploadType=media&ifGenerationMatch=0&name=$(gcs_escape "$2")"
}

# gcs_list PREFIX: the names of the objects under PREFIX, one a line, every page.
gcs_list() {
    page=""
    while :; do
        body="$(curl -sSf --retry 3 -H @"$BACKUP_DIR/.auth" \
            "$(gcs_endpoint)/storage/v1/b/$BUCKET/o?prefix=$(gcs_escape "$1")${page:+&pageToken=$page}")" || return 1
        body="$(printf '%s' "$body" | tr -d '\n')"
        printf '%s' "$body" | grep -o '"name" *: *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/'
        page="$(printf '%s' "$body" | sed -n 's/.*"nextPageToken" *: *"\([^"]*\)".*/\1/p')"
        [ -n "$page" ] || break
    done
}

# gcs_metadata NAME / gcs_download NAME FILE
gcs_metadata() {
    curl -sSf --retry 3 -H @"$BACKUP_DIR/.auth" "$(gcs_endpoint)/storage/v1/b/$BUCKET/o/$(gcs_escape "$1")"
}
gcs_download() {
    curl -sSf --retry 3 -H @"$BACKUP_DIR/.auth" -o "$2" "$(gcs_endpoint)/storage/v1/b/$BUCKET/o/$(gcs_escape "$1")?alt=media"
}

# --- helpers ------------------------------------------------------------------------------------

# MD5 of a file in hex, and Cloud Storage's base64 md5Hash field of a metadata document in hex.
md5_hex() { md5sum "$1" | cut -d ' ' -f 1; }
md5_field_hex() {
    b64="$(printf '%s' "$1" | tr -d '\n' | sed -n 's/.*"md5Hash" *: *"\([^"]*\)".*/\1/p')"
    [ -n "$b64" ] || return 0
    printf '%s' "$b64" | base64 -d | od -An -tx1 | tr -d ' \n'
}

# verify FILE: a whole gzip stream whose SQL ends with mysqldump's trailer and names no database.
verify() {
    gzip -t "$1" 2>/dev/null || die "$2 is not a complete gzip stream (truncated or corrupted); nothing was restored"
    last="$(gzip -dc "$1" | tail -n 1)"
    case "$last" in
    "$TRAILER"*) ;;
    *) die "$2 does not end with mysqldump's '$TRAILER' line: the dump was cut short; nothing was restored" ;;
    esac
    if gzip -dc "$1" | grep -qE '^(USE|CREATE DATABASE) '; then
        die "$2 names a database (USE / CREATE DATABASE): restoring it would bypass the scratch database; load it by hand"
    fi
}

sql() { mysql --defaults-extra-file="$MYSQL_DEFAULTS_FILE" --default-character-set=utf8mb4 -N -B "$@"; }

# --- steps --------------------------------------------------------------------------------------

step_dump() {
    name="$DATABASE-$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
    out="$BACKUP_DIR/$name"
    rm -f "$BACKUP_DIR/.dump-failed" "$BACKUP_DIR/dump.name"
    # MySQL's client has --set-gtid-purged (OFF: the dump must load into any server); MariaDB's has not.
    gtid=""
    if mysqldump --help 2>/dev/null | grep -q -- '--set-gtid-purged'; then gtid="--set-gtid-purged=OFF"; fi
    log "dumping $DATABASE"
    # No --databases: the dump names no database, so a restore can load it into a scratch one.
    # shellcheck disable=SC2086
    { mysqldump --defaults-extra-file="$MYSQL_DEFAULTS_FILE" --single-transaction --routines --events \
        --triggers --hex-blob --default-character-set=utf8mb4 $gtid "$DATABASE" || echo $? >"$BACKUP_DIR/.dump-failed"; } |
        gzip -c >"$out"
    if [ -e "$BACKUP_DIR/.dump-failed" ]; then
        rm -f "$out"
        die "mysqldump exited $(cat "$BACKUP_DIR/.dump-failed")"
    fi
    verify "$out" "the new dump"
    printf '%s\n' "$name" >"$BACKUP_DIR/dump.name"
    log "wrote $name ($(wc -c <"$out") bytes)"
}

step_upload() {
    : "${BUCKET:?BUCKET is not set}"
    [ -s "$BACKUP_DIR/dump.name" ] || die "no dump in $BACKUP_DIR (the dump step did not finish)"
    name="$(cat "$BACKUP_DIR/dump.name")"
    object="$PREFIX/$name"
    gcs_auth
    meta="$(gcs_upload "$BACKUP_DIR/$name" "$object")" || die "uploading gs://$BUCKET/$object failed"
    remote="$(md5_field_hex "$meta")"
    local_md5="$(md5_hex "$BACKUP_DIR/$name")"
    [ "$remote" = "$local_md5" ] || die "gs://$BUCKET/$object has MD5 '${remote:-none}', the dump $local_md5"
    echo "uploaded gs://$BUCKET/$object md5=$local_md5"
}

step_fetch() {
    : "${BUCKET:?BUCKET is not set}"
    gcs_auth
    object="${OBJECT:-}"
    if [ -z "$object" ]; then
        # Names carry the dump's UTC start time, so the last in name order is the newest dump.
        gcs_list "$PREFIX/" >"$BACKUP_DIR/.objects" || die "listing gs://$BUCKET/$PREFIX/ failed"
        object="$(grep -E "^$PREFIX/$DATABASE-[0-9]{8}T[0-9]{6}Z\.sql\.gz$" "$BACKUP_DIR/.objects" | sort | tail -n 1)" ||
            true
        [ -n "$object" ] || die "no dump of $DATABASE under gs://$BUCKET/$PREFIX/"
        log "newest dump: $object"
    fi
    case "$object" in
    */*) ;;
    *) object="$PREFIX/$object" ;;
    esac
    meta="$(gcs_metadata "$object")" || die "gs://$BUCKET/$object: no such object (or no access)"
    file="$BACKUP_DIR/restore.sql.gz"
    rm -f "$file" "$BACKUP_DIR/restore.ok"
    gcs_download "$object" "$file" || die "downloading gs://$BUCKET/$object failed"
    remote="$(md5_field_hex "$meta")"
    local_md5="$(md5_hex "$file")"
    [ "$remote" = "$local_md5" ] ||
        die "gs://$BUCKET/$object arrived with MD5 $local_md5, the bucket says '${remote:-none}'; nothing was restored"
    verify "$file" "gs://$BUCKET/$object"
    printf '%s %s\n' "$local_md5" "$object" >"$BACKUP_DIR/restore.ok"
    log "verified gs://$BUCKET/$object ($(wc -c <"$file") bytes, md5 $local_md5)"
}

step_apply() {
    file="$BACKUP_DIR/restore.sql.gz"
    [ -s "$BACKUP_DIR/restore.ok" ] || die "no verified dump in $BACKUP_DIR (run fetch first); nothing was restored"
    read -r md5 object <"$BACKUP_DIR/restore.ok"
    [ "$(md5_hex "$file")" = "$md5" ] || die "$file changed since it was verified; nothing was restored"
    db="$DATABASE"
    scratch="$(printf '%.56s' "$db")_restore"
    aside="$(printf '%.40s' "$db")_before_$(date -u +%Y%m%d%H%M%S)"
    # Two restores within one second would name the same database: number the later ones.
    n=1
    base="$aside"
    while [ "$(sql -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = '$aside'")" != 0 ]; do
        aside="${base}_$n"
        n=$((n + 1))
    done
    log "loading $object into the scratch database $scratch"
    sql -e "DROP DATABASE IF EXISTS \`$scratch\`; CREATE DATABASE \`$scratch\` CHARACTER SET utf8mb4"
    if ! gzip -dc "$file" | sql "$scratch"; then
        sql -e "DROP DATABASE IF EXISTS \`$scratch\`" || true
        die "loading $object failed; $db is untouched"
    fi
    # RENAME TABLE moves base tables only: views, triggers, routines and events stay behind.
    others="$(sql -e "SELECT
        (SELECT COUNT(*) FROM information_schema.VIEWS WHERE TABLE_SCHEMA = '$scratch') +
        (SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = '$scratch') +
        (SELECT COUNT(*) FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = '$scratch') +
        (SELECT COUNT(*) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = '$scratch')")"
    if [ "$others" != 0 ]; then
        sql -e "DROP DATABASE IF EXISTS \`$scratch\`" || true
        die "$object holds views, triggers, routines or events, which the table swap cannot move; $db is untouched"
    fi
    tables() { sql -e "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$1' AND TABLE_TYPE = 'BASE TABLE'"; }
    sql -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb4; CREATE DATABASE \`$aside\` CHARACTER SET utf8mb4"
    # One RENAME TABLE statement is atomic: the app sees the old tables or the restored ones.
    moves="$(
        tables "$db" | sed "s/.*/\`$db\`.\`&\` TO \`$aside\`.\`&\`/"
        tables "$scratch" | sed "s/.*/\`$scratch\`.\`&\` TO \`$db\`.\`&\`/"
    )"
    if [ -n "$moves" ]; then
        sql -e "RENAME TABLE $(printf '%s\n' "$moves" | paste -sd ',' -)" ||
            die "swapping the tables failed; $db is unchanged, the restored tables are in $scratch"
    fi
    sql -e "DROP DATABASE \`$scratch\`"
    rm -f "$BACKUP_DIR/restore.ok"
    echo "restored $object into $db; the tables it replaced are in $aside (drop it once the app is checked)"
}

mkdir -p "$BACKUP_DIR"
trap 'rm -f "$BACKUP_DIR/.auth"' EXIT
case "${1:-}" in
dump) step_dump ;;
upload) step_upload ;;
fetch) step_fetch ;;
apply) step_apply ;;
*) die "usage: $0 dump|upload|fetch|apply" ;;
esac
