#!/usr/bin/env bash
# Runs the Halo.H3 BenchmarkDotNet suite and the h3-js baseline side by side (same inputs),
# saving both reports under bench/results/ (git-ignored). Usage: bench/h3-bench.sh [--job short|medium]
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
job="${2:-short}"
if [[ "${1:-}" == "--job" ]]; then job="${2:-short}"; fi
out="$repo/bench/results"
mkdir -p "$out"

echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)' | tee "$out/machine.txt"
uptime | tee -a "$out/machine.txt"

echo "== h3-js baseline"
(cd "$repo/bench/h3js" && npm ci --no-audit --no-fund >/dev/null && node bench.mjs) | tee "$out/h3js.md"

echo "== Halo.H3 (BenchmarkDotNet, --job $job)"
cd "$repo/bench/Halo.H3.Bench"
dotnet run -c Release -- --filter '*CoreBenchmarks*' --job "$job" --artifacts "$out/bdn" | tee "$out/halo-h3.txt" | grep -E '^\|' || true
