/* idempotency: the Idempotency-Key of POST /v1/bookings, kept in PostgreSQL
 * (corridor.idempotency_key) so that a replay works after a restart and on
 * any instance.
 *
 * Protocol (migration 036): the key is claimed by the first statement of
 * the booking's own transaction (idempotency_claim, corridor.idempotency_claim:
 * INSERT ... ON CONFLICT DO NOTHING), and the answer is stored by
 * idempotency_finish() in the same transaction, so a claim, the booking and
 * its answer commit together or not at all.  A concurrent duplicate's claim
 * waits for that transaction (up to wait_ms, then IDEMPOTENCY_IN_PROGRESS):
 * committed, it replays the answer; rolled back -- an error, or a server
 * that died, whose session PostgreSQL ends and rolls back -- it claims the
 * key itself.  So the two never both book, and a retry after a crash is
 * answered at once.  (A batch of creates, store_booking_create_many, claims
 * its keys and stores their answers the same way inside its own
 * transaction; a key it finds claimed leaves that create to this path.)
 * Stored: every final answer (201, and the 4xx refusals
 * of the booking itself: 404, 409, 410, 412, 422).  Not stored: 400 (the
 * request never reaches this point) and 5xx (rolled back with the claim, so
 * the client may retry with the same key).  A refusal that comes from a
 * rolled-back transaction (a unique violation) is stored on its own with
 * idempotency_store().  Claims committed without an answer come only from
 * servers before 036; one older than IDEMPOTENCY_STALE_S is taken over.
 * Rows older than 24 h are purged by the sweeper.  Pool threads, holding c. */
#ifndef CORRIDOR_IDEMPOTENCY_H
#define CORRIDOR_IDEMPOTENCY_H

#include <jansson.h>
#include <stdbool.h>

struct db_conn;

#define IDEMPOTENCY_STALE_S 60 /* corridor.idempotency_claim's '60 seconds' */

enum idempotency_state {
    IDEMPOTENCY_NEW = 0,     /* claimed in this transaction: book, then finish */
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

/* Claims (org, key) inside the caller's transaction, or looks it up (see
 * above).  Sets *state; on IDEMPOTENCY_REPLAY, *out holds the stored answer
 * (free its body).  Returns DB_TX_OK, DB_TX_RETRY (a retryable error: the
 * transaction is to be run again) or DB_TX_ERROR (*state is then
 * IDEMPOTENCY_UNAVAILABLE or IDEMPOTENCY_ERROR). */
int idempotency_claim(struct db_conn *c, const char *org, const char *key, const char *hash,
                      int wait_ms, enum idempotency_state *state, struct idempotency_answer *out);

/* Stores the answer of the key claimed in the caller's transaction.
 * Returns a DB_TX_* code (DB_TX_OK, DB_TX_RETRY, DB_TX_ERROR). */
int idempotency_finish(struct db_conn *c, const char *org, const char *key, int status,
                       const char *body);

/* Stores an answer together with its claim, on its own (outside a
 * transaction that was rolled back); a key stored meanwhile by a duplicate
 * is kept.  Returns 0 or -1. */
int idempotency_store(struct db_conn *c, const char *org, const char *key, const char *hash,
                      int status, const char *body);

/* Deletes keys older than 24 h.  Returns how many, or -1. */
long idempotency_purge(struct db_conn *c);

#endif
