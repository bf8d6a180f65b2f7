/* Integration: GET /v1/stats/corridor (suite "stats"): the operator's
 * figures are exactly those of the bookings made here (live ones only, by
 * the month of their first departure, by branch), utilization matches the
 * departures in PostgreSQL, the pace is the annualised tonnage against 20
 * million tonnes a year; forwarders and carriers get 403; bad periods 400. */
#include "bookings_fixture.h"

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct it_server srv;
static char db[64];
static char *fwd, *op, *carrier;

static void setup(void)
{
    it_db_create("stats", db);
    bf_install(db);
    fwd = it_issue_key(db, "DEMOFWD", "forwarder");
    op = it_issue_key(db, "CORRIDOR", "operator");
    carrier = it_issue_key(db, "KTZ", "carrier");
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "stats: the server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

static char *book(const long *deps, size_t n, int containers, bool hold)
{
    char *q = bf_quote_sql(db, "DEMOFWD", deps, n, containers);
    struct it_response r;
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, hold, NULL, &r), 0);
    ck_assert_msg(r.status == 201, "booking: %ld %s", r.status, r.body);
    char *ref = strdup(it_json_str(r.json, "reference"));
    it_response_free(&r);
    free(q);
    return ref;
}

static json_t *branch(json_t *stats, const char *name)
{
    json_t *b = json_object_get(stats, "by_branch");
    for (size_t i = 0; i < json_array_size(b); i++)
        if (strcmp(it_json_str(json_array_get(b, i), "branch"), name) == 0)
            return json_array_get(b, i);
    ck_abort_msg("no branch %s", name);
    return NULL;
}

START_TEST(test_figures)
{
    /* A: Caspian crossing (sea + rail), 2 x 40HC: 2 legs x 2 x 500 + 50 = 2050
     * B: eastern rail (a Turkmen rail leg), 1 x 40HC: 500 + 50 = 550
     * C: Caspian, HELD, 1 x 40HC: 1050 -- counted (it holds capacity)
     * D: cancelled -- not counted */
    struct bf_itinerary a, c, d;
    bf_itinerary(db, 0, &a);
    bf_itinerary(db, 1, &c);
    bf_itinerary(db, 2, &d);
    long east = bf_sql_long(
        db,
        "SELECT d.id FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id "
        "JOIN corridor.node f ON f.code = l.from_code JOIN corridor.node t ON t.code = l.to_code "
        "WHERE l.mode = 'rail' AND (f.country = 'TM' OR t.country = 'TM') "
        "AND d.cutoff_at > now() + interval '1 day' AND d.departs_at >= '%s' "
        "ORDER BY d.departs_at LIMIT 1",
        a.departs);
    free(book(a.dep, 2, 2, false));
    free(book(&east, 1, 1, false));
    free(book(c.dep, 2, 1, true));
    char *ref = book(d.dep, 2, 3, false);
    char path[96];
    snprintf(path, sizeof path, "/v1/bookings/%s/cancel", ref);
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "POST", path, fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    free(ref);

    /* a period holding every departure of these bookings */
    char *from = bf_sql_text(db, "SELECT to_char(date_trunc('month', min(departs_at)), "
                                 "'YYYY-MM-DD') FROM corridor.departure");
    char *to = bf_sql_text(db, "SELECT to_char(date_trunc('month', max(departs_at)) + "
                               "interval '1 month', 'YYYY-MM-DD') FROM corridor.departure");
    snprintf(path, sizeof path, "/v1/stats/corridor?from=%s&to=%s", from, to);
    ck_assert_int_eq(it_request(&srv, "GET", path, op, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == 200, "stats: %ld %s", r.status, r.body);
    json_t *s = r.json;
    ck_assert_int_eq(json_integer_value(json_object_get(s, "bookings")), 3);
    ck_assert_int_eq(json_integer_value(json_object_get(s, "teu")), 8);
    ck_assert_str_eq(it_json_str(s, "tonnes"), "80.000");
    ck_assert_str_eq(it_json_str(s, "revenue_usd.amount"), "3650.00");
    ck_assert_str_eq(it_json_str(s, "revenue.0.currency"), "USD");
    ck_assert_str_eq(it_json_str(s, "revenue.0.amount"), "3650.00");

    json_t *b = branch(s, "eastern_rail");
    ck_assert_int_eq(json_integer_value(json_object_get(b, "bookings")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "teu")), 2);
    ck_assert_str_eq(it_json_str(b, "revenue_usd.amount"), "550.00");
    b = branch(s, "caspian_crossing");
    ck_assert_int_eq(json_integer_value(json_object_get(b, "bookings")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(b, "teu")), 6);
    ck_assert_str_eq(it_json_str(b, "tonnes"), "60.000");
    ck_assert_int_eq(json_integer_value(json_object_get(branch(s, "other"), "bookings")), 0);

    /* by month: as many bookings as in total, in the months SQL says */
    json_t *months = json_object_get(s, "by_month");
    long n = 0;
    for (size_t i = 0; i < json_array_size(months); i++)
        n += (long)json_integer_value(json_object_get(json_array_get(months, i), "bookings"));
    ck_assert_int_eq(n, 3);
    char *first_month = bf_sql_text(
        db, "SELECT to_char(min(d.departs_at) AT TIME ZONE 'UTC', 'YYYY-MM') "
            "FROM corridor.booking_leg bl JOIN corridor.departure d ON d.id = bl.departure_id");
    ck_assert_str_eq(it_json_str(months, "0.month"), first_month);
    free(first_month);

    /* utilization: every departure of the period, booked against capacity */
    long booked = bf_sql_long(db,
                              "SELECT sum(booked_teu) FROM corridor.departure WHERE "
                              "departs_at >= '%s' AND departs_at < '%s' AND status <> "
                              "'cancelled'",
                              from, to);
    long capacity = bf_sql_long(db,
                                "SELECT sum(capacity_teu) FROM corridor.departure WHERE "
                                "departs_at >= '%s' AND departs_at < '%s' AND status <> "
                                "'cancelled'",
                                from, to);
    ck_assert_int_eq(json_integer_value(it_json_get(s, "utilization.booked_teu")), booked);
    ck_assert_int_eq(json_integer_value(it_json_get(s, "utilization.capacity_teu")), capacity);
    ck_assert_int_gt(booked, 0);

    /* pace: 80 t over the period's days, annualised, against 20 Mt/yr */
    long days = (long)json_integer_value(it_json_get(s, "pace.days"));
    ck_assert_int_eq(days, bf_sql_long(db, "SELECT '%s'::date - '%s'::date", to, from));
    double annual = 80.0 * 365.25 / (double)days;
    ck_assert_double_eq_tol(atof(it_json_str(s, "pace.annualised_tonnes")), annual, 0.5);
    ck_assert_double_eq_tol(atof(it_json_str(s, "pace.ratio")), annual / 20e6, 1e-7);
    ck_assert_int_eq(json_integer_value(it_json_get(s, "pace.target_tonnes_per_year")), 20000000);
    it_response_free(&r);

    /* a period without these departures has none of them */
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/stats/corridor?from=2020-01-01&to=2020-07-01", op,
                                NULL, NULL, &r),
                     0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "bookings")), 0);
    ck_assert_str_eq(it_json_str(r.json, "revenue_usd.amount"), "0.00");
    it_response_free(&r);
    free(from);
    free(to);
}
END_TEST

START_TEST(test_operators_only)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/stats/corridor", fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 403);
    ck_assert_str_eq(it_json_str(r.json, "code"), "forbidden");
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/stats/corridor", carrier, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 403);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/stats/corridor", op, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200); /* default period */
    ck_assert_ptr_nonnull(it_json_get(r.json, "pace"));
    it_response_free(&r);
    static const char *const bad[] = {
        "/v1/stats/corridor?from=2026-13-01", "/v1/stats/corridor?from=2026-05-01&to=2026-04-01",
        "/v1/stats/corridor?from=2020-01-01&to=2030-01-01", "/v1/stats/corridor?month=5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(it_request(&srv, "GET", bad[i], op, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 400, "%s: %ld", bad[i], r.status);
        it_response_free(&r);
    }
}
END_TEST

Suite *stats_suite(void);
Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("corridor");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_figures);
    tcase_add_test(tc, test_operators_only);
    suite_add_tcase(s, tc);
    return s;
}
