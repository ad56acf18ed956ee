#!/usr/bin/env bash
# Builds the end-to-end test tools from Go modules (nothing else is reachable from CI) into a
# cache outside the repository, one folder per tool and version:
#   ${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/<tool>-<version>/bin/
# A folder that exists and was built from the same go.sum is reused ("cached"), so a second run
# costs nothing and a version bump or a fresh machine rebuilds.
#
# Usage: scripts/tools/build.sh [tool ...]      (no argument: every tool)
# Tools: pulumi pulumi-kubernetes kubernetes etcd kwok helm controller-gen actionlint compose-check yaegi
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
tools_dir=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}
all_tools=(pulumi pulumi-kubernetes kubernetes etcd kwok helm controller-gen actionlint compose-check yaegi)

# Static binaries that run on any Linux machine of the kind; -trimpath keeps build paths out.
# readonly: the committed go.mod/go.sum decide every dependency, nothing is resolved anew.
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -buildvcs=false"

version_of() {
    case $1 in
    pulumi) echo "$PULUMI_VERSION" ;;
    pulumi-kubernetes) echo "$PULUMI_KUBERNETES_VERSION" ;;
    kubernetes) echo "$KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    helm) echo "$HELM_VERSION" ;;
    controller-gen) echo "$CONTROLLER_TOOLS_VERSION" ;;
    actionlint) echo "$ACTIONLINT_VERSION" ;;
    compose-check) echo "$COMPOSE_GO_VERSION" ;;
    yaegi) echo "$YAEGI_VERSION" ;;
    *) return 1 ;;
    esac
}

# The upstream module whose version must equal versions.env, and that version as Go spells it.
pinned_module_of() {
    case $1 in
    pulumi) echo "github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION" ;;
    pulumi-kubernetes) echo "github.com/pulumi/pulumi-kubernetes/provider/v4 $PULUMI_KUBERNETES_MODULE_VERSION" ;;
    kubernetes) echo "k8s.io/kubernetes v$KUBERNETES_VERSION" ;;
    etcd) echo "go.etcd.io/etcd/server/v3 v$ETCD_VERSION" ;;
    kwok) echo "sigs.k8s.io/kwok v$KWOK_VERSION" ;;
    helm) echo "helm.sh/helm/v3 v$HELM_VERSION" ;;
    controller-gen) echo "sigs.k8s.io/controller-tools v$CONTROLLER_TOOLS_VERSION" ;;
    actionlint) echo "github.com/rhysd/actionlint v$ACTIONLINT_VERSION" ;;
    compose-check) echo "github.com/compose-spec/compose-go/v2 v$COMPOSE_GO_VERSION" ;;
    yaegi) echo "github.com/traefik/yaegi v$YAEGI_VERSION" ;;
    esac
}

check_pin() {
    local tool=$1 module want got
    read -r module want < <(pinned_module_of "$tool")
    got=$(cd "$here/modules/$tool" && go list -m -f '{{.Version}}' "$module")
    if [[ $got != "$want" ]]; then
        echo "build.sh: $tool: versions.env wants $module $want, modules/$tool/go.mod has $got" >&2
        echo "  fix: cd scripts/tools/modules/$tool && go get $module@$want && go mod tidy" >&2
        return 1
    fi
}

# Each build_<tool> writes its binaries into the folder given as $1.

build_pulumi() {
    # Release builds use these tags and this version variable (pulumi's Makefile/goreleaser).
    (cd "$here/modules/pulumi" && go build -trimpath -tags osusergo,grpcnotrace \
        -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
        -o "$1/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi)
}

build_pulumi_kubernetes() (
    # The provider's main package embeds schema-embed.json and terraform-mapping-embed.json,
    # which upstream generates (and gitignores) from the committed schema.json. Copy the main
    # package into a throw-away copy of our wrapper module and run upstream's own generate.go
    # there; nothing of it is kept.
    work=$(mktemp -d "$tools_dir/.work.pulumi-kubernetes.XXXXXX")
    trap 'rm -rf "$work"' EXIT
    cp "$here/modules/pulumi-kubernetes/go.mod" "$here/modules/pulumi-kubernetes/go.sum" \
        "$here/modules/pulumi-kubernetes/deps.go" "$work/"
    src=$(cd "$work" && go mod download -json \
        "github.com/pulumi/pulumi-kubernetes/provider/v4@$PULUMI_KUBERNETES_MODULE_VERSION" |
        sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    cmd="$work/cmd/pulumi-resource-kubernetes"
    mkdir -p "$cmd"
    cp "$src/cmd/pulumi-resource-kubernetes/"{main.go,generate.go,schema.json,terraform-mapping.json} "$cmd/"
    chmod -R u+w "$cmd"
    (cd "$cmd" && VERSION="$PULUMI_KUBERNETES_VERSION" go run -trimpath generate.go)
    (cd "$work" && go build -trimpath \
        -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$PULUMI_KUBERNETES_VERSION" \
        -o "$1/" ./cmd/pulumi-resource-kubernetes)
)

build_kubernetes() {
    # Without these the servers report v0.0.0-master, and clients (the Pulumi provider among
    # them) read the server version. One go build, so the three share their compilation.
    local ld="" minor=${KUBERNETES_VERSION#*.}
    minor=${minor%%.*}
    for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        ld+=" -X $p.gitVersion=v$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
        ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
    done
    (cd "$here/modules/kubernetes" && go build -trimpath -ldflags "-s -w$ld" -o "$1/" \
        k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
        k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl)
}

build_etcd() {
    # The package is named after its module (server/v3): name the binary as upstream ships it.
    (cd "$here/modules/etcd" && go build -trimpath -ldflags "-s -w" -o "$1/etcd" go.etcd.io/etcd/server/v3)
}

build_kwok() {
    # kwok's version is a constant in its source; nothing to set.
    (cd "$here/modules/kwok" && go build -trimpath -ldflags "-s -w" -o "$1/" \
        sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl)
}

build_helm() {
    # The source says "v3.22"; the release sets the full version.
    (cd "$here/modules/helm" && go build -trimpath \
        -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean" \
        -o "$1/" helm.sh/helm/v3/cmd/helm)
}

build_controller_gen() {
    # controller-gen reads its version from the build info of its module: right as is.
    (cd "$here/modules/controller-gen" && go build -trimpath -ldflags "-s -w" -o "$1/" \
        sigs.k8s.io/controller-tools/cmd/controller-gen)
}

build_actionlint() {
    # Built from a wrapper, the build info shows "(devel)": set the version as releases do.
    (cd "$here/modules/actionlint" && go build -trimpath \
        -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" \
        -o "$1/" github.com/rhysd/actionlint/cmd/actionlint)
}

build_compose_check() {
    # Our own main (modules/compose-check/main.go) on the Compose Specification's loader.
    (cd "$here/modules/compose-check" && go build -trimpath -ldflags "-s -w" -o "$1/" .)
}

build_yaegi() {
    (cd "$here/modules/yaegi" && go build -trimpath -ldflags "-s -w" -o "$1/" github.com/traefik/yaegi/cmd/yaegi)
}

# What identifies a finished build: the version and the dependencies it was built from.
# compose-check is our own code too: its main.go counts.
stamp_of() {
    local files=("$here/modules/$1/go.sum")
    [[ $1 == compose-check ]] && files+=("$here/modules/$1/main.go")
    printf '%s %s\n' "$(version_of "$1")" "$(cat "${files[@]}" | sha256sum | cut -c1-16)"
}

requested=("$@")
((${#requested[@]})) || requested=("${all_tools[@]}")
for tool in "${requested[@]}"; do
    version_of "$tool" > /dev/null || { echo "build.sh: unknown tool '$tool' (tools: ${all_tools[*]})" >&2; exit 2; }
done

mkdir -p "$tools_dir/logs"
rows=()
failed=()
for tool in "${requested[@]}"; do
    version=$(version_of "$tool")
    dir="$tools_dir/$tool-$version"
    start=$SECONDS
    # Another build.sh (standin-charts.sh calls one) may be building the same tool: wait for it.
    exec {lock}> "$tools_dir/.lock.$tool-$version"
    flock "$lock"
    if [[ -f $dir/.stamp && $(< "$dir/.stamp") == "$(stamp_of "$tool")" ]]; then
        rows+=("$tool|$version|cached|0")
        exec {lock}>&-
        continue
    fi
    log="$tools_dir/logs/$tool-$version.log"
    echo "build.sh: building $tool $version (log: $log)" >&2
    # Build next to the final folder and move it in place only when complete, so an interrupted
    # build never looks cached.
    tmp="$dir.partial"
    rm -rf "$tmp"
    mkdir -p "$tmp/bin"
    if check_pin "$tool" > "$log" 2>&1 && "build_${tool//-/_}" "$tmp/bin" >> "$log" 2>&1; then
        stamp_of "$tool" > "$tmp/.stamp"
        echo "$((SECONDS - start))" > "$tmp/.build-seconds"
        rm -rf "$dir"
        mv "$tmp" "$dir"
        rows+=("$tool|$version|built|$((SECONDS - start))")
    else
        rm -rf "$tmp"
        rows+=("$tool|$version|FAILED|$((SECONDS - start))")
        failed+=("$tool")
        echo "build.sh: $tool $version FAILED; last lines of $log:" >&2
        tail -n 20 "$log" | sed 's/^/    /' >&2
    fi
    exec {lock}>&-
done

printf '\n%-18s %-12s %-7s %8s\n' tool version result seconds
for row in "${rows[@]}"; do
    IFS='|' read -r t v r s <<< "$row"
    printf '%-18s %-12s %-7s %8s\n' "$t" "$v" "$r" "$s"
done
echo "cache: $tools_dir"

if ((${#failed[@]})); then
    echo "build.sh: failed: ${failed[*]}" >&2
    exit 1
fi
