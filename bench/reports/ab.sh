#!/usr/bin/env bash
# Same-run A/B of POST /api/v1/reports/submit: an older commit (BASE_REF, the baseline) against this checkout, both
# published Release and running side by side on 127.0.0.1, each on its own identically seeded store. wrk hits them in
# short alternating slices (A B B A A B …), so the machine's load — shared and noisy here — falls on both alike; the
# figure is the median of the per-round ratios this/baseline, with every slice printed.
# Usage: BASE_REF=<commit> [ONLY=sqlite|postgres] [ROUNDS=8] [SLICE=8] [CONNS=16] [ROWS=100000] bench/reports/ab.sh
# Appends a dated section to bench/RESULTS-reports.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$PWD"
BASE_REF="${BASE_REF:?set BASE_REF to the commit to compare against}"
ROUNDS="${ROUNDS:-8}"; SLICE="${SLICE:-8}"; CONNS="${CONNS:-16}"; ROWS="${ROWS:-100000}"
ONLY="${ONLY:-sqlite postgres}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
export HALO_PG_DURABLE=${HALO_PG_DURABLE:-1}
source scripts/services.sh
WORK="$(mktemp -d /tmp/halo-bench-ab.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  git -C "$ROOT" worktree remove --force "$WORK/base-src" >/dev/null 2>&1 || true
  halo_services_stop; rm -rf "$WORK"
}
trap cleanup EXIT

git -C "$ROOT" worktree add --detach "$WORK/base-src" "$BASE_REF" >/dev/null 2>&1
# The baseline runs this checkout's bench files, so both sides get the same load.
for side in base this; do
  src="$ROOT"; [ "$side" = base ] && src="$WORK/base-src"
  dotnet publish "$src/src/Halo.Api" -c Release -o "$WORK/$side-app" -nologo -v q >/dev/null
  dotnet build "$src/bench/Halo.Bench.Seed" -c Release -nologo -v q >/dev/null
done
LUA="$ROOT/bench/reports/submit.lua"
PG_PORT="${HALO_PG_PORT:-55432}"
SECRETS=(Secrets__DeviceHashKey="$(openssl rand -base64 32)" Secrets__JwtSigningKey="$(openssl rand -base64 32)"
  Secrets__VapidPrivateKey="$(openssl rand -base64 32)")

# Neither side trains at start: a first training on the seeded rows runs for minutes in the background, and each
# build's own training cost would be measured as submit speed.
start_app() { # side port env… -> waits until ready
  local side="$1" port="$2"; shift 2
  env "$@" "${SECRETS[@]}" Database__SeedSample=false Ingestion__Polisen__Enabled=false ASPNETCORE_ENVIRONMENT=Production \
    RateLimiting__Enabled=false Reports__RetentionJobEnabled=false Training__DailyRetrainEnabled=false Predictions__DailyRetrainEnabled=false \
    Predictions__TrainOnStart=false Classification__TrainOnStart=false \
    Logging__LogLevel__Default=Warning "$WORK/$side-app/Halo.Api" --urls "http://127.0.0.1:$port" > "$WORK/app-$side-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && return 0; sleep 1; done
  echo "the $side app did not start:"; tail -40 "$WORK/app-$side-$port.log"; exit 1
}

slice() { # port secs -> "rps p99ms"
  wrk -t2 -c"$CONNS" -d"$2s" --latency -s "$LUA" "http://127.0.0.1:$1" > "$WORK/wrk.txt"
  local rps p99
  rps=$(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.txt")
  p99=$(awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; print v}' "$WORK/wrk.txt")
  echo "$rps $p99"
}

SECTION="$WORK/section.md"
{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — A/B: $(git rev-parse --short HEAD) against baseline $(git rev-parse --short "$BASE_REF")"
  echo
  echo "- Command: \`BASE_REF=$BASE_REF ONLY='$ONLY' ROUNDS=$ROUNDS SLICE=$SLICE CONNS=$CONNS ROWS=$ROWS bench/reports/ab.sh\`"
  echo "- Machine: $(lscpu | sed -n 's/^Model name:\s*//p'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GB; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Both builds run side by side, each seeded with the same $ROWS incidents (bench/Halo.Bench.Seed, fixed random seed) by its own"
  echo "  seeder; wrk -t2 -c$CONNS in ${SLICE}-second slices alternating A B B A …, after a 5 s warm-up of each."
} > "$SECTION"

for store in $ONLY; do
  for side in base this; do
    seed="$WORK/base-src/bench/Halo.Bench.Seed/bin/Release/net10.0/Halo.Bench.Seed"; [ "$side" = this ] && seed="$ROOT/bench/Halo.Bench.Seed/bin/Release/net10.0/Halo.Bench.Seed"
    if [ "$store" = sqlite ]; then
      "$seed" sqlite "$WORK/$store-$side" "$ROWS" >/dev/null
    else
      db="halo_ab_$side"
      psql "host=127.0.0.1 port=$PG_PORT user=halo dbname=postgres" -qc "CREATE DATABASE $db" >/dev/null
      "$seed" postgres "${HALO_TEST_POSTGRES/Database=postgres/Database=$db}" "$ROWS" >/dev/null
      psql "host=127.0.0.1 port=$PG_PORT user=halo dbname=$db" -qc "ANALYZE" >/dev/null
    fi
  done
  for side in base this; do
    port=5411; [ "$side" = this ] && port=5412
    if [ "$store" = sqlite ]; then
      start_app "$side" "$port" Database__Provider=Sqlite Database__DataDirectory="$WORK/$store-$side"
    else
      start_app "$side" "$port" Database__Provider=Postgres Database__DataDirectory="$WORK/$store-$side-data" \
        Database__ConnectionString="${HALO_TEST_POSTGRES/Database=postgres/Database=halo_ab_$side}"
    fi
  done
  slice 5411 5 >/dev/null; slice 5412 5 >/dev/null
  rows=(); ratios=()
  for r in $(seq 1 "$ROUNDS"); do
    if (( r % 2 )); then order="5411 5412"; else order="5412 5411"; fi
    declare -A got=()
    for port in $order; do got[$port]="$(slice "$port" "$SLICE")"; done
    read -r brps bp99 <<<"${got[5411]}"; read -r trps tp99 <<<"${got[5412]}"
    ratio=$(echo "scale=3; $trps / $brps" | bc)
    ratios+=("$ratio")
    rows+=("| $store | $r | $brps | $bp99 | $trps | $tp99 | $ratio | $(cut -d' ' -f1 /proc/loadavg) |")
    unset got
  done
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; PIDS=()
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}')
  # Printed as soon as a store is done, so a later failure cannot lose it.
  {
    echo
    echo "### $store: median ratio this/baseline = $median (req/s)"
    echo
    echo "| store | round | baseline req/s | baseline p99 ms | this req/s | this p99 ms | ratio | load (1 min) |"
    echo "|---|---|---|---|---|---|---|---|"
    printf '%s\n' "${rows[@]}"
  } | tee -a "$SECTION"
done

cat "$SECTION" >> "$ROOT/bench/RESULTS-reports.md"
