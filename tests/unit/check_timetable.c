/* Unit tests of timetable (windows by binary search, route connections,
 * transfer classes, UTC dates and times) and network (lookups, validation). */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "network.h"
#include "timetable.h"

START_TEST(dates)
{
    int32_t d;
    char b[24];
    ck_assert_int_eq(timetable_date_parse("1970-01-01", &d), 0);
    ck_assert_int_eq(d, 0);
    ck_assert_int_eq(timetable_date_parse("2026-12-03", &d), 0);
    ck_assert_int_eq(d, 20790);
    ck_assert_int_eq(timetable_date_format(d, b, sizeof b), 10);
    ck_assert_str_eq(b, "2026-12-03");
    ck_assert_int_eq(timetable_date_parse("2024-02-29", &d), 0); /* leap year */
    ck_assert_int_eq(timetable_date_parse("2026-02-29", &d), -1);
    ck_assert_int_eq(timetable_date_parse("2100-02-29", &d), -1); /* not a leap year */
    ck_assert_int_eq(timetable_date_parse("2000-02-29", &d), 0);
    ck_assert_int_eq(timetable_date_parse("2026-13-01", &d), -1);
    ck_assert_int_eq(timetable_date_parse("2026-1-01", &d), -1);
    ck_assert_int_eq(timetable_date_parse("2026-01-01T", &d), -1);
    ck_assert_int_eq(timetable_date_parse("1969-12-31", &d), 0);
    ck_assert_int_eq(d, -1);
    ck_assert_int_eq(timetable_date_of(-1), -1);
    ck_assert_int_eq(timetable_date_of(86399), 0);
    ck_assert_int_eq(timetable_date_of(86400), 1);
    ck_assert_int_eq(timetable_time_format(20790LL * 86400 + 8 * 3600 + 30 * 60 + 5, b, sizeof b),
                     20);
    ck_assert_str_eq(b, "2026-12-03T08:30:05Z");
    /* Round trip over four centuries of days. */
    for (int32_t x = -200000; x < 200000; x += 97) {
        ck_assert_int_eq(timetable_date_format(x, b, sizeof b), 10);
        ck_assert_int_eq(timetable_date_parse(b, &d), 0);
        ck_assert_int_eq(d, x);
    }
}
END_TEST

static struct network *net;

static void add_node(const char *code, int transfer)
{
    struct network_node n = {.name = (char *)code, .transfer_minutes = transfer};
    snprintf(n.code, sizeof n.code, "%s", code);
    ck_assert_int_ge(network_add_node(net, &n, NULL, 0), 0);
}

static struct network_link rail(int64_t id, int gauge)
{
    return (struct network_link){.id = id, .mode = NETWORK_RAIL, .gauge_mm = gauge,
                                 .distance_km10 = 100, .transit_hours10 = 10};
}

START_TEST(network_lookups)
{
    char err[128];
    net = network_new();
    add_node("KZAAU", 480);
    add_node("XIRINB", 720);
    struct network_node dup = {.code = "KZAAU"};
    ck_assert_int_eq(network_add_node(net, &dup, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "duplicate"));
    struct network_node bad = {.code = "kzaau"};
    ck_assert_int_eq(network_add_node(net, &bad, err, sizeof err), -1);
    struct network_link l = rail(17, 1520);
    ck_assert_int_eq(network_add_link(net, &l, "KZAAU", "XIRINB", err, sizeof err), 0);
    ck_assert_int_eq(network_add_link(net, &l, "KZAAU", "XIRINB", err, sizeof err), -1); /* id */
    l = rail(18, 1000);
    ck_assert_int_eq(network_add_link(net, &l, "XIRINB", "KZAAU", err, sizeof err), -1); /* gauge */
    l = rail(18, 1435);
    ck_assert_int_eq(network_add_link(net, &l, "XIRINB", "XIRINB", err, sizeof err), -1);
    ck_assert_int_eq(network_add_link(net, &l, "XIRINB", "NOPE1", err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "NOPE1"));
    l.mode = NETWORK_SEA; /* a sea link has no gauge */
    ck_assert_int_eq(network_add_link(net, &l, "XIRINB", "KZAAU", err, sizeof err), -1);
    l.gauge_mm = 0;
    ck_assert_int_eq(network_add_link(net, &l, "XIRINB", "KZAAU", err, sizeof err), 1);
    network_finish(net);
    /* Many nodes: the hash index grows and still finds every one. */
    ck_assert_uint_eq(network_node_find(net, "XIRINB"), 1);
    ck_assert_uint_eq(network_node_find(net, "XIRIN"), NETWORK_NONE);
    ck_assert_uint_eq(network_link_find(net, 18), 1);
    ck_assert_uint_eq(network_link_find(net, 19), NETWORK_NONE);
    ck_assert_int_eq(network_link_at(net, 1)->from, 1);
    ck_assert_int_eq(network_mode_parse("sea"), NETWORK_SEA);
    ck_assert_int_eq(network_mode_parse("air"), -1);
    network_free(net);

    net = network_new();
    char code[16];
    for (int i = 0; i < 5000; i++) {
        snprintf(code, sizeof code, "N%04d", i);
        add_node(code, 60);
    }
    for (int i = 0; i < 5000; i += 7) {
        snprintf(code, sizeof code, "N%04d", i);
        ck_assert_uint_eq(network_node_find(net, code), (uint32_t)i);
    }
    network_free(net);
}
END_TEST

START_TEST(windows_and_connections)
{
    char err[128];
    net = network_new();
    add_node("KZAAU", 480);
    add_node("IRAMD", 480);
    add_node("IRTHR", 240);
    struct network_link sea = {.id = 1, .mode = NETWORK_SEA, .distance_km10 = 9040,
                               .transit_hours10 = 452};
    network_add_link(net, &sea, "KZAAU", "IRAMD", NULL, 0);
    struct network_link r = rail(2, 1435);
    network_add_link(net, &r, "IRAMD", "IRTHR", NULL, 0);
    network_finish(net);
    struct timetable *t = timetable_new(net);
    struct timetable_departure d = {.id = 30, .link = 0, .service = "CS", .departs_at = 1000,
                                    .arrives_at = 5000, .cutoff_at = 900, .capacity_teu = 200,
                                    .capacity_kg = 4000000};
    ck_assert_int_eq(timetable_add_departure(t, &d, err, sizeof err), 0);
    d.id = 10, d.link = 1, d.departs_at = 6000, d.arrives_at = 9000, d.cutoff_at = 5000;
    ck_assert_int_eq(timetable_add_departure(t, &d, err, sizeof err), 0);
    d.id = 20, d.status = TIMETABLE_CANCELLED;
    ck_assert_int_eq(timetable_add_departure(t, &d, err, sizeof err), 0);
    d.id = 40, d.cutoff_at = 7000; /* after the departure */
    ck_assert_int_eq(timetable_add_departure(t, &d, err, sizeof err), -1);
    /* Windows added out of order. */
    struct timetable_window w[] = {{7, 0, 2000, 3000, 10}, {5, 0, 0, 1000, 10},
                                   {6, 0, 1000, 2000, 10}, {9, 1, 4000, 8000, 40}};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(timetable_add_window(t, &w[i], err, sizeof err), 0);
    ck_assert_int_eq(timetable_finish(t, err, sizeof err), 0);
    /* Departures by id; only scheduled ones reach the search. */
    ck_assert_uint_eq(timetable_departure_count(t), 3);
    ck_assert_int_eq(timetable_departure_at(t, 0)->id, 10);
    ck_assert_uint_eq(timetable_departure_find(t, 30), 2);
    ck_assert_uint_eq(timetable_departure_find(t, 31), TIMETABLE_NONE);
    const struct route_timetable *rt = timetable_route(t);
    ck_assert_uint_eq(route_timetable_size(rt), 2);
    const struct route_connection *c0 = route_timetable_at(rt, 0);
    ck_assert_int_eq(c0->departs_at, 1000);
    ck_assert_int_eq(timetable_departure_at(t, c0->ref)->id, 30);
    ck_assert_int_eq(c0->mode, NETWORK_SEA);
    ck_assert_int_ne(c0->cls, route_timetable_at(rt, 1)->cls);
    /* [starts_at, ends_at): the boundary belongs to the next window. */
    ck_assert_int_eq(timetable_window_at(t, timetable_window_containing(t, 0, 0))->id, 5);
    ck_assert_int_eq(timetable_window_at(t, timetable_window_containing(t, 0, 999))->id, 5);
    ck_assert_int_eq(timetable_window_at(t, timetable_window_containing(t, 0, 1000))->id, 6);
    ck_assert_int_eq(timetable_window_at(t, timetable_window_containing(t, 0, 2999))->id, 7);
    ck_assert_uint_eq(timetable_window_containing(t, 0, 3000), TIMETABLE_NONE);
    ck_assert_uint_eq(timetable_window_containing(t, 0, -1), TIMETABLE_NONE);
    ck_assert_int_eq(timetable_window_at(t, timetable_window_containing(t, 1, 5000))->id, 9);
    ck_assert(timetable_node_has_windows(t, 1));
    ck_assert(!timetable_node_has_windows(t, 2));
    ck_assert_uint_eq(timetable_window_containing(t, 2, 5000), TIMETABLE_NONE);
    ck_assert_int_eq(timetable_window_at(t, timetable_window_find(t, 9))->node, 1);
    timetable_free(t);

    /* Overlapping windows at one node are refused. */
    t = timetable_new(net);
    struct timetable_window a = {1, 0, 0, 1000, 5}, b = {2, 0, 999, 2000, 5};
    timetable_add_window(t, &a, NULL, 0);
    timetable_add_window(t, &b, NULL, 0);
    ck_assert_int_eq(timetable_finish(t, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "overlap"));
    timetable_free(t);
    network_free(net);
}
END_TEST

START_TEST(transfer_classes)
{
    struct network_link a = rail(1, 1520), b = rail(2, 1435), c = rail(3, 1676);
    struct network_link s = {.mode = NETWORK_SEA}, r = {.mode = NETWORK_ROAD};
    uint8_t k[] = {timetable_transfer_class(&a), timetable_transfer_class(&b),
                   timetable_transfer_class(&c), timetable_transfer_class(&s),
                   timetable_transfer_class(&r)};
    for (int i = 0; i < 5; i++) {
        ck_assert_uint_lt(k[i], 16);
        for (int j = 0; j < i; j++)
            ck_assert_uint_ne(k[i], k[j]);
    }
}
END_TEST

Suite *timetable_suite(void);
Suite *timetable_suite(void)
{
    Suite *s = suite_create("timetable");
    TCase *tc = tcase_create("timetable");
    tcase_add_test(tc, dates);
    tcase_add_test(tc, network_lookups);
    tcase_add_test(tc, windows_and_connections);
    tcase_add_test(tc, transfer_classes);
    suite_add_tcase(s, tc);
    return s;
}
