#!/usr/bin/env bash
# The main job on a fresh machine: builds `tournee` (its web pages and their
# libraries are built in), then plans the embedded sample week, prints it and
# serves it with the planning board, the drivers' tours and the emissions
# page (Ctrl-C stops).
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release --locked -- demo "$@"
