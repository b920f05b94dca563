#!/usr/bin/env bash
# A real geocoder for the tests: addok (the search engine behind the French
# national address base's API, from PyPI with its French plugins) on a
# Redis server (Debian's redis-server, installed when missing), both on
# free loopback ports, loaded with the metropolis's 71 communes
# (data/rouen/communes-addok.ndjson, scripts/communes_to_addok.py).
#   start: prints ADDOK_URL=… (also in target/addok/env)
#   stop:  stops both
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/addok
VENV=target/addok-venv
mkdir -p "$DIR"

stop() {
    for p in "$DIR"/*.pid; do
        [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true
        rm -f "$p"
    done
    rm -f "$DIR/env"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
    stop
    if ! command -v redis-server >/dev/null; then
        SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
        $SUDO apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >&2
    fi
    if [ ! -f "$VENV/.ready" ]; then
        rm -rf "$VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install --quiet "addok==1.3.2" "addok-fr==1.1.0" "addok-france==1.2.0"
        touch "$VENV/.ready"
    fi
    local redis_port addok_port
    redis_port=$(free_port)
    redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
        --dir "$DIR" --daemonize no > "$DIR/redis.log" 2>&1 &
    echo $! > "$DIR/redis.pid"
    for _ in $(seq 50); do
        redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
        sleep 0.1
    done
    cat > "$DIR/addok.conf" <<CONF
REDIS = {"host": "127.0.0.1", "port": $redis_port, "indexes": {"db": 0}, "documents": {"db": 1}}
BATCH_WORKERS = 1
QUERY_PROCESSORS_PYPATHS = [
    "addok.helpers.text.check_query_length",
    "addok_france.extract_address",
    "addok_france.clean_query",
    "addok_france.remove_leading_zeros",
]
SEARCH_RESULT_PROCESSORS_PYPATHS = [
    "addok.helpers.results.match_housenumber",
    "addok_france.make_labels",
    "addok.helpers.results.score_by_importance",
    "addok.helpers.results.score_by_autocomplete_distance",
    "addok.helpers.results.score_by_ngram_distance",
    "addok.helpers.results.score_by_geo_distance",
    "addok.helpers.results.adjust_scores",
]
PROCESSORS_PYPATHS = [
    "addok.helpers.text.tokenize",
    "addok.helpers.text.normalize",
    "addok_france.glue_ordinal",
    "addok_france.fold_ordinal",
    "addok_france.flag_housenumber",
    "addok.helpers.text.synonymize",
    "addok_fr.phonemicize",
]
CONF
    "$VENV/bin/addok" --config "$DIR/addok.conf" batch data/rouen/communes-addok.ndjson > "$DIR/import.log" 2>&1
    "$VENV/bin/addok" --config "$DIR/addok.conf" ngrams >> "$DIR/import.log" 2>&1
    addok_port=$(free_port)
    "$VENV/bin/addok" --config "$DIR/addok.conf" serve --host 127.0.0.1 --port "$addok_port" \
        > "$DIR/addok.log" 2>&1 &
    echo $! > "$DIR/addok.pid"
    local url="http://127.0.0.1:$addok_port"
    for _ in $(seq 100); do
        curl -sf "$url/search/?q=Rouen" >/dev/null 2>&1 && break
        sleep 0.1
    done
    curl -sf "$url/search/?q=Rouen" >/dev/null || { cat "$DIR/addok.log" >&2; exit 1; }
    echo "ADDOK_URL=$url" > "$DIR/env"
    echo "ADDOK_URL=$url"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
