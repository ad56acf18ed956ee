#!/usr/bin/env bash
# Proves the language host and the stand-in providers with the real Pulumi CLI: a throwaway
# TypeScript project (a random.RandomPassword, a tls.PrivateKey, two stack outputs) on a local
# file backend, through up, preview --expect-no-changes, refresh --expect-no-changes, a keepers
# change (must replace the password only) and destroy. Each step is one check; prints
# "N passed, N failed" and exits non-zero on any failure.
#
#   e2e/host/smoke.sh            needs `pulumi` (3.274) and `node` (22) on PATH
#
# Everything lives in a temporary folder (PULUMI_HOME included), removed at the end unless
# KEEP=1. The project's node_modules is a symlink to the repository's.
set -uo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
repo=$(cd "$here/../.." && pwd)
command -v pulumi >/dev/null || {
    echo "smoke.sh: pulumi not on PATH (scripts/tools/build.sh pulumi builds it)" >&2
    exit 1
}
[ -d "$repo/node_modules/@pulumi/random" ] || {
    echo "smoke.sh: $repo/node_modules has no @pulumi/random: npm ci first" >&2
    exit 1
}

work=$(mktemp -d /tmp/e2e-host-smoke.XXXXXX)
cleanup() { [ "${KEEP:-}" = 1 ] && echo "kept $work" || rm -rf "$work"; }
trap cleanup EXIT

"$here/install.sh" "$work/bin" >/dev/null
export PATH="$work/bin:$PATH"
export PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE=smoke PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_BACKEND_URL="file://$work/state"
mkdir -p "$work/state" "$work/proj"
cd "$work/proj"
ln -s "$repo/node_modules" node_modules
cat >Pulumi.yaml <<'EOF'
name: e2e-host-smoke
runtime: nodejs
EOF
echo '{ "name": "e2e-host-smoke", "private": true, "main": "index.ts" }' >package.json
cat >index.ts <<'EOF'
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

const config = new pulumi.Config();
const password = new random.RandomPassword("password", {
    length: 32,
    special: false,
    keepers: { generation: config.get("generation") ?? "1" },
});
const key = new tls.PrivateKey("deploy-key", { algorithm: "ED25519" });

export const passwordLength = password.result.apply((r) => r.length);
export const publicKey = key.publicKeyOpenssh.apply((k) => k.trim());
EOF

passed=0
failed=0
# check <description> <expected output regex or ""> <command...>
check() {
    local what=$1 want=$2
    shift 2
    local out rc
    out=$("$@" 2>&1)
    rc=$?
    if [ $rc -eq 0 ] && { [ -z "$want" ] || grep -Eq "$want" <<<"$out"; }; then
        passed=$((passed + 1))
        echo "ok   $what"
    else
        failed=$((failed + 1))
        echo "FAIL $what (exit $rc)"
        grep -v "warning: using" <<<"$out" | tail -25 | sed 's/^/     /'
    fi
}

check "stack init" "" pulumi stack init smoke
check "up creates 3 resources" "\+ 3 created" pulumi up --yes --skip-preview
check "outputs: an ssh-ed25519 key, a 32-character password" '^32$' \
    sh -c 'pulumi stack output publicKey | grep -q "^ssh-ed25519 " && pulumi stack output passwordLength --show-secrets'
check "preview --expect-no-changes" "3 unchanged" pulumi preview --expect-no-changes
check "refresh --expect-no-changes" "3 unchanged" pulumi refresh --expect-no-changes --yes --skip-preview
check "the password is a secret in the state" '"result":\{"4dabf18193072939515e22adb298388d"' \
    sh -c 'pulumi stack export | tr -d " \n"'
check "config set generation 2" "" pulumi config set generation 2
check "a keepers change replaces the password only" "\+-1 replaced" pulumi up --yes --skip-preview
check "destroy" "3 deleted" pulumi destroy --yes --skip-preview

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
