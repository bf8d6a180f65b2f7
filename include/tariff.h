/* tariff: the pricing of one leg or one node call into charge lines from a
 * tariff book (tariff_book.h: rows, surcharges, discounts, FX), exactly as
 * design/operator-sql.md says.  Pure: no I/O; any thread.
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
#include "tariff_book.h"

/* What a node call is charged as. */
enum tariff_node_charge {
    TARIFF_PORT_HANDLING = 0,
    TARIFF_TRANSSHIPMENT = 1,
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

#endif
