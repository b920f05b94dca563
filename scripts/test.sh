#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: everything it needs is
# installed by this script (today: only the Rust toolchain, already present).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --workspace --release --locked "$@"
