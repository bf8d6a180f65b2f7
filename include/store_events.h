/* store_events: the SQL of the booking event feed (GET /v1/events).  The
 * feed itself is corridor.booking_events_after() (022_bookings_feed.sql):
 * events after an id, oldest first, as the principal may see them
 * (forwarders their organization's, carriers those of bookings on their
 * links, operators all), never past an id still missing among recent events
 * (a transaction not committed yet), so that a reader that keeps the last id
 * it saw misses nothing.  Pool threads, holding c. */
#ifndef CORRIDOR_STORE_EVENTS_H
#define CORRIDOR_STORE_EVENTS_H

#include <jansson.h>

struct db_conn;
struct auth_principal;

enum store_events_status {
    STORE_EVENTS_OK = 0,
    STORE_EVENTS_UNAVAILABLE = -1, /* the connection to PostgreSQL broke */
    STORE_EVENTS_ERROR = -2,       /* any other failure (logged) */
};

/* At most limit events with id > after: *items a new array of {id, at,
 * type, booking_reference, data}; *last the id of the last one (after when
 * there is none). */
int store_events_after(struct db_conn *c, const struct auth_principal *who, long long after,
                       int limit, json_t **items, long long *last);

#endif
