#!/usr/bin/env bash
# Times the full import of the 45,075 shared police events through `import polisen` (the same code path as the poller
# and the first-run sample): a first run into an empty store, then a second run that must add 0.
# SQLite always; PostgreSQL too when PG_CONNECTION is set (its database is emptied first).
#   bench/ingest/import-bench.sh                       # SQLite only
#   PG_CONNECTION="Host=127.0.0.1;Port=55432;Username=postgres;Database=halo_bench" bench/ingest/import-bench.sh
# Appends a dated section to bench/RESULTS-ingestion.md. Target: each first import <= 15 s.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/polisen/events-2022-2024.json.gz}"
RESULTS="$ROOT/bench/RESULTS-ingestion.md"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

dotnet build "$ROOT/src/Halo.Api" -c Release -v q -nologo >/dev/null
APP="$ROOT/src/Halo.Api/bin/Release/net10.0/Halo.Api.dll"
# The app runs as in production, which needs its secrets configured: throw-away ones for the benchmark.
export Secrets__JwtSigningKey="${Secrets__JwtSigningKey:-$(openssl rand -base64 32)}"
export Secrets__DeviceHashKey="${Secrets__DeviceHashKey:-$(openssl rand -base64 32)}"

run() { # provider connection-string label -> prints "seconds|summary line"
  local start end out
  start=$(date +%s.%N)
  out=$(cd "$WORK" && Database__Provider="$1" Database__ConnectionString="$2" Database__DataDirectory="$WORK/data" \
        Logging__LogLevel__Default=Warning dotnet "$APP" import polisen "$DATA" | grep '^Done') \
    || { echo "import failed (run it by hand to see why)" >&2; exit 1; }
  end=$(date +%s.%N)
  printf '%.1f|%s\n' "$(echo "$end - $start" | bc)" "$out"
}

LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
rows=()
SQLITE_CS="Data Source=$WORK/data/halo.db;Pooling=True"
mkdir -p "$WORK/data"
rows+=("SQLite first import|$(run Sqlite "$SQLITE_CS")")
rows+=("SQLite second import|$(run Sqlite "$SQLITE_CS")")
if [[ -n "${PG_CONNECTION:-}" ]]; then
  # Start from an empty database (the import command applies the migrations itself).
  psql "$(echo "$PG_CONNECTION" | sed -E 's/Host=([^;]*);?/host=\1 /; s/Port=([^;]*);?/port=\1 /; s/Username=([^;]*);?/user=\1 /; s/Database=([^;]*);?/dbname=\1 /; s/Password=([^;]*);?/password=\1 /')" \
    -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
  rows+=("PostgreSQL first import|$(run Postgres "$PG_CONNECTION")")
  rows+=("PostgreSQL second import|$(run Postgres "$PG_CONNECTION")")
fi

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $(git -C "$ROOT" rev-parse --short HEAD)"
  echo
  echo "- Command: \`${PG_CONNECTION:+PG_CONNECTION=… }bench/ingest/import-bench.sh\` (Release build; wall time of the whole process, start-up and migrations included)"
  echo "- Machine: $(lscpu | grep 'Model name' | sed 's/Model name:[[:space:]]*//'), $(nproc) cores; load average before the runs: $LOAD"
  echo "- Data: $(basename "$DATA") (45,075 events); target: first import ≤ 15 s"
  echo
  echo "| run | seconds | result |"
  echo "|---|---|---|"
  for r in "${rows[@]}"; do IFS='|' read -r label secs summary <<<"$r"; echo "| $label | $secs | $summary |"; done
} | tee -a "$RESULTS"
