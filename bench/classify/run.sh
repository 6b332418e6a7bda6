#!/usr/bin/env bash
# Classification benchmarks: in-process latency, then the HTTP endpoint under wrk (bounded: 15 s).
# Usage: bash bench/classify/run.sh   (from the repository root; needs wrk from Debian: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA="$(pwd)/../shared/data/polisen/events-2022-2024.json.gz"
PORT="${PORT:-5099}"
DIR="$(mktemp -d /tmp/halo-bench-classify.XXXXXX)"

dotnet build -c Release bench/classify/Halo.Bench.Classify.csproj -v q -nologo
BENCH="dotnet bench/classify/bin/Release/net10.0/Halo.Bench.Classify.dll"

echo "== in-process"
$BENCH latency --data "$DATA"

echo "== HTTP"
$BENCH seed --data "$DATA" --data-dir "$DIR"
# The server trains its first model from the seeded store at start (the real first-start path), then serves.
# The rate limiter is switched off (RateLimiting:Enabled, meant for load benchmarks); outside Production secrets are generated.
ASPNETCORE_ENVIRONMENT=Benchmark Database__DataDirectory="$DIR" RateLimiting__Enabled=false Logging__LogLevel__Default=Warning \
  dotnet bench/classify/bin/Release/net10.0/Halo.Api.dll --urls "http://127.0.0.1:$PORT" > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
start=$(date +%s)
until [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"description":"brand"}' "http://127.0.0.1:$PORT/api/v1/classify")" = 200 ]; do
  if [ $(( $(date +%s) - start )) -gt 600 ]; then echo "model not ready after 600 s"; cat "$DIR/server.log"; exit 1; fi
  sleep 2
done
echo "first model trained and serving after $(( $(date +%s) - start )) s"
curl -s -H 'Content-Type: application/json' -d '{"description":"En man blev skjuten i benet","sensors":{"impact_detected":true}}' "http://127.0.0.1:$PORT/api/v1/classify"; echo
wrk -t2 -c32 -d15s --timeout 2s -s bench/classify/classify.lua "http://127.0.0.1:$PORT/api/v1/classify"
