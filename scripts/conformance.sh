#!/usr/bin/env bash
# Runs the MCP conformance suite (@modelcontextprotocol/conformance, server mode) against the conformance
# host (tests/Mnemo.ConformanceHost: Mnemo plus the suite's fixtures and one fixed local user, because the
# suite cannot send a credential; the shipped mnemo has no such mode) on a free loopback port with a
# throw-away data directory.
#
# Usage: scripts/conformance.sh [extra suite options, e.g. --scenario tools-list | --verbose]
#
# Environment:
#   MNEMO_CONFORMANCE_HOST_DLL  path to an already built Mnemo.ConformanceHost.dll: skip the build
#   MNEMO_CONFIGURATION     build configuration when building here (default: Debug)
#   CONFORMANCE_OUTPUT_DIR  keep the suite's per-scenario results (checks.json) in this folder
#   CONFORMANCE_BASELINE    expected-failures file (default: scripts/conformance-baseline.yml, empty)
#   CONFORMANCE_STARTUP_TIMEOUT  seconds to wait for the server (default: 60)
#
# Node 22 and the suite are installed into the git-ignored .tools/ folder on first use (the machine's
# Node 20 cannot run the suite). Exit code: the suite's (0 only when nothing failed).
set -euo pipefail

readonly SUITE_VERSION=0.1.16

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
SUITE_DIR="$TOOLS/conformance"
SUITE_PKG="$SUITE_DIR/node_modules/@modelcontextprotocol/conformance"
BASELINE="${CONFORMANCE_BASELINE:-$ROOT/scripts/conformance-baseline.yml}"
STARTUP_TIMEOUT="${CONFORMANCE_STARTUP_TIMEOUT:-60}"
CONFIGURATION="${MNEMO_CONFIGURATION:-Debug}"

log() { printf '[conformance] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

# --- tools ---------------------------------------------------------------------------------------

suite_ok() {
  [[ -f "$SUITE_PKG/package.json" ]] && [[ -x "$SUITE_DIR/node_modules/.bin/conformance" ]] &&
    node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
      "$SUITE_PKG/package.json" "$SUITE_VERSION"
}

command -v dotnet >/dev/null || die "dotnet is not on PATH"
mkdir -p "$TOOLS"

# shellcheck source=lib/node22.sh
source "$ROOT/scripts/lib/node22.sh"
ensure_node22

if ! suite_ok; then
  command -v npm >/dev/null || die "npm is needed once to install the conformance suite into .tools/"
  log "installing @modelcontextprotocol/conformance@$SUITE_VERSION into .tools/conformance"
  npm install --prefix "$SUITE_DIR" --no-audit --no-fund --loglevel=error \
    "@modelcontextprotocol/conformance@$SUITE_VERSION" >&2
  suite_ok || die "conformance suite install failed ($SUITE_PKG)"
fi

[[ -f "$BASELINE" ]] || die "expected-failures baseline not found: $BASELINE"

# --- server ----------------------------------------------------------------------------------------

if [[ -n "${MNEMO_CONFORMANCE_HOST_DLL:-}" ]]; then
  SERVER_DLL="$MNEMO_CONFORMANCE_HOST_DLL"
  [[ -f "$SERVER_DLL" ]] || die "MNEMO_CONFORMANCE_HOST_DLL does not exist: $SERVER_DLL"
else
  PROJECT="$ROOT/tests/Mnemo.ConformanceHost/Mnemo.ConformanceHost.csproj"
  log "building $PROJECT ($CONFIGURATION)"
  dotnet build "$PROJECT" -c "$CONFIGURATION" -nologo -v q -clp:ErrorsOnly >&2
  SERVER_DLL="$(dotnet msbuild "$PROJECT" -nologo -getProperty:TargetPath -p:Configuration="$CONFIGURATION")"
  [[ -f "$SERVER_DLL" ]] || die "build output not found: $SERVER_DLL"
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/mnemo-conformance.XXXXXX")"
SERVER_LOG="$WORK/server.log"
SERVER_PID=""

stop_server() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  stop_server
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_server() {
  local attempt port
  for attempt in 1 2 3; do
    port="$(free_port)"
    BASE_URL="http://127.0.0.1:$port"
    log "starting the conformance host on $BASE_URL (attempt $attempt)"
    mkdir -p "$WORK/data"
    Logging__LogLevel__Default=Warning \
      dotnet "$SERVER_DLL" --urls "$BASE_URL" --data-dir "$WORK/data" \
      >"$SERVER_LOG" 2>&1 &
    SERVER_PID=$!
    local deadline=$((SECONDS + STARTUP_TIMEOUT))
    while ((SECONDS < deadline)); do
      if ! kill -0 "$SERVER_PID" 2>/dev/null; then
        break
      fi
      if probe "$BASE_URL"; then
        log "server is up (pid $SERVER_PID)"
        return 0
      fi
      sleep 0.25
    done
    log "server did not come up; its log:"
    sed 's/^/  | /' "$SERVER_LOG" >&2 || true
    stop_server
    # Retry only when the port was taken by someone else meanwhile.
    grep -qiE 'address already in use|EADDRINUSE' "$SERVER_LOG" || break
  done
  return 1
}

start_server || die "could not start the conformance host"

# --- suite -----------------------------------------------------------------------------------------

SUITE_ARGS=(server --url "$BASE_URL/mcp" --expected-failures "$BASELINE")
if [[ -n "${CONFORMANCE_OUTPUT_DIR:-}" ]]; then
  mkdir -p "$CONFORMANCE_OUTPUT_DIR"
  SUITE_ARGS+=(-o "$CONFORMANCE_OUTPUT_DIR")
fi

log "running conformance $SUITE_VERSION: ${SUITE_ARGS[*]} $*"
set +e
"$SUITE_DIR/node_modules/.bin/conformance" "${SUITE_ARGS[@]}" "$@"
SUITE_RC=$?
set -e

if ((SUITE_RC != 0)); then
  log "suite failed (exit $SUITE_RC); last server log lines:"
  tail -n 40 "$SERVER_LOG" | sed 's/^/  | /' >&2 || true
fi
exit "$SUITE_RC"
