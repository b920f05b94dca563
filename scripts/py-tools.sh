#!/usr/bin/env bash
# Python validators used by the tests and CI, in target/py-venv (created
# once): lxml with the GPX 1.1 schema (the XSD shipped in the `gpx` 0.2.1
# wheel on PyPI), and openapi-spec-validator. Prints the venv's python.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/py-venv
if [ ! -f "$VENV/.ready" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet lxml openapi-spec-validator
    "$VENV/bin/pip" install --quiet --no-deps "gpx==0.2.1"
    touch "$VENV/.ready"
fi
echo "$(pwd)/$VENV/bin/python"
