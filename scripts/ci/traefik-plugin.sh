#!/usr/bin/env bash
# CI step for the edge's own Sablier middleware (components/edge/sablier-plugin, a Traefik local
# plugin): its Go tests under the Go toolchain and under Yaegi, the interpreter Traefik runs
# plugins in (built once into the tool cache: scripts/tools/build.sh yaegi); then the files the
# program ships in Traefik's ConfigMap (read from the dev render) loaded as Traefik loads them:
# GOPATH at the local plugins folder, the package imported by its module path, CreateConfig and
# New called, a ready and a cold group served. Last, a copy that passes a cold group through must
# fail that load (the check can fail). Prints one line `traefik plugin: N passed, N failed`.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
# shellcheck source=counts.sh
source "$here/counts.sh" "traefik plugin"

# shellcheck source=/dev/null
source scripts/tools/versions.env
bash scripts/tools/build.sh yaegi >&2 || { fail "building yaegi"; exit 1; }
yaegi=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/yaegi-$YAEGI_VERSION/bin/yaegi
plugin=components/edge/sablier-plugin

# Counts a `-v` test run's `--- PASS` / `--- FAIL` lines; a run that failed without one failed to build.
count() {
    local what=$1 out=$2 code=$3 p f
    p=$(grep -c -- '^--- PASS' <<< "$out")
    f=$(grep -c -- '^--- FAIL' <<< "$out")
    grep -E -- '^--- (PASS|FAIL)' <<< "$out" | sed "s/^/$what: /"
    passed=$((passed + p))
    failed=$((failed + f))
    if ((code != 0 && f == 0)) || ((p + f == 0)); then
        fail "$what: exit $code, no test result"
        echo "$out" | tail -n 20
    fi
}

out=$(cd "$plugin" && GOTOOLCHAIN=local GOFLAGS=-mod=mod go test -count=1 -v ./... 2>&1)
count "go test" "$out" $?
out=$(cd "$plugin" && "$yaegi" test -v . 2>&1)
count "yaegi test" "$out" $?

# What the program ships: the dev render's chart values (dev hosts previews, so it loads the plugin).
work=$(mktemp -d)
cleanup() { rm -rf "$work"; }
if ! npm run --silent render -- --stack dev > /dev/null 2>&1; then
    fail "render dev"
    exit 1
fi
# Writes <GOPATH>/src/<module>/<file> for every file of the ConfigMap; prints the module.
ship() {
    node -e '
        const fs = require("fs"), path = require("path"), yaml = require("yaml");
        const chart = yaml.parse(fs.readFileSync("out/render/dev/helm/edge-traefik-chart.yaml", "utf8"));
        const p = chart.values.experimental.localPlugins.sablier;
        const dir = path.join(process.argv[1], "src", p.moduleName);
        fs.mkdirSync(dir, { recursive: true });
        for (const [name, text] of Object.entries(p.source)) fs.writeFileSync(path.join(dir, name), text);
        console.log(p.moduleName);
    ' "$1"
}
load() {
    (cd "$work" && GOPATH=$1 GO111MODULE=off "$yaegi" run "$root/scripts/ci/traefik-plugin-load/main.go" 2>&1)
}
if module=$(ship "$work/gopath") && [[ -f $work/gopath/src/$module/.traefik.yml ]]; then
    if out=$(load "$work/gopath") && grep -q '^ok ' <<< "$out"; then
        ok "the shipped plugin loads and serves through Yaegi as Traefik loads it ($module)"
    else
        fail "the shipped plugin does not load or serve as Traefik loads it: $out"
    fi
    # The negative control: a plugin that lets a cold group through must fail the same load.
    cp -r "$work/gopath" "$work/broken"
    sed -i 's/== "ready"/!= "ready"/' "$work/broken/src/$module"/*.go
    if load "$work/broken" > /dev/null; then
        fail "a plugin that passes a cold group through still loads as good: the load check cannot fail"
    else
        ok "a plugin that passes a cold group through fails the load check"
    fi
else
    fail "the dev render ships no Sablier plugin files"
fi
# CI counts the EXIT trap's line; the exit status says the same for a run by hand.
((failed == 0))
