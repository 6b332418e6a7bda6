#!/usr/bin/env bash
# Publishes Halo (API + app), starts it on 127.0.0.1 with a temp data folder and the bundled sample, and measures the
# app in Debian's Chromium: cold load, repeat load through the service worker, download size; with SYNC=N it then
# queues N reports offline and times the outbox's sync. Usage: [SYNC=200] bench/app/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-5}"
sync="${SYNC:-0}"
port="${HALO_BENCH_PORT:-5187}"
work="$(mktemp -d /tmp/halo-bench-app.XXXXXX)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
dotnet publish src/Halo.Api -c Release -o "$work/publish" -nologo -v q >/dev/null
wwwroot="$work/publish/wwwroot"
echo "published app: $(du -sh "$wwwroot" | cut -f1) on disk; brotli files: $(find "$wwwroot" -name '*.br' -printf '%s\n' | awk '{s+=$1} END {printf "%.2f MiB", s/1048576}')"
# A published app serves its files from its content root: start it in the publish folder.
(cd "$work/publish" && exec env ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$port" Database__DataDirectory="$work/data" \
  Secrets__JwtSigningKey="$(openssl rand -base64 32)" Secrets__DeviceHashKey="$(openssl rand -base64 32)" \
  Secrets__VapidPrivateKey="$(openssl rand -base64 32)" Ingestion__Polisen__Enabled=false Classification__TrainOnStart=false \
  Logging__LogLevel__Default=Warning \
  RateLimiting__Enabled="$([ "$sync" -gt 0 ] && echo false || echo true)" \
  dotnet Halo.Api.dll >"$work/api.log" 2>&1) &
pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.5; done
# The first risk model trains in the background after the sample loads: measure once predictions are served.
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/api/v1/predictions/metrics" >/dev/null 2>&1 && break; sleep 1; done
curl -sf "http://127.0.0.1:$port/api/v1/predictions/metrics" >/dev/null || { echo "no risk model after 10 minutes" >&2; exit 1; }
echo "machine: $(lscpu | grep 'Model name' | sed 's/ \+/ /g'), $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet run --project bench/app -c Release -- "http://127.0.0.1:$port/" "$runs" "$sync"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
