/* store_booking: the SQL of the booking aggregate.  The transactions
 * themselves are SQL functions (sql/migrations/020_bookings_reserve.sql,
 * 021_bookings_amend.sql): booking_create, booking_transition and
 * booking_amend lock the quote or the booking, then every departure and port
 * window in one global order (departures by id, then windows by id), check,
 * change, and return one row (outcome, detail, problems, booking id, booking
 * as JSON).  Each is one round trip.  A create without Idempotency-Key is
 * the statement alone in its own transaction (committed before it answers);
 * every other change runs in db_transaction (READ COMMITTED, bounded
 * retries of 40001/40P01) with what the caller adds (the idempotency row).
 * The functions are those of 020-023 as replaced by later migrations
 * (025_bookings_short_locks.sql for booking_create).
 *
 * The principal decides what is visible: operators every booking,
 * forwarders their organization's, carriers those with a leg on a link they
 * run.  Every function runs on a pool thread holding c. */
#ifndef CORRIDOR_STORE_BOOKING_H
#define CORRIDOR_STORE_BOOKING_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct db_conn;
struct auth_principal;

enum store_booking_status {
    STORE_BOOKING_OK = 0,
    STORE_BOOKING_NOT_FOUND = 1,
    STORE_BOOKING_UNAVAILABLE = -1, /* the connection to PostgreSQL broke */
    STORE_BOOKING_ERROR = -2,       /* any other failure (logged) */
};

/* What a booking change answered.  outcome: "ok" or an API problem code
 * (not_found, quote_expired, quote_already_booked, validation_failed,
 * capacity_unavailable, invalid_state, precondition_failed).  detail,
 * problems (an array of {pointer, message, ...}) and booking are owned by
 * the result: free with store_booking_result_clear(), which also resets it
 * for a retried attempt.  booking is PostgreSQL's JSON text of the booking
 * without whitespace between tokens (jsontext_minify), NUL-terminated; a
 * caller may take it over (then set it to NULL). */
struct store_booking_result {
    char outcome[32];
    char *detail;
    json_t *problems;
    char *booking;      /* NULL when the statement returned no booking */
    size_t booking_len; /* strlen(booking) */
    int version;        /* the booking's "version", when booking is set */
    char reference[24]; /* the booking's "reference", when booking is set */
};
void store_booking_result_clear(struct store_booking_result *r);

/* The three changes, each ONE statement inside the caller's open transaction
 * (a db_transaction body).  Return DB_TX_OK with *out filled (a refusal
 * included: it changed nothing, so the caller commits), DB_TX_RETRY after
 * 40001/40P01, DB_TX_ABORT with out->outcome "quote_already_booked" when the
 * unique constraint on booking.quote_id fired, or DB_TX_ERROR. */

/* Books option `option` of quote quote_id (a UUID): HELD for hold_seconds
 * when hold_seconds > 0, else CONFIRMED. */
int store_booking_create(struct db_conn *c, const struct auth_principal *who, const char *quote_id,
                         int option, int hold_seconds, const char *customer_reference,
                         struct store_booking_result *out);
/* One create of a batch. */
struct store_booking_create_req {
    const struct auth_principal *who;
    const char *quote_id;
    int option;
    int hold_seconds;
    const char *customer_reference;
    const char *idem_key;  /* Idempotency-Key, or NULL */
    const char *idem_hash; /* its request hash (idempotency_hash) */
};
/* Books n creates together, in ONE statement that is its own transaction
 * (corridor.booking_create_many, migration 038; not inside a
 * db_transaction).  A create with an Idempotency-Key is claimed in it and,
 * when booked, its answer stored with the booking.  out[i] gets outcome "ok" and the booking for each one
 * booked, "single" for each left to run alone with store_booking_create
 * (every refusal, anything but the plain case, and a key already claimed or
 * answered, which alone replays or is refused), "error" for one booked
 * whose text could not be read (logged; GET shows it).  Returns DB_TX_OK;
 * DB_TX_RETRY or DB_TX_ERROR when the statement failed (then nothing was
 * booked and every out is "single"). */
int store_booking_create_many(struct db_conn *c, const struct store_booking_create_req *reqs,
                              size_t n, struct store_booking_result *out);

/* action "confirm" or "cancel"; if_match < 0: no If-Match. */
int store_booking_transition(struct db_conn *c, const struct auth_principal *who,
                             const char *reference, const char *action, int if_match,
                             struct store_booking_result *out);
/* PATCH: set_reference -> customer_reference := customer_reference (NULL
 * clears it); containers_json: the new container lines as JSON text, or NULL
 * for no change. */
int store_booking_amend(struct db_conn *c, const struct auth_principal *who, const char *reference,
                        int if_match, bool set_reference, const char *customer_reference,
                        const char *containers_json, struct store_booking_result *out);

/* ---- reads (no transaction needed) ---- */

/* The booking as the API shows it: its JSON text without whitespace between
 * tokens in *booking (malloc'd, NUL-terminated, *len bytes; the caller frees
 * it) and its version. */
int store_booking_get(struct db_conn *c, const struct auth_principal *who, const char *reference,
                      char **booking, size_t *len, int *version);
/* Newest first: at most limit bookings with id < before (0: from the newest),
 * status NULL for any.  *items: a new array; *next: the id to pass as
 * `before` for the next page, 0 when there is none. */
int store_booking_list(struct db_conn *c, const struct auth_principal *who, const char *status,
                       long long before, int limit, json_t **items, long long *next);
/* The events of one booking, oldest first, as the feed shows them (new array). */
int store_booking_history(struct db_conn *c, const struct auth_principal *who,
                          const char *reference, json_t **items);

/* ---- the sweeper ---- */

/* Expires, in one transaction, at most batch holds past their expiry that no
 * other transaction holds (SKIP LOCKED), releasing what they reserve.
 * Returns how many, or a negative status. */
int store_booking_expire_due(struct db_conn *c, int batch);

/* ---- statistics ---- */

/* GET /v1/stats/corridor for departures in [from, to) (YYYY-MM-DD, valid
 * dates); *out: a new object. */
int store_booking_stats(struct db_conn *c, const char *from, const char *to, json_t **out);

#endif
