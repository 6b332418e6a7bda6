#!/usr/bin/env bash
# Times full imports through the `import` command (the same importer as the poller and the first-run sample): the
# 45,075 shared police events (`import polisen`) and the 224,969-row St. Louis CSV (`import csv`), each a first run into
# an empty store and then a second run that must add 0 (pure read + parse + compare).
# SQLite always; PostgreSQL too when PG_CONNECTION is set (its database is emptied before each first import).
# With BASE_ROOT=<another checkout> every run is made for that checkout's build too, alternately, as a same-run baseline.
#   bench/ingest/import-bench.sh                       # SQLite only
#   BASE_ROOT=/path/to/main-checkout bench/ingest/import-bench.sh
#   PG_CONNECTION="Host=127.0.0.1;Port=55432;Username=postgres;Database=halo_bench" bench/ingest/import-bench.sh
# REPEAT=N runs every import N times (alternating the builds each time) and adds a table of medians and the ratio
# this/baseline, so one noisy run cannot decide. ONLY=polisen|csv limits the files.
# Appends a dated section to bench/RESULTS-ingestion.md. Target: each first police import <= 15 s.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
DATA="${DATA:-$ROOT/../shared/data/polisen/events-2022-2024.json.gz}"
CSV_DATA="${CSV_DATA:-$ROOT/../shared/data/crime/stlouis_crimes_2015_2019.csv.gz}"
RESULTS="$ROOT/bench/RESULTS-ingestion.md"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

builds=("this|$ROOT")
[[ -n "${BASE_ROOT:-}" ]] && builds=("baseline|$BASE_ROOT" "${builds[@]}")
for b in "${builds[@]}"; do dotnet build "${b#*|}/src/Halo.Api" -c Release -v q -nologo >/dev/null; done
# The app runs as in production; throw-away secrets in case a build still asks for them.
export Secrets__JwtSigningKey="${Secrets__JwtSigningKey:-$(openssl rand -base64 32)}"
export Secrets__DeviceHashKey="${Secrets__DeviceHashKey:-$(openssl rand -base64 32)}"
CSV_ARGS=(--id-col complaint --time-col occurred_at --time-zone America/Chicago --lat-col latitude --lon-col longitude
  --category-col category --category-map aggravated_assault=violence,larceny=theft,vehicle_theft=vehicle_crime,homicide=violence,robbery=robbery,burglary=burglary,arson=fire
  --source stlouis)

run() { # app provider connection-string data-dir args… -> prints "seconds|summary line"
  local app="$1" provider="$2" cs="$3" dir="$4" start end out
  shift 4
  start=$(date +%s.%N)
  out=$(cd "$WORK" && Database__Provider="$provider" Database__ConnectionString="$cs" Database__DataDirectory="$dir" \
        Logging__LogLevel__Default=Warning dotnet "$app" import "$@" | grep '^Done') \
    || { echo "import failed (run it by hand to see why)" >&2; exit 1; }
  end=$(date +%s.%N)
  printf '%.1f|%s\n' "$(echo "$end - $start" | bc)" "$out"
}

pg_reset() {
  psql "$(echo "$PG_CONNECTION" | sed -E 's/Host=([^;]*);?/host=\1 /; s/Port=([^;]*);?/port=\1 /; s/Username=([^;]*);?/user=\1 /; s/Database=([^;]*);?/dbname=\1 /; s/Password=([^;]*);?/password=\1 /')" \
    -qc 'DROP SCHEMA public CASCADE; CREATE SCHEMA public;'
}

LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"
REPEAT="${REPEAT:-1}"
ONLY="${ONLY:-polisen csv}"
rows=()
for rep in $(seq 1 "$REPEAT"); do
for what in "polisen|$DATA" "csv|$CSV_DATA"; do
  kind="${what%%|*}" file="${what#*|}"
  [[ " $ONLY " == *" $kind "* ]] || continue
  extra=(); [[ "$kind" == csv ]] && extra=("${CSV_ARGS[@]}")
  order=("${builds[@]}")
  # Alternate which build goes first, so a slow spell of the machine does not always fall on the same one.
  if (( ${#builds[@]} == 2 && rep % 2 == 0 )); then order=("${builds[1]}" "${builds[0]}"); fi
  for b in "${order[@]}"; do
    label="${b%%|*}" app="${b#*|}/src/Halo.Api/bin/Release/net10.0/Halo.Api.dll" dir="$WORK/$label-$kind"
    mkdir -p "$dir"
    cs="Data Source=$dir/halo.db;Pooling=True"
    rows+=("$kind, SQLite first import ($label)|$(run "$app" Sqlite "$cs" "$dir" "$kind" "$file" "${extra[@]}")")
    rows+=("$kind, SQLite second import ($label)|$(run "$app" Sqlite "$cs" "$dir" "$kind" "$file" "${extra[@]}")")
    if [[ -n "${PG_CONNECTION:-}" ]]; then
      pg_reset # the import command applies the migrations itself
      rows+=("$kind, PostgreSQL first import ($label)|$(run "$app" Postgres "$PG_CONNECTION" "$dir" "$kind" "$file" "${extra[@]}")")
      rows+=("$kind, PostgreSQL second import ($label)|$(run "$app" Postgres "$PG_CONNECTION" "$dir" "$kind" "$file" "${extra[@]}")")
    fi
    rm -rf "$dir"
  done
done
done

{
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — $(git -C "$ROOT" rev-parse --short HEAD)${BASE_ROOT:+ against baseline $(git -C "$BASE_ROOT" rev-parse --short HEAD)}"
  echo
  echo "- Command: \`${BASE_ROOT:+BASE_ROOT=… }${PG_CONNECTION:+PG_CONNECTION=… }bench/ingest/import-bench.sh\` (Release builds; wall time of the whole process, start-up and migrations included)"
  echo "- Machine: $(lscpu | grep 'Model name' | sed 's/Model name:[[:space:]]*//'), $(nproc) cores; load average before the runs: $LOAD"
  echo "- Data: $(basename "$DATA") (45,075 events), $(basename "$CSV_DATA") (224,969 rows); target: first police import ≤ 15 s"
  echo
  echo "| run | seconds | result |"
  echo "|---|---|---|"
  for r in "${rows[@]}"; do IFS='|' read -r label secs summary <<<"$r"; echo "| $label | $secs | $summary |"; done
  if (( REPEAT > 1 )); then
    echo
    echo "Medians of the $REPEAT runs each (wall seconds), and this build's median over the baseline's:"
    echo
    echo "| import | baseline | this | this/baseline |"
    echo "|---|---|---|---|"
    for r in "${rows[@]}"; do IFS='|' read -r label secs _ <<<"$r"; echo "$label|$secs"; done | awk -F'|' '
      { split($1, a, " \\("); run = a[1]; side = ($1 ~ /\(this\)/) ? "this" : "baseline"; v[run, side, ++n[run, side]] = $2; runs[run] = 1 }
      function median(run, side,   k, m, t, i, j) {
        m = n[run, side]; for (i = 1; i <= m; i++) t[i] = v[run, side, i]
        for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (t[j] < t[i]) { k = t[i]; t[i] = t[j]; t[j] = k }
        return m % 2 ? t[(m + 1) / 2] : (t[m / 2] + t[m / 2 + 1]) / 2 }
      END { for (run in runs) { b = median(run, "baseline"); t = median(run, "this");
        printf "| %s | %.1f | %.1f | %s |\n", run, b, t, (b > 0 ? sprintf("%.3f", t / b) : "–") } }' | sort
  fi
} | tee -a "$RESULTS"
