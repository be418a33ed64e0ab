#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 server on loopback for the tests and prints its admin connection string
# (user mnemo, trust auth, loopback only). Installs Debian's postgresql package when the server binaries are
# missing. The cluster lives in a temporary folder; stop it with `scripts/postgres.sh stop DIR`.
#
#   scripts/postgres.sh start [PORT]   -> prints two lines: the data folder, then the connection string
#   scripts/postgres.sh stop DIR
#
# As root (CI), initdb refuses to run: the cluster is created and run as the `postgres` system user instead.
set -euo pipefail

log() { printf '[postgres] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

pg_bin() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && { echo "$dir"; return; }
  done
}

run_as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

start() {
  local port="${1:-}"
  local bin
  bin="$(pg_bin)"
  if [[ -z "$bin" ]]; then
    [[ $(id -u) -eq 0 ]] || die "PostgreSQL is not installed; run as root once, or: apt-get install -y postgresql"
    log "installing postgresql from Debian"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null 2>&1 \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null; }
    bin="$(pg_bin)"
    [[ -n "$bin" ]] || die "postgresql installed but no initdb found under /usr/lib/postgresql"
  fi

  if [[ -z "$port" ]]; then
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null \
      || echo $((20000 + RANDOM % 20000)))"
  fi

  local dir
  dir="$(mktemp -d "${TMPDIR:-/tmp}/mnemo-pg.XXXXXX")"
  chmod 755 "$dir"
  if [[ $(id -u) -eq 0 ]]; then
    chown postgres:postgres "$dir"
  fi

  # C locale: the same byte-wise text order as SQLite whatever the machine's locale (Mnemo also asks for
  # "C" collation column by column, so real deployments on en_US.UTF-8 clusters order the same).
  run_as_owner "'$bin/initdb' -D '$dir/data' -U mnemo --auth=trust --locale=C --encoding=UTF8 >'$dir/initdb.log' 2>&1" \
    || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  # fsync off: a test cluster is thrown away, and the tests measure behaviour, not durability.
  run_as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300\" start >/dev/null" \
    || { cat "$dir/server.log" >&2; die "pg_ctl start failed"; }
  echo "$dir"
  echo "Host=127.0.0.1;Port=$port;Username=mnemo;Database=postgres"
}

stop() {
  local dir="$1"
  local bin
  bin="$(pg_bin)"
  [[ -d "$dir/data" ]] || return 0
  run_as_owner "'$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
  rm -rf "$dir"
}

case "${1:-}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  *) die "usage: $0 start [PORT] | stop DIR" ;;
esac
