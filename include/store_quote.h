/* store_quote: the SQL of the quote aggregate — the one availability read a
 * quote needs, storing the priced quote, and reading it back.  Every
 * function runs on a pool thread holding c. */
#ifndef CORRIDOR_STORE_QUOTE_H
#define CORRIDOR_STORE_QUOTE_H

#include <stdint.h>

#include "quote.h"
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

/* A quote to store; the JSON texts are stored as jsonb. */
struct store_quote_new {
    const char *org_code;
    unsigned ttl_s;            /* expires_at = now() + ttl_s */
    int64_t data_version;
    const char *currency;
    const char *request_json;  /* the normalized request */
    const char *options_json;  /* the options array as the API shows it */
    const char *fx_json;       /* the FX rates used */
};

/* What PostgreSQL assigned: id (UUID text), created_at and expires_at
 * (RFC 3339 UTC, whole seconds). */
struct store_quote_created {
    char id[40];
    char created_at[32];
    char expires_at[32];
};

/* Inserts the quote in its own transaction with synchronous_commit off (a
 * quote lost to a crash costs a re-quote; bookings keep synchronous
 * commits).  Returns a status. */
int store_quote_insert(struct db_conn *c, const struct store_quote_new *q,
                       struct store_quote_created *out);

/* The stored quote as the API shows it (JSON text in *json, free it).
 * org_code NULL: any organization's (operators); else only that
 * organization's, and any other is STORE_QUOTE_NOT_FOUND.  id must be a
 * syntactically valid UUID. */
int store_quote_get(struct db_conn *c, const char *id, const char *org_code, char **json);

#endif
