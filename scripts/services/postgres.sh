#!/usr/bin/env bash
# Starts/stops a throwaway PostgreSQL for integration tests and benchmarks.
# Loopback only (127.0.0.1), fixed non-default port, data dir under <repo>/.services/postgres.
# Usage: scripts/services/postgres.sh start|stop|env
# Prints `export MDL_PG_URL=...` and writes it to .services/postgres.env. Idempotent.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SVC="$REPO/.services"
DATA="$SVC/postgres"
PORT="${MDL_PG_PORT:-54329}"
DB=mdl_test
USER_NAME=mdl
# A random password per data dir, kept under .services/ (gitignored): no credential in the repo.
mkdir -p "$SVC"
PASS_FILE="$SVC/postgres.pw"
[ -s "$PASS_FILE" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PASS_FILE")
PASS="$(cat "$PASS_FILE")"
ENV_FILE="$SVC/postgres.env"
LOG="$SVC/postgres.log"
URL="postgres://$USER_NAME:$PASS@127.0.0.1:$PORT/$DB"

find_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [ -x "$d/pg_ctl" ]; then echo "$d"; fi
  done | sort -V | tail -n 1
}

ensure_installed() {
  if [ -n "$(find_bindir)" ]; then return; fi
  echo "postgres.sh: installing the postgresql Debian package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq postgresql >/dev/null
}

# postgres refuses to run as root: run its tools as the `postgres` OS user when we are root.
as_pg() {
  if [ "$(id -u)" = "0" ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The postgres user must reach the data dir. When a parent of the repo is private (e.g. a clone
# under /root), the data and log live under /var/tmp instead, linked from .services/postgres.
resolve_data_dir() {
  if [ "$(id -u)" != "0" ]; then return; fi
  if [ -L "$DATA" ]; then
    DATA="$(readlink -f "$DATA")"
    LOG="$(dirname "$DATA")/postgres.log"
  elif [ ! -e "$DATA" ] && ! as_pg test -x "$SVC" 2>/dev/null; then
    local alt
    alt="/var/tmp/mdl-services-$(printf '%s' "$REPO" | md5sum | cut -c1-8)"
    mkdir -p "$alt"
    chmod 755 "$alt"
    ln -sfn "$alt/postgres" "$DATA"
    DATA="$alt/postgres"
    LOG="$alt/postgres.log"
  fi
}

write_env() {
  printf 'export MDL_PG_URL=%s\n' "$URL" >"$ENV_FILE"
  cat "$ENV_FILE"
}

is_running() {
  local bindir="$1"
  [ -f "$DATA/PG_VERSION" ] && as_pg "$bindir/pg_ctl" -D "$DATA" status >/dev/null 2>&1
}

start() {
  ensure_installed
  local bindir
  bindir="$(find_bindir)"
  mkdir -p "$SVC"
  if [ "$(id -u)" = "0" ]; then chmod o+x "$SVC"; fi
  resolve_data_dir
  if is_running "$bindir"; then
    write_env
    return
  fi
  if [ ! -f "$DATA/PG_VERSION" ]; then
    mkdir -p "$DATA"
    if [ "$(id -u)" = "0" ]; then chown postgres:postgres "$DATA"; fi
    chmod 700 "$DATA"
    local pwfile
    pwfile="$(mktemp)"
    printf '%s\n' "$PASS" >"$pwfile"
    if [ "$(id -u)" = "0" ]; then chown postgres "$pwfile"; fi
    as_pg "$bindir/initdb" -D "$DATA" -U "$USER_NAME" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 \
      --locale=C >/dev/null
    rm -f "$pwfile"
    {
      echo "listen_addresses = '127.0.0.1'"
      echo "port = $PORT"
      echo "unix_socket_directories = ''"
      echo "fsync = on"
      echo "max_connections = 50"
    } >>"$DATA/postgresql.conf"
  fi
  touch "$LOG"
  if [ "$(id -u)" = "0" ]; then chown postgres "$LOG"; fi
  as_pg "$bindir/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null
  if ! PGPASSWORD="$PASS" psql -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = '$DB'" | grep -q 1; then
    PGPASSWORD="$PASS" psql -h 127.0.0.1 -p "$PORT" -U "$USER_NAME" -d postgres -qc "CREATE DATABASE $DB"
  fi
  write_env
}

stop() {
  resolve_data_dir
  local bindir
  bindir="$(find_bindir)"
  if [ -n "$bindir" ] && is_running "$bindir"; then
    as_pg "$bindir/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null
    echo "postgres.sh: stopped" >&2
  else
    echo "postgres.sh: not running" >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  env) write_env ;;
  *)
    echo "usage: $0 start|stop|env" >&2
    exit 2
    ;;
esac
