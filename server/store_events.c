/* store_events: the SQL of the event feed (see include/store_events.h). */
#include "store_events.h"

#include "auth.h"
#include "db.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>

static const char SQL_AFTER[] =
    "SELECT coalesce(json_agg(json_build_object('id', e.id, 'at', e.at, 'type', e.type, "
    "'booking_reference', e.booking_reference, 'data', e.data) ORDER BY e.id), '[]')::text, "
    "max(e.id) "
    "FROM corridor.booking_events_after($1::bigint, $2::int, $3::text, $4::text) e";

int store_events_after(struct db_conn *c, const struct auth_principal *who, long long after,
                       int limit, json_t **items, long long *last)
{
    char after_s[24], limit_s[16];
    snprintf(after_s, sizeof after_s, "%lld", after);
    snprintf(limit_s, sizeof limit_s, "%d", limit);
    const char *params[] = {after_s, limit_s, who->org_code, auth_role_name(who->role)};
    *items = NULL;
    *last = after;
    PGresult *r = db_exec(c, "events_after", SQL_AFTER, 4, params);
    int rc = STORE_EVENTS_OK;
    if (!db_ok(r)) {
        rc = PQstatus(db_pg(c)) == CONNECTION_OK ? STORE_EVENTS_ERROR : STORE_EVENTS_UNAVAILABLE;
        goto out;
    }
    json_error_t e;
    *items = json_loads(PQgetvalue(r, 0, 0), 0, &e);
    if (!*items) {
        log_event(LOGL_ERROR, "store_events.bad_json", "events_after: %s", e.text);
        rc = STORE_EVENTS_ERROR;
        goto out;
    }
    if (!PQgetisnull(r, 0, 1))
        *last = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
out:
    PQclear(r);
    return rc;
}
