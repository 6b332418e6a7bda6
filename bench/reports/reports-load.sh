#!/usr/bin/env bash
# Load benchmark for POST /api/v1/reports/submit on SQLite and on PostgreSQL+PostGIS, wrk on the same machine, bounded
# in time. Bodies come from bench/reports/submit.lua (spread over Stockholm, 20 % duplicates of existing events, unique
# Idempotency-Key and device id per request). Baseline in the same run: POST /api/v1/incidents (plain insert).
# The incidents table is pre-seeded with ROWS synthetic rows (bench/Halo.Bench.Seed) so the candidate queries run
# against a realistically sized table, plus recent police events in Greater Stockholm (RECENT_PER_DAY) that reports
# near them join (cross-validation). PostgreSQL runs with fsync and full-page writes on (HALO_PG_DURABLE).
# Usage: [ONLY=sqlite|postgres] [PG_POOL=n (Npgsql Maximum Pool Size)] [RECENT_PER_DAY=8] bench/reports/reports-load.sh [seconds=20] [connections=16] [rows=100000]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-20}"; CONNS="${2:-16}"; ROWS="${3:-100000}"
RECENT="${RECENT_PER_DAY:-8}"   # recent police events a day in Greater Stockholm (bench/Halo.Bench.Seed), 0 = none
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
export HALO_PG_DURABLE=${HALO_PG_DURABLE:-1}   # durable PostgreSQL settings for benchmarks (scripts/services.sh)
source scripts/services.sh
WORK="$(mktemp -d /tmp/halo-bench-reports.XXXXXX)"
cleanup() {
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  # PostgreSQL's checkpoints, errors and long lock waits, to line up with the runs' start times when a tail is long.
  grep -hE "checkpoint (starting|complete)|ERROR|deadlock|still waiting" "$HALO_SERVICES_DIR/pg/log" 2>/dev/null | cut -c1-200 | head -40 || true
  halo_services_stop; rm -rf "$WORK"
}
trap cleanup EXIT

dotnet build bench/Halo.Bench.Seed -c Release -nologo -v q >/dev/null
dotnet publish src/Halo.Api -c Release -o "$WORK/app" -nologo -v q >/dev/null
SEED="bench/Halo.Bench.Seed/bin/Release/net10.0/Halo.Bench.Seed"
LUA="bench/reports/submit.lua"
PORT="${HALO_BENCH_PORT:-5393}"
OUT="$WORK/results.md"
PG_PORT="${HALO_PG_PORT:-55432}"

run_one() { # label, mode, env...
  local label="$1" mode="$2"; shift 2
  env "$@" Database__SeedSample=false Ingestion__Polisen__Enabled=false ASPNETCORE_ENVIRONMENT=Production \
    Secrets__DeviceHashKey="$(head -c 32 /dev/urandom | base64)" Secrets__JwtSigningKey="$(openssl rand -base64 32)" \
    RateLimiting__Enabled=false Reports__RetentionJobEnabled=false \
    Logging__LogLevel__Default=Warning "$WORK/app/Halo.Api" --urls "http://127.0.0.1:$PORT" > "$WORK/app-$label.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "app did not start ($label):"; tail -40 "$WORK/app-$label.log"; exit 1; }
  local token=""
  if [ "$mode" = baseline ]; then
    # POST /api/v1/incidents needs a signed-in user (auth feature): one bench account, its 15-minute access token.
    token=$(curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/register" -H 'Content-Type: application/json' \
      -d "{\"email\":\"bench-$RANDOM@example.org\",\"password\":\"bench-Passw0rd-$RANDOM$RANDOM\",\"display_name\":\"bench\"}" \
      | python3 -c 'import json,sys; print(json.load(sys.stdin)["tokens"]["access_token"])')
  fi
  export BENCH_TOKEN="$token"
  MODE="$mode" wrk -t2 -c"$CONNS" -d5s -s "$LUA" "http://127.0.0.1:$PORT" >/dev/null   # warm-up
  local load; load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $label measured from $(date -u +%H:%M:%S) UTC"
  MODE="$mode" wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -s "$LUA" "http://127.0.0.1:$PORT" > "$WORK/wrk-$label.txt"
  local stats; stats=$(curl -sf "http://127.0.0.1:$PORT/api/v1/reports/stats"; echo; curl -sf "http://127.0.0.1:$PORT/api/v1/reports/cross-source-stats?days=9")
  kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=""
  grep -E "warn|fail|crit" "$WORK/app-$label.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -10 || true
  local rps p50 p99 errs
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk-$label.txt")
  p50=$(awk '$1=="50%" {print $2}' "$WORK/wrk-$label.txt")
  p99=$(awk '$1=="99%" {print $2}' "$WORK/wrk-$label.txt")
  errs=$(awk -F'[: ]+' '/non-2xx\/409 answers/ {print $3}' "$WORK/wrk-$label.txt")
  echo "| $label | $mode | $CONNS | ${SECS}s | $rps | $p50 | $p99 | $errs | $load |" >> "$OUT"
  echo "== $label ($mode)"; cat "$WORK/wrk-$label.txt"; echo "reports/stats after: $stats"
}

echo "| store | endpoint | connections | duration | req/s | p50 | p99 | errors | load avg before (1/5/15 min) |" > "$OUT"
echo "|---|---|---|---|---|---|---|---|---|" >> "$OUT"

ONLY="${ONLY:-sqlite postgres}"   # e.g. ONLY=postgres
if [[ " $ONLY " == *" sqlite "* ]]; then
"$SEED" sqlite "$WORK/sqlite" "$ROWS" "$RECENT" >/dev/null
run_one sqlite submit Database__Provider=Sqlite Database__DataDirectory="$WORK/sqlite"
run_one sqlite-baseline baseline Database__Provider=Sqlite Database__DataDirectory="$WORK/sqlite"
fi

if [[ " $ONLY " == *" postgres "* ]]; then
PGCS="${HALO_TEST_POSTGRES/Database=postgres/Database=halo_bench_reports}"
PGCS="${PGCS/Maximum Pool Size=50/Maximum Pool Size=64}${PG_POOL:+;Maximum Pool Size=$PG_POOL}"
psql "host=127.0.0.1 port=$PG_PORT user=halo dbname=postgres" -qc "CREATE DATABASE halo_bench_reports" >/dev/null
"$SEED" postgres "$PGCS" "$ROWS" "$RECENT" >/dev/null
# A live database has planner statistics (autovacuum); a freshly bulk-loaded one gets them here.
psql "host=127.0.0.1 port=$PG_PORT user=halo dbname=halo_bench_reports" -qc "ANALYZE" >/dev/null
run_one postgres submit Database__Provider=Postgres Database__ConnectionString="$PGCS" Database__DataDirectory="$WORK/pg"
run_one postgres-baseline baseline Database__Provider=Postgres Database__ConnectionString="$PGCS" Database__DataDirectory="$WORK/pg"
fi

echo; echo "Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores. Command: ONLY='$ONLY' PG_POOL='${PG_POOL:-}' RECENT_PER_DAY=$RECENT bench/reports/reports-load.sh $SECS $CONNS $ROWS"
cat "$OUT"
