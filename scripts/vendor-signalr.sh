#!/usr/bin/env bash
# Refreshes the vendored SignalR JavaScript client in src/Halo.Web/wwwroot/lib/signalr from the npm registry
# (the npm package @microsoft/signalr). Committed like MapLibre, so building and running Halo needs neither npm nor a CDN.
# Usage: scripts/vendor-signalr.sh [version]   (default: the version in the README there)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/Halo.Web/wwwroot/lib/signalr
version="${1:-$(sed -n 's/^Version: //p' "$dest/README.md" 2>/dev/null || true)}"
version="${version:-$(npm view @microsoft/signalr version)}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@microsoft/signalr@$version" >/dev/null && tar xzf microsoft-signalr-*.tgz)
mkdir -p "$dest"
rm -f "$dest"/*.js
# The browser bundle (UMD: defines window.signalR).
cp "$tmp/package/dist/browser/signalr.min.js" "$dest/signalr.min.js"
sed -i '/^\/\/# sourceMappingURL=/d; s#//\# sourceMappingURL=signalr.min.js.map##' "$dest/signalr.min.js"
# The package names its licence (MIT) in package.json but ships no licence file: write the MIT text with its holder.
cat > "$dest/LICENSE.txt" <<'TXT'
The MIT License (MIT)

Copyright (c) .NET Foundation and Contributors

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
TXT
cat > "$dest/README.md" <<MD
# SignalR JavaScript client (vendored)

Version: $version
Source: the npm package \`@microsoft/signalr\` ($(date -u +%Y-%m-%d)), \`dist/browser/signalr.min.js\`; licence in LICENSE.txt (MIT).
Refresh with \`scripts/vendor-signalr.sh [version]\`. How the app connects: docs/live.md.
MD
ls -la "$dest"
