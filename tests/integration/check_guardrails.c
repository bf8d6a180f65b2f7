/* Integration: an operator's mistakes in psql get a clear error from
 * PostgreSQL, never a silent bad row (suite "guardrails").  Each statement
 * runs as corridor_operator, the role operators use; the running server
 * keeps answering afterwards. */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct it_server srv;
static char db[64];

static void setup(void)
{
    it_db_create("guard", db);
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "guardrails: server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

#define AS_OPERATOR(sql) it_sql_error_as(db, "corridor_operator", sql)

static long first_link(void)
{
    char *v = it_sql_value(db, "SELECT min(id) FROM corridor.link");
    ck_assert_ptr_nonnull(v);
    long id = atol(v);
    free(v);
    return id;
}

START_TEST(operator_can_do_the_right_thing)
{
    /* the control: a well-formed tariff row on a free validity range is accepted */
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from, valid_to) VALUES ('GR_OK', %ld, 'per_teu_km', 0.15, 'USD', "
             "'2040-01-01', '2040-12-31')",
             first_link());
    ck_assert_str_eq(AS_OPERATOR(sql), "");
}
END_TEST

START_TEST(overlapping_tariff_refused)
{
    char sql[512];
    long link = first_link();
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from, valid_to) VALUES ('GR_OVERLAP', %ld, 'per_teu_km', 0.15, 'USD', "
             "'2041-01-01', '2041-06-30')",
             link);
    ck_assert_str_eq(AS_OPERATOR(sql), "");
    /* same key, validity overlapping by one day */
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from, valid_to) VALUES ('GR_OVERLAP', %ld, 'per_teu_km', 0.18, 'USD', "
             "'2041-06-30', NULL)",
             link);
    ck_assert_str_eq(AS_OPERATOR(sql), "23P01"); /* exclusion_violation */
    /* the day after is fine: a rate raised from a date */
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from, valid_to) VALUES ('GR_OVERLAP', %ld, 'per_teu_km', 0.18, 'USD', "
             "'2041-07-01', NULL)",
             link);
    ck_assert_str_eq(AS_OPERATOR(sql), "");
    /* two overlapping weight bands of the same key are refused too */
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "min_gross_kg, max_gross_kg, valid_from) VALUES "
             "('GR_BAND', %ld, 'per_teu_km', 0.15, 'USD', 0, 24000, '2042-01-01'), "
             "('GR_BAND', %ld, 'per_teu_km', 0.18, 'USD', 24000, NULL, '2042-01-01')",
             link, link);
    ck_assert_str_eq(AS_OPERATOR(sql), "23P01");
}
END_TEST

START_TEST(negative_rate_refused)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from) VALUES ('GR_NEG', %ld, 'per_teu_km', -0.15, 'USD', '2043-01-01')",
             first_link());
    ck_assert_str_eq(AS_OPERATOR(sql), "23514"); /* check_violation */
    ck_assert_str_eq(AS_OPERATOR("UPDATE corridor.tariff SET min_charge = -1 "
                                 "WHERE id = (SELECT min(id) FROM corridor.tariff)"),
                     "23514");
}
END_TEST

START_TEST(unknown_currency_refused)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.tariff (charge_code, link_id, basis, rate, currency, "
             "valid_from) VALUES ('GR_CUR', %ld, 'per_teu_km', 0.15, 'XYZ', '2044-01-01')",
             first_link());
    ck_assert_str_eq(AS_OPERATOR(sql), "23503"); /* foreign_key_violation */
}
END_TEST

START_TEST(link_to_unknown_node_refused)
{
    ck_assert_str_eq(AS_OPERATOR("INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, "
                                 "distance_km, transit_hours, carrier) VALUES "
                                 "('KZAAU', 'ZZNOP', 'rail', 1520, 100, 5, 'KTZ')"),
                     "23503");
    /* and a rail link without a gauge, or a loop */
    ck_assert_str_eq(AS_OPERATOR("INSERT INTO corridor.link (from_code, to_code, mode, "
                                 "distance_km, transit_hours, carrier) VALUES "
                                 "('KZAAU', 'KZALA', 'rail', 100, 5, 'KTZ')"),
                     "23514");
    ck_assert_str_eq(AS_OPERATOR("INSERT INTO corridor.link (from_code, to_code, mode, "
                                 "distance_km, transit_hours, carrier) VALUES "
                                 "('KZAAU', 'KZAAU', 'sea', 100, 5, 'KMTF')"),
                     "23514");
}
END_TEST

START_TEST(capacity_below_booked_refused)
{
    char sql[768];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, "
             "cutoff_at, capacity_teu, capacity_kg, booked_teu, booked_kg) VALUES "
             "(%ld, 'GR-1', '2045-01-10 06:00Z', '2045-01-11 06:00Z', '2045-01-09 06:00Z', "
             "100, 2000000, 60, 500000)",
             first_link());
    ck_assert_str_eq(it_sql_error(db, sql), "");
    ck_assert_str_eq(AS_OPERATOR("UPDATE corridor.departure SET capacity_teu = 50 "
                                 "WHERE service = 'GR-1'"),
                     "23514");
    ck_assert_str_eq(AS_OPERATOR("UPDATE corridor.departure SET capacity_kg = 400000 "
                                 "WHERE service = 'GR-1'"),
                     "23514");
    /* down to exactly what is booked is allowed */
    ck_assert_str_eq(AS_OPERATOR("UPDATE corridor.departure SET capacity_teu = 60 "
                                 "WHERE service = 'GR-1'"),
                     "");
    /* a port window likewise */
    ck_assert_str_eq(it_sql_error(db, "INSERT INTO corridor.port_window (node_code, starts_at, "
                                      "ends_at, capacity_teu, booked_teu) VALUES ('KZAAU', "
                                      "'2045-01-10 00:00Z', '2045-01-10 12:00Z', 40, 30)"),
                     "");
    ck_assert_str_eq(AS_OPERATOR("UPDATE corridor.port_window SET capacity_teu = 29 "
                                 "WHERE node_code = 'KZAAU' AND starts_at = '2045-01-10 00:00Z'"),
                     "23514");
    /* and overlapping windows at one node */
    ck_assert_str_eq(AS_OPERATOR("INSERT INTO corridor.port_window (node_code, starts_at, "
                                 "ends_at, capacity_teu) VALUES ('KZAAU', '2045-01-10 11:00Z', "
                                 "'2045-01-10 18:00Z', 40)"),
                     "23P01");
}
END_TEST

START_TEST(operator_cannot_touch_bookings_or_ddl)
{
    /* bookings are read-only for operators; no role but the owner does DDL */
    ck_assert_str_eq(AS_OPERATOR("DELETE FROM corridor.booking"), "42501");
    ck_assert_str_eq(AS_OPERATOR("CREATE TABLE corridor.gr_x (a int)"), "42501");
    ck_assert_str_eq(AS_OPERATOR("DROP TABLE corridor.tariff"), "42501");
}
END_TEST

START_TEST(server_still_answers)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/readyz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    /* nothing the refused statements tried is visible */
    char *v = it_sql_value(db, "SELECT count(*) FROM corridor.tariff WHERE charge_code IN "
                               "('GR_NEG', 'GR_CUR', 'GR_BAND')");
    ck_assert_str_eq(v, "0");
    free(v);
}
END_TEST

Suite *guardrails_suite(void);
Suite *guardrails_suite(void)
{
    Suite *s = suite_create("guardrails");
    TCase *tc = tcase_create("operator_mistakes");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, operator_can_do_the_right_thing);
    tcase_add_test(tc, overlapping_tariff_refused);
    tcase_add_test(tc, negative_rate_refused);
    tcase_add_test(tc, unknown_currency_refused);
    tcase_add_test(tc, link_to_unknown_node_refused);
    tcase_add_test(tc, capacity_below_booked_refused);
    tcase_add_test(tc, operator_cannot_touch_bookings_or_ddl);
    tcase_add_test(tc, server_still_answers);
    suite_add_tcase(s, tc);
    return s;
}
