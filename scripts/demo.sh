#!/usr/bin/env bash
# The main job on a fresh machine: installs the web pages' libraries, then
# plans the embedded sample week, prints it and serves it with the planning
# board, the drivers' tours and the emissions page (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-web.sh
exec cargo run --release --locked -- demo "$@"
