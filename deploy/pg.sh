#!/usr/bin/env bash
# A local PostgreSQL cluster for development and tests, reachable only through
# a unix socket inside its own directory.
#
#   deploy/pg.sh start DIR PORT [--throwaway]   initdb on first use, then start
#   deploy/pg.sh stop DIR                       fast shutdown
#   deploy/pg.sh url DIR PORT [DB]              prints a libpq connection string
#
# DIR/data holds the cluster, DIR/run the socket, DIR/postgres.log the log.
# PostgreSQL refuses to run as root, so as root the server runs as the
# 'postgres' system user.  --throwaway turns fsync off (tests only).
set -euo pipefail
cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,12p' "$0"; exit 2; }
PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
[ -x "$PGBIN/initdb" ] || { echo "pg.sh: no PostgreSQL server binaries (deploy/install-deps.sh)" >&2; exit 1; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
asdb() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case $cmd in
start)
    port=${3:?port}
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        mkdir -p "$dir/data" "$dir/run"
        [ "$(id -u)" = 0 ] && chown -R postgres: "$dir" && chmod 755 "$dir"
        asdb "$PGBIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
            { cat "$dir/initdb.log" >&2; exit 1; }
        {
            echo "listen_addresses = ''"
            echo "unix_socket_directories = '$dir/run'"
            echo "port = $port"
            echo "max_connections = 200"
            echo "shared_buffers = 256MB"
            echo "timezone = 'UTC'"
            if [ "${4:-}" = --throwaway ]; then
                echo "fsync = off"
                echo "full_page_writes = off"
            fi
        } >>"$dir/data/postgresql.conf"
    fi
    if asdb "$PGBIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        exit 0
    fi
    asdb "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start >/dev/null ||
        { tail -20 "$dir/postgres.log" >&2; exit 1; }
    ;;
stop)
    if [ -f "$dir/data/postmaster.pid" ]; then
        asdb "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || {
            p=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
            [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
        }
    fi
    ;;
url)
    port=${3:?port}
    echo "host=$dir/run port=$port user=postgres dbname=${4:-corridor}"
    ;;
*) sed -n '2,12p' "$0"; exit 2 ;;
esac
