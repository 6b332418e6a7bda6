#!/usr/bin/env bash
# Live hub benchmark: one API process on 127.0.0.1 (Release, Production settings, SQLite, WebSockets, JSON protocol)
# and one load process (bench/live, Microsoft.AspNetCore.SignalR.Client) holding every connection. See Program.cs for
# what is measured; bench/RESULTS-live.md for results.
# Usage: bench/live/run.sh [connections=5000] [baseline=100] [broadcasts=20] [areas=50] [rate=10] [seconds=20]
# APP_DIR=… reuses a published API instead of publishing one.
set -euo pipefail
cd "$(dirname "$0")/../.."
N="${1:-5000}"; BASE="${2:-100}"; BROADCASTS="${3:-20}"; AREAS="${4:-50}"; RATE="${5:-10}"; SECS="${6:-20}"
PORT="${HALO_BENCH_PORT:-5395}"
# Each connection is a socket on both sides (server and load process): raise the open-files limit to the hard limit.
ulimit -n "$(ulimit -Hn)"
[ "$(ulimit -n)" -ge $((N + 1000)) ] || { echo "open-files limit $(ulimit -n) is too low for $N connections"; exit 1; }
WORK="$(mktemp -d /tmp/halo-bench-live.XXXXXX)"
cleanup() { [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true; cp "$WORK/app.log" "${LOG_COPY:-/dev/null}" 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

dotnet build bench/live -c Release -nologo -v q >/dev/null
if [ -z "${APP_DIR:-}" ]; then APP_DIR="$WORK/app"; dotnet publish src/Halo.Api -c Release -o "$APP_DIR" -nologo -v q >/dev/null; fi

# Production settings with throw-away secrets; rate limiting and the per-network connection cap off (every client is
# on 127.0.0.1) so the hub, not the limiter, is measured; no sample
# data, no feed, no training at start (nothing but the bench loads the process).
env Database__Provider=Sqlite Database__DataDirectory="$WORK/data" Database__SeedSample=false Ingestion__Polisen__Enabled=false \
  ASPNETCORE_ENVIRONMENT=Production RateLimiting__Enabled=false Live__MaxConnectionsPerNetwork=1000000 Reports__RetentionJobEnabled=false \
  Secrets__JwtSigningKey="$(openssl rand -base64 32)" Secrets__DeviceHashKey="$(openssl rand -base64 32)" \
  Secrets__VapidPrivateKey="$(openssl rand -base64 32)" \
  Classification__TrainOnStart=false Predictions__TrainOnStart=false Training__DailyRetrainEnabled=false \
  Logging__LogLevel__Default=Warning "$APP_DIR/Halo.Api" --urls "http://127.0.0.1:$PORT" > "$WORK/app.log" 2>&1 &
APP_PID=$!
for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null || { echo "app did not start:"; tail -40 "$WORK/app.log"; exit 1; }

echo "Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB; load $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%FT%TZ)"
echo "Command: bench/live/run.sh $N $BASE $BROADCASTS $AREAS $RATE $SECS (commit $(git rev-parse --short HEAD))"
bench/live/bin/Release/net10.0/Halo.Bench.Live --url "http://127.0.0.1:$PORT" --pid "$APP_PID" --connections "$N" --baseline "$BASE" \
  --broadcasts "$BROADCASTS" --areas "$AREAS" --rate "$RATE" --seconds "$SECS"
echo "Server warnings/errors during the run:"
grep -E "warn|fail|crit" "$WORK/app.log" | cut -c1-200 | sort | uniq -c | sort -rn | head -10 || true
