/* store_snapshot: the snapshot loader (see include/store_snapshot.h).
 * Every table is read in the builder's order (currencies, nodes, links,
 * departures, windows, tariffs, surcharges, discounts, FX) inside one
 * REPEATABLE READ READ ONLY transaction, so the rows and the data version
 * belong to one consistent state.  Values stay PostgreSQL text (numerics,
 * dates), except times, which come as unix seconds.  A row the builder
 * refuses fails the whole load: a partial tariff book could price wrongly
 * (a missing banded row lets a less specific one win). */
#include "store_snapshot.h"

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "snapshot.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Yesterday (UTC) as a date and as the instant it starts, whatever the
 * session's time zone. */
#define YESTERDAY "((now() AT TIME ZONE 'UTC')::date - 1)"
#define YESTERDAY_TS "(" YESTERDAY "::timestamp AT TIME ZONE 'UTC')"
#define EPOCH(col) "floor(extract(epoch FROM " col "))::bigint"
#define DAY(col) "to_char(" col ", 'YYYY-MM-DD')"

enum table { T_CURRENCY, T_NODE, T_LINK, T_DEPARTURE, T_WINDOW, T_TARIFF, T_SURCHARGE, T_DISCOUNT,
             T_FX, T_COUNT };

static const struct {
    const char *name; /* prepared statement name, and the table in messages */
    const char *sql;
} steps[T_COUNT] = {
    [T_CURRENCY] = {"snapshot_currency",
                    "SELECT code, minor_units FROM corridor.currency ORDER BY code"},
    [T_NODE] = {"snapshot_node",
                "SELECT code, name, country, kind, timezone, lat::text, lon::text, "
                "transfer_minutes FROM corridor.node ORDER BY code"},
    [T_LINK] = {"snapshot_link",
                "SELECT id, from_code, to_code, mode, coalesce(gauge_mm, 0), distance_km::text, "
                "transit_hours::text, carrier FROM corridor.link ORDER BY id"},
    [T_DEPARTURE] = {"snapshot_departure",
                     "SELECT id, link_id, service, " EPOCH("departs_at") ", " EPOCH("arrives_at")
                     ", " EPOCH("cutoff_at") ", capacity_teu, capacity_kg, status "
                     "FROM corridor.departure WHERE departs_at >= " YESTERDAY_TS " ORDER BY id"},
    [T_WINDOW] = {"snapshot_window",
                  "SELECT id, node_code, " EPOCH("starts_at") ", " EPOCH("ends_at")
                  ", capacity_teu FROM corridor.port_window WHERE ends_at > " YESTERDAY_TS
                  " ORDER BY id"},
    [T_TARIFF] = {"snapshot_tariff",
                  "SELECT id, charge_code, coalesce(link_id, 0), node_code, container_type, "
                  "coalesce(min_gross_kg, -1), coalesce(max_gross_kg, -1), basis, rate::text, "
                  "currency, min_charge::text, " DAY("valid_from") ", " DAY("valid_to") " "
                  "FROM corridor.tariff WHERE valid_to IS NULL OR valid_to >= " YESTERDAY
                  " ORDER BY id"},
    [T_SURCHARGE] = {"snapshot_surcharge",
                     "SELECT id, code, applies_to, mode, percent::text, " DAY("valid_from") ", "
                     DAY("valid_to") " FROM corridor.surcharge "
                     "WHERE valid_to IS NULL OR valid_to >= " YESTERDAY " ORDER BY id"},
    [T_DISCOUNT] = {"snapshot_discount",
                    "SELECT id, code, org_code, applies_to, percent::text, " DAY("valid_from")
                    ", " DAY("valid_to") " FROM corridor.discount "
                    "WHERE valid_to IS NULL OR valid_to >= " YESTERDAY " ORDER BY id"},
    [T_FX] = {"snapshot_fx", "SELECT currency, " DAY("on_date") ", per_usd::text "
                             "FROM corridor.fx_rate ORDER BY currency, on_date"},
};

static const char SQL_VERSION[] = "SELECT version FROM corridor.data_version";

/* One load attempt's state (re-initialised when db_transaction retries). */
struct load {
    struct snapshot *built;  /* the finished snapshot; NULL when unchanged */
    int64_t version;
    bool unchanged;
    int counts[T_COUNT];
    char err[400];
};

static atomic_llong loaded_version = -1;

static double gauge_version(void *arg)
{
    (void)arg;
    return (double)atomic_load(&loaded_version);
}

/* The text of a column, NULL for SQL NULL. */
static const char *text(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static int64_t num(PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

/* Adds row i of table t's result to the builder.  Returns 0 or -1. */
static int add_row(struct snapshot_builder *b, enum table t, PGresult *r, int i)
{
    switch (t) {
    case T_CURRENCY:
        return snapshot_builder_add_currency(b, text(r, i, 0), (int)num(r, i, 1));
    case T_NODE: {
        struct snapshot_node_row n = {text(r, i, 0), text(r, i, 1), text(r, i, 2), text(r, i, 3),
                                      text(r, i, 4), text(r, i, 5), text(r, i, 6),
                                      (int32_t)num(r, i, 7)};
        return snapshot_builder_add_node(b, &n);
    }
    case T_LINK: {
        struct snapshot_link_row l = {num(r, i, 0),  text(r, i, 1),          text(r, i, 2),
                                      text(r, i, 3), (int32_t)num(r, i, 4), text(r, i, 5),
                                      text(r, i, 6), text(r, i, 7)};
        return snapshot_builder_add_link(b, &l);
    }
    case T_DEPARTURE: {
        struct snapshot_departure_row d = {num(r, i, 0), num(r, i, 1), text(r, i, 2),
                                           num(r, i, 3), num(r, i, 4), num(r, i, 5),
                                           (int32_t)num(r, i, 6), num(r, i, 7), text(r, i, 8)};
        return snapshot_builder_add_departure(b, &d);
    }
    case T_WINDOW: {
        struct snapshot_window_row w = {num(r, i, 0), text(r, i, 1), num(r, i, 2), num(r, i, 3),
                                        (int32_t)num(r, i, 4)};
        return snapshot_builder_add_window(b, &w);
    }
    case T_TARIFF: {
        struct snapshot_tariff_row x = {num(r, i, 0),
                                        text(r, i, 1),
                                        num(r, i, 2),
                                        text(r, i, 3),
                                        text(r, i, 4),
                                        (int32_t)num(r, i, 5),
                                        (int32_t)num(r, i, 6),
                                        text(r, i, 7),
                                        text(r, i, 8),
                                        text(r, i, 9),
                                        text(r, i, 10),
                                        text(r, i, 11),
                                        text(r, i, 12)};
        return snapshot_builder_add_tariff(b, &x);
    }
    case T_SURCHARGE: {
        struct snapshot_surcharge_row s = {num(r, i, 0),  text(r, i, 1), text(r, i, 2),
                                           text(r, i, 3), text(r, i, 4), text(r, i, 5),
                                           text(r, i, 6)};
        return snapshot_builder_add_surcharge(b, &s);
    }
    case T_DISCOUNT: {
        struct snapshot_discount_row d = {num(r, i, 0),  text(r, i, 1), text(r, i, 2),
                                          text(r, i, 3), text(r, i, 4), text(r, i, 5),
                                          text(r, i, 6)};
        return snapshot_builder_add_discount(b, &d);
    }
    case T_FX: {
        struct snapshot_fx_row f = {text(r, i, 0), text(r, i, 1), text(r, i, 2)};
        return snapshot_builder_add_fx(b, &f);
    }
    case T_COUNT:
        break;
    }
    return -1;
}

/* A failed statement: retry when PostgreSQL says so, else an error. */
static int statement_failed(struct load *l, PGresult *r, const char *what)
{
    snprintf(l->err, sizeof l->err, "%s: %s", what, PQresultErrorMessage(r));
    l->err[strcspn(l->err, "\n")] = '\0';
    return db_retryable(r) ? DB_TX_RETRY : DB_TX_ERROR;
}

/* The transaction body: reads every table into a builder. */
static int load_body(struct db_conn *c, void *arg)
{
    struct load *l = arg;
    if (l->built) /* a retry after a failed COMMIT */
        snapshot_release(l->built);
    memset(l, 0, sizeof *l);
    if (db_command(c, "SET TRANSACTION READ ONLY") != 0) {
        snprintf(l->err, sizeof l->err, "SET TRANSACTION READ ONLY failed");
        return DB_TX_ERROR;
    }
    PGresult *r = db_exec(c, "snapshot_version", SQL_VERSION, 0, NULL);
    if (!db_ok(r) || PQntuples(r) != 1) {
        int rc = db_ok(r) ? DB_TX_ERROR : statement_failed(l, r, "data_version");
        if (db_ok(r))
            snprintf(l->err, sizeof l->err, "corridor.data_version has %d rows", PQntuples(r));
        PQclear(r);
        return rc;
    }
    l->version = num(r, 0, 0);
    PQclear(r);
    struct snapshot *cur = snapshot_acquire();
    l->unchanged = cur && snapshot_version(cur) == l->version;
    snapshot_release(cur);
    if (l->unchanged)
        return DB_TX_OK;

    struct snapshot_builder *b = snapshot_builder_new(l->version);
    for (int t = 0; t < T_COUNT; t++) {
        r = db_exec(c, steps[t].name, steps[t].sql, 0, NULL);
        if (!db_ok(r)) {
            int rc = statement_failed(l, r, steps[t].name);
            PQclear(r);
            snapshot_builder_free(b);
            return rc;
        }
        int n = PQntuples(r);
        for (int i = 0; i < n; i++) {
            if (add_row(b, (enum table)t, r, i) != 0) {
                snprintf(l->err, sizeof l->err, "%s row %d: %s", steps[t].name, i + 1,
                         snapshot_builder_error(b));
                PQclear(r);
                snapshot_builder_free(b);
                return DB_TX_ERROR;
            }
        }
        l->counts[t] = n;
        PQclear(r);
    }
    char err[256] = "";
    l->built = snapshot_builder_finish(b, err, sizeof err);
    if (!l->built) {
        snprintf(l->err, sizeof l->err, "snapshot rejected: %s", err);
        return DB_TX_ERROR;
    }
    return DB_TX_OK;
}

static double elapsed_ms(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

int store_snapshot_load(struct db_conn *c)
{
    static atomic_bool gauge_registered;
    if (!atomic_exchange(&gauge_registered, true))
        metrics_gauge("corridor_snapshot_version",
                      "Data version of the pricing snapshot in use (-1: none loaded).",
                      gauge_version, NULL);
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct load l = {0};
    int rc = db_transaction(c, "REPEATABLE READ", 3, load_body, &l);
    if (rc != DB_TX_OK) {
        if (l.built)
            snapshot_release(l.built);
        log_event(LOGL_ERROR, "snapshot.load_failed", "loading the pricing snapshot failed: %s",
                  l.err[0] ? l.err : "the transaction did not commit");
        return -1;
    }
    if (l.unchanged) {
        log_event(LOGL_DEBUG, "snapshot.unchanged", "data version %lld is already loaded",
                  (long long)l.version);
        return 0;
    }
    snapshot_publish(l.built);
    atomic_store(&loaded_version, (long long)l.version);
    log_event(LOGL_INFO, "snapshot.loaded",
              "data version %lld: %d currencies, %d nodes, %d links, %d departures, "
              "%d port windows, %d tariffs, %d surcharges, %d discounts, %d FX rates in %.1f ms",
              (long long)l.version, l.counts[T_CURRENCY], l.counts[T_NODE], l.counts[T_LINK],
              l.counts[T_DEPARTURE], l.counts[T_WINDOW], l.counts[T_TARIFF],
              l.counts[T_SURCHARGE], l.counts[T_DISCOUNT], l.counts[T_FX], elapsed_ms(&t0));
    return 0;
}
