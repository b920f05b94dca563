#!/usr/bin/env bash
# Refreshes web/vendor/ (the libraries the binary embeds) from the npm
# registry: Leaflet 1.9.4 and qrcode-generator 1.4.4, unpacked in a
# temporary folder. `--check` only says whether the committed files are
# those of the registry.
set -euo pipefail
cd "$(dirname "$0")/../web"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent leaflet@1.9.4 qrcode-generator@1.4.4 >/dev/null \
  && mkdir leaflet qrcode && tar -xzf leaflet-1.9.4.tgz -C leaflet && tar -xzf qrcode-generator-1.4.4.tgz -C qrcode)
fresh="$tmp/vendor"
mkdir -p "$fresh/leaflet" "$fresh/qrcode"
cp -r "$tmp/leaflet/package/dist/leaflet.js" "$tmp/leaflet/package/dist/leaflet.css" "$tmp/leaflet/package/dist/images" "$fresh/leaflet/"
cp "$tmp/leaflet/package/LICENSE" "$fresh/leaflet/LICENSE"
cp "$tmp/qrcode/package/qrcode.js" "$fresh/qrcode/"
if [ "${1:-}" = "--check" ]; then
  for f in leaflet/leaflet.js leaflet/leaflet.css leaflet/LICENSE qrcode/qrcode.js; do
    cmp -s "$fresh/$f" "vendor/$f" || { echo "web/vendor/$f differs from the registry's" >&2; exit 1; }
  done
  echo "web/vendor: as published on npm"
else
  cp -r "$fresh/leaflet/." vendor/leaflet/
  cp "$fresh/qrcode/qrcode.js" vendor/qrcode/
  echo "web/vendor refreshed"
fi
