/* quote_json: a computed quote (quote.h) as the API's JSON — options with
 * legs, port calls and charges, the FX rates used, and the per-item list of
 * a capacity refusal.  The options array is what corridor.quote.options
 * stores and what the booking transaction reads: per option legs[].
 * departure_id, port_calls[].window_id, charges[] and total, plus the
 * shipment's containers, teu and kg.  Money is {"amount": "<decimal with
 * the currency's minor units>", "currency"}; times RFC 3339 UTC; distance_km
 * and transit_hours JSON numbers (dump with QUOTE_JSON_DUMP_FLAGS to print
 * them exactly).  Any thread; every result is a new reference. */
#ifndef CORRIDOR_QUOTE_JSON_H
#define CORRIDOR_QUOTE_JSON_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "quote.h"
#include "snapshot.h"
#include "tariff_book.h"

/* Decimal measures have at most 9 significant digits: 15 print them exactly. */
#define QUOTE_JSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* A JSON string of s, with bytes of a cut UTF-8 sequence replaced by '?'. */
json_t *quote_json_string(const char *s);

/* The options of res (status QUOTE_OK), each carrying the shipment's
 * container lines. */
json_t *quote_json_options(const struct quote_result *res, const struct tariff_container *c,
                           size_t n_containers);

/* The same options as compact JSON text: byte for byte
 * json_dumps(quote_json_options(res, c, n_containers), QUOTE_JSON_DUMP_FLAGS),
 * written directly (several times cheaper than building and dumping the
 * tree).  Returns a NUL-terminated string the caller frees; its length in
 * *len when len is not NULL.  Any thread. */
char *quote_json_options_text(const struct quote_result *res, const struct tariff_container *c,
                              size_t n_containers, size_t *len);

/* {"date": "YYYY-MM-DD", "per_usd": {currency: decimal}}: the rates on date
 * of the quote currency and of every currency a charge of res is in. */
json_t *quote_json_fx(const struct snapshot *s, const struct quote_result *res, int32_t date);

/* For a QUOTE_ECAPACITY result: one {pointer: "/cargo/containers", message,
 * departure_id | window_id} per full departure or window, saying what is
 * free (from avail) and what the shipment needs. */
json_t *quote_json_capacity_errors(const struct snapshot *s, const struct quote_result *res,
                                   const struct quote_availability *avail);

#endif
