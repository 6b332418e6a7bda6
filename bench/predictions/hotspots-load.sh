#!/usr/bin/env bash
# Load benchmark for GET /api/v1/predictions/hotspots over a greater-Stockholm box (the script counts its res-8 cells), wrk on the same
# machine. The server seeds the bundled police sample and trains its first risk model (the real first-start path).
# Same-run baseline: the liveness endpoint (/health/, a tiny JSON object through the same pipeline) under the same wrk load just
# before, so a figure can be read against what this shared machine served at that moment.
# Usage: bash bench/predictions/hotspots-load.sh [seconds=20] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS="${1:-20}"; CONNS="${2:-32}"; PORT="${PORT:-5393}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
DIR="$(mktemp -d /tmp/halo-bench-predict.XXXXXX)"
dotnet publish src/Halo.Api -c Release -o "$DIR/app" -nologo -v q >/dev/null
ASPNETCORE_ENVIRONMENT=Benchmark Database__DataDirectory="$DIR/data" RateLimiting__Enabled=false Classification__TrainOnStart=false \
  Ingestion__Polisen__Enabled=false Logging__LogLevel__Default=Warning "$DIR/app/Halo.Api" --urls "http://127.0.0.1:$PORT" > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$DIR"' EXIT
URL="http://127.0.0.1:$PORT/api/v1/predictions/hotspots?bbox=17.70,59.15,18.35,59.50&hours_ahead=3"
start=$(date +%s)
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL")" = 200 ]; do
  if [ $(( $(date +%s) - start )) -gt 900 ]; then echo "no model after 900 s"; tail -50 "$DIR/server.log"; exit 1; fi
  sleep 2
done
echo "first risk model serving after $(( $(date +%s) - start )) s"
# The API answers at most 1,000 cells, so count the forecast cells in the box over a 4x4 grid of sub-boxes.
python3 - "$PORT" <<'PY'
import json, sys, urllib.request
port = sys.argv[1]; w, s, e, n = 17.70, 59.15, 18.35, 59.50; k = 4; total = 0; full = 0
for i in range(k):
    for j in range(k):
        box = f"{w + (e - w) * i / k:.6f},{s + (n - s) * j / k:.6f},{w + (e - w) * (i + 1) / k:.6f},{s + (n - s) * (j + 1) / k:.6f}"
        c = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/predictions/hotspots?bbox={box}&limit=1000"))["count"]
        total += c; full += c == 1000
print(f"forecast cells in the box: {total}" + (" (a sub-box hit the 1,000 cap: more)" if full else "") + "; each request ranks them all and returns the default page of 100")
PY
echo "response bytes: json $(curl -s "$URL" | wc -c), geojson $(curl -s "$URL&format=geojson" | wc -c)"
wrk -t2 -c"$CONNS" -d5s "$URL" >/dev/null
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "baseline, GET /health/ (same server, same load):"
BASE_OUT="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$PORT/health/")"
echo "$BASE_OUT" | grep -E "Requests/sec|50%|99%"
echo "hotspots (json):"
HOT_OUT="$(wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$URL")"
echo "$HOT_OUT"
rps() { sed -n 's/^Requests\/sec:\s*//p' <<<"$1"; }
echo "hotspots rps / baseline rps: $(python3 -c "print(f'{$(rps "$HOT_OUT") / $(rps "$BASE_OUT"):.3f}')")"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t2 -c"$CONNS" -d"${SECS}s" --latency "$URL&format=geojson" | grep -E "Requests/sec|99%|50%"
echo "Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores. Command: bash bench/predictions/hotspots-load.sh $SECS $CONNS"
