#!/usr/bin/env bash
# Starts/stops a throwaway MariaDB for integration tests.
# Loopback only (127.0.0.1), fixed non-default port, data dir under <repo>/.services/mariadb.
# Usage: scripts/services/mariadb.sh start|stop|env
# Prints `export MDL_MARIADB_URL=...` and writes it to .services/mariadb.env. Idempotent.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SVC="$REPO/.services"
DATA="$SVC/mariadb"
PORT="${MDL_MARIADB_PORT:-33069}"
RUN="$SVC/mariadb-run"
SOCK="$RUN/mariadb.sock"
PIDFILE="$RUN/mariadb.pid"
DB=mdl_test
USER_NAME=mdl
# A random password per data dir, kept under .services/ (gitignored): no credential in the repo.
mkdir -p "$SVC"
PASS_FILE="$SVC/mariadb.pw"
[ -s "$PASS_FILE" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$PASS_FILE")
PASS="$(cat "$PASS_FILE")"
ENV_FILE="$SVC/mariadb.env"
LOG="$SVC/mariadb.log"
URL="mysql://$USER_NAME:$PASS@127.0.0.1:$PORT/$DB"

server_bin() { command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd 2>/dev/null || true; }
install_db_bin() { command -v mariadb-install-db || command -v mysql_install_db || true; }
client_bin() { command -v mariadb || command -v mysql || true; }

ensure_installed() {
  if [ -n "$(server_bin)" ] && [ -n "$(client_bin)" ]; then return; fi
  echo "mariadb.sh: installing the mariadb-server Debian package" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps the package from starting the system-wide service on install.
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d.mdl
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    cp /usr/sbin/policy-rc.d.mdl /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    apt-get install -y -qq mariadb-server mariadb-client >/dev/null
    rm -f /usr/sbin/policy-rc.d
  else
    apt-get install -y -qq mariadb-server mariadb-client >/dev/null
  fi
  rm -f /usr/sbin/policy-rc.d.mdl
}

# mysqld refuses to run as root unless told --user; run it as the `mysql` OS user when root.
run_user() { if [ "$(id -u)" = "0" ]; then echo mysql; else id -un; fi; }

# The mysql user must reach the data dir. When a parent of the repo is private (e.g. a clone
# under /root), data, socket and log live under /var/tmp instead, linked from .services/.
resolve_dirs() {
  if [ "$(id -u)" != "0" ]; then return; fi
  local alt=""
  if [ -L "$DATA" ]; then
    alt="$(dirname "$(readlink -f "$DATA")")"
  elif [ ! -e "$DATA" ] && ! (cd / && runuser -u mysql -- test -x "$SVC") 2>/dev/null; then
    alt="/var/tmp/mdl-services-$(printf '%s' "$REPO" | md5sum | cut -c1-8)"
    mkdir -p "$alt"
    chmod 755 "$alt"
    ln -sfn "$alt/mariadb" "$DATA"
  fi
  if [ -n "$alt" ]; then
    DATA="$alt/mariadb"
    RUN="$alt/mariadb-run"
    SOCK="$RUN/mariadb.sock"
    PIDFILE="$RUN/mariadb.pid"
    LOG="$alt/mariadb.log"
  fi
}

write_env() {
  printf 'export MDL_MARIADB_URL=%s\n' "$URL" >"$ENV_FILE"
  cat "$ENV_FILE"
}

is_running() {
  [ -S "$SOCK" ] && "$(client_bin)" --socket="$SOCK" -u root -e 'SELECT 1' >/dev/null 2>&1
}

start() {
  ensure_installed
  mkdir -p "$SVC"
  resolve_dirs
  if is_running; then
    write_env
    return
  fi
  local user
  user="$(run_user)"
  if [ "$(id -u)" = "0" ]; then chmod o+x "$SVC"; fi
  mkdir -p "$RUN"
  if [ "$(id -u)" = "0" ]; then chown "$user" "$RUN"; fi
  if [ ! -d "$DATA/mysql" ]; then
    mkdir -p "$DATA"
    if [ "$(id -u)" = "0" ]; then chown "$user" "$DATA"; fi
    "$(install_db_bin)" --no-defaults --datadir="$DATA" --user="$user" \
      --auth-root-authentication-method=socket >/dev/null
  fi
  touch "$LOG"
  if [ "$(id -u)" = "0" ]; then chown "$user" "$LOG"; fi
  rm -f "$SOCK" "$PIDFILE"
  # Detached so the server survives the shell that started it.
  setsid "$(server_bin)" --no-defaults --datadir="$DATA" --user="$user" \
    --bind-address=127.0.0.1 --port="$PORT" --socket="$SOCK" --pid-file="$PIDFILE" \
    --log-error="$LOG" --skip-name-resolve --character-set-server=utf8mb4 \
    --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &
  local i
  for i in $(seq 1 120); do
    if is_running; then break; fi
    sleep 0.5
  done
  if ! is_running; then
    echo "mariadb.sh: server did not start; see $LOG" >&2
    exit 1
  fi
  "$(client_bin)" --socket="$SOCK" -u root <<SQL
CREATE DATABASE IF NOT EXISTS $DB CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$USER_NAME'@'127.0.0.1' IDENTIFIED BY '$PASS';
GRANT ALL PRIVILEGES ON *.* TO '$USER_NAME'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL
  write_env
}

stop() {
  resolve_dirs
  if is_running; then
    local pid
    pid="$(cat "$PIDFILE")"
    kill "$pid"
    local i
    for i in $(seq 1 120); do
      if ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.5
    done
    echo "mariadb.sh: stopped" >&2
  else
    echo "mariadb.sh: not running" >&2
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
