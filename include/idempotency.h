/* idempotency: the Idempotency-Key of POST /v1/bookings, kept in PostgreSQL
 * (corridor.idempotency_key) so that a replay works after a restart and on
 * any instance.
 *
 * Protocol: before booking, idempotency_begin() claims (organization, key)
 * with the request's hash in its own short statement (INSERT ... ON
 * CONFLICT DO NOTHING, then SELECT), so a concurrent duplicate sees the
 * claim.  The answer is stored by idempotency_finish() inside the booking's
 * own transaction, so a booking and its stored answer commit together or not
 * at all.  Stored: every final answer (201, and the 4xx refusals of the
 * booking itself: 404, 409, 410, 412, 422).  Not stored: 400 (the request
 * never reaches this point) and 5xx (idempotency_forget() drops the claim so
 * that the client may retry with the same key).  A claim left without an
 * answer for IDEMPOTENCY_STALE_S (a server that died mid-request; nothing was
 * booked, since the answer commits with the booking) is taken over.  Rows
 * older than 24 h are purged by the sweeper.  Pool threads, holding c. */
#ifndef CORRIDOR_IDEMPOTENCY_H
#define CORRIDOR_IDEMPOTENCY_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

#define IDEMPOTENCY_STALE_S 60

enum idempotency_state {
    IDEMPOTENCY_NEW = 0,     /* claimed: go on, then finish or forget */
    IDEMPOTENCY_REPLAY,      /* answered before: *out holds it */
    IDEMPOTENCY_REUSED,      /* same key, another request: 422 */
    IDEMPOTENCY_IN_PROGRESS, /* the first request is still running */
    IDEMPOTENCY_UNAVAILABLE, /* PostgreSQL unreachable */
    IDEMPOTENCY_ERROR,
};

/* A stored answer: status and body text (malloc'd; free it). */
struct idempotency_answer {
    int status;
    char *body;
};

/* True for 1..128 visible ASCII characters (0x21..0x7e).  Pure. */
bool idempotency_key_valid(const char *key);

/* Lower-case hex SHA-256 of method, path and the body in canonical form
 * (compact, keys sorted), into hex.  Pure; any thread. */
void idempotency_hash(const char *method, const char *path, const json_t *body, char hex[65]);

/* Claims or looks up (org, key).  When the first request is still in
 * progress, waits up to wait_ms for its answer before giving up with
 * IDEMPOTENCY_IN_PROGRESS. */
enum idempotency_state idempotency_begin(struct db_conn *c, const char *org, const char *key,
                                         const char *hash, int wait_ms,
                                         struct idempotency_answer *out);

/* Stores the answer of a claimed key (inside the caller's transaction or on
 * its own).  Returns a DB_TX_* code (DB_TX_OK, DB_TX_RETRY, DB_TX_ERROR). */
int idempotency_finish(struct db_conn *c, const char *org, const char *key, int status,
                       const char *body);

/* Drops an unanswered claim.  Returns 0 or -1. */
int idempotency_forget(struct db_conn *c, const char *org, const char *key);

/* Deletes keys older than 24 h.  Returns how many, or -1. */
long idempotency_purge(struct db_conn *c);

#endif
