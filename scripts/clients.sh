#!/usr/bin/env bash
# Runs the official MCP clients against a real `mnemo serve` (its own OAuth, no shortcuts), each a check:
#   ts-sdk-v1               @modelcontextprotocol/sdk 1.32.2: DCR, PKCE, resource, sign-in + consent, tool calls
#   ts-sdk-v2               @modelcontextprotocol/client 2.4.0 (MCP 2026-07-28 client, negotiates down): the same
#   conformance-authorization  @modelcontextprotocol/conformance 0.2.0-alpha.12, authorization-server mode
# Sign-in and consent are driven by tests/clients/browser.mjs. Prints "Total: N passed, M failed"; exit 0 only when
# nothing failed.
#
# Environment:
#   MNEMO_SERVER_DLL   an already built mnemo.dll (default: build src/Mnemo.Server in Release here)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CLIENTS="$ROOT/tests/clients"
readonly PASSWORD="correct horse battery staple"

log() { printf '[clients] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# shellcheck source=lib/node22.sh
source "$ROOT/scripts/lib/node22.sh"
ensure_node22

if ! (cd "$CLIENTS" && node -e 'for (const p of ["@modelcontextprotocol/sdk", "@modelcontextprotocol/client", "@modelcontextprotocol/conformance"]) require.resolve(p + "/package.json")' 2>/dev/null); then
  log "installing the clients (npm ci in tests/clients)"
  (cd "$CLIENTS" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

if [[ -n "${MNEMO_SERVER_DLL:-}" ]]; then
  SERVER_DLL="$MNEMO_SERVER_DLL"
else
  dotnet build "$ROOT/src/Mnemo.Server/Mnemo.Server.csproj" -c Release -nologo -v q -clp:ErrorsOnly >&2
  SERVER_DLL="$ROOT/src/Mnemo.Server/bin/Release/net10.0/mnemo.dll"
fi
[[ -f "$SERVER_DLL" ]] || die "mnemo.dll not found: $SERVER_DLL"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mnemo-clients.XXXXXX")"
SERVER_PID=""
cleanup() {
  local rc=$?
  [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT

mnemo() { dotnet "$SERVER_DLL" "$@" --data-dir "$WORK/data"; }

PORT="$(free_port)"
BASE="http://127.0.0.1:$PORT"
CALLBACK_PORT="$(free_port)"
printf '%s\n' "$PASSWORD" | mnemo users add alice --password-stdin >/dev/null
CONFORMANCE_CLIENT="$(mnemo clients add --name "conformance suite" --redirect-uri "http://127.0.0.1:$CALLBACK_PORT/callback" | head -n 1)"

Logging__LogLevel__Default=Warning dotnet "$SERVER_DLL" serve --urls "$BASE" --data-dir "$WORK/data" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 240); do
  probe "$BASE" && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "mnemo serve exited"; }
  sleep 0.25
done
probe "$BASE" || die "mnemo serve did not answer on $BASE"

passed=0; failed=0
check() {
  local name="$1"; shift
  if "$@" >"$WORK/$name.log" 2>&1; then
    passed=$((passed + 1)); printf '✓ %s\n' "$name"; tail -n 1 "$WORK/$name.log" | sed 's/^/    /'
  else
    failed=$((failed + 1)); printf '✗ %s\n' "$name"; sed 's/^/    | /' "$WORK/$name.log"
  fi
}

check ts-sdk-v1 node "$CLIENTS/oauth-client.mjs" v1 "$BASE/mcp" alice "$PASSWORD"
check ts-sdk-v2 node "$CLIENTS/oauth-client.mjs" v2 "$BASE/mcp" alice "$PASSWORD"

conformance_authorization() {
  "$CLIENTS/node_modules/.bin/conformance" authorization --url "$BASE" --client-id "$CONFORMANCE_CLIENT" \
    --resource "$BASE/mcp" -p "$CALLBACK_PORT" >"$WORK/suite.out" 2>&1 &
  local suite=$!
  node "$CLIENTS/conformance-authorization.mjs" "$WORK/suite.out" alice "$PASSWORD" || { kill "$suite" 2>/dev/null; cat "$WORK/suite.out"; return 1; }
  local rc=0
  wait "$suite" || rc=$?
  cat "$WORK/suite.out"
  return "$rc"
}
check conformance-authorization conformance_authorization

if ((failed > 0)); then
  log "server log (last lines):"; tail -n 40 "$WORK/server.log" | sed 's/^/  | /' >&2
fi
echo "Total: $passed passed, $failed failed"
((failed == 0))
