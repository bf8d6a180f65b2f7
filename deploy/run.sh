#!/usr/bin/env bash
# make run: the development cluster under var/ (created on first run, kept
# afterwards), migrate, seed, a demo forwarder key, then serve on
# http://127.0.0.1:8080/ until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-var/pg}; port=${2:-54329}
BIN=build/corridord
deploy/pg.sh start "$dir" "$port"
absdir=$(cd "$dir" && pwd)
base="host=$absdir/run port=$port user=postgres"
if ! psql -X -qtA "$base dbname=postgres" -c "SELECT 1 FROM pg_database WHERE datname = 'corridor'" | grep -q 1; then
    psql -X -q "$base dbname=postgres" -c "CREATE DATABASE corridor"
fi
export CORRIDOR_DATABASE_URL="$base dbname=corridor"
"$BIN" migrate
"$BIN" seed
key=$(psql -X -qtA "$CORRIDOR_DATABASE_URL" -c "SELECT corridor.issue_api_key('DEMOFWD', 'forwarder', 'make run demo')")
opkey=$(psql -X -qtA "$CORRIDOR_DATABASE_URL" -c "SELECT corridor.issue_api_key('CORRIDOR', 'operator', 'make run demo')")
listen=${CORRIDOR_LISTEN:-127.0.0.1:8080}
cat <<MSG

corridord is starting on http://$listen/
  demo forwarder key (DEMOFWD):  $key
  demo operator key (CORRIDOR):  $opkey
  try: curl -H "Authorization: Bearer $key" http://$listen/v1/nodes
  psql as an operator: psql "$CORRIDOR_DATABASE_URL" -c 'SET ROLE corridor_operator'
Ctrl-C stops the server; the database stays in $dir for the next run.

MSG
exec "$BIN" serve
