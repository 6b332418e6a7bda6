#!/usr/bin/env bash
# Load and soak benchmark (issue 18, item 4): the mixed workload of bench/load/mixed.lua (70 % hotspots, 20 % incidents,
# 8 % reports, 2 % classify) against the published Release app in Production (throw-away secrets, rate limiter off),
# on SQLite and on PostgreSQL+PostGIS, wrk on the same machine.
# Per store: the app starts on an empty store, loads the bundled police sample and trains its first classifier and
# risk model (the real first-start path); ROWS synthetic incidents are then added (bench/Halo.Bench.Seed) and the app
# is restarted, serving the model from its registry. Then:
#   1. /health baseline (wrk, BASE_SECS);
#   2. probes of PROBE_SECS at 1, 2, 4, … CONNS_MAX connections (wrk is closed-loop: the connection count sets the
#      rate; the search stops at the first probe whose p99 is not < P99_MS); of the probes under it, the soak takes the
#      fewest connections that came within 5 % of the best rate (past saturation more connections only add queueing);
#   3. the soak: SOAK_SECS at that count, with the app's RSS (/proc/PID/status) and GC heap (its /metrics, runtime
#      instrumentation) sampled every 10 s; first minute after WARM_SECS vs last minute;
#   4. /health again.
# The daily retrain, retention job and police ingestion are off so the soak measures serving, not a training run.
# Usage: [ONLY="sqlite postgres" (run in that order)] [SOAK_SECS=600] [PROBE_SECS=20] [BASE_SECS=10] [CONNS_MAX=64] [ROWS=100000] [PG_POOL=n]
#        [HALO_BENCH_PORT=5795] [APP_DIR=published app, else published here] [KEEP_DIR=folder for raw output] bench/load/soak.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SOAK_SECS="${SOAK_SECS:-600}"; PROBE_SECS="${PROBE_SECS:-20}"; BASE_SECS="${BASE_SECS:-10}"; CONNS_MAX="${CONNS_MAX:-64}"
ROWS="${ROWS:-100000}"; P99_MS="${P99_MS:-200}"; WARM_SECS="${WARM_SECS:-60}"; THREADS="${WRK_THREADS:-2}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
# Own ports, so a run never meets the test suite's services.
export HALO_PG_PORT="${HALO_PG_PORT:-55800}" HALO_REDIS_PORT="${HALO_REDIS_PORT:-56800}"
export HALO_PG_DURABLE=${HALO_PG_DURABLE:-1}   # fsync and full-page writes on (scripts/services.sh)
source scripts/services.sh
WORK="${KEEP_DIR:-$(mktemp -d /tmp/halo-bench-load.XXXXXX)}"; mkdir -p "$WORK"
cleanup() {
  [ -n "${SOAK_PID:-}" ] && kill "$SOAK_PID" 2>/dev/null || true
  [ -n "${APP_PID:-}" ] && kill "$APP_PID" 2>/dev/null || true
  halo_services_stop
  [ -z "${KEEP_DIR:-}" ] && rm -rf "$WORK"
  return 0
}
trap cleanup EXIT

dotnet build bench/Halo.Bench.Seed -c Release -nologo -v q >/dev/null
SEED="bench/Halo.Bench.Seed/bin/Release/net10.0/Halo.Bench.Seed"
APP="${APP_DIR:-$WORK/app}"
[ -n "${APP_DIR:-}" ] || dotnet publish src/Halo.Api -c Release -o "$APP" -nologo -v q >/dev/null
PORT="${HALO_BENCH_PORT:-5795}"   # 5391–5395 are the other benches' ports
BASE="http://127.0.0.1:$PORT"
LUA="bench/load/mixed.lua"
OUT="$WORK/results.md"
JWT="$(openssl rand -base64 32)"; DEVICE="$(openssl rand -base64 32)"; VAPID="$(openssl rand -base64 32)"

start_app() { # label, env...
  local label="$1"; shift
  # Another benchmark on the same port would answer in the app's place.
  if ss -ltn | grep -q "127.0.0.1:$PORT "; then echo "port $PORT is taken: set HALO_BENCH_PORT"; exit 1; fi
  env "$@" ASPNETCORE_ENVIRONMENT=Production Secrets__JwtSigningKey="$JWT" Secrets__DeviceHashKey="$DEVICE" Secrets__VapidPrivateKey="$VAPID" \
    RateLimiting__Enabled=false Ingestion__Polisen__Enabled=false Reports__RetentionJobEnabled=false Training__DailyRetrainEnabled=false \
    Logging__LogLevel__Default=Warning "$APP/Halo.Api" --urls "$BASE" >> "$WORK/app-$label.log" 2>&1 &
  APP_PID=$!
  for _ in $(seq 1 120); do curl -sf "$BASE/health" >/dev/null && return 0; kill -0 "$APP_PID" 2>/dev/null || break; sleep 1; done
  echo "app did not start ($label):"; tail -40 "$WORK/app-$label.log"; exit 1
}
stop_app() { kill "$APP_PID" 2>/dev/null || true; wait "$APP_PID" 2>/dev/null || true; APP_PID=""; }

# Both models serve: hotspots answer 200 (not 503 "model not ready"), and so does classify.
wait_models() { # timeout seconds
  local start; start=$(date +%s)
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/v1/predictions/hotspots?bbox=17.9,59.25,18.2,59.4")" = 200 ] &&
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d '{"description":"brand i huset"}' "$BASE/api/v1/classify")" = 200 ]; do
    if [ $(( $(date +%s) - start )) -gt "$1" ] || ! kill -0 "$APP_PID" 2>/dev/null; then
      echo "models not serving after $(( $(date +%s) - start )) s (app exited?)"; tail -c 2000 "$WORK"/app-*.log; exit 1
    fi
    sleep 5
  done
  echo "models serving after $(( $(date +%s) - start )) s"
}

field() { sed -n "s/.*\b$2=\([0-9.]*\).*/\1/p" "$1" | head -1; }   # file, key of the MIXED line
health_wrk() { # label conns
  wrk -t"$THREADS" -c"$2" -d"${BASE_SECS}s" --latency "$BASE/health" > "$WORK/health-$1.txt"
  echo "$(awk '/Requests\/sec/ {print $2}' "$WORK/health-$1.txt") req/s, p50 $(awk '$1=="50%" {print $2}' "$WORK/health-$1.txt"), p99 $(awk '$1=="99%" {print $2}' "$WORK/health-$1.txt")"
}
mixed_wrk() { # outfile conns secs
  wrk -t"$(( $2 < THREADS ? $2 : THREADS ))" -c"$2" -d"${3}s" --timeout 5s -s "$LUA" "$BASE" > "$1"
}
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }

# RSS (kB, /proc) and GC heap (bytes, the runtime's own metric on /metrics, scraped from 127.0.0.1) of the app.
gc_heap() {
  curl -sf "$BASE/metrics" | awk '/^dotnet_gc_last_collection_heap_size_bytes/ {s += $NF} /^process_runtime_dotnet_gc_heap_size_bytes/ {s += $NF} END {printf "%.0f", s}'
}
sample_loop() { # label, until-pid
  local t0; t0=$(date +%s)
  echo "secs rss_kb gc_heap_bytes" > "$WORK/mem-$1.txt"
  while kill -0 "$2" 2>/dev/null; do
    echo "$(( $(date +%s) - t0 )) $(awk '/^VmRSS/ {print $2}' "/proc/$APP_PID/status") $(gc_heap)" >> "$WORK/mem-$1.txt"
    sleep 10
  done
}
# Mean of a column over samples taken in [from, to) seconds.
mean_col() { awk -v c="$2" -v a="$3" -v b="$4" 'NR > 1 && $1 >= a && $1 < b && $c != "" {s += $c; n++} END {if (n) printf "%.0f", s / n; else print "n/a"}' "$1"; }

run_store() { # label, env...
  local label="$1"; shift
  echo "== $label: first start (sample, first models)"
  start_app "$label" "$@" Database__SeedSample=true
  wait_models 1800
  stop_app
  if [ "$ROWS" -gt 0 ]; then
    if [ "$label" = sqlite ]; then "$SEED" sqlite "$WORK/sqlite" "$ROWS" 8 >/dev/null; else "$SEED" postgres "$PGCS" "$ROWS" 8 >/dev/null; fi
  fi
  start_app "$label" "$@" Database__SeedSample=false
  wait_models 300
  echo "== $label: /health baseline"
  wrk -t1 -c4 -d3s "$BASE/health" >/dev/null
  local hb; hb=$(health_wrk "$label-before" 16); echo "health before: $hb"
  mixed_wrk "$WORK/warm-$label.txt" 8 10
  local best="" c=1 p99 passed=()
  while [ "$c" -le "$CONNS_MAX" ]; do
    mixed_wrk "$WORK/probe-$label-$c.txt" "$c" "$PROBE_SECS"
    p99=$(field "$WORK/probe-$label-$c.txt" p99_ms)
    echo "probe $label c=$c: $(rps "$WORK/probe-$label-$c.txt") req/s, p50 $(field "$WORK/probe-$label-$c.txt" p50_ms) ms, p99 $p99 ms, non-2xx other $(field "$WORK/probe-$label-$c.txt" other)"
    echo "| $label | probe | $c | ${PROBE_SECS}s | $(rps "$WORK/probe-$label-$c.txt") | $(field "$WORK/probe-$label-$c.txt" p50_ms) | $p99 | $(field "$WORK/probe-$label-$c.txt" other) | $(field "$WORK/probe-$label-$c.txt" s409) / $(field "$WORK/probe-$label-$c.txt" s429) | |" >> "$OUT"
    if awk -v p="$p99" -v m="$P99_MS" 'BEGIN {exit !(p < m)}'; then passed+=("$c $(rps "$WORK/probe-$label-$c.txt")"); else break; fi
    c=$(( c * 2 ))
  done
  # Past saturation more connections add queueing, not rate: the soak runs at the fewest connections whose probe came
  # within 5 % of the best rate any passing probe reached.
  if [ "${#passed[@]}" -gt 0 ]; then
    best=$(printf '%s\n' "${passed[@]}" | awk '{c[NR]=$1; r[NR]=$2; if ($2 > m) m = $2} END {for (i = 1; i <= NR; i++) if (r[i] >= 0.95 * m) {print c[i]; exit}}')
  fi
  if [ -z "$best" ]; then best=1; echo "no probe kept p99 < $P99_MS ms; soaking at 1 connection"; fi
  local load_before; load_before=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== $label: soak ${SOAK_SECS}s at $best connections from $(date -u +%H:%M:%S) UTC (load $load_before)"
  mixed_wrk "$WORK/soak-$label.txt" "$best" "$SOAK_SECS" &
  SOAK_PID=$!
  sample_loop "$label" "$SOAK_PID" &
  local sampler=$!
  wait "$SOAK_PID"; SOAK_PID=""; wait "$sampler" 2>/dev/null || true
  local load_after; load_after=$(cut -d' ' -f1-3 /proc/loadavg)
  local ha; ha=$(health_wrk "$label-after" 16); echo "health after: $ha"
  local stats; stats=$(curl -sf "$BASE/api/v1/reports/stats" || true)
  stop_app
  # Whole lines: the exception's type and stack sit past the message, and the log goes with WORK unless KEEP_DIR is set.
  grep -E '"LogLevel":"(Error|Critical)"|fail:|crit:' "$WORK/app-$label.log" > "$WORK/errors-$label.log" || true
  if [ -s "$WORK/errors-$label.log" ]; then
    echo "== $label: $(wc -l < "$WORK/errors-$label.log") error lines in the server log (distinct, by count):"
    sort "$WORK/errors-$label.log" | uniq -c | sort -rn | head -10 | cut -c1-4000
  fi
  local f="$WORK/soak-$label.txt" m="$WORK/mem-$label.txt"
  local w0=$WARM_SECS w1=$(( WARM_SECS + 60 )) l0=$(( SOAK_SECS - 60 )) l1=$(( SOAK_SECS + 60 ))
  local r0 r1 g0 g1
  r0=$(mean_col "$m" 2 "$w0" "$w1"); r1=$(mean_col "$m" 2 "$l0" "$l1"); g0=$(mean_col "$m" 3 "$w0" "$w1"); g1=$(mean_col "$m" 3 "$l0" "$l1")
  growth() { awk -v a="$1" -v b="$2" 'BEGIN {if (a + 0 > 0) printf "%+.1f %%", (b - a) * 100 / a; else print "n/a"}'; }
  echo "| $label | **soak** | $best | ${SOAK_SECS}s | $(rps "$f") | $(field "$f" p50_ms) | $(field "$f" p99_ms) | $(field "$f" other) | $(field "$f" s409) / $(field "$f" s429) | $load_before → $load_after |" >> "$OUT"
  echo "$label: RSS first minute after ${WARM_SECS}s $(( ${r0:-0} / 1024 )) MB, last minute $(( ${r1:-0} / 1024 )) MB ($(growth "$r0" "$r1")); GC heap $(awk -v a="$g0" 'BEGIN {printf "%.1f", a / 1048576}') MB → $(awk -v a="$g1" 'BEGIN {printf "%.1f", a / 1048576}') MB ($(growth "$g0" "$g1")); /health before: $hb; after: $ha; requests sent by kind: hotspots $(field "$f" sent_hotspots), incidents $(field "$f" sent_incidents), reports $(field "$f" sent_reports), classify $(field "$f" sent_classify); reports/stats after: $stats" >> "$WORK/summary.txt"
  echo "== $label soak"; cat "$f"; tail -1 "$WORK/summary.txt"
}

echo "| store | run | connections | duration | req/s | p50 ms | p99 ms | errors (non-2xx other than 409/429) | 409 / 429 | load avg 1/5/15 min before → after |" > "$OUT"
echo "|---|---|---|---|---|---|---|---|---|---|" >> "$OUT"
: > "$WORK/summary.txt"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

ONLY="${ONLY:-sqlite postgres}"   # stores, run in this order
for store in $ONLY; do
  case "$store" in
    sqlite) run_store sqlite Database__Provider=Sqlite Database__DataDirectory="$WORK/sqlite" ;;
    postgres)
      PGCS="${HALO_TEST_POSTGRES/Database=postgres/Database=halo_bench_load}"
      PGCS="${PGCS/Maximum Pool Size=50/Maximum Pool Size=${PG_POOL:-64}}"
      psql "host=127.0.0.1 port=$HALO_PG_PORT user=halo dbname=postgres" -qc "CREATE DATABASE halo_bench_load" >/dev/null
      run_store postgres Database__Provider=Postgres Database__ConnectionString="$PGCS" Database__MigrateOnStart=true Database__DataDirectory="$WORK/pg" ;;
    *) echo "unknown store $store (sqlite or postgres)"; exit 2 ;;
  esac
done
echo
echo "Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores, $(free -g | awk '/^Mem:/ {print $2}') GB memory; load average before $LOAD0, after $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Commit: $(git rev-parse --short HEAD 2>/dev/null || echo n/a). Finished $(date -u '+%Y-%m-%d %H:%M') UTC."
echo "Command: ONLY='$ONLY' SOAK_SECS=$SOAK_SECS PROBE_SECS=$PROBE_SECS BASE_SECS=$BASE_SECS CONNS_MAX=$CONNS_MAX ROWS=$ROWS P99_MS=$P99_MS bench/load/soak.sh"
cat "$OUT"
cat "$WORK/summary.txt"
