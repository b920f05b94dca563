#!/usr/bin/env bash
# A real PostgreSQL server for the tests: Debian's `postgresql` (installed
# when missing), a new cluster in a temporary directory, on a free loopback
# port, trust authentication for the superuser `tournee`. Durability is
# switched off (fsync, synchronous_commit): it only holds test databases.
#   start: prints TOURNEE_TEST_POSTGRES=postgres://tournee@127.0.0.1:PORT
#          (also in target/postgres/env)
#   stop:  stops it and removes its directory
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=target/postgres
mkdir -p "$DIR"
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }

# The cluster's files belong to the `postgres` user (PostgreSQL refuses to
# run as root); as another user, the server runs as that user.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
    if [ -f "$DIR/data-dir" ]; then
        local data; data=$(cat "$DIR/data-dir")
        if [ -d "$data/pgdata" ]; then
            as_owner "$(bindir)/pg_ctl" -D "$data/pgdata" -m immediate stop >/dev/null 2>&1 || true
        fi
        rm -rf "$data"
        rm -f "$DIR/data-dir"
    fi
    rm -f "$DIR/env"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

start() {
    stop
    if [ -z "$(bindir)" ] || ! id postgres >/dev/null 2>&1; then
        $SUDO apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
    fi
    local bin data port
    bin=$(bindir)
    data=$(mktemp -d /tmp/tournee-pg.XXXXXX)
    echo "$data" > "$DIR/data-dir"
    [ "$(id -u)" = 0 ] && chown postgres: "$data"
    as_owner "$bin/initdb" -D "$data/pgdata" -U tournee --auth=trust -E UTF8 --locale=C.UTF-8 \
        > "$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_owner "$bin/pg_ctl" -D "$data/pgdata" -l "$data/server.log" -w -t 60 start -o \
        "-p $port -h 127.0.0.1 -k $data -c max_connections=400 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        > /dev/null || { cat "$data/server.log" >&2; exit 1; }
    local url="postgres://tournee@127.0.0.1:$port"
    echo "TOURNEE_TEST_POSTGRES=$url" > "$DIR/env"
    echo "TOURNEE_TEST_POSTGRES=$url"
}

case "${1:-start}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
