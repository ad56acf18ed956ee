#!/usr/bin/env bash
# Starts a real Zabbix 6.0 API on this machine from Debian's packages, for the on-prem sync's
# integration tests: PostgreSQL + the Zabbix schema + the PHP frontend served by `php -S`
# (no web server package, no Zabbix server daemon: host, template, group and token calls need
# neither). Creates an API token and writes ZABBIX_URL and ZABBIX_TOKEN to $ZABBIX_ENV_FILE.
#
#   scripts/ci/zabbix-up.sh            # as root (apt-get, pg_ctlcluster)
#   . /tmp/zabbix-ci/env && npx jest -c jest.integration.config.js
#
# Safe to run again: it skips what is already there and only makes a fresh token.
# Stop the frontend with: kill "$(cat /tmp/zabbix-ci/php.pid)"
set -euo pipefail

PORT="${ZABBIX_PORT:-8089}"
STATE_DIR="${ZABBIX_STATE_DIR:-/tmp/zabbix-ci}"
ENV_FILE="${ZABBIX_ENV_FILE:-$STATE_DIR/env}"
DB_PASSWORD="${ZABBIX_DB_PASSWORD:-zabbix-ci}"
PG_VERSION="${PG_VERSION:-15}"
URL="http://127.0.0.1:${PORT}/api_jsonrpc.php"

log() { echo "zabbix-up: $*" >&2; }
die() {
    echo "zabbix-up: ERROR: $*" >&2
    exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts PostgreSQL)"
mkdir -p "$STATE_DIR"

# 1. Packages (Zabbix 6.0 LTS and PostgreSQL 15 on Debian 12).
if ! dpkg -s zabbix-server-pgsql zabbix-frontend-php php-pgsql postgresql >/dev/null 2>&1; then
    log "installing packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq postgresql zabbix-server-pgsql zabbix-frontend-php php-pgsql >"$STATE_DIR/apt.log" 2>&1 ||
        die "apt-get install failed; see $STATE_DIR/apt.log"
fi

# 2. Database: start the cluster, create the role and database, load the schema once.
if ! pg_lsclusters -h | awk -v v="$PG_VERSION" '$1 == v && $2 == "main" && $4 == "online"' | grep -q .; then
    log "starting PostgreSQL $PG_VERSION"
    pg_ctlcluster "$PG_VERSION" main start || die "PostgreSQL did not start"
fi
psql_as_postgres() { su postgres -s /bin/sh -c "psql -v ON_ERROR_STOP=1 -qAt $*"; }
if [ "$(psql_as_postgres "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'zabbix'\"")" != 1 ]; then
    psql_as_postgres "-c \"CREATE ROLE zabbix LOGIN PASSWORD '$DB_PASSWORD'\""
fi
if [ "$(psql_as_postgres "-c \"SELECT 1 FROM pg_database WHERE datname = 'zabbix'\"")" != 1 ]; then
    psql_as_postgres "-c \"CREATE DATABASE zabbix OWNER zabbix ENCODING 'UTF8' TEMPLATE template0\""
fi
export PGPASSWORD="$DB_PASSWORD"
zpsql() { psql -h 127.0.0.1 -U zabbix -d zabbix -v ON_ERROR_STOP=1 -qAt "$@"; }
if [ "$(zpsql -c "SELECT to_regclass('public.dbversion') IS NOT NULL")" != t ]; then
    log "loading the Zabbix schema"
    for part in schema images data; do
        zcat "/usr/share/zabbix-server-pgsql/${part}.sql.gz" | zpsql >/dev/null || die "loading ${part}.sql.gz failed"
    done
fi

# 3. Frontend config.
cat >/etc/zabbix/zabbix.conf.php <<PHP
<?php
\$DB['TYPE'] = 'POSTGRESQL';
\$DB['SERVER'] = '127.0.0.1';
\$DB['PORT'] = '5432';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'zabbix';
\$DB['PASSWORD'] = '$DB_PASSWORD';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER_NAME = 'platform-ci';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
PHP
chmod 0644 /etc/zabbix/zabbix.conf.php

# 4. Serve the frontend with PHP's built-in server.
api() {
    curl -sS --max-time 20 -H 'Content-Type: application/json-rpc' -d "$1" "$URL"
}
apiinfo='{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}'
if ! api "$apiinfo" >/dev/null 2>&1; then
    log "starting php -S 127.0.0.1:$PORT"
    # setsid: the server outlives this script and the shell that ran it.
    setsid php -S "127.0.0.1:$PORT" -t /usr/share/zabbix >"$STATE_DIR/php.log" 2>&1 </dev/null &
    echo $! >"$STATE_DIR/php.pid"
fi
version=""
for _ in $(seq 1 60); do
    version="$(api "$apiinfo" 2>/dev/null | sed -n 's/.*"result":"\([^"]*\)".*/\1/p')" || true
    [ -n "$version" ] && break
    sleep 0.5
done
[ -n "$version" ] || die "the API at $URL did not answer; see $STATE_DIR/php.log"
log "Zabbix API $version at $URL"

# 5. An API token for Admin (token.create + token.generate need a logged-in session).
json_field() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const r=JSON.parse(s);if(r.error){console.error(JSON.stringify(r.error));process.exit(1)}const v=eval("r.result"+process.argv[1]);process.stdout.write(String(v))})' "$1"; }
session="$(api '{"jsonrpc":"2.0","method":"user.login","params":{"username":"Admin","password":"zabbix"},"id":1}' | json_field '')" ||
    die "user.login as Admin failed"
token_name="ci-$(date +%s%N)"
tokenid="$(api "{\"jsonrpc\":\"2.0\",\"method\":\"token.create\",\"params\":{\"name\":\"$token_name\",\"userid\":\"1\"},\"auth\":\"$session\",\"id\":1}" | json_field '.tokenids[0]')" ||
    die "token.create failed"
token="$(api "{\"jsonrpc\":\"2.0\",\"method\":\"token.generate\",\"params\":[\"$tokenid\"],\"auth\":\"$session\",\"id\":1}" | json_field '[0].token')" ||
    die "token.generate failed"
api "{\"jsonrpc\":\"2.0\",\"method\":\"user.logout\",\"params\":[],\"auth\":\"$session\",\"id\":1}" >/dev/null || true

umask 077
printf 'export ZABBIX_URL=%s\nexport ZABBIX_TOKEN=%s\n' "$URL" "$token" >"$ENV_FILE"
log "wrote ZABBIX_URL and ZABBIX_TOKEN to $ENV_FILE"
echo "export ZABBIX_URL=$URL"
echo "export ZABBIX_ENV_FILE=$ENV_FILE"
