#!/usr/bin/env bash
# Regenerates the Halo.H3 golden vectors from h3-js 4.5.0 (pinned in the lock file).
# Usage: scripts/h3-golden.sh [path/to/swedish_municipalities.geojson]
# Default GeoJSON: <repo>/../shared/data/sweden/swedish_municipalities.geojson
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
golden="$repo/tests/Halo.H3.Tests/golden"
geojson="${1:-$repo/../shared/data/sweden/swedish_municipalities.geojson}"
# The vectors record what h3-js computes, which includes the JavaScript engine's Math.sin & co.
# They were generated with Node 20 (V8 11.3, fdlibm trigonometry), which Halo.H3 reproduces bit for bit;
# other Node majors may differ in the last ulp (tests keep 1e-9 tolerances except trig.bin.gz and areas).
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [[ "$node_major" != "20" ]]; then
  echo "warning: Node $node_major; the committed vectors were generated with Node 20" >&2
fi
cd "$golden"
npm ci --no-audit --no-fund
node generate.mjs "$geojson"
ls -la "$golden"/*.bin.gz
