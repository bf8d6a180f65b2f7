/* quote_cache: what POST /v1/quotes keeps between requests so that a quote
 * does not cost PostgreSQL a read and a 22 KB write every time.
 *
 * 1. Booked capacity.  The free capacity of a departure or window is its
 *    capacity (in the snapshot) minus what is booked.  The booked rows are
 *    read once (store_quote_booked) and kept with the availability
 *    generation they were read at.  Every change of booked quantities
 *    sends NOTIFY corridor_booked when it commits, whoever makes it
 *    (sql/migrations/030_booked_notify.sql), to every instance; that
 *    notification, a LISTEN reconnect, and this process's own
 *    booking requests and sweeper (at once, before they answer) call
 *    quote_cache_booked_changed(), which makes the kept rows stale.  A
 *    quote after a booking committed here is therefore priced with it; a
 *    booking committed by another instance is seen as soon as its NOTIFY
 *    arrives (about a millisecond).  Booking transactions re-check every
 *    unit under their row locks anyway: a quote is an offer.
 *
 * 2. Offers.  The route search is deterministic: the same organization,
 *    request, pricing day, data version and booked capacity give the same
 *    options.  The rendered options (and FX) are kept under that key for
 *    QUOTE_CACHE_OFFER_TTL_MS, so that cut-offs passing with the clock are
 *    seen within that time; a quote found here gets its own id, times and
 *    row, pointing at the offer stored once (corridor.quote_offer_stored,
 *    read as corridor.quote_offer).
 *
 * Entries are reference-counted and immutable once published.  Any
 * thread. */
#ifndef CORRIDOR_QUOTE_CACHE_H
#define CORRIDOR_QUOTE_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "quote.h"
#include "quote_writer.h"

#define QUOTE_CACHE_OFFER_TTL_MS 1000

/* ---- booked capacity ---- */

/* Rows with something booked (free = capacity - booked), sorted by id. */
struct quote_booked {
    struct quote_free_departure *departures;
    size_t n_departures;
    struct quote_free_window *windows;
    size_t n_windows;
    int64_t data_version; /* corridor.data_version read in the same statement */
    int64_t since;        /* departures from, windows ending after (unix s) */
};

struct quote_booked_set; /* a published struct quote_booked */

/* Booked quantities changed (a booking, cancel, amend, expiry; or the
 * LISTEN connection was re-opened and may have missed some). */
void quote_cache_booked_changed(void);
/* The current availability generation. */
uint64_t quote_cache_gen(void);
/* The kept rows if they are current (generation) for data version
 * `version` and cover `since`; NULL otherwise.  Release the result. */
struct quote_booked_set *quote_cache_booked_acquire(int64_t version, int64_t since);
/* Publishes avail (taken over: the availability of every departure and
 * window of the snapshot with b's rows over it; b's arrays are freed), with
 * b's data version and since, read when the
 * generation was gen, and returns a reference to it (release it).  A
 * publication older than the current one is kept out but still returned to
 * its caller. */
struct quote_booked_set *quote_cache_booked_publish(struct quote_booked *b,
                                                    struct quote_availability *avail,
                                                    uint64_t gen);
const struct quote_availability *quote_cache_availability(const struct quote_booked_set *s);
uint64_t quote_cache_booked_gen(const struct quote_booked_set *s);
void quote_cache_booked_release(struct quote_booked_set *s);

/* ---- offers ---- */

struct quote_offer_entry {
    char offer_id[QUOTE_ID_LEN + 1];
    char *options; /* the options array, JSON text */
    size_t options_len;
    char *request; /* the normalized request (members sorted), JSON text */
    char *fx;      /* the FX used, JSON text */
    int64_t data_version;
    char currency[4];
};

/* The offer kept under key (a reference: release it), or NULL. */
const struct quote_offer_entry *quote_cache_offer_get(const char *key);
/* Keeps e under key; takes over e and its strings (allocated with malloc),
 * and returns a reference (release it). */
const struct quote_offer_entry *quote_cache_offer_put(const char *key,
                                                      struct quote_offer_entry *e);
/* Keeps e (a reference the caller holds) under key as well, for as long as
 * it is kept at all (its TTL runs from when it was put).  For the key of
 * the raw request body (api_quotes.c). */
void quote_cache_offer_alias(const char *key, const struct quote_offer_entry *e);
void quote_cache_offer_release(const struct quote_offer_entry *e);
/* Forgets every offer (their rows may not have been stored). */
void quote_cache_offers_clear(void);

#endif
