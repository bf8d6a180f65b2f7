/* store_booking: the SQL of the booking aggregate (see include/store_booking.h).
 * Every statement is prepared once per connection by db_exec; parameters are
 * text, cast in SQL.  JSON comes back as text.  A booking (~11 KB) is passed
 * on as that text with the whitespace between tokens taken out (jsontext),
 * never parsed: parsing it with jansson and dumping it again was most of the
 * server's CPU per booking.  Its version and reference are read from the
 * text, not with (booking->>'version') in SQL: that made PostgreSQL parse
 * the whole answer once more inside the transaction, while it holds the
 * departures' locks.  Problems, lists, history and statistics are parsed
 * with jansson (decimals are strings in them, so no amount passes through a
 * double). */
#include "store_booking.h"

#include "auth.h"
#include "db.h"
#include "jsontext.h"
#include "log.h"
#include "xmem.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BEFORE_NONE "9223372036854775807"

static const char SQL_CREATE[] =
    "SELECT outcome, detail, problems::text, booking::text "
    "FROM corridor.booking_create($1::text, $2::text, $3::uuid, $4::int, $5::int, $6::text)";

/* $1: the creates as a JSON array of {org, role, quote, option, hold, cref,
 * key, hash}, unpacked into booking_create_many's arrays in their order. */
static const char SQL_CREATE_MANY[] =
    "SELECT m.i, m.outcome, m.booking::text "
    "FROM (SELECT array_agg(e.x->>'org' ORDER BY e.n) AS org, "
    "array_agg(e.x->>'role' ORDER BY e.n) AS role, "
    "array_agg((e.x->>'quote')::uuid ORDER BY e.n) AS quote, "
    "array_agg((e.x->>'option')::int ORDER BY e.n) AS opt, "
    "array_agg((e.x->>'hold')::int ORDER BY e.n) AS hold, "
    "array_agg(e.x->>'cref' ORDER BY e.n) AS cref, "
    "array_agg(e.x->>'key' ORDER BY e.n) AS keys, "
    "array_agg(e.x->>'hash' ORDER BY e.n) AS hashes "
    "FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(x, n)) a "
    "CROSS JOIN LATERAL corridor.booking_create_many(a.org, a.role, a.quote, a.opt, a.hold, "
    "a.cref, a.keys, a.hashes) m ORDER BY m.i";

static const char SQL_TRANSITION[] =
    "SELECT outcome, detail, problems::text, booking::text "
    "FROM corridor.booking_transition($1::text, $2::text, $3::text, $4::text, $5::int)";

static const char SQL_AMEND[] =
    "SELECT outcome, detail, problems::text, booking::text "
    "FROM corridor.booking_amend($1::text, $2::text, $3::text, $4::int, $5::boolean, $6::text, "
    "$7::jsonb)";

static const char SQL_GET[] =
    "SELECT corridor.booking_json(b.id)::text, b.version FROM corridor.booking b "
    "WHERE b.reference = $1::text AND corridor.booking_visible(b.id, b.org_code, $2::text, "
    "$3::text)";

/* Lists: one statement per role, so each gets a plan that uses its index. */
#define LIST_SELECT "SELECT b.id, corridor.booking_json(b.id)::text FROM corridor.booking b WHERE "
#define LIST_TAIL                                                                                  \
    " AND ($2::text IS NULL OR b.status = $2::text) AND b.id < $3::bigint "                        \
    "ORDER BY b.id DESC LIMIT $4::int + 1"
static const char SQL_LIST_FORWARDER[] = LIST_SELECT "b.org_code = $1::text" LIST_TAIL;
static const char SQL_LIST_CARRIER[] =
    LIST_SELECT "EXISTS (SELECT 1 FROM corridor.booking_leg bl "
                "JOIN corridor.departure d ON d.id = bl.departure_id "
                "JOIN corridor.link l ON l.id = d.link_id "
                "WHERE bl.booking_id = b.id AND l.carrier = $1::text)" LIST_TAIL;
static const char SQL_LIST_OPERATOR[] = LIST_SELECT "$1::text IS NOT NULL" LIST_TAIL;

static const char SQL_HISTORY[] =
    "SELECT json_agg(json_build_object('id', e.id, 'at', corridor.booking_time(e.at), "
    "'type', e.type, 'booking_reference', b.reference, 'data', e.data) ORDER BY e.id)::text "
    "FROM corridor.booking b JOIN corridor.booking_event e ON e.booking_id = b.id "
    "WHERE b.reference = $1::text "
    "AND corridor.booking_visible(b.id, b.org_code, $2::text, $3::text)";

static const char SQL_EXPIRE_DUE[] = "SELECT corridor.booking_expire_due($1::int)";

static const char SQL_STATS[] = "SELECT corridor.booking_stats($1::date, $2::date)::text";

void store_booking_result_clear(struct store_booking_result *r)
{
    free(r->detail);
    json_decref(r->problems);
    free(r->booking);
    memset(r, 0, sizeof *r);
}

/* The status of a failed read: UNAVAILABLE when the connection is gone. */
static int failure(struct db_conn *c)
{
    return PQstatus(db_pg(c)) == CONNECTION_OK ? STORE_BOOKING_ERROR : STORE_BOOKING_UNAVAILABLE;
}

static json_t *parse(const char *text, const char *what)
{
    json_error_t e;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &e);
    if (!j)
        log_event(LOGL_ERROR, "store_booking.bad_json", "%s: %s", what, e.text);
    return j;
}

/* Column col of row `row` (a booking's JSON text) copied without whitespace
 * between tokens: malloc'd, NUL-terminated, *len bytes. */
static char *booking_text(const PGresult *r, int row, int col, size_t *len)
{
    size_t n = (size_t)PQgetlength(r, row, col);
    char *text = xmalloc(n + 1);
    *len = jsontext_minify_copy(text, PQgetvalue(r, row, col), n);
    return text;
}

/* out's booking from column col of row: its text, version and reference.
 * Returns DB_TX_OK, or DB_TX_ERROR (logged) when the text lacks them. */
static int take_booking(struct store_booking_result *out, const PGresult *r, int row, int col,
                        const char *name)
{
    out->booking = booking_text(r, row, col, &out->booking_len);
    long long version;
    if (!jsontext_member_int(out->booking, out->booking_len, "version", &version) || version < 0 ||
        version > INT_MAX ||
        !jsontext_member_plain_string(out->booking, out->booking_len, "reference", out->reference,
                                      sizeof out->reference)) {
        log_event(LOGL_ERROR, "store_booking.bad_json",
                  "%s: the booking has no integer version or no plain reference", name);
        return DB_TX_ERROR;
    }
    out->version = (int)version;
    return DB_TX_OK;
}

static const char *role_name(const struct auth_principal *who)
{
    return auth_role_name(who->role);
}

/* Runs one change statement and fills out from its row (see the header). */
static int run_change(struct db_conn *c, const char *name, const char *sql, int n,
                      const char *const *params, struct store_booking_result *out)
{
    store_booking_result_clear(out);
    PGresult *r = db_exec(c, name, sql, n, params);
    int rc = DB_TX_OK;
    if (!db_ok(r)) {
        if (db_retryable(r)) {
            rc = DB_TX_RETRY;
        } else if (strcmp(db_sqlstate(r), "23505") == 0 &&
                   strstr(PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME)
                              ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME)
                              : "",
                          "quote_id") != NULL) {
            /* the last guard: a quote is booked at most once, ever */
            snprintf(out->outcome, sizeof out->outcome, "quote_already_booked");
            out->detail = xstrdup("the quote is already booked; a quote can be booked once");
            rc = DB_TX_ABORT;
        } else {
            char msg[256];
            snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
            msg[strcspn(msg, "\n")] = '\0';
            log_event(LOGL_ERROR, "store_booking.failed", "%s: %s [%s]", name, msg, db_sqlstate(r));
            rc = DB_TX_ERROR;
        }
        goto out;
    }
    if (PQntuples(r) != 1) {
        log_event(LOGL_ERROR, "store_booking.no_row", "%s returned %d rows", name, PQntuples(r));
        rc = DB_TX_ERROR;
        goto out;
    }
    snprintf(out->outcome, sizeof out->outcome, "%s", PQgetvalue(r, 0, 0));
    if (!PQgetisnull(r, 0, 1))
        out->detail = xstrdup(PQgetvalue(r, 0, 1));
    if (!PQgetisnull(r, 0, 2))
        out->problems = parse(PQgetvalue(r, 0, 2), name);
    if (!PQgetisnull(r, 0, 3))
        rc = take_booking(out, r, 0, 3, name);
out:
    PQclear(r);
    return rc;
}

int store_booking_create(struct db_conn *c, const struct auth_principal *who, const char *quote_id,
                         int option, int hold_seconds, const char *customer_reference,
                         struct store_booking_result *out)
{
    char opt[16], hold[16];
    snprintf(opt, sizeof opt, "%d", option);
    snprintf(hold, sizeof hold, "%d", hold_seconds);
    const char *params[] = {
        who->org_code,     role_name(who), quote_id, opt, hold_seconds > 0 ? hold : NULL,
        customer_reference};
    return run_change(c, "booking_create", SQL_CREATE, 6, params, out);
}

int store_booking_create_many(struct db_conn *c, const struct store_booking_create_req *reqs,
                              size_t n, struct store_booking_result *out)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        store_booking_result_clear(&out[i]);
        snprintf(out[i].outcome, sizeof out[i].outcome, "single");
        json_array_append_new(
            arr,
            json_pack(
                "{s:s, s:s, s:s, s:i, s:o, s:o, s:o, s:o}", "org", reqs[i].who->org_code, "role",
                role_name(reqs[i].who), "quote", reqs[i].quote_id, "option", reqs[i].option, "hold",
                reqs[i].hold_seconds > 0 ? json_integer(reqs[i].hold_seconds) : json_null(), "cref",
                reqs[i].customer_reference ? json_string(reqs[i].customer_reference) : json_null(),
                "key", reqs[i].idem_key ? json_string(reqs[i].idem_key) : json_null(), "hash",
                reqs[i].idem_key ? json_string(reqs[i].idem_hash) : json_null()));
    }
    char *text = json_dumps(arr, JSON_COMPACT);
    json_decref(arr);
    if (!text)
        return DB_TX_ERROR;
    const char *params[] = {text};
    PGresult *r = db_exec(c, "booking_create_many", SQL_CREATE_MANY, 1, params);
    free(text);
    int rc = DB_TX_OK;
    if (!db_ok(r)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        rc = db_retryable(r) ? DB_TX_RETRY : DB_TX_ERROR;
        log_event(rc == DB_TX_RETRY ? LOGL_INFO : LOGL_ERROR, "store_booking.failed",
                  "booking_create_many: %s [%s]", msg, db_sqlstate(r));
        goto out;
    }
    for (int row = 0; row < PQntuples(r); row++) {
        long i = strtol(PQgetvalue(r, row, 0), NULL, 10);
        if (i < 1 || (size_t)i > n || strcmp(PQgetvalue(r, row, 1), "ok") != 0 ||
            PQgetisnull(r, row, 2))
            continue;
        struct store_booking_result *o = &out[i - 1];
        if (take_booking(o, r, row, 2, "booking_create_many") != DB_TX_OK) {
            /* committed, but not answerable as it came (GET will show it) */
            snprintf(o->outcome, sizeof o->outcome, "error");
            continue;
        }
        snprintf(o->outcome, sizeof o->outcome, "ok");
    }
out:
    PQclear(r);
    return rc;
}

int store_booking_transition(struct db_conn *c, const struct auth_principal *who,
                             const char *reference, const char *action, int if_match,
                             struct store_booking_result *out)
{
    char version[16];
    snprintf(version, sizeof version, "%d", if_match);
    const char *params[] = {who->org_code, role_name(who), reference, action,
                            if_match >= 0 ? version : NULL};
    return run_change(c, "booking_transition", SQL_TRANSITION, 5, params, out);
}

int store_booking_amend(struct db_conn *c, const struct auth_principal *who, const char *reference,
                        int if_match, bool set_reference, const char *customer_reference,
                        const char *containers_json, struct store_booking_result *out)
{
    char version[16];
    snprintf(version, sizeof version, "%d", if_match);
    const char *params[] = {who->org_code,
                            role_name(who),
                            reference,
                            if_match >= 0 ? version : NULL,
                            set_reference ? "true" : "false",
                            customer_reference,
                            containers_json};
    return run_change(c, "booking_amend", SQL_AMEND, 7, params, out);
}

int store_booking_get(struct db_conn *c, const struct auth_principal *who, const char *reference,
                      char **booking, size_t *len, int *version)
{
    *booking = NULL;
    *len = 0;
    const char *params[] = {reference, who->org_code, role_name(who)};
    PGresult *r = db_exec(c, "booking_get", SQL_GET, 3, params);
    int rc = STORE_BOOKING_OK;
    if (!db_ok(r)) {
        rc = failure(c);
        goto out;
    }
    if (PQntuples(r) == 0) {
        rc = STORE_BOOKING_NOT_FOUND;
        goto out;
    }
    if (PQgetisnull(r, 0, 0)) {
        log_event(LOGL_ERROR, "store_booking.bad_json", "booking_get: no booking text");
        rc = STORE_BOOKING_ERROR;
        goto out;
    }
    *booking = booking_text(r, 0, 0, len);
    *version = atoi(PQgetvalue(r, 0, 1));
out:
    PQclear(r);
    return rc;
}

int store_booking_list(struct db_conn *c, const struct auth_principal *who, const char *status,
                       long long before, int limit, json_t **items, long long *next)
{
    char before_s[24], limit_s[16];
    snprintf(before_s, sizeof before_s, "%lld", before);
    snprintf(limit_s, sizeof limit_s, "%d", limit);
    const char *params[] = {who->org_code, status, before > 0 ? before_s : BEFORE_NONE, limit_s};
    const char *name, *sql;
    switch (who->role) {
    case AUTH_FORWARDER:
        name = "booking_list_forwarder";
        sql = SQL_LIST_FORWARDER;
        break;
    case AUTH_CARRIER:
        name = "booking_list_carrier";
        sql = SQL_LIST_CARRIER;
        break;
    default:
        name = "booking_list_operator";
        sql = SQL_LIST_OPERATOR;
        break;
    }
    *items = NULL;
    *next = 0;
    PGresult *r = db_exec(c, name, sql, 4, params);
    if (!db_ok(r)) {
        int rc = failure(c);
        PQclear(r);
        return rc;
    }
    json_t *arr = json_array();
    int n = PQntuples(r);
    for (int i = 0; i < n && i < limit; i++) {
        json_t *b = parse(PQgetvalue(r, i, 1), name);
        if (!b) {
            json_decref(arr);
            PQclear(r);
            return STORE_BOOKING_ERROR;
        }
        json_array_append_new(arr, b);
    }
    if (n > limit)
        *next = strtoll(PQgetvalue(r, limit - 1, 0), NULL, 10);
    PQclear(r);
    *items = arr;
    return STORE_BOOKING_OK;
}

int store_booking_history(struct db_conn *c, const struct auth_principal *who,
                          const char *reference, json_t **items)
{
    *items = NULL;
    const char *params[] = {reference, who->org_code, role_name(who)};
    PGresult *r = db_exec(c, "booking_history", SQL_HISTORY, 3, params);
    int rc = STORE_BOOKING_OK;
    if (!db_ok(r))
        rc = failure(c);
    else if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
        rc = STORE_BOOKING_NOT_FOUND;
    else if (!(*items = parse(PQgetvalue(r, 0, 0), "booking_history")))
        rc = STORE_BOOKING_ERROR;
    PQclear(r);
    return rc;
}

struct expire_tx {
    int batch;
    int expired;
};

static int expire_body(struct db_conn *c, void *arg)
{
    struct expire_tx *t = arg;
    char batch[16];
    snprintf(batch, sizeof batch, "%d", t->batch);
    const char *params[] = {batch};
    PGresult *r = db_exec(c, "booking_expire_due", SQL_EXPIRE_DUE, 1, params);
    int rc = DB_TX_OK;
    if (!db_ok(r))
        rc = db_retryable(r) ? DB_TX_RETRY : DB_TX_ERROR;
    else
        t->expired = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

int store_booking_expire_due(struct db_conn *c, int batch)
{
    struct expire_tx t = {.batch = batch};
    int rc = db_transaction(c, "READ COMMITTED", 5, expire_body, &t);
    if (rc != DB_TX_OK)
        return failure(c);
    return t.expired;
}

int store_booking_stats(struct db_conn *c, const char *from, const char *to, json_t **out)
{
    *out = NULL;
    const char *params[] = {from, to};
    PGresult *r = db_exec(c, "booking_stats", SQL_STATS, 2, params);
    int rc = STORE_BOOKING_OK;
    if (!db_ok(r))
        rc = failure(c);
    else if (!(*out = parse(PQgetvalue(r, 0, 0), "booking_stats")))
        rc = STORE_BOOKING_ERROR;
    PQclear(r);
    return rc;
}
