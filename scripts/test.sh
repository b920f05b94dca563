#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine, installing what it needs:
# a real OSRM server on the Monaco extract (scripts/osrm-test-server.sh,
# fetched from PyPI once into target/osrm/) for the road back-end's tests;
# a real addok geocoder on Debian's redis-server (scripts/addok-test-server.sh);
# the web pages' libraries from npm (scripts/setup-web.sh) and Debian's
# Chromium for the pages' end-to-end tests (web/tests/); schemathesis from
# PyPI against the API's own OpenAPI document (scripts/schemathesis.sh);
# pyvroom from PyPI for the product benchmark's test (scripts/peers.sh);
# a real PostgreSQL server (Debian's postgresql, scripts/postgres-test-server.sh)
# for the store's tests, and the HTTP tests run a second time on it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/osrm-test-server.sh start >/dev/null
# A real geocoder too: addok on Redis, with the metropolis's communes.
scripts/addok-test-server.sh start >/dev/null
# And a real PostgreSQL, for the shared store.
export "$(scripts/postgres-test-server.sh start)"
trap 'scripts/osrm-test-server.sh stop; scripts/addok-test-server.sh stop; scripts/postgres-test-server.sh stop' EXIT
# VROOM from PyPI, the product benchmark's peer (tests/bench.rs), once.
scripts/peers.sh >/dev/null
cargo test --workspace --release --locked "$@"
# The HTTP API's tests again, each server on a PostgreSQL database.
TOURNEE_TEST_STORE=postgres cargo test --release --locked --test api --test organisations \
  --test resilience --test actuals --test setup --test import --test hardening --test geocode \
  --test load "$@"

# The pages in a real headless Chromium, against a real `tournee demo`.
scripts/setup-web.sh
if ! command -v chromium >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
fi
cargo build --release --locked --bin tournee
(cd web && node --test tests/)

# The API fuzzed against its own document, in local mode and with a key.
scripts/schemathesis.sh
