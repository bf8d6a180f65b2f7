/* money: exact fixed-point decimals in int64_t / __int128 (see money.h). */
#include "money.h"

#include <string.h>

#define I128_MAX ((__int128)(((unsigned __int128)1 << 127) - 1))

__int128 money_pow10(int n)
{
    if (n < 0 || n > 38)
        return 0;
    __int128 p = 1;
    while (n-- > 0)
        p *= 10;
    return p;
}

int money_mul128(__int128 a, __int128 b, __int128 *out)
{
    if (__builtin_mul_overflow(a, b, out))
        return MONEY_EOVERFLOW;
    return MONEY_OK;
}

int money_div_round(__int128 num, __int128 den, int64_t *out)
{
    if (den == 0)
        return MONEY_ERANGE;
    /* Work with magnitudes; -INT128_MIN does not exist, refuse it. */
    if (num == -I128_MAX - 1 || den == -I128_MAX - 1)
        return MONEY_EOVERFLOW;
    bool neg = (num < 0) != (den < 0);
    unsigned __int128 n = num < 0 ? (unsigned __int128)(-num) : (unsigned __int128)num;
    unsigned __int128 d = den < 0 ? (unsigned __int128)(-den) : (unsigned __int128)den;
    unsigned __int128 q = n / d, r = n % d;
    if (r >= d - r) /* r >= d/2 exactly: half rounds away from zero */
        q++;
    if (q > (unsigned __int128)INT64_MAX + (neg ? 1 : 0))
        return MONEY_EOVERFLOW;
    *out = neg ? (int64_t)(-(__int128)q) : (int64_t)q;
    return MONEY_OK;
}

int money_rescale(__int128 value, int from, int to, int64_t *out)
{
    if (from < 0 || to < 0 || from > 38 || to > 38)
        return MONEY_ERANGE;
    if (to >= from) {
        __int128 v;
        if (money_mul128(value, money_pow10(to - from), &v) != MONEY_OK)
            return MONEY_EOVERFLOW;
        return money_div_round(v, 1, out);
    }
    return money_div_round(value, money_pow10(from - to), out);
}

int money_convert(__int128 units, int scale, int64_t per_usd_a, int64_t per_usd_b,
                  int minor_units_b, int64_t *out)
{
    if (per_usd_a <= 0 || per_usd_b <= 0 || scale < 0 || scale > 38 || minor_units_b < 0 ||
        minor_units_b > MONEY_MAX_MINOR_UNITS)
        return MONEY_ERANGE;
    /* amount_b = units / 10^scale * per_usd_b / per_usd_a, in minor units:
     * units * per_usd_b * 10^minor / (10^scale * per_usd_a). */
    __int128 num, den;
    if (money_mul128(units, per_usd_b, &num) != MONEY_OK ||
        money_mul128(num, money_pow10(minor_units_b), &num) != MONEY_OK ||
        money_mul128(money_pow10(scale), per_usd_a, &den) != MONEY_OK)
        return MONEY_EOVERFLOW;
    return money_div_round(num, den, out);
}

int money_decimal_parse(const char *text, int scale, int64_t *out)
{
    if (scale < 0 || scale > MONEY_MAX_SCALE)
        return MONEY_ERANGE;
    if (!text)
        return MONEY_ESYNTAX;
    const char *p = text;
    bool neg = false;
    if (*p == '-') {
        neg = true;
        p++;
    }
    /* Accumulate as a negative number so that INT64_MIN is representable. */
    int64_t v = 0;
    int int_digits = 0, frac_digits = 0;
    while (*p >= '0' && *p <= '9') {
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, *p - '0', &v))
            return MONEY_EOVERFLOW;
        p++;
        int_digits++;
    }
    if (int_digits == 0)
        return MONEY_ESYNTAX;
    if (*p == '.') {
        p++;
        while (*p >= '0' && *p <= '9') {
            if (++frac_digits > scale)
                return MONEY_ESYNTAX;
            if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, *p - '0', &v))
                return MONEY_EOVERFLOW;
            p++;
        }
        if (frac_digits == 0)
            return MONEY_ESYNTAX;
    }
    if (*p != '\0')
        return MONEY_ESYNTAX;
    for (int i = frac_digits; i < scale; i++)
        if (__builtin_mul_overflow(v, 10, &v))
            return MONEY_EOVERFLOW;
    if (!neg) {
        if (v == INT64_MIN)
            return MONEY_EOVERFLOW;
        v = -v;
    }
    *out = v;
    return MONEY_OK;
}

int money_parse(const char *decimal, int minor_units, int64_t *out)
{
    if (minor_units < 0 || minor_units > MONEY_MAX_MINOR_UNITS)
        return MONEY_ERANGE;
    return money_decimal_parse(decimal, minor_units, out);
}

/* Writes value / 10^scale with exactly `scale` fractional digits into a
 * 48-byte scratch; returns its length. */
static int format_fixed(int64_t value, int scale, char *tmp)
{
    char digits[24];
    int n = 0;
    /* Magnitude without overflowing on INT64_MIN. */
    uint64_t mag = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[n++] = (char)('0' + mag % 10);
        mag /= 10;
    } while (mag);
    while (n <= scale)
        digits[n++] = '0';
    int len = 0;
    if (value < 0)
        tmp[len++] = '-';
    for (int i = n - 1; i >= 0; i--) {
        tmp[len++] = digits[i];
        if (i == scale && scale > 0)
            tmp[len++] = '.';
    }
    tmp[len] = '\0';
    return len;
}

static int copy_out(const char *tmp, int len, char *buf, size_t size)
{
    if (!buf || size < (size_t)len + 1)
        return MONEY_ESPACE;
    memcpy(buf, tmp, (size_t)len + 1);
    return len;
}

int money_format(int64_t amount, int minor_units, char *buf, size_t size)
{
    if (minor_units < 0 || minor_units > MONEY_MAX_MINOR_UNITS)
        return MONEY_ERANGE;
    char tmp[48];
    int len = format_fixed(amount, minor_units, tmp);
    return copy_out(tmp, len, buf, size);
}

int money_decimal_format(int64_t value, int scale, char *buf, size_t size)
{
    if (scale < 0 || scale > MONEY_MAX_SCALE)
        return MONEY_ERANGE;
    char tmp[48];
    int len = format_fixed(value, scale, tmp);
    if (scale > 0) {
        while (tmp[len - 1] == '0')
            len--;
        if (tmp[len - 1] == '.')
            len--;
        tmp[len] = '\0';
    }
    return copy_out(tmp, len, buf, size);
}

const struct money_currency *money_currency_find(const struct money_currency *sorted, size_t n,
                                                 const char *code)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sorted[mid].code, code);
        if (c == 0)
            return &sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const char *money_strerror(int err)
{
    switch (err) {
    case MONEY_OK:
        return "ok";
    case MONEY_ESYNTAX:
        return "not a decimal number with the allowed number of fractional digits";
    case MONEY_EOVERFLOW:
        return "amount out of range";
    case MONEY_ERANGE:
        return "invalid scale or division by zero";
    case MONEY_ESPACE:
        return "buffer too small";
    }
    return "unknown money error";
}
