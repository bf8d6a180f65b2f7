/* tariff: tariff rows, surcharges, discounts and FX rates, and the pricing
 * of one leg or one node call into charge lines, exactly as
 * design/operator-sql.md says.  A struct tariff_book is built once
 * (tariff_book_new, tariff_book_add_*, tariff_book_finish), then immutable
 * and shared by any number of threads.  Pure: no I/O.
 *
 * Pricing of a leg (charge code by the link's mode: RAIL_FREIGHT,
 * SEA_FREIGHT, ROAD_FREIGHT) or a node call (PORT_HANDLING, TRANSSHIPMENT):
 * - per container line {type, count, gross kg}, the rows of that code on
 *   that link/node valid on the pricing date, of that type or any, whose
 *   weight band (inclusive) holds the container's gross kg; the most specific
 *   wins: a container type over NULL first, then a band over none;
 * - container lines selecting the same row form ONE charge line (quantities
 *   summed, one min_charge);
 * - amount = max(rate x quantity, min_charge), exact in the row's currency;
 * - each surcharge valid on the date whose applies_to is the line's code and
 *   whose mode is NULL or the leg's mode adds SURCHARGE_<code> = percent/100
 *   x the line's exact amount (node calls have no mode: only surcharges with
 *   mode NULL apply to them);
 * - each discount valid on the date for the pricing org or everyone, whose
 *   applies_to is NULL or the line's code, adds DISCOUNT_<code> =
 *   -percent/100 x the line's exact amount (tariff lines only, never
 *   surcharge lines);
 * - every line is converted exactly with per_usd(quote) / per_usd(line's
 *   currency) (the latest FX on_date not after the date; USD is 1) and
 *   rounded half away from zero to the quote currency's minor unit once.
 *   The total of a leg or call is the sum of its rounded lines.
 * Lines are emitted in row order: tariff line, then its surcharges (by id),
 * then its discounts (by id). */
#ifndef CORRIDOR_TARIFF_H
#define CORRIDOR_TARIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "network.h"

/* Scales of the fixed-point values (money.h decimals). */
#define TARIFF_RATE_SCALE 6       /* tariff.rate numeric(14,6) */
#define TARIFF_MIN_CHARGE_SCALE 4 /* tariff.min_charge numeric(14,4) */
#define TARIFF_PERCENT_SCALE 3    /* surcharge/discount percent numeric(7,3) */
#define TARIFF_FX_SCALE 8         /* fx_rate.per_usd numeric(20,8) */
#define TARIFF_QUANTITY_SCALE 4   /* a charge's quantity, numeric(18,4) */
#define TARIFF_FX_RATE_TEXT_SCALE 10 /* a charge's fx_rate text, numeric(20,10) */

#define TARIFF_OPEN_DATE INT32_MAX /* valid_to NULL */
#define TARIFF_NO_BOUND (-1)       /* min/max_gross_kg NULL */
#define TARIFF_CODE_MAX 40         /* charge, surcharge, discount codes + NUL */
#define TARIFF_ORG_MAX 17

enum tariff_container_type {
    TARIFF_20DV = 0,
    TARIFF_40DV,
    TARIFF_40HC,
    TARIFF_20RF,
    TARIFF_40RF,
};
#define TARIFF_N_CONTAINER_TYPES 5
#define TARIFF_ANY_TYPE (-1)

enum tariff_basis {
    TARIFF_PER_CONTAINER = 0,
    TARIFF_PER_TEU,
    TARIFF_PER_TONNE,
    TARIFF_PER_CONTAINER_KM,
    TARIFF_PER_TEU_KM,
    TARIFF_PER_TONNE_KM,
    TARIFF_PER_SHIPMENT,
    TARIFF_PERCENT, /* surcharge and discount lines only */
};

/* What a node call is charged as. */
enum tariff_node_charge {
    TARIFF_PORT_HANDLING = 0,
    TARIFF_TRANSSHIPMENT = 1,
};

enum tariff_error {
    TARIFF_OK = 0,
    TARIFF_ENOTARIFF = -1, /* no applicable row for some container line */
    TARIFF_ENOFX = -2,     /* no FX rate for a currency on the date */
    TARIFF_EOVERFLOW = -3, /* an amount does not fit */
    TARIFF_EINVALID = -4,  /* bad input to a builder or pricing_init */
};

struct tariff_row {
    int64_t id;
    char charge_code[TARIFF_CODE_MAX];
    uint32_t link;           /* network link index, or NETWORK_NONE */
    uint32_t node;           /* network node index, or NETWORK_NONE */
    int container_type;      /* enum tariff_container_type or TARIFF_ANY_TYPE */
    int32_t min_gross_kg;    /* per container, inclusive, or TARIFF_NO_BOUND */
    int32_t max_gross_kg;    /* per container, inclusive, or TARIFF_NO_BOUND */
    enum tariff_basis basis;
    int64_t rate;            /* scale TARIFF_RATE_SCALE, in currency */
    char currency[4];
    int64_t min_charge;      /* scale TARIFF_MIN_CHARGE_SCALE, in currency */
    int32_t valid_from;      /* days since epoch, inclusive */
    int32_t valid_to;        /* inclusive, or TARIFF_OPEN_DATE */
};

struct tariff_surcharge {
    int64_t id;
    char code[TARIFF_CODE_MAX];       /* "BAF" -> line SURCHARGE_BAF */
    char applies_to[TARIFF_CODE_MAX]; /* a charge code */
    int mode;                         /* enum network_mode, or -1 for any */
    int64_t percent;                  /* scale TARIFF_PERCENT_SCALE, -100..1000 */
    int32_t valid_from, valid_to;
};

struct tariff_discount {
    int64_t id;
    char code[TARIFF_CODE_MAX];       /* "INSTC" -> line DISCOUNT_INSTC */
    char org_code[TARIFF_ORG_MAX];    /* "" = everyone */
    char applies_to[TARIFF_CODE_MAX]; /* "" = every tariff line */
    int64_t percent;                  /* scale TARIFF_PERCENT_SCALE, (0, 100] */
    int32_t valid_from, valid_to;
};

struct tariff_fx {
    char currency[4];
    int32_t on_date;  /* days since epoch */
    int64_t per_usd;  /* scale TARIFF_FX_SCALE, > 0 */
};

struct tariff_book; /* opaque */

/* An empty book over net (which must outlive it).  Builder thread. */
struct tariff_book *tariff_book_new(const struct network *net);
void tariff_book_free(struct tariff_book *b);

/* Builder calls: return TARIFF_OK or TARIFF_EINVALID with a message in err.
 * Rows reference the network by index; currencies must be added before the
 * rows, FX rates and surcharges that use them. */
int tariff_book_add_currency(struct tariff_book *b, const char *code, int minor_units, char *err,
                             size_t errlen);
int tariff_book_add_row(struct tariff_book *b, const struct tariff_row *r, char *err,
                        size_t errlen);
int tariff_book_add_surcharge(struct tariff_book *b, const struct tariff_surcharge *s, char *err,
                              size_t errlen);
int tariff_book_add_discount(struct tariff_book *b, const struct tariff_discount *d, char *err,
                             size_t errlen);
int tariff_book_add_fx(struct tariff_book *b, const struct tariff_fx *fx, char *err,
                       size_t errlen);
/* Sorts and indexes.  Returns TARIFF_OK or TARIFF_EINVALID (duplicate ids,
 * duplicate FX (currency, on_date)).  Afterwards read-only. */
int tariff_book_finish(struct tariff_book *b, char *err, size_t errlen);

/* Minor units of a known currency, or -1.  After finish. */
int tariff_book_minor_units(const struct tariff_book *b, const char *code);
/* per_usd (scale TARIFF_FX_SCALE) of currency on date: the latest on_date
 * <= date; USD is 1 without a row.  TARIFF_OK or TARIFF_ENOFX. */
int tariff_book_per_usd(const struct tariff_book *b, const char *currency, int32_t date,
                        int64_t *per_usd);

size_t tariff_book_row_count(const struct tariff_book *b);
const struct tariff_row *tariff_book_row_at(const struct tariff_book *b, size_t i);

/* One container line of a shipment. */
struct tariff_container {
    enum tariff_container_type type;
    int32_t count;            /* > 0 */
    int32_t gross_weight_kg;  /* per container, >= 0 */
};

/* The fixed inputs of pricing one shipment (one quote).  Filled by
 * tariff_pricing_init; the containers array is the caller's and must outlive
 * it.  Read-only afterwards: one may be shared by threads. */
struct tariff_pricing {
    const struct tariff_book *book;
    int32_t date;                      /* the pricing date (validity and FX) */
    char org_code[TARIFF_ORG_MAX];     /* for discounts; "" = none */
    const struct tariff_container *containers;
    size_t n_containers;
    char currency[4];                  /* the quote currency */
    int minor_units;
    int64_t per_usd;                   /* of the quote currency on date */
};

/* Returns TARIFF_OK, TARIFF_EINVALID (unknown currency, no containers, a
 * count <= 0, a negative weight, an unknown type) or TARIFF_ENOFX, with a
 * message in err. */
int tariff_pricing_init(struct tariff_pricing *p, const struct tariff_book *book, int32_t date,
                        const char *currency, const char *org_code,
                        const struct tariff_container *containers, size_t n_containers,
                        char *err, size_t errlen);

/* One priced line, everything the API and booking_charge need. */
struct tariff_charge {
    char code[TARIFF_CODE_MAX + 12]; /* RAIL_FREIGHT, SURCHARGE_BAF, DISCOUNT_INSTC */
    int leg;                         /* leg seq (1-based); 0 = none (node call) */
    char description[192];           /* "Rail freight Aktau → Uzen, 2 × 40HC" */
    enum tariff_basis basis;
    char quantity[32];               /* decimal text, <= 4 fractional digits */
    char unit_price[48];             /* decimal text in unit_currency: the rate (scale 6);
                                      * for percent lines the base line's exact
                                      * amount rounded to 6 decimals (informative) */
    char unit_currency[4];
    int64_t amount;                  /* minor units of the quote currency, rounded once */
    char fx_rate[48];                /* per_usd(quote)/per_usd(unit_currency), 10 decimals */
    int64_t tariff_id;               /* the row (for percent lines: the base line's row) */
    int64_t rule_id;                 /* surcharge/discount id; 0 for tariff lines */
};

/* A growable list of charge lines; zero-initialize, free with
 * tariff_charges_free. */
struct tariff_charges {
    struct tariff_charge *v;
    size_t n, cap;
};
void tariff_charges_free(struct tariff_charges *c);

/* Prices riding link (a network link index) for the shipment.  Appends the
 * lines to out when out is not NULL (leg = leg_seq) and writes their total
 * (quote currency minor units) to *total.  Returns TARIFF_OK, or
 * TARIFF_ENOTARIFF / TARIFF_ENOFX / TARIFF_EOVERFLOW with a reason such as
 * "no RAIL_FREIGHT tariff for 40HC at 30000 kg on link 17 (KZAAU → KZUZE)
 * on 2026-12-03" (nothing is appended then).  Any thread. */
int tariff_price_leg(const struct tariff_pricing *p, uint32_t link, int leg_seq,
                     struct tariff_charges *out, int64_t *total, char *reason, size_t reasonlen);

/* Prices one call at node (a network node index) charged as `charge`;
 * call_kind ("load", "discharge", "transshipment") is only used in the
 * descriptions.  Lines have leg 0.  Otherwise as tariff_price_leg. */
int tariff_price_call(const struct tariff_pricing *p, uint32_t node,
                      enum tariff_node_charge charge, const char *call_kind,
                      struct tariff_charges *out, int64_t *total, char *reason,
                      size_t reasonlen);

/* The charge code of a leg of mode m ("RAIL_FREIGHT", ...), of a node
 * charge ("PORT_HANDLING", "TRANSSHIPMENT"). */
const char *tariff_leg_code(enum network_mode m);
const char *tariff_node_code(enum tariff_node_charge c);

/* Names and parsing: "40HC" <-> TARIFF_40HC, "per_teu_km" <-> TARIFF_PER_TEU_KM
 * ("percent" for TARIFF_PERCENT).  Parsers return -1 for unknown text. */
const char *tariff_container_type_name(enum tariff_container_type t);
int tariff_container_type_parse(const char *s);
const char *tariff_basis_name(enum tariff_basis b);
int tariff_basis_parse(const char *s);
/* TEU of one container: 1 for 20', 2 for 40'. */
int tariff_container_teu(enum tariff_container_type t);

#endif
