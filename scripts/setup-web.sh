#!/usr/bin/env bash
# Installs what the browser tests drive Chromium with (playwright-core)
# from the npm registry into web/node_modules, as pinned by
# web/package-lock.json. Skipped when it is already there. (The pages'
# own libraries are committed under web/vendor/ and built into the binary.)
set -euo pipefail
cd "$(dirname "$0")/../web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
