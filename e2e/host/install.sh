#!/usr/bin/env bash
# Puts the e2e language host and stand-in providers where the Pulumi CLI finds them.
#
#   e2e/host/install.sh <bin-dir> [--plugin-cache]
#
# Writes small sh wrappers, with this checkout's absolute path in them, into <bin-dir>:
#   pulumi-language-nodejs   the Node.js language host (language-host.js)
#   pulumi-resource-random   STAND-IN random provider 4.21.2 (providers/random.js)
#   pulumi-resource-tls      STAND-IN tls provider 5.6.1 (providers/tls.js)
# Put <bin-dir> first on PATH for the CLI: it takes plugins from PATH before its plugin cache, and
# says so with one warning per plugin ("using pulumi-resource-random from $PATH at ...").
#
# --plugin-cache: install the two providers into Pulumi's plugin cache ($PULUMI_HOME/plugins, by
# `pulumi plugin install resource <name> <version> --file`) instead of <bin-dir>, so they are found
# there at the versions the SDKs ask for, without warnings. Needs `pulumi` on PATH. The language
# host cannot go there (the CLI refuses to install a "bundled" plugin): it stays in <bin-dir>, or
# goes in Pulumi.yaml as `plugins: languages: [{ name: nodejs, path: <bin-dir> }]`.
set -euo pipefail

here=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
}

bin_dir=""
plugin_cache=false
for arg in "$@"; do
    case "$arg" in
        --plugin-cache) plugin_cache=true ;;
        -h | --help) usage ;;
        -*) echo "install.sh: unknown option $arg" >&2 && usage ;;
        *) [ -z "$bin_dir" ] && bin_dir=$arg || usage ;;
    esac
done
[ -n "$bin_dir" ] || usage

# The scripts load @grpc/grpc-js and @pulumi/pulumi's generated protos from the repository's
# node_modules: check now rather than at the CLI's first plugin start.
if ! (cd "$here" && node -e 'require.resolve("@grpc/grpc-js"); require.resolve("@pulumi/pulumi/proto/language_grpc_pb")') 2>/dev/null; then
    echo "install.sh: @grpc/grpc-js or @pulumi/pulumi is not resolvable from $here: run npm ci at the repository root" >&2
    exit 1
fi

mkdir -p "$bin_dir"
bin_dir=$(cd "$bin_dir" && pwd)

# wrapper <path> <script> <what>
wrapper() {
    cat >"$1" <<EOF
#!/bin/sh
# $3 (written by $here/install.sh; README.md there). PULUMI_E2E_NODE overrides the node on PATH.
exec "\${PULUMI_E2E_NODE:-node}" "$2" "\$@"
EOF
    chmod +x "$1"
}

wrapper "$bin_dir/pulumi-language-nodejs" "$here/language-host.js" "e2e Node.js language host for the Pulumi CLI"

if $plugin_cache; then
    command -v pulumi >/dev/null || {
        echo "install.sh: --plugin-cache needs pulumi on PATH" >&2
        exit 1
    }
    staging=$(mktemp -d)
    trap 'rm -rf "$staging"' EXIT
    for spec in random:4.21.2 tls:5.6.1; do
        name=${spec%%:*}
        version=${spec#*:}
        wrapper "$staging/pulumi-resource-$name" "$here/providers/$name.js" "STAND-IN $name provider $version"
        rm -f "$bin_dir/pulumi-resource-$name" # on PATH it would win over the cache
        pulumi plugin install resource "$name" "$version" --file "$staging/pulumi-resource-$name" --reinstall
    done
    echo "installed $bin_dir/pulumi-language-nodejs; random 4.21.2 and tls 5.6.1 in the plugin cache"
else
    wrapper "$bin_dir/pulumi-resource-random" "$here/providers/random.js" "STAND-IN random provider 4.21.2"
    wrapper "$bin_dir/pulumi-resource-tls" "$here/providers/tls.js" "STAND-IN tls provider 5.6.1"
    echo "installed pulumi-language-nodejs, pulumi-resource-random, pulumi-resource-tls in $bin_dir"
fi
