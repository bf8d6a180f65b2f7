/* quote_writer: stores quotes behind the answer, in batches (write-behind).
 *
 * A quote is an offer: losing one to a crash costs a re-quote (issue 3), so
 * POST /v1/quotes answers 201 as soon as the quote is priced and queued; one
 * writer thread with its own PostgreSQL session inserts whatever is queued
 * in one transaction per batch, with synchronous_commit off.  Under load a
 * batch holds many quotes, so PostgreSQL's per-statement and per-commit
 * work is shared; an offer (the options, ~22 KB) is written once however
 * many quotes share it (corridor.quote_offer_stored, migrations 024 and 032).
 *
 * Read-your-writes: anything that reads a quote from PostgreSQL in this
 * process (GET /v1/quotes/{id}, POST /v1/bookings) first calls
 * quote_writer_wait(id), which returns once that quote's batch committed
 * (at once for a quote that is not queued here).  Another instance may ask
 * for a quote made here a few milliseconds before it is committed:
 * quote_writer_recent(id) tells whether an id was minted in the last
 * seconds (ids are UUIDv7: they carry their creation time), so that reader
 * retries briefly instead of answering 404.
 *
 * If PostgreSQL cannot take a batch, the writer retries it on a fresh
 * session for a few seconds; quote_writer_healthy() is false meanwhile (POST
 * /v1/quotes then answers 503 instead of promising what may be lost).  A
 * batch that still fails is dropped, logged and counted, and
 * on_lost (set by quote_writer_start) runs so that cached offers that were
 * never stored are forgotten. */
#ifndef CORRIDOR_QUOTE_WRITER_H
#define CORRIDOR_QUOTE_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define QUOTE_ID_LEN 36 /* a UUID as text, without the NUL */

/* A reader that does not find a quote minted less than QUOTE_RECENT_MS ago
 * (by another instance) looks again QUOTE_RECENT_TRIES times,
 * QUOTE_RECENT_PAUSE_MS apart. */
#define QUOTE_RECENT_MS 2000
#define QUOTE_RECENT_TRIES 4
#define QUOTE_RECENT_PAUSE_MS 25

/* A quote row (corridor.quote) to store.  Strings are copied. */
struct quote_row {
    const char *id;         /* quote_writer_new_id */
    const char *org_code;
    int64_t created_us;     /* unix microseconds */
    int64_t expires_us;
    int64_t data_version;
    const char *currency;
    const char *offer_id;   /* corridor.quote_offer id */
};

/* An offer (corridor.quote_offer) to store: the options array, the
 * normalized request and the FX used, as JSON texts. */
struct quote_offer_row {
    const char *id;
    const char *options;
    size_t options_len;
    const char *request;
    const char *fx;
};

/* Starts the writer thread (its session: url, SET ROLE role when role is
 * non-empty).  on_lost(arg) runs on the writer thread after a batch was
 * dropped.  Returns 0, or -1 when the thread cannot start. */
int quote_writer_start(const char *url, const char *role, void (*on_lost)(void *arg), void *arg);
/* Writes what is queued (trying for at most a few seconds) and stops. */
void quote_writer_stop(void);

/* A new UUIDv7 (RFC 9562: 48-bit unix milliseconds, then random bits) as
 * 36 characters and a NUL.  Time-ordered ids keep the quote and offer
 * primary keys appending to the right edge of their indexes. */
void quote_writer_new_id(char out[QUOTE_ID_LEN + 1]);
/* True when id is a UUIDv7 minted less than max_age_ms ago (by any
 * instance; clocks are assumed within that of each other). */
bool quote_writer_recent(const char *id, int64_t max_age_ms);

/* Queues the quote, and before it the offer when offer is non-NULL, in one
 * step: the offer is committed no later than the quote.  Any thread. */
void quote_writer_submit(const struct quote_row *q, const struct quote_offer_row *offer);
/* Backpressure: quotes may be answered faster than PostgreSQL stores them
 * (every request distinct: ~22 KB of options each).  The queue holds at most
 * QUOTE_WRITER_MAX_BYTES (a few hundred ms of the writer's work): full()
 * says whether it is reached; throttle() waits up to timeout_ms for room
 * and says whether there is (pool threads only; POST /v1/quotes answers 503
 * when there is none in time). */
#define QUOTE_WRITER_MAX_BYTES (16u << 20)
bool quote_writer_full(void);
bool quote_writer_throttle(int timeout_ms);

/* Waits until the quote id, if queued or being written here, is committed
 * (or its batch dropped), for at most timeout_ms, and says whether it was
 * queued here.  Any thread but the writer's. */
bool quote_writer_wait(const char *id, int timeout_ms);
/* Whether the quote id is queued or being written here now (no waiting).
 * Any thread but the writer's. */
bool quote_writer_queued(const char *id);
/* False while batches fail (PostgreSQL unreachable); any thread. */
bool quote_writer_healthy(void);
/* Quotes queued and not yet committed (a gauge). */
size_t quote_writer_pending(void);

#endif
