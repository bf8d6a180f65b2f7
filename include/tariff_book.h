/* tariff_book: the tariff rows, surcharges, discounts, FX rates and
 * currencies a quote is priced with (the corridor.tariff, surcharge,
 * discount, fx_rate and currency tables), as plain values.  Built once
 * (tariff_book_new, tariff_book_add_*, tariff_book_finish), then immutable
 * and shared by any number of threads.  Pricing itself is in tariff.h.
 * Pure: no I/O. */
#ifndef CORRIDOR_TARIFF_BOOK_H
#define CORRIDOR_TARIFF_BOOK_H

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
#define TARIFF_CODE_MAX 64         /* charge, surcharge, discount codes + NUL */
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

/* Names and parsing: "40HC" <-> TARIFF_40HC, "per_teu_km" <-> TARIFF_PER_TEU_KM
 * ("percent" for TARIFF_PERCENT).  Parsers return -1 for unknown text. */
const char *tariff_container_type_name(enum tariff_container_type t);
int tariff_container_type_parse(const char *s);
const char *tariff_basis_name(enum tariff_basis b);
int tariff_basis_parse(const char *s);
/* TEU of one container: 1 for 20', 2 for 40'. */
int tariff_container_teu(enum tariff_container_type t);

/* For pricing (after finish): the rows of charge_code on (link, node) (one
 * of them NETWORK_NONE), sorted by id; *n gets their count. */
const struct tariff_row *tariff_book_rows(const struct tariff_book *b, uint32_t link,
                                          uint32_t node, const char *charge_code, size_t *n);
/* All surcharges / discounts, sorted by id. */
const struct tariff_surcharge *tariff_book_surcharges(const struct tariff_book *b, size_t *n);
const struct tariff_discount *tariff_book_discounts(const struct tariff_book *b, size_t *n);
const struct network *tariff_book_network(const struct tariff_book *b);

#endif
