#!/usr/bin/env bash
# Puts the tools that build.sh made on PATH.
#   source scripts/tools/env.sh        exports PATH (and PLATFORM_TOOLS_DIR) in this shell
#   scripts/tools/env.sh               prints the export lines, for eval "$(scripts/tools/env.sh)"
# Only folders of the versions pinned in versions.env count, so a stale build of another version
# is never picked up; a tool not built yet is left out with a note on stderr.
# No `set -e` here: when sourced it would change the caller's shell.

__platform_tools_env() {
    local here tools_dir tool version dir path_add=""
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    # shellcheck source=versions.env
    source "$here/versions.env" || return 1
    tools_dir=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}
    for tool in pulumi:$PULUMI_VERSION pulumi-kubernetes:$PULUMI_KUBERNETES_VERSION \
        kubernetes:$KUBERNETES_VERSION etcd:$ETCD_VERSION kwok:$KWOK_VERSION helm:$HELM_VERSION \
        controller-gen:$CONTROLLER_TOOLS_VERSION actionlint:$ACTIONLINT_VERSION; do
        version=${tool#*:}
        dir="$tools_dir/${tool%%:*}-$version"
        if [[ -f $dir/.stamp ]]; then
            path_add+="$dir/bin:"
        else
            echo "env.sh: ${tool%%:*} $version not built (scripts/tools/build.sh ${tool%%:*})" >&2
        fi
    done
    printf 'export PLATFORM_TOOLS_DIR=%q\n' "$tools_dir"
    printf 'export PATH=%q"$PATH"\n' "$path_add"
}

if [[ ${BASH_SOURCE[0]} != "$0" ]]; then
    eval "$(__platform_tools_env)"
    unset -f __platform_tools_env
else
    __platform_tools_env
fi
