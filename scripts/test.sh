#!/usr/bin/env bash
# Runs every test of Mnemo: the xunit suites (unit, integration over real ports, CLI processes) on SQLite, then the
# storage, memory, search, OAuth and MCP tool tests again on a real PostgreSQL (started here by scripts/postgres.sh,
# or the server named by MNEMO_TEST_POSTGRES) with the several-instances tests behind nginx, the MCP conformance
# suite against the conformance host (tests/Mnemo.ConformanceHost), and the official MCP clients against a real
# mnemo serve (scripts/clients.sh). Installs what it needs (Node 22, the suite and the clients, from npm, into
# .tools/ and tests/clients/node_modules; PostgreSQL from Debian when missing and run as root). Exit code 0 only
# when everything passed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

LOG_DIR="$(mktemp -d)"
PG_DIR=""
cleanup() {
  [[ -n "$PG_DIR" ]] && bash scripts/postgres.sh stop "$PG_DIR"
  rm -rf "$LOG_DIR"
}
trap cleanup EXIT

echo "== build"
dotnet build Mnemo.slnx -c Release -nologo -v q -clp:ErrorsOnly

echo "== xunit on SQLite"
set +e
dotnet test Mnemo.slnx -c Release --no-build -nologo --filter "Provider!=Postgres" 2>&1 | tee "$LOG_DIR/xunit.log"
xunit_status=${PIPESTATUS[0]}
set -e

# The same storage, memory, search, OAuth and MCP tool tests on PostgreSQL (tests marked Provider=Sqlite are about
# SQLite itself), plus the PostgreSQL-only ones: the change feed under concurrent writers, the SQLite → PostgreSQL
# migration, and three instances behind nginx (tests/Mnemo.Server.Tests/Scale).
echo "== xunit on PostgreSQL"
if [[ -z "${MNEMO_TEST_POSTGRES:-}" ]]; then
  pg_out="$(bash scripts/postgres.sh start)"
  PG_DIR="$(sed -n 1p <<<"$pg_out")"
  export MNEMO_TEST_POSTGRES="$(sed -n 2p <<<"$pg_out")"
fi
export MNEMO_TEST_PROVIDER=Postgres
set +e
for project in Storage Memory Auth; do
  dotnet test "tests/Mnemo.$project.Tests" -c Release --no-build -nologo --filter "Provider!=Sqlite" 2>&1 | tee -a "$LOG_DIR/xunit.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || xunit_status=1
done
dotnet test tests/Mnemo.Server.Tests -c Release --no-build -nologo \
  --filter "Provider!=Sqlite&(FullyQualifiedName~Mnemo.Server.Tests.Mcp.|FullyQualifiedName~Mnemo.Server.Tests.OAuth.|FullyQualifiedName~Mnemo.Server.Tests.Fuzz.|Provider=Postgres)" \
  2>&1 | tee -a "$LOG_DIR/xunit.log"
[[ ${PIPESTATUS[0]} -eq 0 ]] || xunit_status=1
set -e
unset MNEMO_TEST_PROVIDER

echo "== MCP conformance suite (server mode)"
set +e
MNEMO_CONFORMANCE_HOST_DLL="$ROOT/tests/Mnemo.ConformanceHost/bin/Release/net10.0/Mnemo.ConformanceHost.dll" scripts/conformance.sh 2>&1 | tee "$LOG_DIR/conformance.log"
conformance_status=${PIPESTATUS[0]}
set -e

echo "== official MCP clients (TypeScript SDK v1 and v2, conformance authorization mode)"
set +e
MNEMO_SERVER_DLL="$ROOT/src/Mnemo.Server/bin/Release/net10.0/mnemo.dll" scripts/clients.sh 2>&1 | tee "$LOG_DIR/clients.log"
clients_status=${PIPESTATUS[0]}
set -e

# One closing line over everything: xunit's per-assembly summaries plus the conformance checks.
passed=0; failed=0
while read -r f p; do passed=$((passed + p)); failed=$((failed + f)); done < <(
  sed -nE 's/.*(Passed|Failed)!.*Failed: *([0-9]+), Passed: *([0-9]+).*/\2 \3/p' "$LOG_DIR/xunit.log")
for log in conformance clients; do
  if read -r p f < <(sed -nE 's/^Total: *([0-9]+) passed, *([0-9]+) failed.*/\1 \2/p' "$LOG_DIR/$log.log" | tail -1); then
    passed=$((passed + p)); failed=$((failed + f))
  else
    failed=$((failed + 1))
  fi
done
if [[ $xunit_status -ne 0 || $conformance_status -ne 0 || $clients_status -ne 0 ]] && [[ $failed -eq 0 ]]; then
  failed=1 # a runner failed without a counted test failure (crash, build error): never report green
fi

echo "xunit exit $xunit_status, conformance exit $conformance_status, clients exit $clients_status"
echo "Total: $passed passed, $failed failed"
[[ $xunit_status -eq 0 && $conformance_status -eq 0 && $clients_status -eq 0 ]]
