/* timetable: departures (trains, sailings) on the network's links and port
 * windows at its nodes, plus the route module's view of the departures.
 * Built once (timetable_new, timetable_add_*, timetable_finish), then
 * immutable and shared by any number of threads.  Times are unix seconds
 * (UTC); dates are days since 1970-01-01.  Free capacity is NOT here: it
 * changes with every booking and comes with each quote (quote.h).  Pure. */
#ifndef CORRIDOR_TIMETABLE_H
#define CORRIDOR_TIMETABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network.h"
#include "route.h"

#define TIMETABLE_NONE UINT32_MAX

enum timetable_status {
    TIMETABLE_SCHEDULED = 0,
    TIMETABLE_CLOSED = 1,
    TIMETABLE_CANCELLED = 2,
};

struct timetable_departure {
    int64_t id;           /* corridor.departure.id */
    uint32_t link;        /* network link index */
    char *service;        /* copied by timetable_add_departure */
    int64_t departs_at, arrives_at, cutoff_at;
    int32_t capacity_teu;
    int64_t capacity_kg;
    enum timetable_status status;
};

struct timetable_window {
    int64_t id;           /* corridor.port_window.id */
    uint32_t node;        /* network node index */
    int64_t starts_at, ends_at; /* [starts_at, ends_at) */
    int32_t capacity_teu;
};

struct timetable; /* opaque */

/* An empty timetable over net (which must outlive it).  Builder thread. */
struct timetable *timetable_new(const struct network *net);
void timetable_free(struct timetable *t);

/* Adds a departure (d->service copied).  Returns 0, or -1 with a message
 * (unknown link index, arrives_at <= departs_at, cutoff_at > departs_at,
 * negative capacity, duplicate id: the last is reported by finish). */
int timetable_add_departure(struct timetable *t, const struct timetable_departure *d, char *err,
                            size_t errlen);
/* Adds a port window.  Returns 0 or -1 (unknown node, ends_at <= starts_at,
 * negative capacity). */
int timetable_add_window(struct timetable *t, const struct timetable_window *w, char *err,
                         size_t errlen);

/* Sorts and indexes: departures by id, windows by (node, starts_at), and
 * builds the route timetable from the `scheduled` departures.  Returns 0,
 * or -1 with a message (duplicate ids, overlapping windows at one node). */
int timetable_finish(struct timetable *t, char *err, size_t errlen);

const struct network *timetable_network(const struct timetable *t);

/* Departures in id order (i < count).  Pointers live as long as t. */
size_t timetable_departure_count(const struct timetable *t);
const struct timetable_departure *timetable_departure_at(const struct timetable *t, uint32_t i);
/* Index of the departure with this id, or TIMETABLE_NONE. */
uint32_t timetable_departure_find(const struct timetable *t, int64_t id);

/* Windows in (node, starts_at) order (i < count). */
size_t timetable_window_count(const struct timetable *t);
const struct timetable_window *timetable_window_at(const struct timetable *t, uint32_t i);
/* Index of the window with this id, or TIMETABLE_NONE. */
uint32_t timetable_window_find(const struct timetable *t, int64_t id);
/* True when node has at least one window (a node without any is unconstrained). */
bool timetable_node_has_windows(const struct timetable *t, uint32_t node);
/* Index of node's window with starts_at <= at < ends_at, or TIMETABLE_NONE.
 * Binary search. */
uint32_t timetable_window_containing(const struct timetable *t, uint32_t node, int64_t at);

/* The search's view: one route_connection per scheduled departure, with
 * ref = the departure's index, mode = the link's network_mode and
 * cls = timetable_transfer_class(link).  Lives as long as t. */
const struct route_timetable *timetable_route(const struct timetable *t);

/* The transfer class of a link: mode x gauge (0 none, 1 1435, 2 1520,
 * 3 1676) = mode * 4 + gauge index, < 16.  Two legs with different classes
 * meet at a mode or gauge change. */
uint8_t timetable_transfer_class(const struct network_link *l);

/* Dates: "YYYY-MM-DD" <-> days since 1970-01-01 (proleptic Gregorian).
 * parse returns 0 or -1 (syntax, or a day that does not exist); format
 * writes 11 bytes ("2026-12-03") and returns 10, or -1 if size < 11. */
int timetable_date_parse(const char *text, int32_t *days);
int timetable_date_format(int32_t days, char *buf, size_t size);
/* The UTC date of a unix time (floor division). */
int32_t timetable_date_of(int64_t unix_seconds);
/* RFC 3339 UTC, "2026-12-03T08:00:00Z" (21 bytes needed).  Returns 20 or -1. */
int timetable_time_format(int64_t unix_seconds, char *buf, size_t size);

#endif
