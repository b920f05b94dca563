#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine, installing what it needs:
# a real OSRM server on the Monaco extract (scripts/osrm-test-server.sh,
# fetched from PyPI once into target/osrm/) for the road back-end's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/osrm-test-server.sh start >/dev/null
trap 'scripts/osrm-test-server.sh stop' EXIT
cargo test --workspace --release --locked "$@"
