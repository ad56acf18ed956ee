#!/usr/bin/env bash
# The image-automation loop test with Flux's own controller (test/flux/*.ftest.ts): builds, or
# finds cached, what it runs, then runs the jest file, which starts etcd, a kube-apiserver, a git
# server and the controller on 127.0.0.1 and stops them when done.
#   - image-automation-controller v0.41.2, controller-gen and the CRDs:
#     scripts/tools/build-flux-iac.sh (this branch's own wrapper modules)
#   - kube-apiserver, kubectl and etcd: the e2e tools' build (scripts/tools/build.sh and
#     versions.env, when this checkout has them), cached under the same tools folder
# Usage: bash scripts/ci/flux-loop.sh [jest args...]
set -euo pipefail
cd "$(dirname "$0")/../.."

tools_dir=${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}
start=$SECONDS

command -v git > /dev/null || { echo "flux-loop.sh: git is missing (apt-get install git)" >&2; exit 1; }
for tool in unzip curl; do
    command -v "$tool" > /dev/null || { apt-get update -qq && apt-get install -y -qq "$tool" > /dev/null; }
done

iac=$(bash scripts/tools/build-flux-iac.sh)
built_iac=$((SECONDS - start))

# The control plane's binaries: built by the e2e tools' build.sh where this checkout has it;
# otherwise whatever that build left in the cache.
if [[ -f scripts/tools/build.sh && -f scripts/tools/versions.env ]]; then
    bash scripts/tools/build.sh kubernetes etcd >&2
    # shellcheck source=/dev/null
    source scripts/tools/versions.env
    kube_bin="$tools_dir/kubernetes-$KUBERNETES_VERSION/bin"
    etcd_bin="$tools_dir/etcd-$ETCD_VERSION/bin/etcd"
else
    kube_bin=$(ls -d "$tools_dir"/kubernetes-*/bin 2> /dev/null | sort -V | tail -n 1 || true)
    etcd_bin=$(ls "$tools_dir"/etcd-*/bin/etcd 2> /dev/null | sort -V | tail -n 1 || true)
fi
for b in "$kube_bin/kube-apiserver" "$kube_bin/kubectl" "$etcd_bin"; do
    if [[ ! -x $b ]]; then
        echo "flux-loop.sh: $b is missing: it comes from scripts/tools/build.sh (kubernetes, etcd)" >&2
        exit 1
    fi
done
echo "flux-loop.sh: tools ready in $((SECONDS - start)) s (controller and CRDs: $built_iac s)" >&2

export FLUX_IAC_DIR="$iac" KUBE_BIN_DIR="$kube_bin" ETCD_BIN="$etcd_bin"
npx jest -c jest.flux.config.js "$@"
