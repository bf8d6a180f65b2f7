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

echo "== end-to-end test (web console in Debian chromium, tests/e2e)"
# Its own database and corridord on a free port; skipped (not failed) only
# when asked: E2E=0, or CK_RUN_SUITE naming one Check suite.
e2e_rc=0; e2e_pid=
stop_e2e_server() {
    [ -n "$e2e_pid" ] || return 0
    kill -TERM "$e2e_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$e2e_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$e2e_pid" 2>/dev/null || true
    wait "$e2e_pid" 2>/dev/null || true
    e2e_pid=
}
trap 'stop_e2e_server; cleanup' EXIT
if [ "${E2E:-1}" = 0 ] || { [ -n "${CK_RUN_SUITE:-}" ] && [ "${CK_RUN_SUITE}" != e2e ]; }; then
    echo "e2e skipped (E2E=${E2E:-1}, CK_RUN_SUITE=${CK_RUN_SUITE:-})"
elif ! command -v node >/dev/null || ! command -v npm >/dev/null || [ ! -x "${CORRIDOR_E2E_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "FAIL e2e: needs node, npm and chromium (deploy/install-deps.sh installs them)"; e2e_rc=1
else
    psql_ "$base dbname=postgres" -c "CREATE DATABASE e2e TEMPLATE corridor_template"
    e2e_key=$(psql_ -tA "$base dbname=e2e" -c "SELECT corridor.issue_api_key('DEMOFWD', 'forwarder', 'e2e')")
    e2e_port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
    CORRIDOR_DATABASE_URL="$base dbname=e2e" CORRIDOR_LISTEN="127.0.0.1:$e2e_port" \
        "$BIN" serve >"$tmp/logs/e2e-server.log" 2>&1 &
    e2e_pid=$!
    e2e_url="http://127.0.0.1:$e2e_port/"
    e2e_ready=0
    for _ in $(seq 100); do
        if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))' \
            "${e2e_url}readyz"; then e2e_ready=1; break; fi
        kill -0 "$e2e_pid" 2>/dev/null || break
        sleep 0.1
    done
    [ "$e2e_ready" = 1 ] || { echo "FAIL e2e: corridord did not become ready on $e2e_url"; e2e_rc=1; }
    # npm ci only when the lock file changed since the last install
    if ! cmp -s tests/e2e/package-lock.json tests/e2e/node_modules/.corridor-installed-lock 2>/dev/null; then
        npm ci --prefix tests/e2e --no-audit --no-fund --loglevel=error >"$tmp/logs/e2e-npm.log" 2>&1 \
            && cp tests/e2e/package-lock.json tests/e2e/node_modules/.corridor-installed-lock \
            || { echo "npm ci failed:"; cat "$tmp/logs/e2e-npm.log"; e2e_rc=1; }
    fi
    if [ "$e2e_rc" = 0 ]; then
        CORRIDOR_E2E_URL="$e2e_url" CORRIDOR_E2E_KEY="$e2e_key" node --test tests/e2e/ || e2e_rc=$?
    fi
    stop_e2e_server
    if [ "$e2e_rc" != 0 ]; then
        echo "e2e test failed; last lines of its server log:"; tail -15 "$tmp/logs/e2e-server.log"
    fi
fi

[ "$sql_fail" = 0 ] && [ "$it_rc" = 0 ] && [ "$e2e_rc" = 0 ]
