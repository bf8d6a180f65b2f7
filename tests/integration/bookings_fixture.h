/* bookings_fixture: what the booking, storm, event and statistics suites
 * share -- SQL helpers that abort the test on failure, an itinerary of the
 * seeded timetable, quotes (over HTTP through POST /v1/quotes, or inserted
 * with SQL where a test needs a quote on chosen departures), and booking
 * requests.  Test threads only (ck_assert), except bf_post_booking. */
#ifndef CORRIDOR_TEST_BOOKINGS_FIXTURE_H
#define CORRIDOR_TEST_BOOKINGS_FIXTURE_H

#include "harness.h"

#include <stdbool.h>
#include <stddef.h>

/* Runs SQL (printf-style) on db; aborts the test when it fails. */
void bf_sql(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The first column of the first row as a long (aborts when there is none). */
long bf_sql_long(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ... as a new string (free it); NULL when there is no row. */
char *bf_sql_text(const char *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Creates public.it_quote(org, departures bigint[], containers int) in db:
 * a quote of one option over those departures in that leg order, n x 40HC
 * at 20 000 kg (2n TEU, 20 000n kg), a load and a discharge call (with the
 * window holding its time, if any) for every sea leg, one freight line of
 * 500 USD per container per leg and a 50 USD document fee.  Call once per
 * database, before cloning it or starting tests. */
void bf_install(const char *db);

/* An itinerary of the seeded timetable, nth (0-based) in departure order: a
 * sea departure KZAAU -> IRAMD whose cut-off is at least a day away, then
 * the first rail departure IRAMD -> IRTHR leaving 6 h or more after it
 * arrives.  win[] are the windows of its load (KZAAU) and discharge (IRAMD)
 * calls. */
struct bf_itinerary {
    long dep[2];
    long win[2];
    char departs[32]; /* the sea departure's date, YYYY-MM-DD */
};
void bf_itinerary(const char *db, int nth, struct bf_itinerary *out);

/* A quote inserted with SQL (it_quote) for org; returns its id (free it). */
char *bf_quote_sql(const char *db, const char *org, const long *deps, size_t n_deps,
                   int containers);

/* A real quote made over HTTP: POST /v1/quotes KZAAU -> IRTHR for n x 40HC
 * at 20 000 kg, ready on ready_date.  Returns its id (free it) and the
 * departure ids of option 1 in deps (up to 16; *n_deps set).  While the
 * quote endpoint does not exist yet (404 for the route), falls back to
 * bf_quote_sql over the given itinerary and says so on stderr. */
char *bf_quote(const struct it_server *s, const char *key, const char *db, const char *org,
               const struct bf_itinerary *it, int containers, long *deps, size_t *n_deps);

/* POST /v1/bookings {quote_id, option 1, hold, customer_reference?} with an
 * optional Idempotency-Key.  Returns it_request's result.  Any thread. */
int bf_post_booking(const struct it_server *s, const char *key, const char *quote_id, bool hold,
                    const char *idempotency_key, struct it_response *out);

/* Booked TEU and kg of a departure, booked TEU of a window. */
long bf_dep_teu(const char *db, long dep);
long bf_dep_kg(const char *db, long dep);
long bf_win_teu(const char *db, long win);
/* Rows of corridor.check_invariants() (0 when every invariant holds; prints them). */
long bf_violations(const char *db);

/* Waits until the server accepts key (keys are loaded asynchronously). */
void bf_wait_key(const struct it_server *s, const char *key);

double bf_now(void);

#endif
