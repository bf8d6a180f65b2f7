/* store_network: SQL of the network and schedule reads (see
 * include/store_network.h).  Every statement returns two text columns: the
 * item as JSON and its keyset key; it asks for limit + 1 rows so that the
 * page knows whether more follow. */
#include "store_network.h"

#include "db.h"
#include "log.h"
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 3339 in UTC, whole seconds. */
#define UTC(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* Keyset key of a (timestamptz, id) order: "<microseconds since 1970>.<id>". */
#define TIME_KEY(ts, id) \
    "((extract(epoch FROM " ts ") * 1000000)::bigint)::text || '.' || " id "::text"
/* The inverse, comparing (ts, id) with the key in parameter p. */
#define AFTER_TIME_KEY(ts, id, p)                                                       \
    "(" p "::text IS NULL OR (" ts ", " id ") > ('epoch'::timestamptz + split_part(" p \
    ", '.', 1)::bigint * interval '1 microsecond', split_part(" p ", '.', 2)::bigint))"
/* First instant of day p (a date or NULL = today) and the end of the range
 * that ends on day p2 (inclusive; NULL = 30 days after the start). */
#define DAY_START(p) "(coalesce(" p "::date, current_date)::timestamp AT TIME ZONE 'UTC')"
#define RANGE_END(p, p2)                                                                \
    "((coalesce(" p2 "::date, coalesce(" p "::date, current_date) + 30) + 1)::timestamp " \
    "AT TIME ZONE 'UTC')"

static const char SQL_NODES[] =
    "SELECT json_build_object('code', code, 'name', name, 'country', country, 'kind', kind, "
    "'timezone', timezone, 'lat', trim_scale(lat), 'lon', trim_scale(lon))::text, code AS k "
    "FROM corridor.node WHERE ($1::text IS NULL OR code COLLATE \"C\" > $1::text) "
    "ORDER BY code COLLATE \"C\" LIMIT $2::int + 1";

static const char SQL_LINKS[] =
    "SELECT json_build_object('id', id, 'from', from_code, 'to', to_code, 'mode', mode, "
    "'gauge_mm', gauge_mm, 'distance_km', trim_scale(distance_km), "
    "'transit_hours', trim_scale(transit_hours), "
    "'carrier', carrier)::text, id::text AS k "
    "FROM corridor.link WHERE ($1::bigint IS NULL OR id > $1::bigint) "
    "ORDER BY id LIMIT $2::int + 1";

static const char SQL_DEPARTURES[] =
    "SELECT json_build_object('id', d.id, 'link_id', d.link_id, 'from', l.from_code, "
    "'to', l.to_code, 'service', d.service, 'departs_at', " UTC("d.departs_at") ", "
    "'arrives_at', " UTC("d.arrives_at") ", 'cutoff_at', " UTC("d.cutoff_at") ", "
    "'capacity_teu', d.capacity_teu, 'available_teu', d.capacity_teu - d.booked_teu, "
    "'capacity_kg', d.capacity_kg, 'available_kg', d.capacity_kg - d.booked_kg, "
    "'status', d.status)::text, " TIME_KEY("d.departs_at", "d.id") " AS k "
    "FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id "
    "WHERE ($1::text IS NULL OR l.from_code = $1::text) "
    "AND ($2::text IS NULL OR l.to_code = $2::text) "
    "AND d.departs_at >= " DAY_START("$3") " AND d.departs_at < " RANGE_END("$3", "$4") " "
    "AND " AFTER_TIME_KEY("d.departs_at", "d.id", "$5") " "
    "ORDER BY d.departs_at, d.id LIMIT $6::int + 1";

static const char SQL_WINDOWS[] =
    "SELECT json_build_object('id', w.id, 'node', w.node_code, "
    "'starts_at', " UTC("w.starts_at") ", 'ends_at', " UTC("w.ends_at") ", "
    "'capacity_teu', w.capacity_teu, 'available_teu', w.capacity_teu - w.booked_teu)::text, "
    TIME_KEY("w.starts_at", "w.id") " AS k "
    "FROM corridor.port_window w WHERE w.node_code = $1::text "
    "AND w.ends_at > " DAY_START("$2") " AND w.starts_at < " RANGE_END("$2", "$3") " "
    "AND " AFTER_TIME_KEY("w.starts_at", "w.id", "$4") " "
    "ORDER BY w.starts_at, w.id LIMIT $5::int + 1";

static const char SQL_TARIFFS[] =
    "SELECT json_build_object('id', id, 'charge_code', charge_code, 'link_id', link_id, "
    "'node_code', node_code, 'container_type', container_type, "
    "'min_gross_kg', min_gross_kg, 'max_gross_kg', max_gross_kg, 'basis', basis, "
    "'rate', trim_scale(rate)::text, 'currency', currency, "
    "'min_charge', trim_scale(min_charge)::text, 'valid_from', valid_from, "
    "'valid_to', valid_to, 'note', note)::text, id::text AS k "
    "FROM corridor.tariff "
    "WHERE valid_from <= coalesce($1::date, current_date) "
    "AND (valid_to IS NULL OR valid_to >= coalesce($1::date, current_date)) "
    "AND ($2::bigint IS NULL OR id > $2::bigint) "
    "ORDER BY id LIMIT $3::int + 1";

static const char SQL_NODES_EXIST[] =
    "SELECT $1::text IS NULL OR EXISTS (SELECT 1 FROM corridor.node WHERE code = $1::text), "
    "$2::text IS NULL OR EXISTS (SELECT 1 FROM corridor.node WHERE code = $2::text)";

void store_network_page_free(struct store_network_page *p)
{
    free(p->items);
    free(p->next_key);
    p->items = p->next_key = NULL;
}

static bool all_digits(const char *s, size_t n)
{
    if (n == 0 || n > 18)
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

bool store_network_key_valid(enum store_network_key kind, const char *key)
{
    if (!key)
        return false;
    size_t n = strlen(key);
    switch (kind) {
    case STORE_KEY_CODE:
        if (n < 1 || n > 16)
            return false;
        for (size_t i = 0; i < n; i++)
            if (!((key[i] >= 'A' && key[i] <= 'Z') || (key[i] >= '0' && key[i] <= '9')))
                return false;
        return true;
    case STORE_KEY_ID:
        return all_digits(key, n);
    case STORE_KEY_TIME_ID: {
        const char *dot = strchr(key, '.');
        if (!dot)
            return false;
        const char *t = key[0] == '-' ? key + 1 : key;
        return all_digits(t, (size_t)(dot - t)) && all_digits(dot + 1, strlen(dot + 1));
    }
    }
    return false;
}

static int fail_status(struct db_conn *c, PGresult *r, const char *what)
{
    int st = PQstatus(db_pg(c)) == CONNECTION_OK ? STORE_NETWORK_ERROR : STORE_NETWORK_UNAVAILABLE;
    if (st == STORE_NETWORK_ERROR) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_ERROR, "store_network.failed", "%s: %s [%s]", what, msg, db_sqlstate(r));
    }
    return st;
}

/* Runs one list statement and cuts its rows into a page of at most limit. */
static int run_page(struct db_conn *c, const char *name, const char *sql, int nparams,
                    const char *const *params, int limit, struct store_network_page *out)
{
    out->items = out->next_key = NULL;
    if (!db_pg(c))
        return STORE_NETWORK_UNAVAILABLE;
    PGresult *r = db_exec(c, name, sql, nparams, params);
    if (!db_ok(r)) {
        int st = fail_status(c, r, name);
        PQclear(r);
        return st;
    }
    int rows = PQntuples(r);
    int take = rows > limit ? limit : rows;
    size_t len = 2;
    for (int i = 0; i < take; i++)
        len += (size_t)PQgetlength(r, i, 0) + 1;
    char *buf = xmalloc(len + 1), *p = buf;
    *p++ = '[';
    for (int i = 0; i < take; i++) {
        if (i)
            *p++ = ',';
        size_t n = (size_t)PQgetlength(r, i, 0);
        memcpy(p, PQgetvalue(r, i, 0), n);
        p += n;
    }
    *p++ = ']';
    *p = '\0';
    out->items = buf;
    if (rows > limit && take > 0)
        out->next_key = xstrdup(PQgetvalue(r, take - 1, 1));
    PQclear(r);
    return STORE_NETWORK_OK;
}

int store_network_nodes(struct db_conn *c, const struct store_network_query *q,
                        struct store_network_page *out)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit);
    const char *params[] = {q->after, limit};
    return run_page(c, "network_nodes", SQL_NODES, 2, params, q->limit, out);
}

int store_network_links(struct db_conn *c, const struct store_network_query *q,
                        struct store_network_page *out)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit);
    const char *params[] = {q->after, limit};
    return run_page(c, "network_links", SQL_LINKS, 2, params, q->limit, out);
}

int store_network_departures(struct db_conn *c, const struct store_network_query *q,
                             struct store_network_page *out)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit);
    const char *params[] = {q->from, q->to, q->date_from, q->date_to, q->after, limit};
    return run_page(c, "network_departures", SQL_DEPARTURES, 6, params, q->limit, out);
}

int store_network_windows(struct db_conn *c, const struct store_network_query *q,
                          struct store_network_page *out)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit);
    const char *params[] = {q->node, q->date_from, q->date_to, q->after, limit};
    return run_page(c, "network_windows", SQL_WINDOWS, 5, params, q->limit, out);
}

int store_network_tariffs(struct db_conn *c, const struct store_network_query *q,
                          struct store_network_page *out)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", q->limit);
    const char *params[] = {q->on, q->after, limit};
    return run_page(c, "network_tariffs", SQL_TARIFFS, 3, params, q->limit, out);
}

int store_network_nodes_exist(struct db_conn *c, const char *from, const char *to,
                              bool *known_from, bool *known_to)
{
    if (!db_pg(c))
        return STORE_NETWORK_UNAVAILABLE;
    const char *params[] = {from, to};
    PGresult *r = db_exec(c, "network_nodes_exist", SQL_NODES_EXIST, 2, params);
    if (!db_ok(r) || PQntuples(r) != 1) {
        int st = fail_status(c, r, "network_nodes_exist");
        PQclear(r);
        return st;
    }
    *known_from = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    *known_to = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    PQclear(r);
    return STORE_NETWORK_OK;
}
