#!/usr/bin/env bash
# Regenerates the Halo.H3 golden vectors from h3-js 4.5.0 (pinned in the lock file).
# Usage: scripts/h3-golden.sh [path/to/swedish_municipalities.geojson]
# Default GeoJSON: <repo>/../shared/data/sweden/swedish_municipalities.geojson
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
golden="$repo/tests/Halo.H3.Tests/golden"
geojson="${1:-$repo/../shared/data/sweden/swedish_municipalities.geojson}"
cd "$golden"
npm ci --no-audit --no-fund
node generate.mjs "$geojson"
ls -la "$golden"/*.bin.gz
