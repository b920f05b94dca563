#!/usr/bin/env bash
# Installs the web pages' libraries (Leaflet, a QR-code generator, and
# playwright-core for the browser tests) from the npm registry into
# web/node_modules, as pinned by web/package-lock.json. Skipped when they
# are already there.
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
