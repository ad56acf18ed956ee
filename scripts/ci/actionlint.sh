#!/usr/bin/env bash
# Lints every workflow under .github/workflows with actionlint (and, through it, the shell of each
# `run:` with shellcheck when Debian's shellcheck is installed). actionlint comes from the e2e
# tools' build (scripts/tools/build.sh, cached under the tools folder) where this checkout has it,
# and is otherwise built from its Go module at the same pinned version by `go run` (no replaces).
set -euo pipefail
cd "$(dirname "$0")/../.."

version=1.7.12
tools_dir=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}
command -v shellcheck > /dev/null || apt-get install -y -qq shellcheck > /dev/null 2>&1 || true

if [[ -f scripts/tools/build.sh && -f scripts/tools/versions.env ]]; then
    # shellcheck source=/dev/null
    source scripts/tools/versions.env
    version=$ACTIONLINT_VERSION
    bash scripts/tools/build.sh actionlint >&2
    actionlint=("$tools_dir/actionlint-$version/bin/actionlint")
else
    actionlint=(env CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-buildvcs=false go run "github.com/rhysd/actionlint/cmd/actionlint@v$version")
fi
echo "actionlint $version over .github/workflows (shellcheck: $(command -v shellcheck || echo none))" >&2
"${actionlint[@]}" -no-color .github/workflows/*.yml
