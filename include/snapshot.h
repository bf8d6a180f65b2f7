/* snapshot: one immutable, reference-counted bundle of everything a quote
 * reads — data version, currencies, network, timetable (with the route
 * timetable), tariffs, surcharges, discounts and FX rates — and the
 * process-wide "current" snapshot, swapped atomically when operators change
 * reference data.  A request holds the snapshot it started with until it
 * releases it.  Pure: no I/O (the loader in the shell reads PostgreSQL and
 * fills a builder).
 *
 * Builder input conventions (the text PostgreSQL returns):
 * - numerics are decimal strings as PostgreSQL prints them ("0.150000",
 *   "928.0", "42000.00000000"); at most the column's scale of fractional
 *   digits;
 * - dates are "YYYY-MM-DD" strings (DateStyle ISO, PostgreSQL's default);
 * - timestamps are int64 unix seconds (select extract(epoch from t)::bigint);
 * - SQL NULL is a NULL pointer for strings; for integers see each field.
 * A row with a reference to an unknown node, link or currency, or a value
 * out of its column's range, makes the add call fail with a message. */
#ifndef CORRIDOR_SNAPSHOT_H
#define CORRIDOR_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "network.h"
#include "tariff.h"
#include "timetable.h"

struct snapshot;         /* opaque, immutable, reference-counted */
struct snapshot_builder; /* opaque */

struct snapshot_node_row {        /* corridor.node */
    const char *code, *name, *country, *kind, *timezone;
    const char *lat, *lon;        /* numeric(9,6) text or NULL */
    int32_t transfer_minutes;
};
struct snapshot_link_row {        /* corridor.link */
    int64_t id;
    const char *from_code, *to_code;
    const char *mode;             /* rail, sea, road */
    int32_t gauge_mm;             /* 0 = NULL */
    const char *distance_km;      /* numeric(8,1) text */
    const char *transit_hours;    /* numeric(6,1) text */
    const char *carrier;
};
struct snapshot_departure_row {   /* corridor.departure */
    int64_t id, link_id;
    const char *service;
    int64_t departs_at, arrives_at, cutoff_at; /* unix seconds */
    int32_t capacity_teu;
    int64_t capacity_kg;
    const char *status;           /* scheduled, closed, cancelled */
};
struct snapshot_window_row {      /* corridor.port_window */
    int64_t id;
    const char *node_code;
    int64_t starts_at, ends_at;   /* unix seconds */
    int32_t capacity_teu;
};
struct snapshot_tariff_row {      /* corridor.tariff */
    int64_t id;
    const char *charge_code;
    int64_t link_id;              /* 0 = NULL */
    const char *node_code;        /* NULL for link charges */
    const char *container_type;   /* NULL = any */
    int32_t min_gross_kg, max_gross_kg; /* -1 = NULL */
    const char *basis;
    const char *rate;             /* numeric(14,6) text */
    const char *currency;
    const char *min_charge;       /* numeric(14,4) text */
    const char *valid_from;       /* date */
    const char *valid_to;         /* date or NULL (open) */
};
struct snapshot_surcharge_row {   /* corridor.surcharge */
    int64_t id;
    const char *code, *applies_to;
    const char *mode;             /* NULL = any */
    const char *percent;          /* numeric(7,3) text */
    const char *valid_from, *valid_to;
};
struct snapshot_discount_row {    /* corridor.discount */
    int64_t id;
    const char *code;
    const char *org_code;         /* NULL = everyone */
    const char *applies_to;       /* NULL = every tariff line */
    const char *percent;          /* numeric(6,3) text */
    const char *valid_from, *valid_to;
};
struct snapshot_fx_row {          /* corridor.fx_rate */
    const char *currency;
    const char *on_date;
    const char *per_usd;          /* numeric(20,8) text */
};

/* A new builder for data version `version`.  Owned by the caller until
 * snapshot_builder_finish or snapshot_builder_free.  One thread at a time. */
struct snapshot_builder *snapshot_builder_new(int64_t version);
void snapshot_builder_free(struct snapshot_builder *b);

/* Add calls, in this order: currencies, nodes, links, departures and windows,
 * then tariffs, surcharges, discounts and FX rates (each may reference only
 * what came before).  Return 0, or -1 with the reason in
 * snapshot_builder_error (the builder stays usable; the row is skipped).
 * Strings are copied. */
int snapshot_builder_add_currency(struct snapshot_builder *b, const char *code, int minor_units);
int snapshot_builder_add_node(struct snapshot_builder *b, const struct snapshot_node_row *r);
int snapshot_builder_add_link(struct snapshot_builder *b, const struct snapshot_link_row *r);
int snapshot_builder_add_departure(struct snapshot_builder *b,
                                   const struct snapshot_departure_row *r);
int snapshot_builder_add_window(struct snapshot_builder *b, const struct snapshot_window_row *r);
int snapshot_builder_add_tariff(struct snapshot_builder *b, const struct snapshot_tariff_row *r);
int snapshot_builder_add_surcharge(struct snapshot_builder *b,
                                   const struct snapshot_surcharge_row *r);
int snapshot_builder_add_discount(struct snapshot_builder *b,
                                  const struct snapshot_discount_row *r);
int snapshot_builder_add_fx(struct snapshot_builder *b, const struct snapshot_fx_row *r);
/* The last error message ("" if none).  Lives as long as b. */
const char *snapshot_builder_error(const struct snapshot_builder *b);

/* Validates and indexes, consuming b (always freed).  Returns a snapshot
 * with one reference held by the caller, or NULL with a message in err
 * (for example overlapping windows at one node). */
struct snapshot *snapshot_builder_finish(struct snapshot_builder *b, char *err, size_t errlen);

/* References (C11 atomics; any thread).  retain returns s.  The last
 * release frees the snapshot. */
struct snapshot *snapshot_retain(struct snapshot *s);
void snapshot_release(struct snapshot *s);
/* The number of references held now (tests, metrics; racy by nature). */
long snapshot_refcount(const struct snapshot *s);

/* Makes s the process-wide current snapshot, taking over the caller's
 * reference, and drops the current one's (in-flight holders keep theirs).
 * s may be NULL (unpublish, at shutdown).  Any thread. */
void snapshot_publish(struct snapshot *s);
/* The current snapshot with a reference held for the caller (release it),
 * or NULL before the first publish.  Any thread. */
struct snapshot *snapshot_acquire(void);

/* Accessors; results live as long as the snapshot.  Any thread. */
int64_t snapshot_version(const struct snapshot *s);
const struct network *snapshot_network(const struct snapshot *s);
const struct timetable *snapshot_timetable(const struct snapshot *s);
const struct tariff_book *snapshot_tariffs(const struct snapshot *s);

#endif
