/* store_quote: the SQL of the quote aggregate — the one availability read a
 * quote needs (all at once or the booked rows only) and reading a stored
 * quote back; quotes are stored by quote_writer.c.  Every
 * function runs on a pool thread holding c. */
#ifndef CORRIDOR_STORE_QUOTE_H
#define CORRIDOR_STORE_QUOTE_H

#include <stdint.h>

#include "quote.h"
#include "quote_cache.h"
#include "snapshot.h"

struct db_conn;

enum store_quote_status {
    STORE_QUOTE_OK = 0,
    STORE_QUOTE_NOT_FOUND = 1,
    STORE_QUOTE_UNAVAILABLE = -1, /* the connection to PostgreSQL broke */
    STORE_QUOTE_ERROR = -2,       /* any other failure (logged) */
};

/* Reads the free capacity (capacity - booked) of the departures that depart
 * in [dep_from, dep_to] and of the port windows that overlap [win_from,
 * win_to) (unix seconds), in ONE statement, into *out (arrays sorted by id,
 * owned by out: free with store_quote_availability_free).
 *
 * The statement also reads data_version.  When it equals s's version, the
 * reference data (capacities, statuses) is exactly the snapshot's, so only
 * rows with something booked come back, and every other scheduled departure
 * and window of s in the ranges gets its whole capacity; otherwise every
 * scheduled departure and every window in the ranges comes from the
 * database (anything missing then counts as full, as quote.h says). */
int store_quote_availability(struct db_conn *c, const struct snapshot *s, int64_t dep_from,
                             int64_t dep_to, int64_t win_from, int64_t win_to,
                             struct quote_availability *out);
void store_quote_availability_free(struct quote_availability *a);

/* The rows with something booked: every departure from since on and every
 * window ending after since (unix seconds), with their free capacity, and
 * the data version read in the same statement, into *out (free with
 * store_quote_booked_free).  Returns a status. */
int store_quote_booked(struct db_conn *c, int64_t since, struct quote_booked *out);
void store_quote_booked_free(struct quote_booked *b);

/* The availability of the ranges (as store_quote_availability) built
 * without PostgreSQL: every scheduled departure and window of s in the
 * ranges with its whole capacity, then the booked rows of b over it.  Only
 * right when b's data version is s's (the capacities are the snapshot's). */
void store_quote_availability_build(const struct snapshot *s, const struct quote_booked *b,
                                    int64_t dep_from, int64_t dep_to, int64_t win_from,
                                    int64_t win_to, struct quote_availability *out);

/* For a quote id minted moments ago by another instance (quote_writer.h):
 * whether the quote is stored, looking again every QUOTE_RECENT_PAUSE_MS
 * while it is not and the id is recent, QUOTE_RECENT_TRIES times at most.
 * Returns STORE_QUOTE_OK (stored), STORE_QUOTE_NOT_FOUND or a failure.
 * id must be a syntactically valid UUID. */
int store_quote_await(struct db_conn *c, const char *id);

/* The stored quote as the API shows it (JSON text in *json, free it).
 * org_code NULL: any organization's (operators); else only that
 * organization's, and any other is STORE_QUOTE_NOT_FOUND.  id must be a
 * syntactically valid UUID. */
int store_quote_get(struct db_conn *c, const char *id, const char *org_code, char **json);

#endif
