/* Integration: the booking event feed (suite "events"): events in order
 * with the right types and a cursor that pages; long-poll answered as soon
 * as another client books (well before the wait ends), empty when the wait
 * ends with nothing new, and holding no database connection or worker while
 * it waits (more waiters than the pool, and other requests still answered at
 * once); isolation between organizations, carriers' and operators' views;
 * no event handed out past one whose transaction has not committed yet. */
#include "bookings_fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];
static char *fwd, *fwd_b, *fwd2, *op, *carrier, *other_carrier;

static void setup(void)
{
    it_db_create("events", db);
    bf_install(db);
    fwd = it_issue_key(db, "DEMOFWD", "forwarder");
    fwd_b = it_issue_key(db, "DEMOFWD", "forwarder"); /* another client of the same org */
    fwd2 = it_issue_key(db, "CASPFWD", "forwarder");
    op = it_issue_key(db, "CORRIDOR", "operator");
    char *c = bf_sql_text(db, "SELECT carrier FROM corridor.link WHERE from_code = 'KZAAU' "
                              "AND to_code = 'IRAMD' AND mode = 'sea' ORDER BY id LIMIT 1");
    carrier = it_issue_key(db, c, "carrier");
    free(c);
    other_carrier = it_issue_key(db, "TCDD", "carrier");
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "events: the server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

static long last_event_id(void)
{
    return bf_sql_long(db, "SELECT coalesce(max(id), 0) FROM corridor.booking_event");
}

/* Books a new quote on itinerary nth for DEMOFWD with key k; returns the
 * reference (static buffer). */
static const char *book_new(const char *k, int nth, bool hold)
{
    static char ref[32];
    struct bf_itinerary it;
    bf_itinerary(db, nth, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_response r;
    ck_assert_int_eq(bf_post_booking(&srv, k, q, hold, NULL, &r), 0);
    ck_assert_msg(r.status == 201, "booking: %ld %s", r.status, r.body);
    snprintf(ref, sizeof ref, "%s", it_json_str(r.json, "reference"));
    it_response_free(&r);
    free(q);
    return ref;
}

static void get_events(const char *k, long after, const char *extra, struct it_response *r)
{
    char path[128];
    snprintf(path, sizeof path, "/v1/events?after=%ld%s", after, extra ? extra : "");
    ck_assert_int_eq(it_request(&srv, "GET", path, k, NULL, NULL, r), 0);
    ck_assert_msg(r->status == 200, "GET %s: %ld %s", path, r->status, r->body);
}

START_TEST(test_events_in_order)
{
    long after = last_event_id();
    char ref[32], path[96];
    snprintf(ref, sizeof ref, "%s", book_new(fwd, 0, true));
    struct it_response r;
    snprintf(path, sizeof path, "/v1/bookings/%s/confirm", ref);
    ck_assert_int_eq(it_request(&srv, "POST", path, fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    snprintf(path, sizeof path, "/v1/bookings/%s", ref);
    ck_assert_int_eq(
        it_request(&srv, "PATCH", path, fwd, "{\"customer_reference\":\"PO-7\"}", NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    snprintf(path, sizeof path, "/v1/bookings/%s/cancel", ref);
    ck_assert_int_eq(it_request(&srv, "POST", path, fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);

    static const char *const types[] = {"booking.held", "booking.confirmed", "booking.amended",
                                        "booking.cancelled"};
    get_events(fwd, after, NULL, &r);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_eq(json_array_size(items), 4);
    long prev = after;
    for (size_t i = 0; i < 4; i++) {
        json_t *e = json_array_get(items, i);
        long id = (long)json_integer_value(json_object_get(e, "id"));
        ck_assert_int_gt(id, prev);
        prev = id;
        ck_assert_str_eq(it_json_str(e, "type"), types[i]);
        ck_assert_str_eq(it_json_str(e, "booking_reference"), ref);
        ck_assert_ptr_nonnull(it_json_str(e, "at"));
    }
    ck_assert_str_eq(it_json_str(items, "2.data.changes.customer_reference"), "PO-7");
    ck_assert_str_eq(it_json_str(items, "3.data.status"), "CANCELLED");
    char last[24];
    snprintf(last, sizeof last, "%ld", prev);
    ck_assert_str_eq(it_json_str(r.json, "next_cursor"), last);
    it_response_free(&r);

    /* the cursor pages: two, then the next two, then nothing */
    get_events(fwd, after, "&limit=2", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    long cursor = atol(it_json_str(r.json, "next_cursor"));
    ck_assert_str_eq(it_json_str(r.json, "items.1.type"), "booking.confirmed");
    it_response_free(&r);
    get_events(fwd, cursor, "&limit=2", &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    ck_assert_str_eq(it_json_str(r.json, "items.0.type"), "booking.amended");
    it_response_free(&r);
    get_events(fwd, prev, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 0);
    ck_assert_str_eq(it_json_str(r.json, "next_cursor"), last);
    it_response_free(&r);
}
END_TEST

/* ---- long-poll ---- */

struct poll_call {
    const char *key;
    long after;
    int wait;
    struct it_response r;
    int rc;
    double seconds;
};

static void *poll_thread(void *arg)
{
    struct poll_call *p = arg;
    char path[96];
    snprintf(path, sizeof path, "/v1/events?after=%ld&wait=%d", p->after, p->wait);
    double t0 = bf_now();
    p->rc = it_request(&srv, "GET", path, p->key, NULL, NULL, &p->r);
    p->seconds = bf_now() - t0;
    return NULL;
}

START_TEST(test_long_poll_wakes)
{
    long after = last_event_id();
    struct poll_call mine = {.key = fwd, .after = after, .wait = 10};
    struct poll_call theirs = {.key = fwd2, .after = after, .wait = 3};
    pthread_t a, b;
    pthread_create(&a, NULL, poll_thread, &mine);
    pthread_create(&b, NULL, poll_thread, &theirs);
    usleep(700 * 1000);
    char ref[32];
    snprintf(ref, sizeof ref, "%s", book_new(fwd_b, 1, false)); /* another client books */
    pthread_join(a, NULL);
    pthread_join(b, NULL);

    ck_assert_int_eq(mine.rc, 0);
    ck_assert_int_eq(mine.r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(mine.r.json, "items")), 1);
    ck_assert_str_eq(it_json_str(mine.r.json, "items.0.type"), "booking.confirmed");
    ck_assert_str_eq(it_json_str(mine.r.json, "items.0.booking_reference"), ref);
    ck_assert_msg(mine.seconds >= 0.5 && mine.seconds < 4.0,
                  "the long-poll answered after %.2f s (booking at 0.7 s, wait 10 s)",
                  mine.seconds);
    /* another organization is not woken by it: its wait runs out, empty */
    ck_assert_int_eq(theirs.rc, 0);
    ck_assert_int_eq(theirs.r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(theirs.r.json, "items")), 0);
    ck_assert_msg(theirs.seconds >= 2.8, "CASPFWD's wait ended after %.2f s", theirs.seconds);
    it_response_free(&mine.r);
    it_response_free(&theirs.r);
}
END_TEST

START_TEST(test_long_poll_times_out)
{
    long after = last_event_id();
    struct poll_call p = {.key = fwd, .after = after, .wait = 1};
    poll_thread(&p);
    ck_assert_int_eq(p.rc, 0);
    ck_assert_int_eq(p.r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(p.r.json, "items")), 0);
    char want[24];
    snprintf(want, sizeof want, "%ld", after);
    ck_assert_str_eq(it_json_str(p.r.json, "next_cursor"), want);
    ck_assert_msg(p.seconds >= 0.9 && p.seconds < 3.0, "wait=1 answered after %.2f s", p.seconds);
    it_response_free(&p.r);
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/events?wait=31", fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    it_response_free(&r);
}
END_TEST

/* 12 parked long-polls (the pool has 4 connections and 4 workers): other
 * requests are still answered at once, and one booking wakes them all. */
START_TEST(test_long_poll_holds_nothing)
{
    enum { N = 12 };
    long after = last_event_id();
    struct poll_call calls[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        calls[i] = (struct poll_call){.key = i % 2 ? fwd : op, .after = after, .wait = 15};
        pthread_create(&th[i], NULL, poll_thread, &calls[i]);
    }
    usleep(800 * 1000);
    double t0 = bf_now();
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/bookings?limit=5", fwd, NULL, NULL, &r), 0);
    double took = bf_now() - t0;
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    ck_assert_msg(took < 1.0, "a plain read took %.2f s while long-polls waited", took);
    book_new(fwd_b, 2, true);
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(calls[i].rc, 0);
        ck_assert_int_eq(calls[i].r.status, 200);
        ck_assert_int_eq(json_array_size(json_object_get(calls[i].r.json, "items")), 1);
        ck_assert_msg(calls[i].seconds < 8.0, "waiter %d answered after %.2f s", i,
                      calls[i].seconds);
        it_response_free(&calls[i].r);
    }
}
END_TEST

/* An event inserted by a transaction that has not committed yet holds back
 * the events after it, so that a reader keeping the last id never skips it. */
START_TEST(test_feed_never_skips)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%s", book_new(fwd, 4, true));
    long booking_id =
        bf_sql_long(db, "SELECT id FROM corridor.booking WHERE reference = '%s'", ref);
    long after = last_event_id();
    PGconn *slow = PQconnectdb(it_db_url(db));
    ck_assert_int_eq(PQstatus(slow), CONNECTION_OK);
    PQclear(PQexec(slow, "BEGIN"));
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.booking_event (booking_id, org_code, type, "
             "data) VALUES (%ld, 'DEMOFWD', 'booking.amended', '{}')",
             booking_id);
    PGresult *res = PQexec(slow, sql);
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    char later[32];
    snprintf(later, sizeof later, "%s", book_new(fwd, 5, true)); /* commits a higher id */

    struct it_response r;
    get_events(fwd, after, NULL, &r);
    size_t seen_early = json_array_size(json_object_get(r.json, "items"));
    it_response_free(&r);
    res = PQexec(slow, "COMMIT");
    ck_assert_int_eq(PQresultStatus(res), PGRES_COMMAND_OK);
    PQclear(res);
    PQfinish(slow);
    ck_assert_msg(seen_early == 0, "%zu event(s) handed out past an uncommitted one", seen_early);

    get_events(fwd, after, NULL, &r);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    ck_assert_str_eq(it_json_str(r.json, "items.0.booking_reference"), ref);
    ck_assert_str_eq(it_json_str(r.json, "items.0.type"), "booking.amended");
    ck_assert_str_eq(it_json_str(r.json, "items.1.booking_reference"), later);
    it_response_free(&r);
}
END_TEST

static bool feed_has(const char *k, const char *ref)
{
    struct it_response r;
    get_events(k, 0, "&limit=200", &r);
    bool found = strstr(r.body, ref) != NULL;
    it_response_free(&r);
    return found;
}

START_TEST(test_feed_visibility)
{
    char ref[32];
    snprintf(ref, sizeof ref, "%s", book_new(fwd, 3, true));
    bf_wait_key(&srv, fwd2);
    ck_assert(feed_has(fwd, ref));
    ck_assert(!feed_has(fwd2, ref));
    ck_assert(feed_has(carrier, ref));
    ck_assert(!feed_has(other_carrier, ref));
    ck_assert(feed_has(op, ref));
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/events?after=-1", fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/events?since=3", fwd, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    it_response_free(&r);
}
END_TEST

Suite *events_suite(void);
Suite *events_suite(void)
{
    Suite *s = suite_create("events");
    TCase *tc = tcase_create("feed");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_events_in_order);
    tcase_add_test(tc, test_long_poll_wakes);
    tcase_add_test(tc, test_long_poll_times_out);
    tcase_add_test(tc, test_long_poll_holds_nothing);
    tcase_add_test(tc, test_feed_visibility);
    tcase_add_test(tc, test_feed_never_skips);
    suite_add_tcase(s, tc);
    return s;
}
