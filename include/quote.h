/* quote: request -> priced, Pareto-optimal itinerary options.  Runs the
 * route search over a snapshot with cost callbacks built from the tariffs,
 * the free capacity the shell read from PostgreSQL and the port windows;
 * then prices each chosen itinerary line by line into charges and port
 * calls.  Pure: no I/O, no globals; any thread (each call is independent).
 *
 * Port calls at a node between the incoming leg `in` and the outgoing leg
 * `out` (in is absent at the origin, out at the destination):
 * - in is sea: a `discharge` call at in's arrival, charged PORT_HANDLING;
 * - out is sea: a `load` call at out's departure, charged PORT_HANDLING;
 * - neither is sea, both exist and the mode or gauge changes: a
 *   `transshipment` call at in's arrival, charged TRANSSHIPMENT.
 * A sea load or discharge IS the mode change, so it is charged once, as
 * PORT_HANDLING, never also as TRANSSHIPMENT.  Each call takes the
 * shipment's TEU in the window at that node containing its time
 * ([starts_at, ends_at)); a node with no windows is unconstrained; a node
 * with windows but none containing the time cannot take the call.  Two calls
 * at one node in the same window (sea -> sea) need room for both.
 * A leg may be used when its departure is scheduled, its cutoff_at is after
 * `now`, it has free TEU and kg for the whole shipment, and it is priced; a
 * change of legs at a node needs at least the node's transfer_minutes.
 * An option's charges are in itinerary order: the calls at the origin, leg
 * 1's lines, the calls at the next node, leg 2's lines, ..., the calls at
 * the destination; each tariff line is followed by its surcharge and
 * discount lines (tariff.h).  Port calls are in the same order. */
#ifndef CORRIDOR_QUOTE_H
#define CORRIDOR_QUOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network.h"
#include "snapshot.h"
#include "tariff.h"

#define QUOTE_MAX_OPTIONS 10
#define QUOTE_DEFAULT_OPTIONS 3
#define QUOTE_MAX_VIA 4           /* = ROUTE_MAX_VIA */
#define QUOTE_DEFAULT_HORIZON_DAYS 30

enum quote_optimize {
    QUOTE_OPTIMIZE_COST = 0, /* total, then arrival */
    QUOTE_OPTIMIZE_TIME = 1, /* arrival, then total */
};

struct quote_request {
    const char *origin, *destination;  /* node codes */
    int32_t ready_date;                /* days since epoch; the search starts at 00:00 UTC */
    const struct tariff_container *containers;
    size_t n_containers;
    const char *currency;              /* the quote currency, e.g. "USD" */
    enum quote_optimize optimize;
    int max_options;                   /* 1..QUOTE_MAX_OPTIONS; 0 = QUOTE_DEFAULT_OPTIONS */
    unsigned avoid_modes;              /* set of (1u << enum network_mode) */
    const char *const *via;            /* node codes to pass, in order (n_via <= QUOTE_MAX_VIA) */
    size_t n_via;
    const char *org_code;              /* for discounts (NULL = none) */
    int64_t now;                       /* unix seconds: departures with cutoff_at <= now are not offered */
    int32_t pricing_date;              /* days since epoch: the UTC date of pricing (validity, FX) */
    int horizon_days;                  /* 0 = QUOTE_DEFAULT_HORIZON_DAYS */
};

/* Free capacity now, as read by the shell in one query. */
struct quote_free_departure {
    int64_t id;
    int32_t free_teu;   /* capacity_teu - booked_teu */
    int64_t free_kg;    /* capacity_kg - booked_kg */
};
struct quote_free_window {
    int64_t id;
    int32_t free_teu;
};
/* Arrays sorted by id ascending (ORDER BY id; if they are not, quote_compute
 * sorts a private copy).  A departure or window missing from them counts as
 * full.  A NULL availability means "nothing booked": every departure and
 * window has its whole capacity (tests, benchmarks). */
struct quote_availability {
    const struct quote_free_departure *departures;
    size_t n_departures;
    const struct quote_free_window *windows;
    size_t n_windows;
};

enum quote_call_kind {
    QUOTE_CALL_LOAD = 0,
    QUOTE_CALL_DISCHARGE = 1,
    QUOTE_CALL_TRANSSHIPMENT = 2,
};

struct quote_leg {
    int seq;                           /* 1-based */
    char from[NETWORK_CODE_MAX], to[NETWORK_CODE_MAX];
    enum network_mode mode;
    char carrier[NETWORK_CARRIER_MAX];
    int64_t departure_id;
    int64_t link_id;
    int64_t departs_at, arrives_at;    /* unix seconds */
    int64_t distance_km10;             /* km x 10 */
    char distance_km[24];              /* decimal text, "928" or "99.5" */
};

struct quote_port_call {
    char node[NETWORK_CODE_MAX];
    enum quote_call_kind kind;
    int64_t window_id;                 /* 0 = none (node without windows) */
    int64_t at;                        /* unix seconds */
    int32_t teu;                       /* what the call takes in the window */
};

struct quote_option {
    int option;                        /* 1-based, in output order */
    int64_t total;                     /* minor units of the quote currency = sum of charges */
    int64_t departs_at, arrives_at;
    char transit_hours[24];            /* (arrives_at - departs_at) in hours, decimal text
                                        * with at most 2 fractional digits: "52.5" */
    struct quote_leg *legs;
    size_t n_legs;
    struct quote_port_call *port_calls;
    size_t n_port_calls;
    struct tariff_charge *charges;
    size_t n_charges;
};

enum quote_status {
    QUOTE_OK = 0,
    QUOTE_EINVALID,          /* 422 validation_failed: error_field names the field */
    QUOTE_EUNKNOWN_LOCATION, /* 422 unknown_location: error_field is "origin", "destination" or "via[i]" */
    QUOTE_ENO_ROUTE,         /* 422 no_route: error_detail says why */
    QUOTE_ECAPACITY,         /* 409 capacity_unavailable: full_departures / full_windows,
                              * error_detail says what each has free and needs */
    QUOTE_EINTERNAL,         /* 500: an overflow or a pricing inconsistency */
};

struct quote_result {
    enum quote_status status;
    char error_field[32];
    char error_detail[320];
    int64_t data_version;              /* of the snapshot used */
    char currency[4];
    int minor_units;
    int32_t teu;                       /* total TEU of the shipment */
    int64_t kg;                        /* total gross kg of the shipment */
    struct quote_option *options;      /* QUOTE_OK: 1..max_options options */
    size_t n_options;
    /* QUOTE_ECAPACITY: the departures and windows too full for the best
     * itinerary found when capacity is ignored. */
    int64_t *full_departures;
    size_t n_full_departures;
    int64_t *full_windows;
    size_t n_full_windows;
};

/* Computes the options for req on snapshot s (held by the caller for the
 * call's duration) with free capacity avail (may be NULL, see above).
 * Fills *out, which the caller owns and frees with quote_result_free
 * (whatever the status).  Returns out->status.  Any thread. */
enum quote_status quote_compute(const struct snapshot *s, const struct quote_request *req,
                                const struct quote_availability *avail,
                                struct quote_result *out);

/* Frees what quote_compute allocated in r (not r itself) and zeroes it. */
void quote_result_free(struct quote_result *r);

/* "load", "discharge", "transshipment"; "cost", "time" (parse: -1 if unknown). */
const char *quote_call_kind_name(enum quote_call_kind k);
int quote_optimize_parse(const char *s);

#endif
