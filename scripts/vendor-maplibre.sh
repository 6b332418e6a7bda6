#!/usr/bin/env bash
# Refreshes the vendored MapLibre GL JS in src/Halo.Web/wwwroot/lib/maplibre-gl from the npm registry.
# The files are committed so that building and running Halo needs neither npm nor a CDN.
# Usage: scripts/vendor-maplibre.sh [version]   (default: the version in the README there)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/Halo.Web/wwwroot/lib/maplibre-gl
version="${1:-$(sed -n 's/^Version: //p' "$dest/README.md" 2>/dev/null || true)}"
version="${version:-$(npm view maplibre-gl version)}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "maplibre-gl@$version" >/dev/null && tar xzf maplibre-gl-*.tgz)
mkdir -p "$dest"
rm -f "$dest"/*.mjs "$dest"/*.css
# v6 is ES modules only: the main module finds its worker module beside itself (import.meta.url).
for f in maplibre-gl.mjs maplibre-gl-worker.mjs maplibre-gl-shared.mjs maplibre-gl.css; do
  [ -f "$tmp/package/dist/$f" ] && cp "$tmp/package/dist/$f" "$dest/"
done
# Source-map comments would make browsers ask for files we do not ship.
sed -i '/^\/\/# sourceMappingURL=/d' "$dest"/*.mjs
cp "$tmp/package/LICENSE.txt" "$dest/LICENSE.txt"
cat > "$dest/README.md" <<MD
# MapLibre GL JS (vendored)

Version: $version
Source: the npm package \`maplibre-gl\` ($(date -u +%Y-%m-%d)), files from its \`dist/\` folder; licence in LICENSE.txt (BSD-3-Clause).
Refresh with \`scripts/vendor-maplibre.sh [version]\`.
MD
ls -la "$dest"
