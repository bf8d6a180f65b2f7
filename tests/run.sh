#!/usr/bin/env bash
# make test: every test against real parts.  Builds are done by the Makefile
# before this runs.  Starts a throwaway PostgreSQL cluster in a temporary
# directory, migrates and seeds a template database with the real binary,
# runs the unit tests, the SQL tests and the integration tests (each suite
# clones the template and starts its own corridord), and stops the cluster
# on every exit path.  Exit status 0 only when everything passed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/corridord

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corridord-test.XXXXXX")
chmod 755 "$tmp"
port=$(( 20000 + RANDOM % 20000 ))
cleanup() {
    deploy/pg.sh stop "$tmp/pg" || true
    if [ "${KEEP_TEST_DIR:-0}" = 1 ]; then echo "test files kept in $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== unit tests"
"$BUILD/tests/unit_run"

echo "== PostgreSQL (throwaway cluster)"
deploy/pg.sh start "$tmp/pg" "$port" --throwaway
base="host=$tmp/pg/run port=$port user=postgres"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
psql_ "$base dbname=postgres" -c "CREATE DATABASE corridor_template"
CORRIDOR_DATABASE_URL="$base dbname=corridor_template" "$BIN" migrate
CORRIDOR_DATABASE_URL="$base dbname=corridor_template" "$BIN" seed
# a second seed must change nothing (idempotent)
CORRIDOR_DATABASE_URL="$base dbname=corridor_template" "$BIN" seed

echo "== SQL tests (sql/tests)"
sql_pass=0; sql_fail=0
for f in sql/tests/*.sql; do
    [ -e "$f" ] || continue
    db="sqltest_$(basename "$f" .sql | tr -c 'a-z0-9_\n' '_')"
    psql_ "$base dbname=postgres" -c "CREATE DATABASE $db TEMPLATE corridor_template"
    if psql_ "$base dbname=$db" -f "$f" >"$tmp/$db.out" 2>&1; then
        sql_pass=$((sql_pass + 1)); echo "ok   $f"
    else
        sql_fail=$((sql_fail + 1)); echo "FAIL $f"; cat "$tmp/$db.out"
    fi
done
echo "SQL tests: $sql_pass passed, $sql_fail failed"

echo "== integration tests (real corridord, real HTTP)"
mkdir -p "$tmp/logs"
it_rc=0
CORRIDOR_TEST_PG="$base" CORRIDOR_TEST_TEMPLATE=corridor_template CORRIDOR_TEST_BIN="$BIN" \
CORRIDOR_TEST_LOGDIR="$tmp/logs" CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-120} \
    "$BUILD/tests/integration_run" || it_rc=$?
if [ "$it_rc" != 0 ]; then
    echo "integration tests failed; last lines of the server logs:"
    for l in "$tmp"/logs/*.log; do [ -e "$l" ] && { echo "--- $l"; tail -15 "$l"; }; done
fi

[ "$sql_fail" = 0 ] && [ "$it_rc" = 0 ]
