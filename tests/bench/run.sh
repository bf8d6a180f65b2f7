#!/usr/bin/env bash
# tests/bench/run.sh: what `make bench` runs after building (not a test: it
# measures, prints the figures and ratios, and fails only when a measurement
# would be worthless or the database is inconsistent afterwards).
#
#   1. in-process: build/bench/bench_route and build/bench/bench_quote (µs per
#      query on the corridor and on 10k / 100k / 1M synthetic departures);
#   2. a throwaway PostgreSQL cluster with fsync ON (bookings are measured
#      with durable commits), migrate + seed, a DEMOFWD forwarder key, every
#      departure and port window made effectively unlimited;
#   3. build/corridord serve on a free loopback port, no rate limit;
#   4. the ceiling in the same run: ../shared/bench/mhd_hello.c (POST /book,
#      jansson parse + json_dumps, pool 2, epoll) with wrk at 32 connections;
#   5. POST /v1/quotes with wrk at 32 connections: one fixed request
#      (tests/bench/quote.lua), then every request distinct
#      (tests/bench/quote_distinct.lua: no offer can be reused);
#   6. pgbench running the server's booking transaction directly
#      (tests/bench/pgbench_booking.sql) at 1, 8 and 32 clients -- the
#      target's reference -- and the server's batches of 8
#      (tests/bench/pgbench_booking_batch.sql) at one client per CPU;
#   7. POST /v1/bookings with wrk at 8 and 32 connections, each request
#      booking its own pre-created quote (tests/bench/booking.lua);
#   8. corridor.check_invariants() and a summary table.
#
# Everything binds loopback (PostgreSQL: a unix socket in the temporary
# directory only); every process started here is stopped by its PID on every
# exit path.  Raw output goes to a new temporary directory, kept afterwards
# (the cluster's data files are removed unless BENCH_KEEP=1); its
# results.txt collects every raw line and the summary.
#
# Environment: BENCH_SECONDS (each load run, default 10), BENCH_WARMUP
# (seconds before the ceiling and quote runs, default 2), BENCH_CONNS_QUOTES
# (default 32), BENCH_PGBENCH_CLIENTS (default "1 8 32"),
# BENCH_BOOKING_CONNS (default "8 32"), BENCH_INPROCESS=0 skips step 1,
# BENCH_KEEP=1 keeps the cluster, BENCH_IDEMPOTENCY=1 sends every booking
# with an Idempotency-Key; CORRIDOR_WORKERS / CORRIDOR_HTTP_THREADS (and
# every other CORRIDOR_*) reach the server unchanged.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
BIN=$PWD/$BUILD/corridord
DUR=${BENCH_SECONDS:-10}
WARMUP=${BENCH_WARMUP:-2}
QUOTE_CONNS=${BENCH_CONNS_QUOTES:-32}
PGB_CLIENTS=${BENCH_PGBENCH_CLIENTS:-1 8 32}
BOOK_CONNS=${BENCH_BOOKING_CONNS:-8 32}
HOST=127.0.0.1
# The ceiling, and only it, comes from outside the repository: the shared
# benchmark directory next to it (../shared/bench, read-only), so that this
# run's ceiling is the one RESULTS.md there was measured with.
SHARED_BENCH=../shared/bench

for t in wrk pgbench psql curl gcc; do
    command -v "$t" >/dev/null ||
        { echo "bench: missing $t (deploy/install-deps.sh deploy/debian-packages-bench.txt)" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench: no $BIN (make all)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/corridord-bench.XXXXXX")
chmod 755 "$tmp"
RESULTS=$tmp/results.txt
: >"$RESULTS"
STARTED=()     # PIDs of the servers started here
FG_PID=        # the wrk / pgbench run in progress
PG_STARTED=0

stop_pid() { # pid: TERM, up to 5 s, then KILL
    local p=$1
    kill -0 "$p" 2>/dev/null || return 0
    kill -TERM "$p" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
}
cleanup() {
    local p
    [ -z "$FG_PID" ] || stop_pid "$FG_PID"
    for p in "${STARTED[@]:-}"; do [ -z "$p" ] || stop_pid "$p"; done
    if [ "$PG_STARTED" = 1 ]; then
        deploy/pg.sh stop "$tmp/pg" || true
        [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$tmp/pg/data"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Runs a measuring command in the background and waits for it, so that a
# signal can stop it by PID (bash runs traps only between commands).
run_fg() {
    "$@" &
    FG_PID=$!
    local rc=0
    wait "$FG_PID" || rc=$?
    FG_PID=
    return "$rc"
}
say() { echo "$*" | tee -a "$RESULTS"; }
raw() { # label file: the raw output into results.txt
    { echo "---- $1"; cat "$2"; } >>"$RESULTS"
}
port_free() { ! (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
free_port() {
    local p
    for _ in $(seq 50); do
        p=$((20000 + RANDOM % 20000))
        port_free "$p" && { echo "$p"; return 0; }
    done
    echo "bench: no free port" >&2
    return 1
}
wait_http() { # url [tries of 0.1 s]
    for _ in $(seq "${2:-100}"); do
        curl -fs -o /dev/null "$1" && return 0
        sleep 0.1
    done
    return 1
}
to_ms() { # wrk value like 245.00us / 1.23ms / 1.05s
    awk -v v="$1" 'BEGIN{
        if (v ~ /us$/) {sub(/us$/,"",v); printf "%.3f", v/1000}
        else if (v ~ /ms$/) {sub(/ms$/,"",v); printf "%.3f", v}
        else if (v ~ /s$/) {sub(/s$/,"",v); printf "%.3f", v*1000}
        else if (v ~ /m$/) {sub(/m$/,"",v); printf "%.3f", v*60000}
        else printf "-" }'
}
# whole machine from /proc/stat: busy and all ticks
sys_ticks() { awk '/^cpu /{b=$2+$3+$4+$7+$8; t=b+$5+$6+$9; print b, t}' /proc/stat; }
proc_ticks() { awk '{print $14+$15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
TICK=$(getconf CLK_TCK)

# ---- one wrk run: prints "req_s p50_ms p99_ms non2xx sockerr server_cpu% machine_busy%"
W_RPS='' W_P50='' W_P99='' W_NON2XX='' W_SERR='' W_SCPU='' W_BUSY=''
run_wrk() { # name conns url lua server_pid [extra env assignments...]
    local name=$1 c=$2 url=$3 lua=$4 spid=$5
    local log="$tmp/wrk-$name-c$c.txt"
    local s0 s1 p0 p1 t0 t1
    read -r s0 s1 < <(sys_ticks); p0=$(proc_ticks "$spid"); t0=$(date +%s.%N)
    run_fg wrk -t1 -c"$c" -d"${DUR}s" --latency ${lua:+-s "$lua"} "$url" >"$log" 2>&1 ||
        { cat "$log" >&2; echo "bench: wrk failed ($name)" >&2; exit 1; }
    local b0=$s0 a0=$s1
    read -r s0 s1 < <(sys_ticks); p1=$(proc_ticks "$spid"); t1=$(date +%s.%N)
    raw "wrk $name c=$c" "$log"
    W_RPS=$(awk '/^Requests\/sec:/{printf "%.0f", $2}' "$log")
    W_P50=$(to_ms "$(awk '$1=="50%"{print $2}' "$log")")
    W_P99=$(to_ms "$(awk '$1=="99%"{print $2}' "$log")")
    W_NON2XX=$(awk '/Non-2xx/{print $NF}' "$log"); W_NON2XX=${W_NON2XX:-0}
    W_SERR=$(awk '/Socket errors/{gsub(",","");s=$4+$6+$8+$10; print s}' "$log"); W_SERR=${W_SERR:-0}
    W_SCPU=$(awk -v a="$p0" -v b="$p1" -v t="$TICK" -v x="$t0" -v y="$t1" 'BEGIN{printf "%.0f", 100*(b-a)/t/(y-x)}')
    W_BUSY=$(awk -v b0="$b0" -v a0="$a0" -v b1="$s0" -v a1="$s1" 'BEGIN{d=a1-a0; if(d<1)d=1; printf "%.0f", 100*(b1-b0)/d}')
    say "$(printf '%-16s c=%-3s %7s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s  socket errors %s  server cpu %s%% of a core  machine busy %s%%' \
        "$name" "$c" "$W_RPS" "$W_P50" "$W_P99" "$W_NON2XX" "$W_SERR" "$W_SCPU" "$W_BUSY")"
}

say "# corridord bench $(date -u +%Y-%m-%dT%H:%M:%SZ), $(git describe --always --dirty 2>/dev/null || echo '?')"
say "# machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), kernel $(uname -r)"
say "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "# $(wrk -v 2>&1 | head -1 | awk '{print $1, $2}'), $(pgbench --version), libmicrohttpd $(pkg-config --modversion libmicrohttpd 2>/dev/null || echo '?')"
say "# raw output: $tmp"

# ---- 1. in-process ---------------------------------------------------------------
INPROC=()
if [ "${BENCH_INPROCESS:-1}" != 0 ]; then
    for b in bench_route bench_quote; do
        if [ -x "$BUILD/bench/$b" ]; then
            say "== in-process: $BUILD/bench/$b"
            run_fg "$BUILD/bench/$b" >"$tmp/$b.txt" 2>&1 ||
                { cat "$tmp/$b.txt" >&2; echo "bench: $b failed" >&2; exit 1; }
            tee -a "$RESULTS" <"$tmp/$b.txt"
            while IFS= read -r l; do INPROC+=("$b: $l"); done < <(grep -v '^#' "$tmp/$b.txt" | grep -v '^\s*$')
        else
            say "== in-process: $BUILD/bench/$b not built, skipped"
        fi
    done
fi

# ---- 2. PostgreSQL: durable commits (fsync on), shared_buffers 256MB ----------------
say "== PostgreSQL cluster (fsync on) in $tmp/pg"
pgport=$((20000 + RANDOM % 20000))
deploy/pg.sh start "$tmp/pg" "$pgport"
PG_STARTED=1
base="host=$tmp/pg/run port=$pgport user=postgres"
DBURL="$base dbname=corridor"
psql_() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
sql() { psql -X -qtA -v ON_ERROR_STOP=1 "$DBURL" "$@"; }
psql_ "$base dbname=postgres" -c "CREATE DATABASE corridor"
CORRIDOR_DATABASE_URL="$DBURL" "$BIN" migrate >"$tmp/migrate.log" 2>&1 ||
    { cat "$tmp/migrate.log" >&2; exit 1; }
CORRIDOR_DATABASE_URL="$DBURL" "$BIN" seed >"$tmp/seed.log" 2>&1 ||
    { cat "$tmp/seed.log" >&2; exit 1; }
say "# $(sql -c "SELECT string_agg(name || '=' || current_setting(name), ' ' ORDER BY name) FROM pg_settings WHERE name IN ('fsync','shared_buffers','synchronous_commit','wal_sync_method','full_page_writes','max_connections')")"
KEY=$(sql -c "SELECT corridor.issue_api_key('DEMOFWD', 'forwarder', 'bench')")
# Capacity must never refuse a booking in the run: every departure and port
# window (a superset of the itinerary the benchmark books) gets room for
# far more than the run can book.  Done before the server starts, so its
# first pricing snapshot already has it.
sql -c "UPDATE corridor.departure SET capacity_teu = 1000000000, capacity_kg = 1000000000000000" \
    -c "UPDATE corridor.port_window SET capacity_teu = 1000000000"
# The pgbench quote pool: bench.quote_pool(n) holds pre-created quotes in the
# order pgbench takes them through the bench.quote_take sequence.  pgbench
# runs as the server does: SET ROLE corridor_app (through PGOPTIONS).
sql -c "CREATE SCHEMA bench" \
    -c "CREATE TABLE bench.quote_pool (n bigint PRIMARY KEY, quote_id uuid NOT NULL)" \
    -c "CREATE SEQUENCE bench.quote_take" \
    -c "GRANT USAGE ON SCHEMA bench TO corridor_app" \
    -c "GRANT SELECT ON bench.quote_pool TO corridor_app" \
    -c "GRANT USAGE ON SEQUENCE bench.quote_take TO corridor_app"
sql -c "VACUUM ANALYZE" >/dev/null

# ---- 3. the server -------------------------------------------------------------------
API_PORT=$(free_port)
API="http://$HOST:$API_PORT"
say "== corridord serve on $API (workers ${CORRIDOR_WORKERS:-config}, http threads ${CORRIDOR_HTTP_THREADS:-config}, no rate limit)"
CORRIDOR_DATABASE_URL="$DBURL" CORRIDOR_LISTEN="$HOST:$API_PORT" CORRIDOR_LOG_LEVEL=warn \
    CORRIDOR_RATE_LIMIT_PER_MINUTE=0 "$BIN" serve >"$tmp/corridord.log" 2>&1 &
API_PID=$!
STARTED+=("$API_PID")
wait_http "$API/readyz" 300 || { tail -20 "$tmp/corridord.log" >&2; echo "bench: corridord did not become ready" >&2; exit 1; }

# ---- 4. the ceiling: bare libmicrohttpd POST + jansson (../shared/bench/mhd_hello.c) ----
CEIL_RPS='' CEIL_P50='' CEIL_P99='' CEIL_BAD=''
if [ -f "$SHARED_BENCH/mhd_hello.c" ]; then
    # compiled as ../shared/bench/ceiling-http.sh does; served as there: pool 2, epoll
    gcc -O2 -Wall -o "$tmp/mhd_hello" "$SHARED_BENCH/mhd_hello.c" -lmicrohttpd -ljansson
    printf '%s' '{"ref":"BK-000000123","status":"confirmed"}' >"$tmp/hello.json"
    MHD_PORT=$(free_port)
    "$tmp/mhd_hello" "$MHD_PORT" "$tmp/hello.json" 2 epoll 2>"$tmp/mhd.log" &
    MHD_PID=$!
    STARTED+=("$MHD_PID")
    wait_http "http://$HOST:$MHD_PORT/" || { echo "bench: mhd_hello did not come up" >&2; exit 1; }
    curl -fs -X POST -H 'Content-Type: application/json' \
        -d '{"ref":"BK-000000123","customer":"ACME Ltd","legs":[{"slot":12,"teu":2},{"slot":455,"teu":2},{"slot":1710,"teu":2}]}' \
        "http://$HOST:$MHD_PORT/book" | grep -q '"status":"confirmed"' ||
        { echo "bench: mhd_hello POST check failed" >&2; exit 1; }
    say "== ceiling: mhd_hello (libmicrohttpd POST + jansson, pool 2, epoll)"
    run_fg wrk -t1 -c"$QUOTE_CONNS" -d"${WARMUP}s" -s tests/bench/ceiling_post.lua "http://$HOST:$MHD_PORT/book" >/dev/null
    run_wrk ceiling_post "$QUOTE_CONNS" "http://$HOST:$MHD_PORT/book" tests/bench/ceiling_post.lua "$MHD_PID"
    CEIL_RPS=$W_RPS CEIL_P50=$W_P50 CEIL_P99=$W_P99 CEIL_BAD=$W_NON2XX/$W_SERR
    stop_pid "$MHD_PID"
else
    say "== ceiling SKIPPED: $SHARED_BENCH/mhd_hello.c is absent (the shared benchmark directory next to the repository); no ratio for quotes"
fi

# ---- 5. quotes over HTTP ---------------------------------------------------------------
READY=$(date -u -d '+3 days' +%Y-%m-%d)
export BENCH_KEY=$KEY
export BENCH_QUOTE_BODY='{"origin":"KZALA","destination":"IRSRP","ready_date":"'"$READY"'","cargo":{"containers":[{"type":"40HC","count":2,"gross_weight_kg":24000}]},"currency":"USD","optimize":"cost","max_options":3}'
say "== quotes: POST /v1/quotes $BENCH_QUOTE_BODY"
code=$(curl -s -o "$tmp/quote.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $KEY" -d "$BENCH_QUOTE_BODY" "$API/v1/quotes" || true)
if [ "$code" != 201 ]; then
    echo "bench: POST /v1/quotes answered $code, not 201; a benchmark of errors is worthless:" >&2
    cat "$tmp/quote.json" >&2; echo >&2
    exit 1
fi
say "# one quote: $(wc -c <"$tmp/quote.json") bytes, $(grep -o '"option":' "$tmp/quote.json" | wc -l) options"
# A second reference, beside the ceiling: the same bare server answering
# GET with this quote's bytes (mhd_hello serves its BODY_FILE to GET), i.e.
# what sending an answer of this size costs the machine, with no work at all.
CEILQ_RPS='' CEILQ_P50='' CEILQ_P99='' CEILQ_BAD=''
if [ -x "$tmp/mhd_hello" ]; then
    MHD_PORT=$(free_port)
    "$tmp/mhd_hello" "$MHD_PORT" "$tmp/quote.json" 2 epoll 2>"$tmp/mhd-quote.log" &
    MHDQ_PID=$!
    STARTED+=("$MHDQ_PID")
    wait_http "http://$HOST:$MHD_PORT/" || { echo "bench: mhd_hello (quote body) did not come up" >&2; exit 1; }
    say "== reference: mhd_hello GET answering this quote's $(wc -c <"$tmp/quote.json") bytes"
    run_fg wrk -t1 -c"$QUOTE_CONNS" -d"${WARMUP}s" "http://$HOST:$MHD_PORT/quote" >/dev/null
    run_wrk ceiling_quote_size "$QUOTE_CONNS" "http://$HOST:$MHD_PORT/quote" "" "$MHDQ_PID"
    CEILQ_RPS=$W_RPS CEILQ_P50=$W_P50 CEILQ_P99=$W_P99 CEILQ_BAD=$W_NON2XX/$W_SERR
    stop_pid "$MHDQ_PID"
fi
run_fg wrk -t1 -c"$QUOTE_CONNS" -d"${WARMUP}s" -s tests/bench/quote.lua "$API/v1/quotes" >/dev/null
run_wrk quotes "$QUOTE_CONNS" "$API/v1/quotes" tests/bench/quote.lua "$API_PID"
Q_RPS=$W_RPS Q_P50=$W_P50 Q_P99=$W_P99 Q_NON2XX=$W_NON2XX Q_SERR=$W_SERR
quote_counters() { curl -fs "$API/metrics" | awk '/^corridor_quotes_total /{t=$2} /^corridor_quote_offer_reuses_total /{r=$2} END{printf "%d %d\n", t, r}'; }
# The same request every time lets a quote reuse the offer priced moments
# before (include/quote_cache.h); say how many did, then measure the other
# extreme: every request distinct, every quote searched, priced, rendered and
# its offer stored.
read -r qt qr < <(quote_counters)
say "# quotes so far: $qt, of which $qr reused an offer priced moments before"
run_fg wrk -t1 -c"$QUOTE_CONNS" -d"${WARMUP}s" -s tests/bench/quote_distinct.lua "$API/v1/quotes" >/dev/null
read -r qt0 qr0 < <(quote_counters)
run_wrk quotes_distinct "$QUOTE_CONNS" "$API/v1/quotes" tests/bench/quote_distinct.lua "$API_PID"
read -r qt1 qr1 < <(quote_counters)
say "# distinct run: $((qt1 - qt0)) quotes, $((qr1 - qr0)) reused an offer"
QD_RPS=$W_RPS QD_P50=$W_P50 QD_P99=$W_P99 QD_NON2XX=$W_NON2XX QD_SERR=$W_SERR

# ---- bookings: the source quote, and quote batches copied from it ------------------------
# Real quotes made over HTTP; every booking gets its own copy of one of
# them (a quote is booked once), made with one INSERT ... SELECT per batch;
# copies are dealt round-robin, so consecutive bookings book different
# source quotes.
# The default mix (BENCH_ROUTES, BENCH_SOURCES=48): 8 long routes of the
# corridor (9-12 legs; Almaty, Aktau, Kuryk, Uzen to Bandar Abbas, Tehran,
# Chabahar, Bafq, Mashhad), each with ready dates 4 days apart.  Bookings
# then lock partly the same departures (the routes share their Caspian and
# Iranian legs, and a weekly ferry serves several dates), as bookings of
# many forwarders would; ../shared/bench/ceiling-pg.sh books a hot set of
# 200 of its 2000 slots the same way.  BENCH_ROUTES=KZALA:IRSRP
# BENCH_SOURCES=1 is the worst case: every booking locks the same 12
# departures and bookings of it run one after another.
ROUTES=(${BENCH_ROUTES:-KZALA:IRSRP KZAAU:IRSRP KZKUR:IRTHR KZALA:IRCKT KZUZE:IRSRP KZAAU:IRBAZ KZALA:IRMHD KZKUR:IRSRP})
SOURCES=${BENCH_SOURCES:-48}
SRCS=()
for k in $(seq 1 "$SOURCES"); do
    route=${ROUTES[$(( (k - 1) % ${#ROUTES[@]} ))]}
    day=$(( 2 + 4 * ((k - 1) / ${#ROUTES[@]}) + (k - 1) % 3 ))
    body=${BENCH_QUOTE_BODY/\"$READY\"/\"$(date -u -d "+$day days" +%Y-%m-%d)\"}
    body=${body/\"origin\":\"KZALA\"/\"origin\":\"${route%%:*}\"}
    body=${body/\"destination\":\"IRSRP\"/\"destination\":\"${route##*:}\"}
    code=$(curl -s -o "$tmp/source-quote.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
        -H "Authorization: Bearer $KEY" -d "$body" "$API/v1/quotes" || true)
    if [ "$code" != 201 ]; then
        say "# source quote $route +$day days: HTTP $code, left out: $(head -c 200 "$tmp/source-quote.json")"
        continue
    fi
    id=$(grep -o '"id": *"[0-9a-f-]\{36\}"' "$tmp/source-quote.json" | head -1 | grep -o '[0-9a-f-]\{36\}')
    [ -n "$id" ] || { echo "bench: no id in the source quote" >&2; exit 1; }
    # quotes are stored behind the answer: a GET waits until this one is
    curl -fs -o /dev/null -H "Authorization: Bearer $KEY" "$API/v1/quotes/$id" ||
        { echo "bench: source quote $id cannot be read back" >&2; exit 1; }
    SRCS+=("$id")
done
[ "${#SRCS[@]}" -gt 0 ] || { echo "bench: no source quote could be made" >&2; exit 1; }
SOURCES=${#SRCS[@]}
SRC=${SRCS[0]}
SRC_LIST=$(IFS=,; echo "${SRCS[*]}")
COPY_SQL="INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options, fx, offer_id)
          SELECT q.org_code, now() + interval '1 hour', q.data_version, q.currency, q.request, q.options, q.fx, q.offer_id
            FROM generate_series(1, (:'n')::int) g
            JOIN (SELECT id, row_number() OVER () - 1 AS k
                    FROM unnest(string_to_array(:'src', ',')::uuid[]) AS s(id)) s
              ON s.k = g % $SOURCES
            JOIN corridor.quote q ON q.id = s.id
           ORDER BY g"
copy_quotes_to_file() { # n file
    sql -v n="$1" -v src="$SRC_LIST" -o "$2" <<EOF
$COPY_SQL RETURNING id;
EOF
}
top_up_pool() { # the pgbench pool holds at least n unused quotes afterwards
    local left
    left=$(sql -c "SELECT (SELECT coalesce(max(n), 0) FROM bench.quote_pool)
                          - (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM bench.quote_take)")
    [ "$left" -lt "$1" ] || return 0
    sql -v n="$(( $1 - left ))" -v src="$SRC_LIST" <<EOF >/dev/null
WITH q AS ($COPY_SQL RETURNING id)
INSERT INTO bench.quote_pool (n, quote_id)
SELECT (SELECT coalesce(max(n), 0) FROM bench.quote_pool) + row_number() OVER (), id FROM q;
EOF
}
bookings_made() { sql -c "SELECT count(*) FROM corridor.booking"; }
# before each booking run: the whole database vacuumed and analysed (the
# quote runs leave hundreds of thousands of quote rows and tens of thousands
# of offers behind; without this, autovacuum works through them during the
# first booking runs and takes half the machine: pgbench at 1 client measured
# ~115 instead of ~260 bookings/s), then a clean checkpoint
settle() { sql -c "VACUUM ANALYZE" -c CHECKPOINT >/dev/null; }

copy_quotes_to_file 1 "$tmp/check-id.txt"
code=$(curl -s -o "$tmp/booking.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
    -H "Authorization: Bearer $KEY" -d '{"quote_id":"'"$(head -1 "$tmp/check-id.txt")"'","option":1}' "$API/v1/bookings" || true)
if [ "$code" != 201 ]; then
    echo "bench: POST /v1/bookings answered $code, not 201; a benchmark of errors is worthless:" >&2
    cat "$tmp/booking.json" >&2; echo >&2
    exit 1
fi
say "# bookings book option 1 of copies of $SOURCES source quote(s) ($SRC …): $(grep -o '"departure_id":' "$tmp/booking.json" | wc -l) legs; one booking answer is $(wc -c <"$tmp/booking.json") bytes"

# ---- 6. pgbench: the same booking transaction without HTTP ----------------------------
# The pgbench statement must stay the server's: compare what it selects from
# corridor.booking_create with SQL_CREATE in server/store_booking.c.
server_sel=$(sed -n '/SQL_CREATE\[\] =/,/;/p' server/store_booking.c | grep -o '"[^"]*"' | tr -d '"\n' |
    sed 's/corridor\.booking_create(.*//')
bench_sel=$(grep '^SELECT' tests/bench/pgbench_booking.sql | sed 's/corridor\.booking_create(.*//')
if [ "$server_sel" != "$bench_sel" ]; then
    say "# WARNING: tests/bench/pgbench_booking.sql no longer matches server/store_booking.c:"
    say "#   server: $server_sel"
    say "#   bench:  $bench_sel"
fi
say "== pgbench: tests/bench/pgbench_booking.sql (SELECT ... FROM corridor.booking_create(...) as its own transaction, as the server sends a create without Idempotency-Key), -M prepared, synchronous_commit=on"
PGB_BEST=0 PGB_BEST_C=-
declare -A PGB_TPS PGB_LAT PGB_FAILED
# Warm-up, not measured: a few thousand bookings first.  On booking tables
# that were analysed (almost) empty, the plans PostgreSQL keeps for the whole
# session (booking_create's, and the foreign-key checks') scan the tables
# sequentially while they grow: the first run at 1 client measured ~115
# bookings/s, ~260 once the tables had rows and statistics.  A deployment
# gets there after its first minute (autovacuum analyses them).
top_up_pool 20000
settle
PGHOST="$tmp/pg/run" PGPORT=$pgport PGUSER=postgres PGDATABASE=corridor \
    PGOPTIONS="-c synchronous_commit=on -c role=corridor_app" \
    run_fg pgbench -n -M prepared -j 2 -c 8 -T "$WARMUP" --max-tries=5 -D org=DEMOFWD \
    -f tests/bench/pgbench_booking.sql >"$tmp/pgbench-warmup.txt" 2>&1 ||
    { cat "$tmp/pgbench-warmup.txt" >&2; echo "bench: pgbench warm-up failed" >&2; exit 1; }
say "# booking warm-up (not measured): $(bookings_made) bookings made"
for c in $PGB_CLIENTS; do
    need=$(awk -v b="$PGB_BEST" -v d="$DUR" 'BEGIN{r=(b>2500?b:2500); printf "%d", r*d*1.5}')
    top_up_pool "$need"
    settle
    before=$(bookings_made)
    log="$tmp/pgbench-c$c.txt"
    PGHOST="$tmp/pg/run" PGPORT=$pgport PGUSER=postgres PGDATABASE=corridor \
        PGOPTIONS="-c synchronous_commit=on -c role=corridor_app" \
        run_fg pgbench -n -M prepared -j 2 -c "$c" -T "$DUR" --max-tries=5 -D org=DEMOFWD \
        -f tests/bench/pgbench_booking.sql >"$log" 2>&1 || { cat "$log" >&2; echo "bench: pgbench failed" >&2; exit 1; }
    raw "pgbench c=$c" "$log"
    made=$(( $(bookings_made) - before ))
    tps=$(awk '/^tps = /{printf "%.0f", $3}' "$log")
    lat=$(awk '/^latency average = /{print $4}' "$log")
    txns=$(awk -F': ' '/^number of transactions actually processed/{print $2}' "$log" | cut -d/ -f1)
    failed=$(awk '/^number of failed transactions/{print $5}' "$log"); failed=${failed:-0}
    say "$(printf 'pgbench_booking  c=%-3s %7s tps    latency avg %s ms  transactions %s  bookings made %s  failed %s' "$c" "$tps" "$lat" "$txns" "$made" "$failed")"
    if [ "$made" != "$txns" ]; then
        echo "bench: pgbench committed $txns transactions but $made bookings were made (quote pool exhausted or refusals); figure invalid" >&2
        exit 1
    fi
    PGB_TPS[$c]=$tps PGB_LAT[$c]=$lat PGB_FAILED[$c]=$failed
    if [ "$tps" -gt "$PGB_BEST" ]; then PGB_BEST=$tps PGB_BEST_C=$c; fi
done

# The server books the creates that waited for its lane in batches (038):
# the same batches through pgbench, at as many clients as the lane has slots
# on this machine, as a second reference (bookings/s = 8 x tps).
PGB_BATCH_C=$(nproc)
top_up_pool 30000
settle
before=$(bookings_made)
log="$tmp/pgbench-batch-c$PGB_BATCH_C.txt"
PGHOST="$tmp/pg/run" PGPORT=$pgport PGUSER=postgres PGDATABASE=corridor \
    PGOPTIONS="-c synchronous_commit=on -c role=corridor_app" \
    run_fg pgbench -n -M prepared -j "$PGB_BATCH_C" -c "$PGB_BATCH_C" -T "$DUR" -D org=DEMOFWD \
    -f tests/bench/pgbench_booking_batch.sql >"$log" 2>&1 || { cat "$log" >&2; echo "bench: pgbench (batches) failed" >&2; exit 1; }
raw "pgbench batches c=$PGB_BATCH_C" "$log"
PGB_BATCH_MADE=$(( $(bookings_made) - before ))
PGB_BATCH_RATE=$(awk -v m="$PGB_BATCH_MADE" -v d="$DUR" 'BEGIN{printf "%.0f", m / d}')
say "$(printf 'pgbench_booking_batch c=%-3s %7s bookings/s (8 per transaction)  bookings made %s' "$PGB_BATCH_C" "$PGB_BATCH_RATE" "$PGB_BATCH_MADE")"

# ---- 7. bookings over HTTP --------------------------------------------------------------
declare -A B_RPS B_P50 B_P99 B_NON2XX B_SERR B_STAT
for c in $BOOK_CONNS; do
    n=$(awk -v b="$PGB_BEST" -v d="$DUR" 'BEGIN{r=(b>1000?b:1000); printf "%d", r*d*1.5}')
    ids="$tmp/quote-ids-c$c.txt"
    copy_quotes_to_file "$n" "$ids"
    settle
    before=$(bookings_made)
    say "== bookings: POST /v1/bookings, $(wc -l <"$ids") fresh quotes"
    export BENCH_QUOTE_IDS=$ids BENCH_WRK_THREADS=1
    run_wrk "bookings" "$c" "$API/v1/bookings" tests/bench/booking.lua "$API_PID"
    made=$(( $(bookings_made) - before ))
    B_RPS[$c]=$W_RPS B_P50[$c]=$W_P50 B_P99[$c]=$W_P99 B_NON2XX[$c]=$W_NON2XX B_SERR[$c]=$W_SERR
    B_STAT[$c]=$(grep '^statuses:' "$tmp/wrk-bookings-c$c.txt" || echo 'statuses: ?')
    say "# bookings c=$c: ${B_STAT[$c]}; bookings made $made"
    if grep -q 'ran_out=[1-9]' <<<"${B_STAT[$c]}"; then
        say "# WARNING: the run used up its $n quotes; later requests were refusals (non-2xx)"
    fi
done

# ---- 8. invariants and summary ------------------------------------------------------------
say "== SELECT * FROM corridor.check_invariants()"
sql -F ' | ' -c "SELECT * FROM corridor.check_invariants()" >"$tmp/invariants.txt"
nviol=$(grep -c . "$tmp/invariants.txt" || true)
if [ "$nviol" = 0 ]; then
    say "(0 rows): no violations after $(bookings_made) bookings"
else
    tee -a "$RESULTS" <"$tmp/invariants.txt"
    say "($nviol rows): INVARIANTS VIOLATED"
fi

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b+0 > 0 && a != "") { r = 100*a/b; printf (r < 10 ? "%.1f %%" : "%.0f %%"), r } else printf "-" }'; }
verdict() { # value op limit -> met / MISSED
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN{ if (v == "" || v == "-") {print "-"; exit}
        ok = (op == ">=") ? (v+0 >= l+0) : (v+0 <= l+0); print ok ? "met" : "MISSED" }'
}
{
    echo
    echo "# summary (load average now: $(cut -d' ' -f1-3 /proc/loadavg); ${DUR} s per run, wrk -t1)"
    printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "figure" "req/s" "p50 ms" "p99 ms" "non-2xx/sock err" "ratio" "target"
    printf '|%s|%s|%s|%s|%s|%s|%s|\n' "----------------------------------------------" "-----------" "----------" "----------" "------------------" "------------------------------" "-----------------"
    if [ -n "$CEIL_RPS" ]; then
        printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "ceiling: MHD POST + jansson, c=$QUOTE_CONNS" "$CEIL_RPS" "$CEIL_P50" "$CEIL_P99" "$CEIL_BAD" "reference" "-"
    fi
    if [ -n "$CEILQ_RPS" ]; then
        printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "reference: MHD GET of the quote's bytes, c=$QUOTE_CONNS" "$CEILQ_RPS" "$CEILQ_P50" "$CEILQ_P99" "$CEILQ_BAD" "$(ratio "$CEILQ_RPS" "$CEIL_RPS") of ceiling" "-"
    fi
    qr=$(ratio "$Q_RPS" "$CEIL_RPS")
    printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "POST /v1/quotes, c=$QUOTE_CONNS" "$Q_RPS" "$Q_P50" "$Q_P99" "$Q_NON2XX/$Q_SERR" "$qr of ceiling$([ -n "$CEILQ_RPS" ] && echo ", $(ratio "$Q_RPS" "$CEILQ_RPS") of ref.")" \
        "$(verdict "${qr% %}" '>=' 50) / $(verdict "$Q_P99" '<=' 10)"
    printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "POST /v1/quotes, every request distinct" "$QD_RPS" "$QD_P50" "$QD_P99" "$QD_NON2XX/$QD_SERR" "$(ratio "$QD_RPS" "$CEIL_RPS") of ceiling" "-"
    for c in $PGB_CLIENTS; do
        printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "pgbench booking transaction, $c client(s)" "${PGB_TPS[$c]}" "${PGB_LAT[$c]} avg" "-" "${PGB_FAILED[$c]} failed" \
            "$([ "$c" = "$PGB_BEST_C" ] && echo "best: reference" || echo "-")" "-"
    done
    printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "pgbench booking batches of 8, $PGB_BATCH_C client(s)" "$PGB_BATCH_RATE" "-" "-" "-" "bookings/s, 2nd reference" "-"
    for c in $BOOK_CONNS; do
        br=$(ratio "${B_RPS[$c]}" "$PGB_BEST")
        tgt="-"
        [ "$c" = 32 ] && tgt="$(verdict "${br% %}" '>=' 75) / $(verdict "${B_P99[$c]}" '<=' 50)"
        printf '| %-44s | %9s | %8s | %8s | %16s | %-28s | %-15s |\n' "POST /v1/bookings, c=$c" "${B_RPS[$c]}" "${B_P50[$c]}" "${B_P99[$c]}" "${B_NON2XX[$c]}/${B_SERR[$c]}" "$br of pgbench best, $(ratio "${B_RPS[$c]}" "$PGB_BATCH_RATE") of batches" "$tgt"
    done
    echo
    echo "targets: quotes >= 50 % of the ceiling and p99 <= 10 ms; bookings at 32 connections >= 75 % of pgbench's best and p99 <= 50 ms"
    echo "         in-process: <= 50 µs per corridor quote, <= 10 ms per quote at 1M departures"
    # Little's law: with c requests always in flight, the mean latency is c /
    # throughput, so p99 can be no lower than that; at pgbench's best rate
    # this is what the booking p99 target has to beat.
    for c in $BOOK_CONNS; do
        if [ "$c" = 32 ] && [ "$PGB_BEST" -gt 0 ]; then
            awk -v c="$c" -v b="$PGB_BEST" -v x="${B_RPS[$c]}" 'BEGIN{ printf "bookings c=%d: mean latency at pgbench'"'"'s best rate (%d/s) would be %.0f ms (c / rate); at the measured %s/s it is %.0f ms; p99 <= 50 ms needs >= %d/s with no spread\n", c, b, 1000*c/b, x, (x > 0 ? 1000*c/x : 0), c/0.05 }'
        fi
    done
    if [ "${#INPROC[@]}" -gt 0 ]; then
        echo "in-process:"
        for l in "${INPROC[@]}"; do echo "  $l"; done
    fi
    echo "invariants: $nviol violations"
} | tee -a "$RESULTS"
echo "# every raw line: $RESULTS"
[ "$nviol" = 0 ] || exit 1
