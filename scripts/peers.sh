#!/usr/bin/env bash
# The peer solvers of the benchmarks, from PyPI, in target/peers-venv
# (created once): VROOM 1.15 through pyvroom for the product benchmark
# (`tournee bench --format tournee --vroom PYTHON`). Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/peers-venv
if [ ! -f "$VENV/.ready" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet "pyvroom==1.15.2"
    touch "$VENV/.ready"
fi
echo "$(pwd)/$VENV/bin/python"
