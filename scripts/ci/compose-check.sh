#!/usr/bin/env bash
# CI step for the on-prem site bundles (docs/onprem.md, The site bundle): every rendered
# `out/render/<stack>/sites/<site>/compose.yaml` is loaded by the Compose Specification's own loader
# (compose-go, built once into the tool cache by scripts/tools/build.sh compose-check), strictly:
# unknown keys and missing secret/config files fail. Then, from the parsed model: every image is
# pinned by digest or listed in NOT_YET_PINNED (components/versions.ts), nothing is privileged, no
# capability is added but NET_ADMIN for the tunnel, every service restarts and has a healthcheck,
# and a Zabbix proxy names its server and its PSK file.
# Last, a copy with an unknown key must fail to load (the loader is strict here, not just quiet).
# Renders dev and prd first unless COMPOSE_CHECK_REUSE_RENDER=1 and out/render/<stack> exists.
# Prints one line `compose: N passed, N failed`.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
# shellcheck source=counts.sh
source "$here/counts.sh" compose

# shellcheck source=/dev/null
source scripts/tools/versions.env
bash scripts/tools/build.sh compose-check >&2 || { fail "building compose-check"; exit 1; }
check=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/compose-check-$COMPOSE_GO_VERSION/bin/compose-check

for stack in dev prd; do
    if [[ ${COMPOSE_CHECK_REUSE_RENDER:-0} == 1 && -d out/render/$stack ]]; then continue; fi
    # A failed render must not leave an earlier run's bundles to be checked in its place.
    rm -rf "out/render/$stack/sites"
    npm run --silent render -- --stack "$stack" > /dev/null 2>&1 || fail "render $stack"
done

shopt -s nullglob
files=(out/render/dev/sites/*/compose.yaml out/render/prd/sites/*/compose.yaml)
((${#files[@]})) || { fail "no site bundle rendered under out/render/{dev,prd}/sites"; exit 1; }

unpinned=$(npx tsx -e 'import { NOT_YET_PINNED } from "./components/versions"; console.log(JSON.stringify(Object.keys(NOT_YET_PINNED)))') \
    || { fail "reading NOT_YET_PINNED"; exit 1; }

for file in "${files[@]}"; do
    if ! model=$("$check" -json "$file" 2>&1); then
        fail "$model"
        continue
    fi
    ok "loads: $file"
    # One verdict line per assertion, from the parsed model (not from the YAML text).
    verdicts=$(UNPINNED=$unpinned node -e '
        const { file, services } = JSON.parse(process.argv[1]);
        const unpinned = new Set(JSON.parse(process.env.UNPINNED));
        const out = (good, what) => console.log(`${good ? "ok  " : "FAIL"} ${file}: ${what}`);
        for (const [name, s] of Object.entries(services)) {
            out(/@sha256:[0-9a-f]{64}$/.test(s.image) || unpinned.has(s.image), `${name} image ${s.image} pinned or listed as not yet pinned`);
            out(!s.privileged, `${name} not privileged`);
            out((s.cap_add ?? []).every((c) => name === "wireguard" && c === "NET_ADMIN"), `${name} adds no capability but NET_ADMIN for the tunnel`);
            out(s.restart === "unless-stopped" && s.healthcheck, `${name} restarts and has a healthcheck`);
        }
        const proxy = services["zabbix-proxy"];
        if (proxy) {
            const env = proxy.environment;
            out(/^[0-9.]+$/.test(env.ZBX_SERVER_HOST ?? ""), `proxy server host set (${env.ZBX_SERVER_HOST})`);
            out(env.ZBX_HOSTNAME?.startsWith("site-") && env.ZBX_PROXYMODE === "0", `proxy ${env.ZBX_HOSTNAME} active`);
            out(env.ZBX_TLSCONNECT === "psk" && proxy.secrets.includes("zabbix_psk"), "proxy connects with its PSK file");
        }
    ' "$model") || fail "checking the parsed model of $file (node exited early)"
    while read -r verdict rest; do
        [[ -n $verdict ]] || continue
        if [[ $verdict == ok ]]; then ok "$rest"; else fail "$rest"; fi
    done <<< "$verdicts"
done

# The loader must reject what docker compose would: a copy with an unknown key.
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
cp -r "$(dirname "${files[0]}")/." "$work/"
sed -i '0,/^    restart: /s//    not_a_compose_key: 1\n    restart: /' "$work/compose.yaml"
if "$check" "$work/compose.yaml" > /dev/null 2>&1; then
    fail "a compose.yaml with an unknown key loaded"
else
    ok "a compose.yaml with an unknown key is refused"
fi
# CI counts the EXIT trap's line; the exit status says the same for a run by hand.
((failed == 0))
