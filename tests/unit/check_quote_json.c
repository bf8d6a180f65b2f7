/* Unit tests of quote_json: the options text written directly
 * (quote_json_options_text) is byte for byte what jansson dumps for the
 * options tree (quote_json_options), for options exercising every field,
 * null, escape and number case; and the text says what the quote says. */
#include <check.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "quote_json.h"
#include "timetable.h"

static int64_t at(const char *rfc3339_day, int hour)
{
    int32_t d = 0;
    ck_assert_int_eq(timetable_date_parse(rfc3339_day, &d), 0);
    return (int64_t)d * 86400 + hour * 3600;
}

/* Compares the two renderings and returns the direct one (free it). */
static char *both_ways(const struct quote_result *r, const struct tariff_container *c, size_t n)
{
    json_t *tree = quote_json_options(r, c, n);
    ck_assert_ptr_nonnull(tree);
    char *dumped = json_dumps(tree, QUOTE_JSON_DUMP_FLAGS);
    json_decref(tree);
    ck_assert_ptr_nonnull(dumped);
    size_t len = 0;
    char *text = quote_json_options_text(r, c, n, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(len, strlen(text));
    size_t i = 0;
    while (text[i] && text[i] == dumped[i])
        i++;
    ck_assert_msg(text[i] == dumped[i], "differ at byte %zu: text \"%.60s\", jansson \"%.60s\"",
                  i, text + (i > 20 ? i - 20 : 0), dumped + (i > 20 ? i - 20 : 0));
    free(dumped);
    return text;
}

/* Two options: legs with decimal and whole distances, calls with and
 * without a window, charges with and without leg / tariff row, negative
 * amounts, UTF-8, quotes, backslashes and control characters in text. */
START_TEST(text_equals_the_jansson_dump)
{
    struct quote_leg legs1[] = {
        {1, "KZALA", "KZAAU", NETWORK_RAIL, "KTZ", 1001, 1, at("2026-12-03", 3),
         at("2026-12-05", 7), 20910, "2091"},
        {2, "KZAAU", "IRAMIR", NETWORK_SEA, "IRISL", 2002, 14, at("2026-12-06", 12),
         at("2026-12-08", 0), 5995, "599.5"},
    };
    struct quote_port_call calls1[] = {
        {"KZAAU", QUOTE_CALL_LOAD, 3001, at("2026-12-06", 6), 4},
        {"IRAMIR", QUOTE_CALL_DISCHARGE, 0, at("2026-12-08", 0), 4},
    };
    struct tariff_charge ch1[] = {
        {.code = "RAIL_FREIGHT", .leg = 1, .description = "Rail freight Almaty → Aktau, 2 × 40HC",
         .basis = TARIFF_PER_CONTAINER_KM, .quantity = "4182", .unit_price = "0.24",
         .unit_currency = "USD", .amount = 100368, .fx_rate = "1.0000000000", .tariff_id = 7},
        {.code = "DISCOUNT_INSTC", .leg = 1, .description = "say \"INSTC\" \\ 5 %\n\ttab\x1f\x01",
         .basis = TARIFF_PERCENT, .quantity = "-5.000", .unit_price = "1003.680000",
         .unit_currency = "USD", .amount = -5018, .fx_rate = "1.0000000000", .tariff_id = 7},
        {.code = "PORT_HANDLING", .leg = 0, .description = "Port handling at Aktau",
         .basis = TARIFF_PER_CONTAINER, .quantity = "2", .unit_price = "5000000",
         .unit_currency = "IRR", .amount = 23, .fx_rate = "0.0000238095", .tariff_id = 0},
    };
    struct quote_leg legs2[] = {
        {1, "KZALA", "IRSRP", NETWORK_ROAD, "CARRIER/X", 3003, 40, at("2026-12-04", 0),
         at("2026-12-10", 0), 10, "1.0"},
    };
    struct tariff_charge ch2[] = {
        {.code = "ROAD_FREIGHT", .leg = 1, .description = "invalid \xC3\x28 UTF-8",
         .basis = TARIFF_PER_SHIPMENT, .quantity = "1", .unit_price = "0.000001",
         .unit_currency = "EUR", .amount = 123456789012, .fx_rate = "1.0834000000",
         .tariff_id = 9000000000LL},
    };
    struct quote_option opts[] = {
        {1, 95373, at("2026-12-03", 3), at("2026-12-08", 0), "117", legs1, 2, calls1, 2, ch1, 3},
        {2, -1, at("2026-12-04", 0), at("2026-12-10", 0), "52.5", legs2, 1, NULL, 0, ch2, 1},
    };
    struct quote_result r = {.status = QUOTE_OK, .data_version = 5, .currency = "USD",
                             .minor_units = 2, .teu = 4, .kg = 48000, .options = opts,
                             .n_options = 2};
    struct tariff_container c[] = {{TARIFF_40HC, 2, 24000}, {TARIFF_20DV, 1, 1}};
    char *text = both_ways(&r, c, 2);

    /* and it says what the quote says */
    json_error_t err;
    json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    ck_assert_msg(doc != NULL, "%s", err.text);
    ck_assert_uint_eq(json_array_size(doc), 2);
    json_t *o1 = json_array_get(doc, 0), *o2 = json_array_get(doc, 1);
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o1, "total"), "amount")),
                     "953.73");
    ck_assert_str_eq(json_string_value(json_object_get(json_object_get(o2, "total"), "amount")),
                     "-0.01");
    ck_assert(json_is_integer(json_object_get(o1, "transit_hours")));
    ck_assert(json_real_value(json_object_get(o2, "transit_hours")) == 52.5);
    json_t *leg2 = json_array_get(json_object_get(o1, "legs"), 1);
    ck_assert(json_real_value(json_object_get(leg2, "distance_km")) == 599.5);
    ck_assert_str_eq(json_string_value(json_object_get(leg2, "departs_at")),
                     "2026-12-06T12:00:00Z");
    ck_assert(json_is_null(
        json_object_get(json_array_get(json_object_get(o1, "port_calls"), 1), "window_id")));
    json_t *disc = json_array_get(json_object_get(o1, "charges"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(disc, "description")),
                     ch1[1].description);
    json_t *port = json_array_get(json_object_get(o1, "charges"), 2);
    ck_assert(json_is_null(json_object_get(port, "leg")));
    ck_assert(json_is_null(json_object_get(port, "tariff_id")));
    json_t *road = json_array_get(json_object_get(o2, "charges"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(road, "description")),
                     "invalid ?( UTF-8");
    ck_assert_int_eq(json_integer_value(json_object_get(road, "tariff_id")), 9000000000LL);
    ck_assert(json_real_value(json_object_get(json_array_get(json_object_get(o2, "legs"), 0),
                                              "distance_km")) == 1.0);
    ck_assert_int_eq(json_array_size(json_object_get(o2, "port_calls")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_array_get(json_object_get(o2, "containers"), 1), "gross_weight_kg")),
                     1);
    ck_assert_int_eq(json_integer_value(json_object_get(o2, "kg")), 48000);
    json_decref(doc);
    free(text);
}
END_TEST

/* Decimal texts as jansson prints the reals they become. */
START_TEST(decimals_as_jansson_prints_them)
{
    static const char *const texts[] = {"0.1",   "52.0",         "1e5",      "0.000001",
                                        "1234567890123.5", "99999999999999999.5", "-3.25",
                                        "7",     "0",            "123456789012345678"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        struct quote_leg leg = {1, "AAAAA", "BBBBB", NETWORK_RAIL, "KTZ", 1, 1, 0, 3600, 0, ""};
        snprintf(leg.distance_km, sizeof leg.distance_km, "%s", texts[i]);
        struct quote_option o = {1, 0, 0, 3600, "1", &leg, 1, NULL, 0, NULL, 0};
        snprintf(o.transit_hours, sizeof o.transit_hours, "%s", texts[i]);
        struct quote_result r = {.status = QUOTE_OK, .currency = "JPY", .minor_units = 0,
                                 .options = &o, .n_options = 1};
        free(both_ways(&r, NULL, 0));
    }
}
END_TEST

START_TEST(no_options_is_an_empty_array)
{
    struct quote_result r = {.status = QUOTE_OK, .currency = "USD", .minor_units = 2};
    char *text = both_ways(&r, NULL, 0);
    ck_assert_str_eq(text, "[]");
    free(text);
}
END_TEST

Suite *quote_json_suite(void);
Suite *quote_json_suite(void)
{
    Suite *s = suite_create("quote_json");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, text_equals_the_jansson_dump);
    tcase_add_test(tc, decimals_as_jansson_prints_them);
    tcase_add_test(tc, no_options_is_an_empty_array);
    suite_add_tcase(s, tc);
    return s;
}
