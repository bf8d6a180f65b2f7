/* Unit tests of snapshot: building from PostgreSQL-style text, validation,
 * reference counting, publish/acquire across threads. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "snapshot.h"

/* A small valid snapshot of `version`, with `version` extra nodes so that a
 * reader can tell which snapshot it holds from its contents alone. */
static struct snapshot *build(int64_t version)
{
    struct snapshot_builder *b = snapshot_builder_new(version);
    ck_assert_int_eq(snapshot_builder_add_currency(b, "USD", 2), 0);
    ck_assert_int_eq(snapshot_builder_add_currency(b, "KZT", 2), 0);
    struct snapshot_node_row aktau = {"KZAAU", "Aktau", "KZ", "port", "Asia/Aqtau",
                                      "43.650000", "51.150000", 240};
    struct snapshot_node_row uzen = {"KZUZE", "Uzen", "KZ", "rail_station", "Asia/Aqtau", NULL,
                                     NULL, 120};
    ck_assert_int_eq(snapshot_builder_add_node(b, &aktau), 0);
    ck_assert_int_eq(snapshot_builder_add_node(b, &uzen), 0);
    for (int64_t i = 0; i < version % 50; i++) {
        char code[8];
        snprintf(code, sizeof code, "XX%03d", (int)i);
        struct snapshot_node_row n = {code, code, "KZ", "terminal", "UTC", NULL, NULL, 60};
        ck_assert_int_eq(snapshot_builder_add_node(b, &n), 0);
    }
    struct snapshot_link_row l = {17, "KZAAU", "KZUZE", "rail", 1520, "142.0", "10.5", "KTZ"};
    ck_assert_int_eq(snapshot_builder_add_link(b, &l), 0);
    struct snapshot_departure_row d = {101,        17,         "KTZ-1",     1796400000,
                                       1796437800, 1796396400, 80,          2000000,
                                       "scheduled"};
    ck_assert_int_eq(snapshot_builder_add_departure(b, &d), 0);
    struct snapshot_window_row w = {5, "KZAAU", 1796380000, 1796400000, 100};
    ck_assert_int_eq(snapshot_builder_add_window(b, &w), 0);
    struct snapshot_tariff_row t = {.id = 1, .charge_code = "RAIL_FREIGHT", .link_id = 17,
                                    .min_gross_kg = -1, .max_gross_kg = 24000,
                                    .basis = "per_teu_km", .rate = "0.150000",
                                    .currency = "USD", .min_charge = "0.0000",
                                    .valid_from = "2023-01-01"};
    ck_assert_msg(snapshot_builder_add_tariff(b, &t) == 0, "%s", snapshot_builder_error(b));
    struct snapshot_surcharge_row s = {1, "BAF", "RAIL_FREIGHT", NULL, "12.500", "2026-01-01",
                                       NULL};
    ck_assert_int_eq(snapshot_builder_add_surcharge(b, &s), 0);
    struct snapshot_discount_row dc = {1, "INSTC", NULL, NULL, "20.000", "2026-01-01",
                                       "2026-12-31"};
    ck_assert_int_eq(snapshot_builder_add_discount(b, &dc), 0);
    struct snapshot_fx_row fx = {"KZT", "2026-01-01", "478.50000000"};
    ck_assert_int_eq(snapshot_builder_add_fx(b, &fx), 0);
    char err[256];
    struct snapshot *snap = snapshot_builder_finish(b, err, sizeof err);
    ck_assert_msg(snap != NULL, "%s", err);
    return snap;
}

START_TEST(build_from_text)
{
    struct snapshot *s = build(7);
    ck_assert_int_eq(snapshot_version(s), 7);
    const struct network *net = snapshot_network(s);
    ck_assert_uint_eq(network_node_count(net), 2 + 7);
    const struct network_node *aktau = network_node_at(net, network_node_find(net, "KZAAU"));
    ck_assert_int_eq(aktau->lat_micro, 43650000);
    ck_assert_int_eq(aktau->transfer_minutes, 240);
    ck_assert(!network_node_at(net, network_node_find(net, "KZUZE"))->has_position);
    const struct network_link *l = network_link_at(net, network_link_find(net, 17));
    ck_assert_int_eq(l->distance_km10, 1420);
    ck_assert_int_eq(l->transit_hours10, 105);
    ck_assert_int_eq(l->gauge_mm, 1520);
    const struct timetable *tt = snapshot_timetable(s);
    ck_assert_uint_eq(route_timetable_size(timetable_route(tt)), 1);
    ck_assert_uint_ne(timetable_window_containing(tt, network_node_find(net, "KZAAU"),
                                                  1796399999), TIMETABLE_NONE);
    ck_assert_uint_eq(timetable_window_containing(tt, network_node_find(net, "KZAAU"),
                                                  1796400000), TIMETABLE_NONE);
    const struct tariff_book *bk = snapshot_tariffs(s);
    ck_assert_uint_eq(tariff_book_row_count(bk), 1);
    ck_assert_int_eq(tariff_book_row_at(bk, 0)->rate, 150000);
    ck_assert_int_eq(tariff_book_row_at(bk, 0)->valid_to, TARIFF_OPEN_DATE);
    int64_t per_usd;
    ck_assert_int_eq(tariff_book_per_usd(bk, "KZT", 20500, &per_usd), TARIFF_OK);
    ck_assert_int_eq(per_usd, 47850000000LL);
    ck_assert_int_eq(snapshot_refcount(s), 1);
    snapshot_release(s);
}
END_TEST

START_TEST(builder_rejects_bad_rows)
{
    struct snapshot_builder *b = snapshot_builder_new(1);
    ck_assert_int_eq(snapshot_builder_add_currency(b, "USD", 2), 0);
    ck_assert_int_eq(snapshot_builder_add_currency(b, "USD", 2), -1); /* duplicate */
    ck_assert_int_eq(snapshot_builder_add_currency(b, "XYZ", 7), -1);
    struct snapshot_node_row a = {"KZAAU", "Aktau", "KZ", "port", "UTC", NULL, NULL, 240};
    ck_assert_int_eq(snapshot_builder_add_node(b, &a), 0);
    ck_assert_int_eq(snapshot_builder_add_node(b, &a), -1);
    ck_assert_ptr_nonnull(strstr(snapshot_builder_error(b), "duplicate"));
    struct snapshot_node_row bad = {"KZUZE", "Uzen", "KZ", "rail_station", "UTC", "43.1234567",
                                    "0", 120}; /* numeric(9,6) never prints 7 decimals */
    ck_assert_int_eq(snapshot_builder_add_node(b, &bad), -1);
    bad.lat = bad.lon = NULL;
    ck_assert_int_eq(snapshot_builder_add_node(b, &bad), 0);
    struct snapshot_link_row l = {17, "KZAAU", "XXNOPE", "rail", 1520, "142.0", "10.0", "KTZ"};
    ck_assert_int_eq(snapshot_builder_add_link(b, &l), -1);
    ck_assert_ptr_nonnull(strstr(snapshot_builder_error(b), "XXNOPE"));
    l.to_code = "KZUZE";
    l.distance_km = "142.05"; /* numeric(8,1) never prints two decimals */
    ck_assert_int_eq(snapshot_builder_add_link(b, &l), -1);
    l.distance_km = "142.0";
    l.gauge_mm = 0; /* rail needs a gauge */
    ck_assert_int_eq(snapshot_builder_add_link(b, &l), -1);
    l.gauge_mm = 1520;
    ck_assert_int_eq(snapshot_builder_add_link(b, &l), 0);
    struct snapshot_departure_row d = {1, 99, "X", 100, 200, 50, 10, 1000, "scheduled"};
    ck_assert_int_eq(snapshot_builder_add_departure(b, &d), -1); /* unknown link */
    d.link_id = 17;
    d.status = "sailing";
    ck_assert_int_eq(snapshot_builder_add_departure(b, &d), -1);
    d.status = "closed";
    d.arrives_at = 100;
    ck_assert_int_eq(snapshot_builder_add_departure(b, &d), -1);
    d.arrives_at = 200;
    ck_assert_int_eq(snapshot_builder_add_departure(b, &d), 0);
    struct snapshot_tariff_row t = {.id = 1, .charge_code = "RAIL_FREIGHT", .link_id = 17,
                                    .min_gross_kg = -1, .max_gross_kg = -1, .basis = "per_km",
                                    .rate = "0.150000", .currency = "USD",
                                    .min_charge = "0.0000", .valid_from = "2023-01-01"};
    ck_assert_int_eq(snapshot_builder_add_tariff(b, &t), -1);
    t.basis = "per_teu_km";
    t.currency = "EUR";
    ck_assert_int_eq(snapshot_builder_add_tariff(b, &t), -1);
    t.currency = "USD";
    t.valid_from = "2023-02-30";
    ck_assert_int_eq(snapshot_builder_add_tariff(b, &t), -1);
    t.valid_from = "2023-01-01";
    ck_assert_int_eq(snapshot_builder_add_tariff(b, &t), 0);
    /* Overlapping windows at one node make the whole snapshot invalid. */
    struct snapshot_window_row w1 = {1, "KZAAU", 1000, 2000, 10}, w2 = {2, "KZAAU", 1999, 3000, 10};
    ck_assert_int_eq(snapshot_builder_add_window(b, &w1), 0);
    ck_assert_int_eq(snapshot_builder_add_window(b, &w2), 0);
    char err[256] = "";
    ck_assert_ptr_null(snapshot_builder_finish(b, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "overlap"));
}
END_TEST

START_TEST(publish_keeps_holders)
{
    ck_assert_ptr_null(snapshot_acquire());
    struct snapshot *s1 = build(1), *s2 = build(2);
    snapshot_publish(s1);
    struct snapshot *held = snapshot_acquire();
    ck_assert_ptr_eq(held, s1);
    ck_assert_int_eq(snapshot_refcount(s1), 2);
    snapshot_retain(s2); /* to observe s2 after unpublishing */
    snapshot_publish(s2);
    ck_assert_int_eq(snapshot_refcount(s1), 1); /* only the request holds it now */
    ck_assert_int_eq(snapshot_version(held), 1);
    ck_assert_uint_eq(network_node_count(snapshot_network(held)), 3);
    struct snapshot *now = snapshot_acquire();
    ck_assert_int_eq(snapshot_version(now), 2);
    snapshot_release(now);
    snapshot_release(held); /* frees s1 */
    snapshot_publish(NULL);
    ck_assert_int_eq(snapshot_refcount(s2), 1);
    ck_assert_ptr_null(snapshot_acquire());
    snapshot_release(s2);
}
END_TEST

struct reader {
    pthread_t th;
    atomic_bool *stop;
    long reads, errors;
};

static void *read_loop(void *arg)
{
    struct reader *r = arg;
    int64_t last = 0;
    while (!atomic_load(r->stop)) {
        struct snapshot *s = snapshot_acquire();
        if (!s)
            continue;
        int64_t v = snapshot_version(s);
        /* Contents match the version, and versions never go back. */
        if (v < last || network_node_count(snapshot_network(s)) != (size_t)(2 + v % 50))
            r->errors++;
        last = v;
        r->reads++;
        snapshot_release(s);
    }
    return NULL;
}

/* Readers acquire and release while the test thread publishes 300
 * versions; results are checked on the test thread after joining. */
START_TEST(publish_acquire_threads)
{
    enum { N = 4 };
    atomic_bool stop = false;
    struct reader r[N];
    snapshot_publish(build(1));
    for (int i = 0; i < N; i++) {
        r[i] = (struct reader){.stop = &stop};
        ck_assert_int_eq(pthread_create(&r[i].th, NULL, read_loop, &r[i]), 0);
    }
    struct snapshot *last = NULL;
    for (int64_t v = 2; v <= 300; v++) {
        struct snapshot *s = build(v);
        if (v == 300)
            last = snapshot_retain(s);
        snapshot_publish(s);
    }
    atomic_store(&stop, true);
    long reads = 0, errors = 0;
    for (int i = 0; i < N; i++) {
        pthread_join(r[i].th, NULL);
        reads += r[i].reads;
        errors += r[i].errors;
    }
    ck_assert_int_eq(errors, 0);
    ck_assert_int_gt(reads, 0);
    /* Every reader let go: only the current pointer and our reference remain. */
    ck_assert_int_eq(snapshot_refcount(last), 2);
    snapshot_publish(NULL);
    ck_assert_int_eq(snapshot_refcount(last), 1);
    snapshot_release(last);
}
END_TEST

Suite *snapshot_suite(void);
Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *tc = tcase_create("snapshot");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, build_from_text);
    tcase_add_test(tc, builder_rejects_bad_rows);
    tcase_add_test(tc, publish_keeps_holders);
    tcase_add_test(tc, publish_acquire_threads);
    suite_add_tcase(s, tc);
    return s;
}
