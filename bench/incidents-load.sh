#!/usr/bin/env bash
# Load benchmark for GET /api/v1/incidents with a city-sized bbox (a page of 100 out of >= 100k stored),
# on SQLite and on PostgreSQL+PostGIS. wrk runs on the same machine, bounded in time.
# Usage: [WRK_THREADS=2] [PG_POOL=n (Npgsql Maximum Pool Size)] bench/incidents-load.sh [seconds=20] [connections=16] [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/.."
SECS="${1:-20}"; CONNS="${2:-16}"; ROWS="${3:-100000}"; THREADS="${WRK_THREADS:-2}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
source scripts/services.sh
WORK="$(mktemp -d /tmp/halo-bench.XXXXXX)"
cleanup() { [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true; halo_services_stop; rm -rf "$WORK"; }
trap cleanup EXIT

dotnet build bench/Halo.Bench.Seed -c Release -nologo -v q >/dev/null
dotnet publish src/Halo.Api -c Release -o "$WORK/app" -nologo -v q >/dev/null
SEED="bench/Halo.Bench.Seed/bin/Release/net10.0/Halo.Bench.Seed"
URL_PATH="/api/v1/incidents?bbox=17.95,59.28,18.15,59.40&limit=100"
PORT=5391
OUT="$WORK/results.md"

run_one() { # provider, extra env...
  local provider="$1"; shift
  # Production settings with a throw-away signing key; the per-IP read limit is off so the server, not the limiter, is measured.
  env "$@" Database__SeedSample=false Ingestion__Polisen__Enabled=false ASPNETCORE_ENVIRONMENT=Production \
    Secrets__JwtSigningKey="$(openssl rand -base64 32)" Secrets__DeviceHashKey="$(openssl rand -base64 32)" RateLimiting__Enabled=false \
    Classification__TrainOnStart=false Predictions__TrainOnStart=false Predictions__DailyRetrainEnabled=false \
    Logging__LogLevel__Default=Warning "$WORK/app/Halo.Api" --urls "http://127.0.0.1:$PORT" > "$WORK/app-$provider.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
  local n; n=$(curl -sf "http://127.0.0.1:$PORT$URL_PATH" | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
  wrk -t"$THREADS" -c"$CONNS" -d5s "http://127.0.0.1:$PORT$URL_PATH" >/dev/null   # warm-up
  wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$PORT$URL_PATH" > "$WORK/wrk-$provider.txt"
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$provider.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk-$provider.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk-$provider.txt")
  echo "| $provider | $ROWS | $n | $CONNS | ${SECS}s | $rps | $p50 | $p99 |" >> "$OUT"
  cat "$WORK/wrk-$provider.txt"
}

echo "| provider | rows stored | page size | connections | duration | req/s | p50 | p99 |" > "$OUT"
echo "|---|---|---|---|---|---|---|---|" >> "$OUT"
"$SEED" sqlite "$WORK/sqlite" "$ROWS"
run_one sqlite Database__Provider=Sqlite Database__DataDirectory="$WORK/sqlite"
PGCS="${HALO_TEST_POSTGRES/Database=postgres/Database=halo_bench}${PG_POOL:+;Maximum Pool Size=$PG_POOL}"
psql "host=127.0.0.1 port=${HALO_PG_PORT:-55432} user=halo dbname=postgres" -qc "CREATE DATABASE halo_bench" 
"$SEED" postgres "$PGCS" "$ROWS"
run_one postgres Database__Provider=Postgres Database__ConnectionString="$PGCS"
echo; echo "Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores. Command: bench/incidents-load.sh $SECS $CONNS $ROWS"
cat "$OUT"
