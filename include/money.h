/* money: exact decimal arithmetic for prices.  An amount is an int64_t count
 * of a currency's minor units (USD 1234.50 = 123450 with 2 minor units); a
 * rate, an FX rate or a distance is an int64_t scaled by a power of ten (a
 * "fixed-point decimal" with a stated scale).  Products and quotients are
 * computed exactly in __int128 and rounded once, half away from zero.
 * Overflow is always an error (MONEY_EOVERFLOW), never a wrap.  Never double.
 * Pure: no I/O, no globals; every function is safe on any thread. */
#ifndef CORRIDOR_MONEY_H
#define CORRIDOR_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MONEY_MAX_MINOR_UNITS 4
#define MONEY_MAX_SCALE 18 /* the largest scale of a fixed-point decimal */

enum money_error {
    MONEY_OK = 0,
    MONEY_ESYNTAX = -1,   /* not a decimal, or too many fractional digits */
    MONEY_EOVERFLOW = -2, /* the value or an intermediate product does not fit */
    MONEY_ERANGE = -3,    /* a bad scale/minor_units argument, division by zero */
    MONEY_ESPACE = -4,    /* the output buffer is too small */
};

/* A currency: ISO 4217 code and minor units (0..4). */
struct money_currency {
    char code[4];    /* "USD", NUL-terminated */
    int minor_units; /* 0..MONEY_MAX_MINOR_UNITS */
};

/* Parses a decimal amount "[-]digits[.digits]" with at most minor_units
 * (0..4) fractional digits into minor units ("12.5" with 2 -> 1250).  No
 * spaces, no '+', no exponent, at least one digit before any '.', and at
 * least one after it.  Returns MONEY_OK or a negative money_error. */
int money_parse(const char *decimal, int minor_units, int64_t *out);

/* Formats minor units as a decimal: (123450, 2) -> "1234.50", (-5, 2) ->
 * "-0.05", (1200, 0) -> "1200".  Returns the length written (excluding the
 * NUL) or MONEY_ESPACE / MONEY_ERANGE.  32 bytes are always enough. */
int money_format(int64_t amount, int minor_units, char *buf, size_t size);

/* Fixed-point decimals: like money_parse, with any scale 0..MONEY_MAX_SCALE
 * ("0.150000" at scale 6 -> 150000, "928.0" at scale 1 -> 9280).  PostgreSQL
 * numeric text output of a numeric(p, s) column parses at scale s. */
int money_decimal_parse(const char *text, int scale, int64_t *out);

/* Formats a scaled value, dropping trailing fractional zeros (and the '.'
 * when nothing is left): (150000, 6) -> "0.15", (9280, 1) -> "928",
 * (-25, 3) -> "-0.025".  Returns the length or a negative money_error. */
int money_decimal_format(int64_t value, int scale, char *buf, size_t size);

/* 10^n for 0 <= n <= 38, as __int128 (n outside: 0). */
__int128 money_pow10(int n);

/* *out = a * b, MONEY_EOVERFLOW when it does not fit in __int128. */
int money_mul128(__int128 a, __int128 b, __int128 *out);

/* Rounds num / den half away from zero (den != 0, either sign) into an
 * int64_t.  MONEY_ERANGE for den == 0, MONEY_EOVERFLOW when the result does
 * not fit in int64_t. */
int money_div_round(__int128 num, __int128 den, int64_t *out);

/* Rescales value from scale `from` to scale `to`, rounding half away from
 * zero when to < from.  Errors as above. */
int money_rescale(__int128 value, int from, int to, int64_t *out);

/* Currency conversion of an exact amount.  The amount is units / 10^scale
 * in currency A; per_usd_a and per_usd_b are units of A and B for one US
 * dollar, both at FX scale fx_scale (the same for both, so it cancels).
 * Writes round_half_away(amount * per_usd_b / per_usd_a) in B's minor units
 * (minor_units_b).  The rate per_usd_b / per_usd_a is applied exactly: no
 * intermediate rounding. */
int money_convert(__int128 units, int scale, int64_t per_usd_a, int64_t per_usd_b,
                  int minor_units_b, int64_t *out);

/* Finds code in a table sorted by code (strcmp order).  Returns the entry
 * or NULL.  The table is the caller's. */
const struct money_currency *money_currency_find(const struct money_currency *sorted, size_t n,
                                                 const char *code);

/* A short English text for a money_error (static storage). */
const char *money_strerror(int err);

#endif
