/* Unit tests of money: parsing, formatting, rounding, conversion, overflow. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "money.h"

static int64_t parse_ok(const char *s, int mu)
{
    int64_t v = 0;
    ck_assert_msg(money_parse(s, mu, &v) == MONEY_OK, "parse %s", s);
    return v;
}

START_TEST(parse_valid)
{
    ck_assert_int_eq(parse_ok("1234.50", 2), 123450);
    ck_assert_int_eq(parse_ok("1234.5", 2), 123450);
    ck_assert_int_eq(parse_ok("1234", 2), 123400);
    ck_assert_int_eq(parse_ok("-0.05", 2), -5);
    ck_assert_int_eq(parse_ok("0", 0), 0);
    ck_assert_int_eq(parse_ok("1200", 0), 1200);
    ck_assert_int_eq(parse_ok("0.0001", 4), 1);
    ck_assert_int_eq(parse_ok("007.10", 2), 710);
    ck_assert_int_eq(parse_ok("92233720368547758.07", 2), INT64_MAX);
    ck_assert_int_eq(parse_ok("-92233720368547758.08", 2), INT64_MIN);
}
END_TEST

START_TEST(parse_invalid)
{
    int64_t v = 42;
    const char *bad[] = {"", "-", ".5", "5.", "1.234", "1,5", " 1", "1 ", "+1", "1e3",
                         "--1", "1.2.3", "0x10", "١"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(money_parse(bad[i], 2, &v) == MONEY_ESYNTAX, "accepted '%s'", bad[i]);
    ck_assert_int_eq(money_parse(NULL, 2, &v), MONEY_ESYNTAX);
    ck_assert_int_eq(money_parse("1.5", 0, &v), MONEY_ESYNTAX);
    ck_assert_int_eq(money_parse("1", 5, &v), MONEY_ERANGE);
    ck_assert_int_eq(money_parse("1", -1, &v), MONEY_ERANGE);
    ck_assert_int_eq(v, 42); /* untouched on error */
}
END_TEST

START_TEST(parse_overflow)
{
    int64_t v;
    ck_assert_int_eq(money_parse("92233720368547758.08", 2, &v), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_parse("-92233720368547758.09", 2, &v), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_parse("99999999999999999999", 0, &v), MONEY_EOVERFLOW);
    /* Fits as digits but not once scaled. */
    ck_assert_int_eq(money_parse("1000000000000000", 4, &v), MONEY_EOVERFLOW);
}
END_TEST

START_TEST(format_values)
{
    char b[32];
    ck_assert_int_eq(money_format(123450, 2, b, sizeof b), 7);
    ck_assert_str_eq(b, "1234.50");
    money_format(-5, 2, b, sizeof b);
    ck_assert_str_eq(b, "-0.05");
    money_format(1200, 0, b, sizeof b);
    ck_assert_str_eq(b, "1200");
    money_format(0, 2, b, sizeof b);
    ck_assert_str_eq(b, "0.00");
    money_format(7, 4, b, sizeof b);
    ck_assert_str_eq(b, "0.0007");
    money_format(INT64_MIN, 2, b, sizeof b);
    ck_assert_str_eq(b, "-92233720368547758.08");
    money_format(INT64_MAX, 0, b, sizeof b);
    ck_assert_str_eq(b, "9223372036854775807");
    ck_assert_int_eq(money_format(123450, 2, b, 7), MONEY_ESPACE);
    ck_assert_int_eq(money_format(123450, 2, b, 8), 7);
    /* Round trip. */
    int64_t v;
    ck_assert_int_eq(money_parse(b, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 123450);
}
END_TEST

START_TEST(decimal_scales)
{
    int64_t v;
    char b[48];
    ck_assert_int_eq(money_decimal_parse("0.150000", 6, &v), MONEY_OK);
    ck_assert_int_eq(v, 150000);
    money_decimal_format(v, 6, b, sizeof b);
    ck_assert_str_eq(b, "0.15");
    ck_assert_int_eq(money_decimal_parse("928.0", 1, &v), MONEY_OK);
    ck_assert_int_eq(v, 9280);
    money_decimal_format(v, 1, b, sizeof b);
    ck_assert_str_eq(b, "928");
    ck_assert_int_eq(money_decimal_parse("42000.00000000", 8, &v), MONEY_OK);
    ck_assert_int_eq(v, 4200000000000LL);
    money_decimal_format(-25, 3, b, sizeof b);
    ck_assert_str_eq(b, "-0.025");
    money_decimal_format(0, 6, b, sizeof b);
    ck_assert_str_eq(b, "0");
    ck_assert_int_eq(money_decimal_parse("0.1234567890", 10, &v), MONEY_OK);
    ck_assert_int_eq(v, 1234567890);
    ck_assert_int_eq(money_decimal_parse("1", 19, &v), MONEY_ERANGE);
}
END_TEST

/* Half away from zero at exactly .5, both signs, and just off .5. */
START_TEST(rounding_half_away)
{
    int64_t v;
    ck_assert_int_eq(money_div_round(5, 10, &v), MONEY_OK);
    ck_assert_int_eq(v, 1);
    money_div_round(-5, 10, &v);
    ck_assert_int_eq(v, -1);
    money_div_round(5, -10, &v);
    ck_assert_int_eq(v, -1);
    money_div_round(25, 10, &v);
    ck_assert_int_eq(v, 3);
    money_div_round(-25, 10, &v);
    ck_assert_int_eq(v, -3);
    money_div_round(249999, 100000, &v);
    ck_assert_int_eq(v, 2);
    money_div_round(-249999, 100000, &v);
    ck_assert_int_eq(v, -2);
    money_div_round(1, 3, &v);
    ck_assert_int_eq(v, 0);
    money_div_round(2, 3, &v);
    ck_assert_int_eq(v, 1);
    money_div_round(-2, 3, &v);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(money_div_round(1, 0, &v), MONEY_ERANGE);
    /* 12.345 at scale 3 to 2 decimals: 12.35; -12.345: -12.35. */
    ck_assert_int_eq(money_rescale(12345, 3, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 1235);
    money_rescale(-12345, 3, 2, &v);
    ck_assert_int_eq(v, -1235);
    money_rescale(12344, 3, 2, &v);
    ck_assert_int_eq(v, 1234);
    /* An odd divisor: 7 / 2 = 3.5 -> 4. */
    money_div_round(7, 2, &v);
    ck_assert_int_eq(v, 4);
}
END_TEST

/* CHF -> USD -> KZT.  A rail charge of 1925 CHF (RAI sulphur wagon, 2021)
 * with CHF at 0.87 per USD and KZT at 478.5 per USD:
 *   USD = 1925 / 0.87 = 2212.643678...  -> 2212.64 (221264 cents)
 *   KZT = 1925 * 478.5 / 0.87 = 1058750 exactly (478.5/0.87 = 550)
 *       -> 1058750.00 (105875000 tiyn)
 * Converting directly (one rounding) and through the rounded USD figure
 * (two roundings) differ: 2212.64 USD * 478.5 = 1058748.24 KZT, 1.76 KZT
 * less.  The core always converts directly, rounding once. */
START_TEST(conversion_chain)
{
    const int64_t chf = 87000000, kzt = 47850000000LL, usd = 100000000; /* scale 8 */
    int64_t v;
    ck_assert_int_eq(money_convert(1925, 0, chf, usd, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 221264);
    ck_assert_int_eq(money_convert(1925, 0, chf, kzt, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 105875000);
    /* Through rounded USD: 2212.64 USD in KZT = 1058748.24. */
    ck_assert_int_eq(money_convert(221264, 2, usd, kzt, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 105874824);
    /* Back: 1058750 KZT in CHF = 1925.00. */
    ck_assert_int_eq(money_convert(105875000, 2, kzt, chf, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 192500);
    /* To a currency with 0 minor units and one with 3 (rounding .5 up):
     * 0.005 USD at 1 per USD with 2 minor units = 0.01 (half away). */
    ck_assert_int_eq(money_convert(5, 3, usd, usd, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 1);
    ck_assert_int_eq(money_convert(-5, 3, usd, usd, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, -1);
    ck_assert_int_eq(money_convert(1, 0, 0, usd, 2, &v), MONEY_ERANGE);
}
END_TEST

/* IRR and KZT magnitudes: a million USD at 1,050,000 IRR per USD is
 * 1.05e12 IRR = 1.05e14 minor units: fits int64 and computes exactly; a
 * billion-TEU nonsense amount overflows and is refused, not wrapped. */
START_TEST(magnitudes_and_overflow)
{
    const int64_t usd = 100000000, irr = 105000000000000LL; /* 1,050,000.00000000 */
    int64_t v;
    /* 1,000,000.00 USD at scale 10 (a tariff line's exact scale). */
    __int128 units = (__int128)1000000 * money_pow10(10);
    ck_assert_int_eq(money_convert(units, 10, usd, irr, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 105000000000000LL);
    /* The same in KZT (478.5): 478,500,000.00 KZT. */
    ck_assert_int_eq(money_convert(units, 10, usd, 47850000000LL, 2, &v), MONEY_OK);
    ck_assert_int_eq(v, 47850000000LL);
    /* 1e14 USD in IRR does not fit in int64 minor units. */
    __int128 huge = (__int128)100000000000000LL * money_pow10(10);
    ck_assert_int_eq(money_convert(huge, 10, usd, irr, 2, &v), MONEY_EOVERFLOW);
    /* An intermediate product beyond __int128 is refused too. */
    __int128 big = money_pow10(37);
    __int128 p;
    ck_assert_int_eq(money_mul128(big, 100, &p), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_convert(big, 0, usd, irr, 2, &v), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_rescale(INT64_MAX, 0, 1, &v), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_div_round((__int128)INT64_MAX + 1, 1, &v), MONEY_EOVERFLOW);
    ck_assert_int_eq(money_div_round(-((__int128)INT64_MAX + 1), 1, &v), MONEY_OK);
    ck_assert_int_eq(v, INT64_MIN);
}
END_TEST

START_TEST(currency_table)
{
    static const struct money_currency tab[] = {
        {"CHF", 2}, {"IRR", 2}, {"JPY", 0}, {"KWD", 3}, {"KZT", 2}, {"USD", 2}};
    size_t n = sizeof tab / sizeof *tab;
    ck_assert_int_eq(money_currency_find(tab, n, "KWD")->minor_units, 3);
    ck_assert_int_eq(money_currency_find(tab, n, "JPY")->minor_units, 0);
    ck_assert_ptr_nonnull(money_currency_find(tab, n, "CHF"));
    ck_assert_ptr_nonnull(money_currency_find(tab, n, "USD"));
    ck_assert_ptr_null(money_currency_find(tab, n, "EUR"));
    ck_assert_ptr_null(money_currency_find(tab, 0, "USD"));
}
END_TEST

Suite *money_suite(void);
Suite *money_suite(void)
{
    Suite *s = suite_create("money");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parse_valid);
    tcase_add_test(tc, parse_invalid);
    tcase_add_test(tc, parse_overflow);
    tcase_add_test(tc, format_values);
    tcase_add_test(tc, decimal_scales);
    tcase_add_test(tc, rounding_half_away);
    tcase_add_test(tc, conversion_chain);
    tcase_add_test(tc, magnitudes_and_overflow);
    tcase_add_test(tc, currency_table);
    suite_add_tcase(s, tc);
    return s;
}
