/* Unit tests of tariff: row selection (specificity, bands, validity),
 * quantities by basis, min charges, surcharges, discounts and FX, to the
 * minor unit. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "network.h"
#include "tariff.h"
#include "timetable.h"

static struct network *net;
static struct tariff_book *book;
static uint32_t L17, L18, AKTAU;

static int32_t day(const char *s)
{
    int32_t d;
    ck_assert_int_eq(timetable_date_parse(s, &d), 0);
    return d;
}

static int64_t dec(const char *s, int scale)
{
    int64_t v;
    ck_assert_msg(money_decimal_parse(s, scale, &v) == MONEY_OK, "decimal %s", s);
    return v;
}

static void add_node(const char *code, const char *name)
{
    struct network_node n = {.name = (char *)name, .transfer_minutes = 120};
    snprintf(n.code, sizeof n.code, "%s", code);
    ck_assert_int_ge(network_add_node(net, &n, NULL, 0), 0);
}

static uint32_t add_link(int64_t id, const char *from, const char *to, const char *km)
{
    struct network_link l = {.id = id, .mode = NETWORK_RAIL, .gauge_mm = 1520,
                             .distance_km10 = dec(km, 1), .transit_hours10 = 240};
    snprintf(l.carrier, sizeof l.carrier, "KTZ");
    int64_t i = network_add_link(net, &l, from, to, NULL, 0);
    ck_assert_int_ge(i, 0);
    return (uint32_t)i;
}

/* A tariff row; link/node NETWORK_NONE when unused; type -1 = any; band -1 = none. */
static void row(int64_t id, const char *code, uint32_t link, uint32_t node, int type, int32_t min,
                int32_t max, enum tariff_basis basis, const char *rate, const char *cur,
                const char *min_charge, const char *from, const char *to)
{
    struct tariff_row r = {.id = id, .link = link, .node = node, .container_type = type,
                           .min_gross_kg = min, .max_gross_kg = max, .basis = basis,
                           .rate = dec(rate, 6), .min_charge = dec(min_charge, 4),
                           .valid_from = day(from),
                           .valid_to = to ? day(to) : TARIFF_OPEN_DATE};
    snprintf(r.charge_code, sizeof r.charge_code, "%s", code);
    snprintf(r.currency, sizeof r.currency, "%s", cur);
    char err[200];
    ck_assert_msg(tariff_book_add_row(book, &r, err, sizeof err) == TARIFF_OK, "%s", err);
}

static void fx(const char *cur, const char *on, const char *per_usd)
{
    struct tariff_fx f = {.on_date = day(on), .per_usd = dec(per_usd, 8)};
    snprintf(f.currency, sizeof f.currency, "%s", cur);
    ck_assert_int_eq(tariff_book_add_fx(book, &f, NULL, 0), TARIFF_OK);
}

static void setup(void)
{
    net = network_new();
    add_node("KZAAU", "Aktau");
    add_node("KZUZE", "Uzen");
    add_node("IRGBT", "Gorgan");
    L17 = add_link(17, "KZAAU", "KZUZE", "142.0");
    L18 = add_link(18, "KZUZE", "IRGBT", "928.0");
    network_finish(net);
    AKTAU = network_node_find(net, "KZAAU");
    book = tariff_book_new(net);
    const char *cur[] = {"USD", "KZT", "CHF", "IRR"};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(tariff_book_add_currency(book, cur[i], 2, NULL, 0), TARIFF_OK);
    ck_assert_int_eq(tariff_book_add_currency(book, "JPY", 0, NULL, 0), TARIFF_OK);
    fx("KZT", "2026-01-01", "470.00000000");
    fx("KZT", "2026-04-01", "478.50000000");
    fx("CHF", "2026-01-01", "0.87000000");
    fx("JPY", "2026-01-01", "150.00000000");
}

static void teardown(void)
{
    tariff_book_free(book);
    network_free(net);
}

static void finish(void)
{
    char err[200];
    ck_assert_msg(tariff_book_finish(book, err, sizeof err) == TARIFF_OK, "%s", err);
}

static struct tariff_pricing P;

static void pricing(const char *date, const char *cur, const char *org,
                    const struct tariff_container *c, size_t n)
{
    char err[200];
    ck_assert_msg(tariff_pricing_init(&P, book, day(date), cur, org, c, n, err, sizeof err) ==
                      TARIFF_OK, "%s", err);
}

/* Prices link into lines; returns the total. */
static int64_t leg(uint32_t link, struct tariff_charges *out)
{
    int64_t total = -1;
    char reason[256] = "";
    int rc = tariff_price_leg(&P, link, 1, out, &total, reason, sizeof reason);
    ck_assert_msg(rc == TARIFF_OK, "price: %s", reason);
    return total;
}

#define C(type, count, kg) {TARIFF_##type, count, kg}

/* Type over NULL first, then a band over none. */
START_TEST(specificity)
{
    row(1, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_CONTAINER, "100", "USD", "0",
        "2026-01-01", NULL);
    row(2, "RAIL_FREIGHT", L17, NETWORK_NONE, TARIFF_40HC, -1, -1, TARIFF_PER_CONTAINER, "200",
        "USD", "0", "2026-01-01", NULL);
    row(3, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, 0, 24000, TARIFF_PER_CONTAINER, "150", "USD",
        "0", "2026-01-01", NULL);
    row(4, "RAIL_FREIGHT", L17, NETWORK_NONE, TARIFF_40HC, 0, 24000, TARIFF_PER_CONTAINER, "250",
        "USD", "0", "2026-06-01", NULL);
    /* Another charge code on the same link never applies to a rail leg. */
    row(5, "SEA_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_CONTAINER, "1", "USD", "0",
        "2026-01-01", NULL);
    finish();
    struct tariff_charges out = {0};
    struct tariff_container a[] = {C(20DV, 1, 10000)}; /* rows 1, 3: band wins -> 150 */
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, &out), 15000);
    ck_assert_int_eq(out.v[0].tariff_id, 3);
    struct tariff_container b[] = {C(40HC, 1, 30000)}; /* rows 1, 2: type wins -> 200 */
    pricing("2026-05-01", "USD", NULL, b, 1);
    ck_assert_int_eq(leg(L17, NULL), 20000);
    struct tariff_container c[] = {C(40HC, 1, 20000)}; /* rows 1, 2, 3: type over band -> 200 */
    pricing("2026-05-01", "USD", NULL, c, 1);
    ck_assert_int_eq(leg(L17, NULL), 20000);
    pricing("2026-06-01", "USD", NULL, c, 1); /* row 4 in force: type and band -> 250 */
    ck_assert_int_eq(leg(L17, NULL), 25000);
    tariff_charges_free(&out);
}
END_TEST

/* The 2023 corridor rates: 0.15 USD/TEU-km up to 24 t, 0.18 above.
 * 1 x 20DV over 142 km: 142 x 0.15 = 21.30; 142 x 0.18 = 25.56. */
START_TEST(band_edges)
{
    row(10, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, 24000, TARIFF_PER_TEU_KM, "0.150000",
        "USD", "0", "2023-01-01", NULL);
    row(11, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, 24001, -1, TARIFF_PER_TEU_KM, "0.180000",
        "USD", "0", "2023-01-01", NULL);
    finish();
    struct tariff_container a[] = {C(20DV, 1, 24000)};
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 2130);
    a[0].gross_weight_kg = 24001;
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 2556);
    a[0].gross_weight_kg = 0;
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 2130);
}
END_TEST

START_TEST(validity_edges)
{
    row(20, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_CONTAINER, "100", "USD", "0",
        "2026-01-01", "2026-03-31");
    row(21, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_CONTAINER, "120", "USD", "0",
        "2026-04-01", NULL);
    finish();
    struct tariff_container a[] = {C(40HC, 2, 30000)};
    pricing("2026-01-01", "USD", NULL, a, 1); /* valid_from inclusive */
    ck_assert_int_eq(leg(L17, NULL), 20000);
    pricing("2026-03-31", "USD", NULL, a, 1); /* valid_to inclusive */
    ck_assert_int_eq(leg(L17, NULL), 20000);
    pricing("2026-04-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 24000);
    pricing("2031-12-31", "USD", NULL, a, 1); /* open */
    ck_assert_int_eq(leg(L17, NULL), 24000);
    pricing("2025-12-31", "USD", NULL, a, 1);
    struct tariff_charges out = {0};
    int64_t total;
    char reason[256];
    ck_assert_int_eq(tariff_price_leg(&P, L17, 1, &out, &total, reason, sizeof reason),
                     TARIFF_ENOTARIFF);
    ck_assert_str_eq(reason, "no RAIL_FREIGHT tariff for 40HC at 30000 kg on link 17 "
                             "(KZAAU → KZUZE) on 2025-12-31");
    ck_assert_uint_eq(out.n, 0);
    /* No row at all on link 18. */
    pricing("2026-04-01", "USD", NULL, a, 1);
    ck_assert_int_eq(tariff_price_leg(&P, L18, 1, NULL, &total, reason, sizeof reason),
                     TARIFF_ENOTARIFF);
}
END_TEST

/* Amount = max(rate x quantity, min_charge); lines selecting the same row
 * are one line with one min charge. */
START_TEST(min_charge_and_grouping)
{
    row(30, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_TONNE, "2.500000", "USD",
        "100.0000", "2026-01-01", NULL);
    row(31, "PORT_HANDLING", NETWORK_NONE, AKTAU, -1, -1, -1, TARIFF_PER_CONTAINER, "30", "USD",
        "100", "2026-01-01", NULL);
    finish();
    struct tariff_charges out = {0};
    struct tariff_container a[] = {C(20DV, 1, 10000)}; /* 10 t x 2.5 = 25 < 100 */
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 10000);
    struct tariff_container b[] = {C(20DV, 3, 20000)}; /* 60 t x 2.5 = 150 */
    pricing("2026-05-01", "USD", NULL, b, 1);
    ck_assert_int_eq(leg(L17, NULL), 15000);
    /* Two container lines, one row: quantity 2, max(60, 100) = 100 once (not 200). */
    struct tariff_container c[] = {C(20DV, 1, 8000), C(40HC, 1, 26000)};
    pricing("2026-05-01", "USD", NULL, c, 2);
    int64_t total;
    char reason[200];
    ck_assert_int_eq(tariff_price_call(&P, AKTAU, TARIFF_PORT_HANDLING, "load", &out, &total,
                                       reason, sizeof reason), TARIFF_OK);
    ck_assert_int_eq(total, 10000);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.v[0].quantity, "2");
    ck_assert_int_eq(out.v[0].leg, 0);
    ck_assert_str_eq(out.v[0].code, "PORT_HANDLING");
    ck_assert_str_eq(out.v[0].description, "Port handling at Aktau (load), 1 × 20DV, 1 × 40HC");
    /* The same shipment on the rail leg: 8 + 26 = 34 t x 2.5 = 85 -> min 100. */
    ck_assert_int_eq(leg(L17, NULL), 10000);
    tariff_charges_free(&out);
}
END_TEST

static const char *basis_quantity(enum tariff_basis basis, const struct tariff_container *c,
                                  size_t n, struct tariff_charges *out)
{
    book = (tariff_book_free(book), tariff_book_new(net));
    ck_assert_int_eq(tariff_book_add_currency(book, "USD", 2, NULL, 0), TARIFF_OK);
    row(40, "RAIL_FREIGHT", L18, NETWORK_NONE, -1, -1, -1, basis, "1", "USD", "0", "2026-01-01",
        NULL);
    finish();
    pricing("2026-05-01", "USD", NULL, c, n);
    out->n = 0;
    leg(L18, out);
    ck_assert_uint_eq(out->n, 1);
    ck_assert_str_eq(out->v[0].basis == basis ? "ok" : "bad basis", "ok");
    return out->v[0].quantity;
}

/* Link 18 (Uzen -> Gorgan, the KTI line) is 928.0 km. */
START_TEST(quantities_by_basis)
{
    struct tariff_charges out = {0};
    struct tariff_container two[] = {C(40HC, 2, 24000)};
    struct tariff_container odd[] = {C(20DV, 1, 12345)};
    struct tariff_container mix[] = {C(40HC, 2, 24000), C(20DV, 1, 12345)};
    ck_assert_str_eq(basis_quantity(TARIFF_PER_CONTAINER, two, 1, &out), "2");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TEU, two, 1, &out), "4");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TONNE, two, 1, &out), "48");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TONNE, odd, 1, &out), "12.345");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_CONTAINER_KM, two, 1, &out), "1856");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TEU_KM, two, 1, &out), "3712");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TONNE_KM, odd, 1, &out), "11456.16");
    ck_assert_int_eq(out.v[0].amount, 1145616); /* 11456.16 USD at 1 USD/t-km */
    ck_assert_str_eq(basis_quantity(TARIFF_PER_SHIPMENT, mix, 2, &out), "1");
    ck_assert_str_eq(basis_quantity(TARIFF_PER_TEU_KM, mix, 2, &out), "4640"); /* 5 x 928 */
    ck_assert_str_eq(out.v[0].description, "Rail freight Uzen → Gorgan, 2 × 40HC, 1 × 20DV");
    tariff_charges_free(&out);
}
END_TEST

static void surcharge(int64_t id, const char *code, const char *applies, int mode,
                      const char *pct)
{
    struct tariff_surcharge s = {.id = id, .mode = mode, .percent = dec(pct, 3),
                                 .valid_from = day("2026-01-01"),
                                 .valid_to = TARIFF_OPEN_DATE};
    snprintf(s.code, sizeof s.code, "%s", code);
    snprintf(s.applies_to, sizeof s.applies_to, "%s", applies);
    ck_assert_int_eq(tariff_book_add_surcharge(book, &s, NULL, 0), TARIFF_OK);
}

static void discount(int64_t id, const char *code, const char *org, const char *applies,
                     const char *pct, const char *to)
{
    struct tariff_discount d = {.id = id, .percent = dec(pct, 3),
                                .valid_from = day("2026-01-01"),
                                .valid_to = to ? day(to) : TARIFF_OPEN_DATE};
    snprintf(d.code, sizeof d.code, "%s", code);
    snprintf(d.org_code, sizeof d.org_code, "%s", org ? org : "");
    snprintf(d.applies_to, sizeof d.applies_to, "%s", applies ? applies : "");
    ck_assert_int_eq(tariff_book_add_discount(book, &d, NULL, 0), TARIFF_OK);
}

/* 2 x 40HC at 20000 kg, Aktau -> Uzen (142 km), 0.15 USD/TEU-km, quote in
 * KZT at 478.50 per USD (the 2026-04-01 rate; the 2026-01-01 rate of 470
 * is older):
 *   RAIL_FREIGHT   4 TEU x 142 km x 0.15 = 85.20 USD x 478.5 = 40768.20 KZT
 *   SURCHARGE_BAF  12.5% of 85.20 = 10.65 USD = 5096.025 KZT -> 5096.03
 *   (SURCHARGE_WAR applies to sea legs only: none)
 *   DISCOUNT_INSTC 20% for FWD1 = -17.04 USD = -8153.64 KZT
 *   DISCOUNT_ALL   7.5% for everyone = -6.39 USD = -3057.615 KZT -> -3057.62
 *   (DISCOUNT_OTHER is for another org; DISCOUNT_OLD expired on 2026-03-31)
 *   total 40768.20 + 5096.03 - 8153.64 - 3057.62 = 34652.97 KZT */
START_TEST(surcharges_and_discounts)
{
    row(50, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, 24000, TARIFF_PER_TEU_KM, "0.150000",
        "USD", "0", "2023-01-01", NULL);
    surcharge(1, "BAF", "RAIL_FREIGHT", NETWORK_RAIL, "12.500");
    surcharge(2, "WAR", "RAIL_FREIGHT", NETWORK_SEA, "50.000");
    surcharge(3, "PORT", "PORT_HANDLING", -1, "10.000");
    discount(1, "INSTC", "FWD1", "RAIL_FREIGHT", "20.000", NULL);
    discount(2, "ALL", NULL, NULL, "7.500", NULL);
    discount(3, "OTHER", "FWD2", NULL, "50.000", NULL);
    discount(4, "OLD", NULL, NULL, "50.000", "2026-03-31");
    finish();
    struct tariff_container a[] = {C(40HC, 2, 20000)};
    pricing("2026-05-01", "KZT", "FWD1", a, 1);
    struct tariff_charges out = {0};
    ck_assert_int_eq(leg(L17, &out), 3465297);
    ck_assert_uint_eq(out.n, 4);
    ck_assert_str_eq(out.v[0].code, "RAIL_FREIGHT");
    ck_assert_int_eq(out.v[0].amount, 4076820);
    ck_assert_str_eq(out.v[0].quantity, "568");
    ck_assert_str_eq(out.v[0].unit_price, "0.15");
    ck_assert_str_eq(out.v[0].unit_currency, "USD");
    ck_assert_str_eq(out.v[0].fx_rate, "478.5");
    ck_assert_str_eq(out.v[0].description, "Rail freight Aktau → Uzen, 2 × 40HC");
    ck_assert_str_eq(out.v[1].code, "SURCHARGE_BAF");
    ck_assert_int_eq(out.v[1].amount, 509603);
    ck_assert_int_eq(out.v[1].tariff_id, 50);
    ck_assert_str_eq(out.v[1].quantity, "12.5");
    ck_assert_str_eq(out.v[1].unit_price, "85.2");
    ck_assert_str_eq(out.v[2].code, "DISCOUNT_INSTC");
    ck_assert_int_eq(out.v[2].amount, -815364);
    ck_assert_str_eq(out.v[3].code, "DISCOUNT_ALL");
    ck_assert_int_eq(out.v[3].amount, -305762);
    int64_t sum = 0;
    for (size_t i = 0; i < out.n; i++) {
        sum += out.v[i].amount;
        ck_assert_int_eq(out.v[i].leg, 1);
    }
    ck_assert_int_eq(sum, 3465297);
    /* Without an org only DISCOUNT_ALL applies: 40768.20 + 5096.03 - 3057.62. */
    pricing("2026-05-01", "KZT", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 4280661);
    /* On 2026-03-31 KZT is 470 and DISCOUNT_OLD (50%) still applies:
     * 85.20 x 470 = 40044.00; BAF 10.65 x 470 = 5005.50; ALL -6.39 x 470 =
     * -3003.30; OLD -42.60 x 470 = -20022.00 -> 22024.20. */
    pricing("2026-03-31", "KZT", NULL, a, 1);
    ck_assert_int_eq(leg(L17, NULL), 2202420);
    tariff_charges_free(&out);
}
END_TEST

/* A CHF tariff quoted in USD and in JPY (0 minor units): 35 CHF/t (RAI
 * 2021), 10 t = 350 CHF; / 0.87 = 402.2988... USD -> 402.30; x 150 / 0.87 =
 * 60344.827... JPY -> 60345. */
START_TEST(fx_conversion)
{
    row(60, "RAIL_FREIGHT", L18, NETWORK_NONE, -1, -1, -1, TARIFF_PER_TONNE, "35", "CHF", "0",
        "2026-01-01", NULL);
    row(61, "RAIL_FREIGHT", L17, NETWORK_NONE, -1, -1, -1, TARIFF_PER_TONNE, "1", "IRR", "0",
        "2026-01-01", NULL);
    finish();
    struct tariff_container a[] = {C(20DV, 1, 10000)};
    struct tariff_charges out = {0};
    pricing("2026-05-01", "USD", NULL, a, 1);
    ck_assert_int_eq(leg(L18, &out), 40230);
    ck_assert_str_eq(out.v[0].fx_rate, "1.1494252874");
    ck_assert_str_eq(out.v[0].unit_currency, "CHF");
    pricing("2026-05-01", "JPY", NULL, a, 1);
    ck_assert_int_eq(leg(L18, NULL), 60345);
    /* IRR has no FX row: the leg cannot be priced, with a reason. */
    int64_t total;
    char reason[200];
    ck_assert_int_eq(tariff_price_leg(&P, L17, 1, NULL, &total, reason, sizeof reason),
                     TARIFF_ENOFX);
    ck_assert_str_eq(reason, "no FX rate for IRR on or before 2026-05-01");
    /* A quote currency without FX, or unknown, is refused up front. */
    char err[200];
    ck_assert_int_eq(tariff_pricing_init(&P, book, day("2026-05-01"), "IRR", NULL, a, 1, err,
                                         sizeof err), TARIFF_ENOFX);
    ck_assert_int_eq(tariff_pricing_init(&P, book, day("2026-05-01"), "EUR", NULL, a, 1, err,
                                         sizeof err), TARIFF_EINVALID);
    /* KZT before its first rate (2026-01-01) has none. */
    ck_assert_int_eq(tariff_pricing_init(&P, book, day("2025-12-31"), "KZT", NULL, a, 1, err,
                                         sizeof err), TARIFF_ENOFX);
    tariff_charges_free(&out);
}
END_TEST

START_TEST(book_validation)
{
    struct tariff_row r = {.id = 1, .link = L17, .node = AKTAU, .container_type = -1,
                           .min_gross_kg = -1, .max_gross_kg = -1, .basis = TARIFF_PER_TEU,
                           .valid_to = TARIFF_OPEN_DATE};
    snprintf(r.charge_code, sizeof r.charge_code, "RAIL_FREIGHT");
    snprintf(r.currency, sizeof r.currency, "USD");
    char err[200];
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_EINVALID); /* both */
    r.node = NETWORK_NONE;
    r.rate = -1;
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_EINVALID);
    r.rate = 1;
    r.min_gross_kg = 30000;
    r.max_gross_kg = 20000;
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_EINVALID);
    r.min_gross_kg = r.max_gross_kg = -1;
    snprintf(r.currency, sizeof r.currency, "EUR");
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_EINVALID);
    ck_assert_ptr_nonnull(strstr(err, "EUR"));
    snprintf(r.currency, sizeof r.currency, "USD");
    r.link = NETWORK_NONE;
    r.node = AKTAU;
    r.basis = TARIFF_PER_TEU;
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_OK);
    ck_assert_int_eq(tariff_book_add_row(book, &r, err, sizeof err), TARIFF_OK);
    ck_assert_int_eq(tariff_book_finish(book, err, sizeof err), TARIFF_EINVALID); /* dup id */
}
END_TEST

/* The schema allows a per-km basis on a node row; the book keeps it (one
 * odd row must not stop every reload), and the calls it selects cannot be
 * priced, with a reason naming it. */
START_TEST(km_basis_on_a_node)
{
    row(70, "PORT_HANDLING", NETWORK_NONE, AKTAU, -1, -1, -1, TARIFF_PER_TEU_KM, "1", "USD", "0",
        "2026-01-01", NULL);
    finish();
    struct tariff_container a[] = {C(20DV, 1, 10000)};
    pricing("2026-05-01", "USD", NULL, a, 1);
    int64_t total;
    char reason[200];
    ck_assert_int_eq(tariff_price_call(&P, AKTAU, TARIFF_PORT_HANDLING, "load", NULL, &total,
                                       reason, sizeof reason), TARIFF_ENOTARIFF);
    ck_assert_ptr_nonnull(strstr(reason, "tariff 70 at KZAAU has a per-km basis"));
}
END_TEST

START_TEST(names)
{
    ck_assert_int_eq(tariff_container_type_parse("40HC"), TARIFF_40HC);
    ck_assert_int_eq(tariff_container_type_parse("45HC"), -1);
    ck_assert_int_eq(tariff_basis_parse("per_tonne_km"), TARIFF_PER_TONNE_KM);
    ck_assert_str_eq(tariff_basis_name(TARIFF_PER_SHIPMENT), "per_shipment");
    ck_assert_int_eq(tariff_container_teu(TARIFF_20RF), 1);
    ck_assert_int_eq(tariff_container_teu(TARIFF_40RF), 2);
    ck_assert_str_eq(tariff_leg_code(NETWORK_SEA), "SEA_FREIGHT");
    ck_assert_str_eq(tariff_node_code(TARIFF_TRANSSHIPMENT), "TRANSSHIPMENT");
}
END_TEST

Suite *tariff_suite(void);
Suite *tariff_suite(void)
{
    Suite *s = suite_create("tariff");
    TCase *tc = tcase_create("pricing");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, specificity);
    tcase_add_test(tc, band_edges);
    tcase_add_test(tc, validity_edges);
    tcase_add_test(tc, min_charge_and_grouping);
    tcase_add_test(tc, quantities_by_basis);
    tcase_add_test(tc, surcharges_and_discounts);
    tcase_add_test(tc, fx_conversion);
    tcase_add_test(tc, book_validation);
    tcase_add_test(tc, km_basis_on_a_node);
    tcase_add_test(tc, names);
    suite_add_tcase(s, tc);
    return s;
}
