/* store_quote: the SQL of the quote aggregate (see include/store_quote.h).
 * Statements are prepared once per connection by db_exec; parameters are
 * text, cast in SQL. */
#include "store_quote.h"

#include "db.h"
#include "log.h"
#include "quote_writer.h"
#include "timetable.h"
#include "xmem.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* RFC 3339 in UTC, whole seconds. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* $1..$2: departure range, $3..$4: window range (unix seconds), $5: the
 * snapshot's data version.  Rows: (0, departure id, free TEU, free kg),
 * (1, window id, free TEU, 0), and last (2, data_version, 0, 0).  One
 * statement, so one MVCC snapshot for the version and the rows.
 *
 * Each kind has two branches gated by an uncorrelated comparison of the
 * version with $5, which the planner turns into a one-time filter: only one
 * of them runs.  While the version is current, only booked rows are read,
 * through the partial indexes of sql/migrations/010_quote_availability.sql
 * (~0.07 ms instead of ~0.75 ms); otherwise every scheduled departure and
 * every window of the ranges.  The version is read by scalar subqueries,
 * not joined: a join with the unanalysed one-row table made the planner
 * expect millions of rows and switch JIT compilation on (hundreds of ms). */
#define DATA_VERSION "(SELECT version FROM corridor.data_version)"
#define DEPARTURES                                                                              \
    "SELECT 0 AS kind, d.id, d.capacity_teu - d.booked_teu, d.capacity_kg - d.booked_kg "      \
    "FROM corridor.departure d "                                                                \
    "WHERE d.departs_at >= to_timestamp($1::bigint) AND d.departs_at <= to_timestamp($2::bigint) "
#define WINDOWS                                                                                 \
    "SELECT 1, w.id, w.capacity_teu - w.booked_teu, 0 FROM corridor.port_window w "            \
    "WHERE w.ends_at > to_timestamp($3::bigint) AND w.starts_at < to_timestamp($4::bigint) "
static const char SQL_AVAILABILITY[] =
    DEPARTURES "AND " DATA_VERSION " = $5::bigint AND d.is_booked "
    "UNION ALL " DEPARTURES "AND " DATA_VERSION " <> $5::bigint AND d.status = 'scheduled' "
    "UNION ALL " WINDOWS "AND " DATA_VERSION " = $5::bigint AND w.is_booked "
    "UNION ALL " WINDOWS "AND " DATA_VERSION " <> $5::bigint "
    "UNION ALL SELECT 2, version, 0, 0 FROM corridor.data_version "
    "ORDER BY 1, 2";

/* Every booked departure from $1 on and every booked window ending after
 * $1 (unix seconds), through the partial indexes of
 * sql/migrations/010_quote_availability.sql, and the data version, in one
 * statement (one MVCC snapshot). */
static const char SQL_BOOKED[] =
    "SELECT 0 AS kind, d.id, d.capacity_teu - d.booked_teu, d.capacity_kg - d.booked_kg "
    "FROM corridor.departure d WHERE d.is_booked AND d.departs_at >= to_timestamp($1::bigint) "
    "UNION ALL SELECT 1, w.id, w.capacity_teu - w.booked_teu, 0 FROM corridor.port_window w "
    "WHERE w.is_booked AND w.ends_at > to_timestamp($1::bigint) "
    "UNION ALL SELECT 2, version, 0, 0 FROM corridor.data_version "
    "ORDER BY 1, 2";

static const char SQL_GET[] =
    "SELECT json_build_object('id', q.id, 'organization', q.org_code, "
    "'created_at', " UTC("q.created_at") ", 'expires_at', " UTC("q.expires_at") ", "
    "'currency', q.currency, 'data_version', q.data_version, "
    "'request', coalesce(q.request, o.request), 'fx', coalesce(q.fx, o.fx), "
    "'options', coalesce(q.options::json, o.options))::text "
    "FROM corridor.quote q LEFT JOIN corridor.quote_offer_stored o ON o.id = q.offer_id "
    "WHERE q.id = $1::uuid AND ($2::text IS NULL OR q.org_code = $2::text)";

static const char SQL_EXISTS[] = "SELECT 1 FROM corridor.quote WHERE id = $1::uuid";

/* The status of a failed statement: UNAVAILABLE when the connection is gone. */
static int failure(struct db_conn *c, PGresult *r, const char *what)
{
    if (!db_pg(c) || PQstatus(db_pg(c)) != CONNECTION_OK)
        return STORE_QUOTE_UNAVAILABLE;
    char msg[256];
    snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : "no result");
    msg[strcspn(msg, "\n")] = '\0';
    log_event(LOGL_ERROR, "store_quote.failed", "%s: %s [%s]", what, msg, db_sqlstate(r));
    return STORE_QUOTE_ERROR;
}

void store_quote_availability_free(struct quote_availability *a)
{
    free((void *)a->departures);
    free((void *)a->windows);
    memset(a, 0, sizeof *a);
}

/* Both quote_free_departure and quote_free_window start with their int64_t
 * id: one comparison sorts and searches either (bsearch's key is an id). */
_Static_assert(offsetof(struct quote_free_departure, id) == 0, "id first");
_Static_assert(offsetof(struct quote_free_window, id) == 0, "id first");

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static struct quote_free_departure *find_departure(struct quote_free_departure *v, size_t n,
                                                   int64_t id)
{
    return bsearch(&id, v, n, sizeof *v, cmp_id);
}

static struct quote_free_window *find_window(struct quote_free_window *v, size_t n, int64_t id)
{
    return bsearch(&id, v, n, sizeof *v, cmp_id);
}

/* Every scheduled departure and every window of the snapshot in the ranges,
 * with its whole capacity, sorted by id. */
static void fill_from_snapshot(const struct snapshot *s, int64_t dep_from, int64_t dep_to,
                               int64_t win_from, int64_t win_to,
                               struct quote_free_departure **deps, size_t *n_deps,
                               struct quote_free_window **wins, size_t *n_wins)
{
    const struct timetable *tt = snapshot_timetable(s);
    size_t nd = timetable_departure_count(tt), nw = timetable_window_count(tt);
    struct quote_free_departure *d = xreallocarray(NULL, nd + 1, sizeof *d);
    struct quote_free_window *w = xreallocarray(NULL, nw + 1, sizeof *w);
    size_t k = 0;
    for (uint32_t i = 0; i < nd; i++) { /* id order */
        const struct timetable_departure *x = timetable_departure_at(tt, i);
        if (x->status == TIMETABLE_SCHEDULED && x->departs_at >= dep_from &&
            x->departs_at <= dep_to)
            d[k++] = (struct quote_free_departure){x->id, x->capacity_teu, x->capacity_kg};
    }
    *n_deps = k;
    k = 0;
    bool sorted = true;
    for (uint32_t i = 0; i < nw; i++) { /* (node, starts_at) order */
        const struct timetable_window *x = timetable_window_at(tt, i);
        if (x->starts_at < win_to && x->ends_at > win_from) {
            if (k > 0 && w[k - 1].id > x->id)
                sorted = false;
            w[k++] = (struct quote_free_window){x->id, x->capacity_teu};
        }
    }
    if (!sorted)
        qsort(w, k, sizeof *w, cmp_id);
    *n_wins = k;
    *deps = d;
    *wins = w;
}

int store_quote_availability(struct db_conn *c, const struct snapshot *s, int64_t dep_from,
                             int64_t dep_to, int64_t win_from, int64_t win_to,
                             struct quote_availability *out)
{
    memset(out, 0, sizeof *out);
    if (!db_pg(c))
        return STORE_QUOTE_UNAVAILABLE;
    char p[5][24];
    snprintf(p[0], sizeof p[0], "%lld", (long long)dep_from);
    snprintf(p[1], sizeof p[1], "%lld", (long long)dep_to);
    snprintf(p[2], sizeof p[2], "%lld", (long long)win_from);
    snprintf(p[3], sizeof p[3], "%lld", (long long)win_to);
    snprintf(p[4], sizeof p[4], "%lld", (long long)snapshot_version(s));
    const char *params[] = {p[0], p[1], p[2], p[3], p[4]};
    PGresult *r = db_exec(c, "quote_availability", SQL_AVAILABILITY, 5, params);
    int rows = db_ok(r) ? PQntuples(r) : 0;
    if (!db_ok(r) || rows < 1 || strcmp(PQgetvalue(r, rows - 1, 0), "2") != 0) {
        int st = failure(c, r, "quote_availability");
        PQclear(r);
        return st;
    }
    int64_t version = strtoll(PQgetvalue(r, rows - 1, 1), NULL, 10);
    struct quote_free_departure *deps;
    struct quote_free_window *wins;
    size_t nd = 0, nw = 0;
    bool sparse = version == snapshot_version(s);
    if (sparse) {
        fill_from_snapshot(s, dep_from, dep_to, win_from, win_to, &deps, &nd, &wins, &nw);
    } else {
        deps = xreallocarray(NULL, (size_t)rows, sizeof *deps);
        wins = xreallocarray(NULL, (size_t)rows, sizeof *wins);
    }
    for (int i = 0; i < rows - 1; i++) {
        int64_t id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        int32_t teu = (int32_t)strtol(PQgetvalue(r, i, 2), NULL, 10);
        int64_t kg = strtoll(PQgetvalue(r, i, 3), NULL, 10);
        if (PQgetvalue(r, i, 0)[0] == '0') {
            if (!sparse) {
                deps[nd++] = (struct quote_free_departure){id, teu, kg};
            } else {
                struct quote_free_departure *f = find_departure(deps, nd, id);
                if (f) {
                    f->free_teu = teu;
                    f->free_kg = kg;
                }
            }
        } else {
            if (!sparse) {
                wins[nw++] = (struct quote_free_window){id, teu};
            } else {
                struct quote_free_window *f = find_window(wins, nw, id);
                if (f)
                    f->free_teu = teu;
            }
        }
    }
    PQclear(r);
    *out = (struct quote_availability){deps, nd, wins, nw};
    return STORE_QUOTE_OK;
}

int store_quote_booked(struct db_conn *c, int64_t since, struct quote_booked *out)
{
    memset(out, 0, sizeof *out);
    if (!db_pg(c))
        return STORE_QUOTE_UNAVAILABLE;
    char p[24];
    snprintf(p, sizeof p, "%lld", (long long)since);
    const char *params[] = {p};
    PGresult *r = db_exec(c, "quote_booked", SQL_BOOKED, 1, params);
    int rows = db_ok(r) ? PQntuples(r) : 0;
    if (!db_ok(r) || rows < 1 || strcmp(PQgetvalue(r, rows - 1, 0), "2") != 0) {
        int st = failure(c, r, "quote_booked");
        PQclear(r);
        return st;
    }
    struct quote_free_departure *deps = xreallocarray(NULL, (size_t)rows, sizeof *deps);
    struct quote_free_window *wins = xreallocarray(NULL, (size_t)rows, sizeof *wins);
    size_t nd = 0, nw = 0;
    for (int i = 0; i < rows - 1; i++) {
        int64_t id = strtoll(PQgetvalue(r, i, 1), NULL, 10);
        int32_t teu = (int32_t)strtol(PQgetvalue(r, i, 2), NULL, 10);
        int64_t kg = strtoll(PQgetvalue(r, i, 3), NULL, 10);
        if (PQgetvalue(r, i, 0)[0] == '0')
            deps[nd++] = (struct quote_free_departure){id, teu, kg};
        else
            wins[nw++] = (struct quote_free_window){id, teu};
    }
    *out = (struct quote_booked){deps, nd, wins, nw, strtoll(PQgetvalue(r, rows - 1, 1), NULL, 10),
                                 since};
    PQclear(r);
    return STORE_QUOTE_OK;
}

void store_quote_booked_free(struct quote_booked *b)
{
    free(b->departures);
    free(b->windows);
    memset(b, 0, sizeof *b);
}

void store_quote_availability_build(const struct snapshot *s, const struct quote_booked *b,
                                    int64_t dep_from, int64_t dep_to, int64_t win_from,
                                    int64_t win_to, struct quote_availability *out)
{
    struct quote_free_departure *deps;
    struct quote_free_window *wins;
    size_t nd = 0, nw = 0;
    fill_from_snapshot(s, dep_from, dep_to, win_from, win_to, &deps, &nd, &wins, &nw);
    for (size_t i = 0; i < b->n_departures; i++) {
        struct quote_free_departure *f = find_departure(deps, nd, b->departures[i].id);
        if (f)
            *f = b->departures[i];
    }
    for (size_t i = 0; i < b->n_windows; i++) {
        struct quote_free_window *f = find_window(wins, nw, b->windows[i].id);
        if (f)
            *f = b->windows[i];
    }
    *out = (struct quote_availability){deps, nd, wins, nw};
}

int store_quote_await(struct db_conn *c, const char *id)
{
    if (!db_pg(c))
        return STORE_QUOTE_UNAVAILABLE;
    const char *params[] = {id};
    for (int i = 0;; i++) {
        PGresult *r = db_exec(c, "quote_exists", SQL_EXISTS, 1, params);
        if (!db_ok(r)) {
            int st = failure(c, r, "quote_exists");
            PQclear(r);
            return st;
        }
        bool found = PQntuples(r) > 0;
        PQclear(r);
        if (found)
            return STORE_QUOTE_OK;
        if (i >= QUOTE_RECENT_TRIES || !quote_writer_recent(id, QUOTE_RECENT_MS))
            return STORE_QUOTE_NOT_FOUND;
        struct timespec pause = {0, QUOTE_RECENT_PAUSE_MS * 1000000L};
        nanosleep(&pause, NULL);
    }
}

int store_quote_get(struct db_conn *c, const char *id, const char *org_code, char **json)
{
    *json = NULL;
    if (!db_pg(c))
        return STORE_QUOTE_UNAVAILABLE;
    const char *params[] = {id, org_code};
    PGresult *r = db_exec(c, "quote_get", SQL_GET, 2, params);
    int st = STORE_QUOTE_OK;
    if (!db_ok(r))
        st = failure(c, r, "quote_get");
    else if (PQntuples(r) == 0)
        st = STORE_QUOTE_NOT_FOUND;
    else
        *json = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}
