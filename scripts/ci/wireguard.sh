#!/usr/bin/env bash
# CI step for the gateway sites' WireGuard configs (docs/onprem.md): installs wg/wg-quick and ping
# from Debian's packages, builds userspace wireguard-go from its Go module into the tool cache
# (once), then brings the generated configs up between two network namespaces and passes traffic
# (scripts/wireguard/tunnel-test.sh, dev and prd). Where the machine allows no network namespace
# or TUN device, the real tools still read the configs: wg-quick strips them, wg derives each
# private key's public key, which must be the one the other side's [Peer] names.
# Prints one line `wireguard: N passed, N failed`.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=counts.sh
source "$here/counts.sh" wireguard

if ! command -v wg-quick > /dev/null || ! command -v ping > /dev/null || ! command -v ip > /dev/null; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        wireguard-tools iputils-ping iproute2) > /dev/null 2>&1 || { echo "apt-get install wireguard-tools failed"; failed=1; exit 1; }
fi
version=$(sed -n 's/^WG_GO_VERSION=//p' "$root/scripts/wireguard/tunnel-test.sh")
dir=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/wireguard-go-$version
if [[ ! -x $dir/bin/wireguard ]]; then
    GOBIN=$dir/bin GOFLAGS=-mod=mod go install "golang.zx2c4.com/wireguard@v$version" \
        || { echo "building wireguard-go failed"; failed=1; exit 1; }
fi

probe=wgt-probe-$$
if ip netns add "$probe" 2> /dev/null && [[ -c /dev/net/tun ]]; then
    ip netns del "$probe"
    for stack in dev prd; do
        out=$(WIREGUARD_GO=$dir/bin/wireguard bash "$root/scripts/wireguard/tunnel-test.sh" "$stack" festival 2>&1)
        echo "$out" | tail -n 9
        line=$(echo "$out" | sed -nE 's/^tunnel-test \(.*\): ([0-9]+) passed, ([0-9]+) failed$/\1 \2/p')
        if [[ -n $line ]]; then
            read -r p f <<< "$line"
            passed=$((passed + p))
            failed=$((failed + f))
        else
            failed=$((failed + 1))
        fi
    done
    ((failed == 0))
    exit
fi
ip netns del "$probe" 2> /dev/null || true
echo "no network namespace or TUN device here: the real tools read the configs instead"
for stack in dev prd; do
    work=$(mktemp -d)
    (cd "$root" && npx tsx scripts/wireguard/configs.ts "$stack" festival 172.31.254.1 "$work" > /dev/null) || { failed=$((failed + 1)); continue; }
    key() { wg-quick strip "$1" | sed -nE "s/^$2 *= *//p" | head -n 1; }
    for pair in "gateway.conf site.conf" "site.conf gateway.conf"; do
        read -r own other <<< "$pair"
        if wg-quick strip "$work/$own" > /dev/null \
            && [[ $(key "$work/$own" PrivateKey | wg pubkey) == "$(key "$work/$other" PublicKey)" ]]; then
            passed=$((passed + 1))
        else
            echo "FAIL $stack: $own is not read by wg-quick, or its key is not the one $other's peer names"
            failed=$((failed + 1))
        fi
    done
    rm -rf "$work"
done
((failed == 0))
