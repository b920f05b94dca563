#!/usr/bin/env bash
# A real OSRM server on 127.0.0.1 for the tests, on the Monaco extract.
#
# The OSRM project's Python-bindings distribution on PyPI (osrm-bindings)
# carries the engine: its manylinux wheel holds osrm-extract, osrm-contract,
# osrm-routed and the car profile; its source distribution holds the Monaco
# OpenStreetMap extract used by OSRM's own tests. Both are fetched once into
# target/osrm/, Monaco is prepared with the car profile (about a second), and
# osrm-routed is started on a free port.
#
#   scripts/osrm-test-server.sh start   # prints the server's URL (reuses a running one)
#   scripts/osrm-test-server.sh stop
#
# target/osrm/env holds OSRM_URL, OSRM_ROUTED (the binary) and OSRM_DATA (the
# prepared data) for tests that start servers of their own.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=26.10.0
DIR=target/osrm
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PY=${PYTHON:-python3}

fetch() {
    if [ ! -x "$DIR/wheel/osrm/bin/osrm-routed" ]; then
        rm -rf "$DIR/wheel" "$DIR/dl"
        "$PY" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.12 \
            --platform manylinux_2_28_x86_64 "osrm-bindings==$VERSION" -d "$DIR/dl"
        "$PY" -m zipfile -e "$DIR"/dl/osrm_bindings-*.whl "$DIR/wheel"
        chmod +x "$DIR"/wheel/osrm/bin/*
    fi
    if [ ! -f "$DIR/data/monaco.osm.pbf" ]; then
        mkdir -p "$DIR/data"
        # The source distribution, located through PyPI's JSON API and
        # checked against the digest PyPI publishes.
        "$PY" - "$VERSION" "$DIR/sdist.tar.gz" <<'EOF'
import hashlib, json, sys, urllib.parse, urllib.request
version, out = sys.argv[1], sys.argv[2]
api = "https://pypi.org/pypi/osrm-bindings/json"
meta = json.load(urllib.request.urlopen(api, timeout=60))
sdist = next(u for u in meta["releases"][version] if u["packagetype"] == "sdist")
data = urllib.request.urlopen(urllib.parse.urljoin(api, sdist["url"]), timeout=600).read()
if hashlib.sha256(data).hexdigest() != sdist["digests"]["sha256"]:
    sys.exit("osrm-bindings sdist: sha256 mismatch")
open(out, "wb").write(data)
EOF
        tar -xzf "$DIR/sdist.tar.gz" -C "$DIR" "osrm_bindings-$VERSION/test/data/monaco.osm.pbf"
        mv "$DIR/osrm_bindings-$VERSION/test/data/monaco.osm.pbf" "$DIR/data/"
        rm -rf "$DIR/sdist.tar.gz" "$DIR/osrm_bindings-$VERSION"
    fi
    if [ ! -f "$DIR/data/monaco.osrm.hsgr" ]; then
        (cd "$DIR/data" &&
            "$DIR/wheel/osrm/bin/osrm-extract" -p "$DIR/wheel/osrm/share/profiles/car.lua" monaco.osm.pbf >extract.log 2>&1 &&
            "$DIR/wheel/osrm/bin/osrm-contract" monaco.osrm >contract.log 2>&1)
    fi
}

running() {
    [ -f "$DIR/server.pid" ] && [ -f "$DIR/env" ] && kill -0 "$(cat "$DIR/server.pid")" 2>/dev/null
}

start() {
    if running; then
        # shellcheck disable=SC1091
        . "$DIR/env"
        echo "$OSRM_URL"
        return
    fi
    fetch
    port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    nohup "$DIR/wheel/osrm/bin/osrm-routed" --ip 127.0.0.1 --port "$port" --max-table-size 1000 \
        "$DIR/data/monaco.osrm" >"$DIR/server.log" 2>&1 &
    echo $! >"$DIR/server.pid"
    url="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        if "$PY" -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=1)" \
            "$url/nearest/v1/driving/7.42,43.73" >/dev/null 2>&1; then
            printf 'OSRM_URL=%s\nOSRM_ROUTED=%s\nOSRM_DATA=%s\n' "$url" \
                "$DIR/wheel/osrm/bin/osrm-routed" "$DIR/data/monaco.osrm" >"$DIR/env"
            echo "$url"
            return
        fi
        sleep 0.1
    done
    echo "osrm-routed did not start; see $DIR/server.log" >&2
    exit 1
}

stop() {
    if [ -f "$DIR/server.pid" ]; then
        kill "$(cat "$DIR/server.pid")" 2>/dev/null || true
        rm -f "$DIR/server.pid" "$DIR/env"
    fi
}

case "${1:-start}" in
start) start ;;
stop) stop ;;
*)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
