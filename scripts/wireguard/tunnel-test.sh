#!/usr/bin/env bash
# Brings the WireGuard configs the program generates for a gateway site (scripts/wireguard/configs.ts)
# up between two network namespaces and passes traffic across:
#   namespace wgt-gw   = the gateway VM: its "public" address on a veth, a tunnel device from gateway.conf, and a
#                        pod address from the stack's pod range (traffic from the cluster)
#   namespace wgt-site = the site machine: a tunnel device from site.conf dialling the gateway, and a site host's
#                        address (the site's LAN)
# Needs root, `ip netns`, wg and wg-quick (Debian's wireguard-tools) and a WireGuard device: the
# kernel's, or userspace wireguard-go built from golang.zx2c4.com/wireguard (WIREGUARD_GO).
# Usage: scripts/wireguard/tunnel-test.sh [stack] [site]      (npm run test:wireguard)
set -euo pipefail
stack=${1:-dev}
site=${2:-festival}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
WG_GO_VERSION=0.0.0-20260522210424-ecfc5a8d5446
WIREGUARD_GO=${WIREGUARD_GO:-${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/wireguard-go-$WG_GO_VERSION/bin/wireguard}
work=$(mktemp -d)
gw=wgt-gw-$$
st=wgt-site-$$
# Distinct interface names: wireguard-go's control socket (/var/run/wireguard/<name>.sock) lives
# in the shared filesystem, not in the namespace.
wg_gw=wgg$$
wg_st=wgs$$
underlay_gw=172.31.254.1
underlay_site=172.31.254.2
passed=0
failed=0

cleanup() {
    for ns in "$gw" "$st"; do
        # Only the wireguard-go processes this script started, found by their namespace.
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

check() {
    local what=$1
    shift
    if "$@" >"$work/last.log" 2>&1; then
        passed=$((passed + 1))
        echo "ok   $what"
    else
        failed=$((failed + 1))
        echo "FAIL $what"
        sed 's/^/     /' "$work/last.log"
    fi
}

[[ $(id -u) == 0 ]] || { echo "tunnel-test: needs root (network namespaces)" >&2; exit 2; }
command -v wg >/dev/null && command -v wg-quick >/dev/null || { echo "tunnel-test: needs wg and wg-quick (apt-get install wireguard-tools)" >&2; exit 2; }
command -v ping >/dev/null || { echo "tunnel-test: needs ping (apt-get install iputils-ping)" >&2; exit 2; }

(cd "$root" && npx tsx scripts/wireguard/configs.ts "$stack" "$site" "$underlay_gw" "$work" >/dev/null)
# shellcheck disable=SC1091
source "$work/plan.env"

ip netns add "$gw"
ip netns add "$st"
ip link add veth-gw netns "$gw" type veth peer name veth-site netns "$st"
ip -n "$gw" addr add "$underlay_gw/30" dev veth-gw
ip -n "$st" addr add "$underlay_site/30" dev veth-site
for ns in "$gw" "$st"; do ip -n "$ns" link set lo up; done
ip -n "$gw" link set veth-gw up
ip -n "$st" link set veth-site up

# The tunnel device in each namespace: the kernel's if it has WireGuard, else wireguard-go's TUN device.
wg_device() {
    local ns=$1 dev=$2
    if ip -n "$ns" link add "$dev" type wireguard 2>/dev/null; then return 0; fi
    [[ -x $WIREGUARD_GO ]] || { echo "tunnel-test: no kernel WireGuard and no $WIREGUARD_GO (go install golang.zx2c4.com/wireguard@v$WG_GO_VERSION)" >&2; exit 2; }
    ip netns exec "$ns" "$WIREGUARD_GO" "$dev" >"$work/wireguard-go-$dev.log" 2>&1
}
wg_device "$gw" "$wg_gw"
wg_device "$st" "$wg_st"

# The configs as the real tools read them: wg-quick strips its own keys (Address, PostUp, ...), wg
# loads the rest; whatever either rejects fails here.
check "wg-quick strip + wg setconf accept gateway.conf" ip netns exec "$gw" bash -c "wg setconf $wg_gw <(wg-quick strip '$work/gateway.conf')"
check "wg-quick strip + wg setconf accept site.conf" ip netns exec "$st" bash -c "wg setconf $wg_st <(wg-quick strip '$work/site.conf')"

# What wg-quick up would do with Address and AllowedIPs (PostUp's masquerade is left out: the
# site's "LAN" here is a local address of the site namespace, which answers without it).
ip -n "$gw" addr add "$GATEWAY_ADDRESS" dev "$wg_gw"
ip -n "$st" addr add "$SITE_ADDRESS" dev "$wg_st"
ip -n "$gw" link set "$wg_gw" up
ip -n "$st" link set "$wg_st" up
for r in $SITE_RANGES; do ip -n "$gw" route add "$r" dev "$wg_gw"; done
for r in $CLUSTER_RANGES; do ip -n "$st" route add "$r" dev "$wg_st"; done
# A pod address on the gateway side (the VPC's traffic arrives with pod sources) and the site host.
pod=$(echo "$POD_RANGE" | awk -F'[./]' '{print $1"."$2"."$3"."($4+5)}')
# (On lo: a dummy device needs a kernel module a container may lack.)
ip -n "$gw" addr add "$pod/32" dev lo
ip -n "$st" addr add "$SITE_HOST/32" dev lo

gw_tunnel=${GATEWAY_ADDRESS%/*}
site_tunnel=${SITE_ADDRESS%/*}
check "site machine dials the gateway: ping $gw_tunnel through the tunnel" ip netns exec "$st" ping -c 3 -W 2 "$gw_tunnel"
check "handshake completed on the gateway" bash -c "ip netns exec '$gw' wg show $wg_gw latest-handshakes | awk '{exit !(\$2 > 0)}'"
check "site probe address answers: ping $site_tunnel from the gateway" ip netns exec "$gw" ping -c 3 -W 2 "$site_tunnel"
check "a pod ($pod) reaches site host $SITE_HOST and back" ip netns exec "$gw" ping -c 3 -W 2 -I "$pod" "$SITE_HOST"
check "no way into the tunnel for an address outside AllowedIPs (10.99.0.1)" bash -c "! ip netns exec '$st' ping -c 1 -W 1 -I '$site_tunnel' 10.99.0.1"
check "the gateway listens on UDP $LISTEN_PORT" bash -c "ip netns exec '$gw' wg show $wg_gw listen-port | grep -qx '$LISTEN_PORT'"

echo "tunnel-test ($stack/$site): $passed passed, $failed failed"
[[ $failed == 0 ]]
