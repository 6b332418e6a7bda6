#!/usr/bin/env bash
# Installs (if missing) and starts the throw-away services the test suite needs:
# PostgreSQL 15 + PostGIS on 127.0.0.1 in a temp directory, and Redis; Chromium for the app's end-to-end tests; nginx for
# the deployment recipe's test. Source it: it exports HALO_TEST_POSTGRES.
# Stop them with `halo_services_stop` (test.sh does it on exit).
set -euo pipefail

PG_PORT="${HALO_PG_PORT:-55432}"
REDIS_PORT="${HALO_REDIS_PORT:-56379}"
PG_BIN=/usr/lib/postgresql/15/bin

need=()
[ -x "$PG_BIN/postgres" ] || need+=(postgresql-15)
# pg_dump/pg_restore for the backup tests (a dependency of the server package; named so a client-only host gets them).
[ -x "$PG_BIN/pg_dump" ] || need+=(postgresql-client-15)
[ -f /usr/share/postgresql/15/extension/postgis.control ] || need+=(postgresql-15-postgis-3)
command -v redis-server >/dev/null || need+=(redis-server)
# The app's end-to-end tests drive Debian's Chromium (Playwright cannot download browsers here).
[ -x /usr/bin/chromium ] || need+=(chromium)
# docs/deploy.md's reverse proxy: its test (tests/Halo.Api.Tests/Deploy) runs the binary as a private foreground process
# with its own prefix and config in a temp folder, never the system service.
[ -x /usr/sbin/nginx ] || need+=(nginx)
if [ "${#need[@]}" -gt 0 ]; then
  echo "Installing: ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

HALO_SERVICES_DIR="$(mktemp -d /tmp/halo-services.XXXXXX)"
chmod 755 "$HALO_SERVICES_DIR"
export HALO_SERVICES_DIR

# PostgreSQL refuses to run as root: run it as the postgres user (created by the Debian package) when we are root.
run_pg() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
PGDATA="$HALO_SERVICES_DIR/pg"
mkdir -p "$PGDATA"
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$PGDATA"
run_pg "$PG_BIN/initdb -D '$PGDATA' -U halo --auth=trust -E UTF8 >/dev/null"
# Tests run with durability off (a throw-away server). Benchmarks set HALO_PG_DURABLE=1: fsync and full-page writes on,
# commits not waiting for the WAL flush, which is what SQLite's WAL + synchronous=NORMAL promises (crash-safe; a power
# cut may lose the last moments of commits).
PG_DURABILITY="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
[ "${HALO_PG_DURABLE:-0}" = 1 ] && PG_DURABILITY="-c synchronous_commit=off -c log_lock_waits=on"
run_pg "$PG_BIN/pg_ctl -D '$PGDATA' -l '$PGDATA/log' -w -o '-p $PG_PORT -k $PGDATA -c listen_addresses=127.0.0.1 -c max_connections=300 $PG_DURABILITY' start >/dev/null"
run_pg "$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U halo -d postgres -qc 'CREATE EXTENSION IF NOT EXISTS postgis' -d template1 >/dev/null"
export HALO_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=halo;Database=postgres;Pooling=true;Maximum Pool Size=50"

redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$HALO_SERVICES_DIR" --pidfile "$HALO_SERVICES_DIR/redis.pid" >/dev/null
export HALO_TEST_REDIS="127.0.0.1:$REDIS_PORT"

halo_services_stop() {
  run_pg "$PG_BIN/pg_ctl -D '$PGDATA' -m immediate stop >/dev/null 2>&1" || true
  [ -f "$HALO_SERVICES_DIR/redis.pid" ] && kill "$(cat "$HALO_SERVICES_DIR/redis.pid")" 2>/dev/null || true
  rm -rf "$HALO_SERVICES_DIR"
}
echo "PostgreSQL+PostGIS on 127.0.0.1:$PG_PORT, Redis on $HALO_TEST_REDIS"
