/* route: itinerary search over a timetable, in the spirit of Connection Scan.
 * Connections are sorted by departure once; a query makes one pass over the
 * ones inside its horizon, keeping per (node, arrival class, via progress) a
 * Pareto bag of labels (arrival, cost).  The result is the Pareto front of
 * (total cost, arrival) at the destination: no itinerary returned is both
 * dearer and later than another.  Pure: no I/O, no globals; a struct
 * route_timetable is immutable after route_timetable_build and may be shared
 * by any number of threads, each with its own query. */
#ifndef CORRIDOR_ROUTE_H
#define CORRIDOR_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One departure on one link, as the search sees it. */
struct route_connection {
    uint32_t from, to;      /* node indices, < n_nodes */
    int64_t departs_at;     /* unix seconds */
    int64_t arrives_at;     /* > departs_at */
    uint32_t ref;           /* the caller's index (its departure) */
    uint8_t mode;           /* caller's mode id < 8 (bit in avoid_modes) */
    uint8_t cls;            /* caller's transfer class < 16: what transfer cost and
                             * feasibility may depend on (e.g. mode and gauge) */
};

struct route_timetable; /* opaque: connections sorted by departure */

/* Copies and sorts the connections.  Returns a new timetable (free with
 * route_timetable_free).  Connections with from == to or arrives_at <=
 * departs_at are dropped. */
struct route_timetable *route_timetable_build(const struct route_connection *c, size_t n,
                                              uint32_t n_nodes);
void route_timetable_free(struct route_timetable *t);
size_t route_timetable_size(const struct route_timetable *t);
/* The i-th connection in departure order (i < size). */
const struct route_connection *route_timetable_at(const struct route_timetable *t, size_t i);

/* The caller prices and filters.  Costs are int64 minor units of one currency.
 * Both callbacks must be deterministic for the same arguments. */
struct route_costs {
    void *arg;
    /* May connection c be used (capacity, cut-off, tariff)?  If so, *cost is
     * the price of riding it.  Called at most once per connection per query. */
    bool (*leg)(void *arg, const struct route_connection *c, int64_t *cost);
    /* The call at node between arriving by in (NULL at the origin) and
     * leaving by out (NULL at the destination): false if impossible (too
     * short a connection, a full port window, no tariff); else *cost (port
     * handling, transshipment).  May depend only on node, in->cls,
     * in->arrives_at, in->mode, out->cls, out->departs_at, out->mode and the
     * query's ready time; in and out are never both NULL.
     * Costs of both callbacks are >= 0.  Refusals may depend on those arguments
     * in any way, but when two arrivals differing only in in->arrives_at are
     * both accepted, the earlier must not cost more (the search keeps the
     * earlier and cheaper of two partial itineraries on that basis). */
    bool (*transfer)(void *arg, uint32_t node, const struct route_connection *in,
                     const struct route_connection *out, int64_t *cost);
};

/* What one search did (benchmarks, logs). */
struct route_stats {
    size_t scanned;          /* connections inside [ready_at, horizon_end] looked at */
    size_t labels;           /* partial itineraries created */
    size_t transfer_calls;   /* calls of costs->transfer */
    size_t leg_calls;        /* calls of costs->leg */
};

struct route_query {
    uint32_t origin, destination;
    int64_t ready_at;        /* no departure from the origin before this */
    int64_t horizon_end;     /* no connection departing after this */
    const uint32_t *via;     /* nodes to pass through, in this order (may be NULL); the
                              * origin counts as passed, each arrival passes one */
    size_t n_via;            /* at most ROUTE_MAX_VIA */
    unsigned avoid_modes;    /* bit (1u << mode) set: never use that mode */
    size_t max_legs;         /* 0 = ROUTE_DEFAULT_MAX_LEGS */
    struct route_stats *stats; /* optional (NULL): filled by route_search */
};

#define ROUTE_MAX_VIA 4
#define ROUTE_DEFAULT_MAX_LEGS 24

struct route_itinerary {
    int64_t cost;            /* sum of every leg and transfer cost */
    int64_t departs_at;      /* first leg's departure */
    int64_t arrives_at;      /* last leg's arrival */
    size_t n_legs;
    const struct route_connection *legs[ROUTE_DEFAULT_MAX_LEGS]; /* into the timetable */
};

/* Why a query found nothing (when it did, ROUTE_FOUND). */
enum route_outcome {
    ROUTE_FOUND = 0,
    ROUTE_NO_CONNECTION,     /* the destination is never reached in the horizon */
    ROUTE_ONLY_INFEASIBLE,   /* reached only through legs/transfers the callbacks refused */
};

/* Searches.  Writes at most max_out itineraries into out, sorted by arrival
 * (then cost); returns how many (the whole front is at most that many when
 * max_out is large enough).  *outcome tells why none was found.
 * Thread-safe for a shared timetable; allocates its own scratch. */
size_t route_search(const struct route_timetable *t, const struct route_query *q,
                    const struct route_costs *costs, struct route_itinerary *out, size_t max_out,
                    enum route_outcome *outcome);

#endif
