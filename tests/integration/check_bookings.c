/* Integration: the booking lifecycle on the seeded corridor (suite
 * "bookings"), through the real server and checked in PostgreSQL: book
 * CONFIRMED and HELD, confirm, cancel (capacity restored exactly), expiry by
 * the sweeper and on access, a quote booked twice, an expired quote,
 * Idempotency-Key replays (also on a restarted server) and concurrent
 * duplicates, If-Match, amendments up, down and beyond capacity, isolation
 * between forwarders, carriers' view, and validation. */
#include "bookings_fixture.h"

#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];
static char *fwd, *fwd2, *op, *carrier, *other_carrier;

static void setup(void)
{
    it_db_create("bookings", db);
    bf_install(db);
    fwd = it_issue_key(db, "DEMOFWD", "forwarder");
    fwd2 = it_issue_key(db, "CASPFWD", "forwarder");
    op = it_issue_key(db, "CORRIDOR", "operator");
    /* the carrier of the sea link of the itineraries, and one not on them */
    char *c = bf_sql_text(db, "SELECT carrier FROM corridor.link WHERE from_code = 'KZAAU' "
                              "AND to_code = 'IRAMD' AND mode = 'sea' ORDER BY id LIMIT 1");
    carrier = it_issue_key(db, c, "carrier");
    free(c);
    other_carrier = it_issue_key(db, "TCDD", "carrier");
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "bookings: the server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

/* ---- helpers ---- */

static void request(const struct it_server *s, const char *method, const char *path,
                    const char *key, const char *body, const char *const *headers,
                    struct it_response *r)
{
    ck_assert_msg(it_request(s, method, path, key, body, headers, r) == 0, "%s %s: no answer",
                  method, path);
}

static void expect_problem(const struct it_response *r, long status, const char *code)
{
    ck_assert_msg(r->status == status, "expected %ld, got %ld: %s", status, r->status, r->body);
    const char *got = it_json_str(r->json, "code");
    ck_assert_msg(got && strcmp(got, code) == 0, "expected code %s: %s", code, r->body);
}

/* Books quote q; asserts 201 and returns the reference (static buffer). */
static const char *book(const char *key, const char *q, bool hold, struct it_response *r)
{
    static char ref[32];
    ck_assert_int_eq(bf_post_booking(&srv, key, q, hold, NULL, r), 0);
    ck_assert_msg(r->status == 201, "booking: %ld %s", r->status, r->body);
    snprintf(ref, sizeof ref, "%s", it_json_str(r->json, "reference"));
    return ref;
}

/* Sum of the charges' amounts in cents equals total.amount. */
static void assert_charges_add_up(json_t *booking)
{
    json_t *charges = json_object_get(booking, "charges");
    long sum = 0;
    for (size_t i = 0; i < json_array_size(charges); i++) {
        const char *a = it_json_str(json_array_get(charges, i), "amount.amount");
        ck_assert_ptr_nonnull(a);
        sum += lround(atof(a) * 100);
    }
    const char *total = it_json_str(booking, "total.amount");
    ck_assert_ptr_nonnull(total);
    ck_assert_int_eq(sum, lround(atof(total) * 100));
}

static char *path_of(const char *fmt, const char *ref)
{
    static char p[128];
    snprintf(p, sizeof p, fmt, ref);
    return p;
}

/* ---- tests ---- */

START_TEST(test_book_confirmed)
{
    struct bf_itinerary it;
    bf_itinerary(db, 0, &it);
    long deps[16];
    size_t nd;
    char *q = bf_quote(&srv, fwd, db, "DEMOFWD", &it, 2, deps, &nd);
    long teu0[16], kg0[16];
    for (size_t i = 0; i < nd; i++) {
        teu0[i] = bf_dep_teu(db, deps[i]);
        kg0[i] = bf_dep_kg(db, deps[i]);
    }
    struct it_response r, g;
    const char *ref = book(fwd, q, false, &r);
    ck_assert_str_eq(it_json_str(r.json, "status"), "CONFIRMED");
    ck_assert_str_eq(it_json_str(r.json, "quote_id"), q);
    ck_assert_str_eq(it_json_str(r.json, "organization"), "DEMOFWD");
    ck_assert_str_eq(it_header(&r, "ETag"), "\"1\"");
    ck_assert_str_eq(it_header(&r, "Location"), path_of("/v1/bookings/%s", ref));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "legs")), nd);
    assert_charges_add_up(r.json);
    for (size_t i = 0; i < nd; i++) {
        ck_assert_int_eq(bf_dep_teu(db, deps[i]), teu0[i] + 4);
        ck_assert_int_eq(bf_dep_kg(db, deps[i]), kg0[i] + 40000);
    }
    /* the quoted price holds: the booking's total is the quote's option 1 */
    char *quoted =
        bf_sql_text(db,
                    "SELECT corridor.quote_options(q)->0->'total'->>'amount' FROM corridor.quote q "
                    "WHERE id = '%s'",
                    q);
    ck_assert_double_eq_tol(atof(it_json_str(r.json, "total.amount")), atof(quoted), 0.001);
    free(quoted);

    request(&srv, "GET", path_of("/v1/bookings/%s", ref), fwd, NULL, NULL, &g);
    ck_assert_int_eq(g.status, 200);
    ck_assert_str_eq(g.body, r.body);
    ck_assert_str_eq(it_header(&g, "ETag"), "\"1\"");
    it_response_free(&g);
    request(&srv, "GET", "/v1/bookings?limit=1", fwd, NULL, NULL, &g);
    ck_assert_int_eq(g.status, 200);
    ck_assert_str_eq(it_json_str(g.json, "items.0.reference"), ref);
    it_response_free(&g);
    ck_assert_int_eq(bf_violations(db), 0);
    it_response_free(&r);
    free(q);
}
END_TEST

/* An amendment of a booked real quote: per-container-km lines and their
 * percentage discounts scale with the count, per-shipment lines do not, and
 * going back to the booked count gives back the booked total exactly. */
START_TEST(test_patch_real_quote)
{
    struct bf_itinerary it;
    bf_itinerary(db, 7, &it);
    long deps[16];
    size_t nd;
    char *q = bf_quote(&srv, fwd, db, "DEMOFWD", &it, 2, deps, &nd);
    struct it_response r;
    char ref[32], total[32];
    snprintf(ref, sizeof ref, "%s", book(fwd, q, false, &r));
    snprintf(total, sizeof total, "%s", it_json_str(r.json, "total.amount"));
    json_t *before = json_incref(json_object_get(r.json, "charges"));
    it_response_free(&r);
    long teu0 = bf_dep_teu(db, deps[nd - 1]);

    char path[64];
    snprintf(path, sizeof path, "/v1/bookings/%s", ref);
    request(&srv, "PATCH", path, fwd,
            "{\"containers\":[{\"type\":\"40HC\",\"count\":4,\"gross_weight_kg\":20000}]}", NULL,
            &r);
    ck_assert_msg(r.status == 200, "patch: %ld %s", r.status, r.body);
    ck_assert_int_eq(bf_dep_teu(db, deps[nd - 1]), teu0 + 4);
    assert_charges_add_up(r.json);
    json_t *after = json_object_get(r.json, "charges");
    ck_assert_int_eq(json_array_size(after), json_array_size(before));
    int recounted = 0;
    for (size_t i = 0; i < json_array_size(before); i++) {
        json_t *b = json_array_get(before, i), *a = json_array_get(after, i);
        const char *basis = it_json_str(b, "basis");
        /* the counts in the descriptions follow the containers */
        const char *was_text = it_json_str(b, "description"),
                   *now_text = it_json_str(a, "description");
        const char *n2 = strstr(was_text, ", 2 × 40HC");
        if (n2) {
            recounted++;
            char want[512];
            snprintf(want, sizeof want, "%.*s, 4 × 40HC%s", (int)(n2 - was_text), was_text,
                     n2 + strlen(", 2 × 40HC"));
            ck_assert_str_eq(now_text, want);
        } else {
            ck_assert_str_eq(now_text, was_text);
        }
        double was = atof(it_json_str(b, "amount.amount")),
               now = atof(it_json_str(a, "amount.amount"));
        if (strcmp(basis, "per_shipment") == 0)
            ck_assert_double_eq_tol(now, was, 0.001);
        else if (strcmp(basis, "percent") != 0 && strstr(basis, "container") != NULL &&
                 atof(it_json_str(b, "unit_price.amount")) * atof(it_json_str(b, "quantity")) *
                         atof(it_json_str(b, "fx_rate")) >
                     0.5 * was)
            /* no minimum charge in play: twice the containers, twice the amount */
            ck_assert_msg(fabs(now - 2 * was) <= 0.011, "line %zu: %.2f -> %.2f", i, was, now);
    }
    ck_assert_int_gt(recounted, 0);
    it_response_free(&r);
    request(&srv, "PATCH", path, fwd,
            "{\"containers\":[{\"type\":\"40HC\",\"count\":2,\"gross_weight_kg\":20000}]}", NULL,
            &r);
    ck_assert_msg(r.status == 200, "patch back: %ld %s", r.status, r.body);
    ck_assert_str_eq(it_json_str(r.json, "total.amount"), total);
    for (size_t i = 0; i < json_array_size(before); i++)
        ck_assert_str_eq(
            it_json_str(json_array_get(json_object_get(r.json, "charges"), i), "description"),
            it_json_str(json_array_get(before, i), "description"));
    ck_assert_int_eq(bf_dep_teu(db, deps[nd - 1]), teu0);
    it_response_free(&r);
    json_decref(before);
    ck_assert_int_eq(bf_violations(db), 0);
    free(q);
}
END_TEST

START_TEST(test_hold_confirm_cancel)
{
    struct bf_itinerary it;
    bf_itinerary(db, 1, &it);
    long teu0[2], kg0[2], win0[2];
    for (int i = 0; i < 2; i++) {
        teu0[i] = bf_dep_teu(db, it.dep[i]);
        kg0[i] = bf_dep_kg(db, it.dep[i]);
        win0[i] = it.win[i] ? bf_win_teu(db, it.win[i]) : 0;
    }
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 3);
    struct it_response r;
    const char *ref = book(fwd, q, true, &r);
    char reference[32];
    snprintf(reference, sizeof reference, "%s", ref);
    ck_assert_str_eq(it_json_str(r.json, "status"), "HELD");
    ck_assert_ptr_nonnull(it_json_str(r.json, "hold_expires_at"));
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(bf_dep_teu(db, it.dep[i]), teu0[i] + 6);
        ck_assert_int_eq(bf_dep_kg(db, it.dep[i]), kg0[i] + 60000);
        if (it.win[i])
            ck_assert_int_eq(bf_win_teu(db, it.win[i]), win0[i] + 6);
    }
    it_response_free(&r);

    request(&srv, "POST", path_of("/v1/bookings/%s/confirm", reference), fwd, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "confirm: %ld %s", r.status, r.body);
    ck_assert_str_eq(it_json_str(r.json, "status"), "CONFIRMED");
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 2);
    ck_assert_str_eq(it_header(&r, "ETag"), "\"2\"");
    ck_assert(json_is_null(json_object_get(r.json, "hold_expires_at")));
    it_response_free(&r);
    request(&srv, "POST", path_of("/v1/bookings/%s/confirm", reference), fwd, NULL, NULL, &r);
    expect_problem(&r, 409, "invalid_state");
    it_response_free(&r);

    request(&srv, "POST", path_of("/v1/bookings/%s/cancel", reference), fwd, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "cancel: %ld %s", r.status, r.body);
    ck_assert_str_eq(it_json_str(r.json, "status"), "CANCELLED");
    it_response_free(&r);
    for (int i = 0; i < 2; i++) { /* every reserved unit released, exactly */
        ck_assert_int_eq(bf_dep_teu(db, it.dep[i]), teu0[i]);
        ck_assert_int_eq(bf_dep_kg(db, it.dep[i]), kg0[i]);
        if (it.win[i])
            ck_assert_int_eq(bf_win_teu(db, it.win[i]), win0[i]);
    }
    request(&srv, "POST", path_of("/v1/bookings/%s/cancel", reference), fwd, NULL, NULL, &r);
    expect_problem(&r, 409, "invalid_state");
    it_response_free(&r);

    request(&srv, "GET", path_of("/v1/bookings/%s/events", reference), fwd, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 3);
    ck_assert_str_eq(it_json_str(r.json, "items.0.type"), "booking.held");
    ck_assert_str_eq(it_json_str(r.json, "items.1.type"), "booking.confirmed");
    ck_assert_str_eq(it_json_str(r.json, "items.2.type"), "booking.cancelled");
    it_response_free(&r);
    ck_assert_int_eq(bf_violations(db), 0);
    free(q);
}
END_TEST

START_TEST(test_quote_booked_twice_and_expired)
{
    struct bf_itinerary it;
    bf_itinerary(db, 2, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_response r;
    book(fwd, q, false, &r);
    it_response_free(&r);
    long teu = bf_dep_teu(db, it.dep[0]);
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, true, NULL, &r), 0);
    expect_problem(&r, 409, "quote_already_booked");
    it_response_free(&r);

    char *q2 = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    bf_sql(db,
           "UPDATE corridor.quote SET expires_at = now() - interval '1 minute' "
           "WHERE id = '%s'",
           q2);
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q2, false, NULL, &r), 0);
    expect_problem(&r, 410, "quote_expired");
    it_response_free(&r);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[0]), teu); /* nothing reserved */
    ck_assert_int_eq(bf_sql_long(db,
                                 "SELECT count(*) FROM corridor.booking WHERE quote_id "
                                 "IN ('%s', '%s')",
                                 q, q2),
                     1);
    free(q);
    free(q2);
}
END_TEST

/* ---- Idempotency-Key ---- */

struct dup_call {
    const char *quote;
    struct it_response r;
    int rc;
};

static void *dup_thread(void *arg)
{
    struct dup_call *c = arg;
    c->rc = bf_post_booking(&srv, fwd, c->quote, false, "dup-key-3", &c->r);
    return NULL;
}

START_TEST(test_idempotency)
{
    struct bf_itinerary it;
    bf_itinerary(db, 3, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_response first, again, other;
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, false, "order-42/attempt", &first), 0);
    ck_assert_int_eq(first.status, 201);
    ck_assert_ptr_null(it_header(&first, "Idempotent-Replayed"));
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, false, "order-42/attempt", &again), 0);
    ck_assert_int_eq(again.status, 201);
    ck_assert_str_eq(again.body, first.body);
    ck_assert_str_eq(it_header(&again, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(it_header(&again, "Location"), it_header(&first, "Location"));
    it_response_free(&again);
    ck_assert_int_eq(bf_sql_long(db,
                                 "SELECT count(*) FROM corridor.booking WHERE quote_id = "
                                 "'%s'",
                                 q),
                     1);
    /* the same key with another body */
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, true, "order-42/attempt", &other), 0);
    expect_problem(&other, 422, "idempotency_key_reused");
    it_response_free(&other);
    /* another organization's key space is its own */
    char *q_other = bf_quote_sql(db, "CASPFWD", it.dep, 2, 1);
    ck_assert_int_eq(bf_post_booking(&srv, fwd2, q_other, false, "order-42/attempt", &other), 0);
    ck_assert_int_eq(other.status, 201);
    ck_assert_ptr_null(it_header(&other, "Idempotent-Replayed"));
    it_response_free(&other);

    /* replays survive a restart: answer on one server process, stop it,
     * replay on a new one (and on another instance: srv is still running) */
    char *q2 = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_server a, b;
    struct it_response on_a = {0}, on_b = {0}, on_srv;
    /* (no assertion while a or b runs, so that a failure never leaves one behind) */
    int started = it_server_start(&a, db, NULL);
    int rc_a = started == 0 ? bf_post_booking(&a, fwd, q2, true, "restart-key", &on_a) : -1;
    int stop_a = started == 0 ? it_server_stop(&a) : -1;
    started = it_server_start(&b, db, NULL);
    int rc_b = started == 0 ? bf_post_booking(&b, fwd, q2, true, "restart-key", &on_b) : -1;
    int stop_b = started == 0 ? it_server_stop(&b) : -1;
    ck_assert_int_eq(rc_a, 0);
    ck_assert_int_eq(rc_b, 0);
    ck_assert_int_eq(stop_a, 0);
    ck_assert_int_eq(stop_b, 0);
    ck_assert_int_eq(on_a.status, 201);
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q2, true, "restart-key", &on_srv), 0);
    ck_assert_int_eq(on_b.status, 201);
    ck_assert_str_eq(on_b.body, on_a.body);
    ck_assert_str_eq(it_header(&on_b, "Idempotent-Replayed"), "true");
    ck_assert_str_eq(on_srv.body, on_a.body);
    it_response_free(&on_a);
    it_response_free(&on_b);
    it_response_free(&on_srv);

    /* a refusal is stored too: the replay of a 409 is the same 409 */
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, false, "second-try", &other), 0);
    expect_problem(&other, 409, "quote_already_booked");
    it_response_free(&other);
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, false, "second-try", &other), 0);
    expect_problem(&other, 409, "quote_already_booked");
    ck_assert_str_eq(it_header(&other, "Idempotent-Replayed"), "true");
    it_response_free(&other);

    /* concurrent duplicates with one key never both book */
    char *q3 = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    enum { N = 8 };
    struct dup_call calls[N];
    pthread_t th[N];
    for (int i = 0; i < N; i++) {
        calls[i] = (struct dup_call){.quote = q3};
        pthread_create(&th[i], NULL, dup_thread, &calls[i]);
    }
    for (int i = 0; i < N; i++)
        pthread_join(th[i], NULL);
    const char *body201 = NULL;
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(calls[i].rc, 0);
        if (calls[i].r.status == 201) {
            if (body201)
                ck_assert_str_eq(calls[i].r.body, body201);
            body201 = calls[i].r.body;
        } else {
            expect_problem(&calls[i].r, 409, "idempotency_in_progress");
        }
    }
    ck_assert_ptr_nonnull(body201);
    for (int i = 0; i < N; i++)
        it_response_free(&calls[i].r);
    ck_assert_int_eq(bf_sql_long(db,
                                 "SELECT count(*) FROM corridor.booking WHERE quote_id = "
                                 "'%s'",
                                 q3),
                     1);
    ck_assert_int_eq(bf_violations(db), 0);
    it_response_free(&first);
    free(q);
    free(q2);
    free(q3);
    free(q_other);
}
END_TEST

/* ---- PATCH and If-Match ---- */

static void patch(const char *ref, const char *if_match, const char *body, struct it_response *r)
{
    char h[64];
    snprintf(h, sizeof h, "If-Match: %s", if_match);
    const char *headers[] = {h, NULL};
    request(&srv, "PATCH", path_of("/v1/bookings/%s", ref), fwd, body, if_match ? headers : NULL,
            r);
}

START_TEST(test_patch_and_if_match)
{
    struct bf_itinerary it;
    bf_itinerary(db, 4, &it);
    long teu0 = bf_dep_teu(db, it.dep[0]), kg0 = bf_dep_kg(db, it.dep[0]);
    long teu1 = bf_dep_teu(db, it.dep[1]);
    long win0 = it.win[0] ? bf_win_teu(db, it.win[0]) : 0;
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 2);
    struct it_response r;
    char ref[32];
    snprintf(ref, sizeof ref, "%s", book(fwd, q, false, &r));
    it_response_free(&r);

    patch(ref, "\"7\"", "{\"customer_reference\":\"PO-1\"}", &r);
    expect_problem(&r, 412, "precondition_failed");
    it_response_free(&r);
    patch(ref, "\"1\"", "{\"customer_reference\":\"PO-1\"}", &r);
    ck_assert_msg(r.status == 200, "patch: %ld %s", r.status, r.body);
    ck_assert_str_eq(it_json_str(r.json, "customer_reference"), "PO-1");
    ck_assert_str_eq(it_header(&r, "ETag"), "\"2\"");
    it_response_free(&r);

    /* 2 -> 3 containers: 2 TEU and 20 000 kg more on every leg and window */
    patch(ref, "\"2\"",
          "{\"containers\":[{\"type\":\"40HC\",\"count\":3,\"gross_weight_kg\":20000}]}", &r);
    ck_assert_msg(r.status == 200, "patch up: %ld %s", r.status, r.body);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[0]), teu0 + 6);
    ck_assert_int_eq(bf_dep_kg(db, it.dep[0]), kg0 + 60000);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[1]), teu1 + 6);
    if (it.win[0])
        ck_assert_int_eq(bf_win_teu(db, it.win[0]), win0 + 6);
    /* 2 legs x 3 x 500 + 50: the booked unit prices, never today's tariffs */
    ck_assert_str_eq(it_json_str(r.json, "total.amount"), "3050.00");
    ck_assert_str_eq(it_json_str(r.json, "charges.0.amount.amount"), "1500.00");
    ck_assert_str_eq(it_json_str(r.json, "charges.0.quantity"), "3");
    ck_assert_str_eq(it_json_str(r.json, "charges.2.amount.amount"), "50.00");
    assert_charges_add_up(r.json);
    ck_assert_int_eq(json_integer_value(json_object_get(r.json, "version")), 3);
    it_response_free(&r);

    /* 3 -> 1: released */
    patch(ref, NULL, "{\"containers\":[{\"type\":\"40HC\",\"count\":1,\"gross_weight_kg\":20000}]}",
          &r);
    ck_assert_msg(r.status == 200, "patch down: %ld %s", r.status, r.body);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[0]), teu0 + 2);
    ck_assert_int_eq(bf_dep_kg(db, it.dep[0]), kg0 + 20000);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[1]), teu1 + 2);
    ck_assert_str_eq(it_json_str(r.json, "total.amount"), "1050.00");
    assert_charges_add_up(r.json);
    it_response_free(&r);

    /* beyond capacity: 409 and nothing changed */
    bf_sql(db, "UPDATE corridor.departure SET capacity_teu = booked_teu + 1 WHERE id = %ld",
           it.dep[0]);
    long teu_full = bf_dep_teu(db, it.dep[0]), teu1_now = bf_dep_teu(db, it.dep[1]);
    patch(ref, "\"4\"",
          "{\"containers\":[{\"type\":\"40HC\",\"count\":5,\"gross_weight_kg\":20000}]}", &r);
    expect_problem(&r, 409, "capacity_unavailable");
    ck_assert_ptr_nonnull(strstr(it_json_str(r.json, "detail"), "departure"));
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 1);
    it_response_free(&r);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[0]), teu_full);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[1]), teu1_now);
    request(&srv, "GET", path_of("/v1/bookings/%s", ref), fwd, NULL, NULL, &r);
    ck_assert_str_eq(it_header(&r, "ETag"), "\"4\"");
    ck_assert_str_eq(it_json_str(r.json, "total.amount"), "1050.00");
    it_response_free(&r);

    /* only counts change; the body is validated */
    patch(ref, NULL, "{\"containers\":[{\"type\":\"20DV\",\"count\":1,\"gross_weight_kg\":20000}]}",
          &r);
    expect_problem(&r, 422, "validation_failed");
    it_response_free(&r);
    patch(ref, NULL, "{\"customer_reference\":\"x\",\"colour\":\"red\"}", &r);
    expect_problem(&r, 400, "validation_failed");
    it_response_free(&r);
    patch(ref, NULL, "{}", &r);
    expect_problem(&r, 400, "validation_failed");
    it_response_free(&r);
    ck_assert_int_eq(bf_violations(db), 0);
    free(q);
}
END_TEST

/* ---- who sees what ---- */

static bool list_has(const char *key, const char *ref)
{
    struct it_response r;
    request(&srv, "GET", "/v1/bookings?limit=200", key, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    bool found = strstr(r.body, ref) != NULL;
    it_response_free(&r);
    return found;
}

START_TEST(test_visibility)
{
    struct bf_itinerary it;
    bf_itinerary(db, 5, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_response r;
    char ref[32];
    snprintf(ref, sizeof ref, "%s", book(fwd, q, true, &r));
    it_response_free(&r);
    bf_wait_key(&srv, fwd2);

    /* another forwarder: 404 everywhere, never in its lists or events */
    request(&srv, "GET", path_of("/v1/bookings/%s", ref), fwd2, NULL, NULL, &r);
    expect_problem(&r, 404, "not_found");
    it_response_free(&r);
    request(&srv, "GET", path_of("/v1/bookings/%s/events", ref), fwd2, NULL, NULL, &r);
    expect_problem(&r, 404, "not_found");
    it_response_free(&r);
    request(&srv, "POST", path_of("/v1/bookings/%s/cancel", ref), fwd2, NULL, NULL, &r);
    expect_problem(&r, 404, "not_found");
    it_response_free(&r);
    ck_assert(!list_has(fwd2, ref));
    request(&srv, "GET", "/v1/events?limit=200", fwd2, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(strstr(r.body, ref));
    it_response_free(&r);
    ck_assert(list_has(fwd, ref));

    /* the carrier of a leg reads it, cannot change it; another carrier sees nothing */
    request(&srv, "GET", path_of("/v1/bookings/%s", ref), carrier, NULL, NULL, &r);
    ck_assert_msg(r.status == 200, "carrier GET: %ld %s", r.status, r.body);
    it_response_free(&r);
    ck_assert(list_has(carrier, ref));
    request(&srv, "POST", path_of("/v1/bookings/%s/confirm", ref), carrier, NULL, NULL, &r);
    expect_problem(&r, 403, "forbidden");
    it_response_free(&r);
    request(&srv, "GET", path_of("/v1/bookings/%s", ref), other_carrier, NULL, NULL, &r);
    expect_problem(&r, 404, "not_found");
    it_response_free(&r);
    ck_assert(!list_has(other_carrier, ref));

    /* the operator sees and may change everything */
    request(&srv, "GET", path_of("/v1/bookings/%s", ref), op, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    request(&srv, "POST", path_of("/v1/bookings/%s/confirm", ref), op, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    free(q);
}
END_TEST

START_TEST(test_validation)
{
    struct bf_itinerary it;
    bf_itinerary(db, 6, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    struct it_response r;
    char body[256];
    snprintf(body, sizeof body, "{\"quote_id\":\"%s\",\"option\":1,\"extra\":true}", q);
    request(&srv, "POST", "/v1/bookings", fwd, body, NULL, &r);
    expect_problem(&r, 400, "validation_failed");
    ck_assert_str_eq(it_json_str(r.json, "errors.0.pointer"), "/extra");
    it_response_free(&r);
    request(&srv, "POST", "/v1/bookings", fwd, "{\"quote_id\":\"not-a-uuid\",\"hold\":1}", NULL,
            &r);
    expect_problem(&r, 400, "validation_failed");
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "errors")), 3);
    it_response_free(&r);
    snprintf(body, sizeof body, "{\"quote_id\":\"%s\",\"option\":7}", q);
    request(&srv, "POST", "/v1/bookings", fwd, body, NULL, &r);
    expect_problem(&r, 422, "validation_failed");
    ck_assert_str_eq(it_json_str(r.json, "errors.0.pointer"), "/option");
    it_response_free(&r);
    char longkey[160];
    memset(longkey, 'k', 129);
    strcpy(longkey + 129, "");
    ck_assert_int_eq(bf_post_booking(&srv, fwd, q, false, longkey, &r), 0);
    expect_problem(&r, 400, "validation_failed");
    it_response_free(&r);
    request(&srv, "GET", "/v1/bookings?status=LOST", fwd, NULL, NULL, &r);
    expect_problem(&r, 400, "validation_failed");
    it_response_free(&r);
    request(&srv, "GET", "/v1/bookings/NSC-0", fwd, NULL, NULL, &r);
    expect_problem(&r, 404, "not_found");
    it_response_free(&r);
    ck_assert_int_eq(bf_sql_long(db,
                                 "SELECT count(*) FROM corridor.booking WHERE quote_id = "
                                 "'%s'",
                                 q),
                     0);
    free(q);
}
END_TEST

START_TEST(test_list_pages)
{
    struct it_response r;
    request(&srv, "GET", "/v1/bookings?limit=2", op, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_eq(json_array_size(json_object_get(r.json, "items")), 2);
    const char *cursor = it_json_str(r.json, "next_cursor");
    ck_assert_ptr_nonnull(cursor);
    long first_id = (long)json_integer_value(it_json_get(r.json, "items.0.id"));
    long second_id = (long)json_integer_value(it_json_get(r.json, "items.1.id"));
    ck_assert_int_gt(first_id, second_id); /* newest first */
    char path[96];
    snprintf(path, sizeof path, "/v1/bookings?limit=2&cursor=%s", cursor);
    it_response_free(&r);
    request(&srv, "GET", path, op, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_lt(json_integer_value(it_json_get(r.json, "items.0.id")), second_id);
    it_response_free(&r);
    request(&srv, "GET", "/v1/bookings?status=CANCELLED", op, NULL, NULL, &r);
    ck_assert_int_eq(r.status, 200);
    json_t *items = json_object_get(r.json, "items");
    ck_assert_int_gt(json_array_size(items), 0);
    for (size_t i = 0; i < json_array_size(items); i++)
        ck_assert_str_eq(it_json_str(json_array_get(items, i), "status"), "CANCELLED");
    it_response_free(&r);
}
END_TEST

/* ---- expiry (own databases and servers: short holds) ---- */

static char xdb[64], ydb[64];
static struct it_server sx, sy;
static char *xkey, *ykey;

/* sx: holds of 2 s, a sweep every 200 ms; sy: holds of 1 s and the sweeper
 * an hour away, so only a confirm can find the hold past its expiry. */
static void setup_expiry(void)
{
    const char *fast[] = {"CORRIDOR_HOLD_TTL_S=2", "CORRIDOR_SWEEP_INTERVAL_MS=200", NULL};
    const char *slow[] = {"CORRIDOR_HOLD_TTL_S=1", "CORRIDOR_SWEEP_INTERVAL_MS=3600000", NULL};
    it_db_create("expiry", xdb);
    it_db_create("expiry", ydb);
    bf_install(xdb);
    bf_install(ydb);
    xkey = it_issue_key(xdb, "DEMOFWD", "forwarder");
    ykey = it_issue_key(ydb, "DEMOFWD", "forwarder");
    if (it_server_start(&sx, xdb, fast) != 0 || it_server_start(&sy, ydb, slow) != 0) {
        fprintf(stderr, "bookings: the expiry servers did not start\n");
        it_server_stop(&sx);
        exit(2);
    }
}

static void teardown_expiry(void)
{
    it_server_stop(&sx);
    it_server_stop(&sy);
}

START_TEST(test_expiry_by_sweeper)
{
    struct bf_itinerary it;
    bf_itinerary(xdb, 0, &it);
    long teu0 = bf_dep_teu(xdb, it.dep[0]), kg0 = bf_dep_kg(xdb, it.dep[0]);
    long win0 = it.win[1] ? bf_win_teu(xdb, it.win[1]) : 0;
    char *q = bf_quote_sql(xdb, "DEMOFWD", it.dep, 2, 2);
    struct it_response r;
    ck_assert_int_eq(bf_post_booking(&sx, xkey, q, true, NULL, &r), 0);
    ck_assert_int_eq(r.status, 201);
    double t0 = bf_now();
    char ref[32];
    snprintf(ref, sizeof ref, "%s", it_json_str(r.json, "reference"));
    it_response_free(&r);
    ck_assert_int_eq(bf_dep_teu(xdb, it.dep[0]), teu0 + 4);
    /* nobody touches it: the sweeper expires it within 5 s of its expiry */
    char *status = NULL;
    while (bf_now() - t0 < 7.0) {
        free(status);
        status =
            bf_sql_text(xdb, "SELECT status FROM corridor.booking WHERE reference = '%s'", ref);
        if (strcmp(status, "EXPIRED") == 0)
            break;
        usleep(100 * 1000);
    }
    ck_assert_str_eq(status, "EXPIRED");
    free(status);
    ck_assert_int_eq(bf_dep_teu(xdb, it.dep[0]), teu0);
    ck_assert_int_eq(bf_dep_kg(xdb, it.dep[0]), kg0);
    if (it.win[1])
        ck_assert_int_eq(bf_win_teu(xdb, it.win[1]), win0);
    char path[96];
    snprintf(path, sizeof path, "/v1/bookings/%s/confirm", ref);
    ck_assert_int_eq(it_request(&sx, "POST", path, xkey, NULL, NULL, &r), 0);
    expect_problem(&r, 409, "invalid_state");
    it_response_free(&r);
    snprintf(path, sizeof path, "/v1/bookings/%s/events", ref);
    ck_assert_int_eq(it_request(&sx, "GET", path, xkey, NULL, NULL, &r), 0);
    ck_assert_str_eq(it_json_str(r.json, "items.1.type"), "booking.expired");
    it_response_free(&r);
    ck_assert_int_eq(bf_violations(xdb), 0);
    free(q);
}
END_TEST

START_TEST(test_expired_on_confirm)
{
    struct bf_itinerary it;
    bf_itinerary(ydb, 0, &it);
    long teu0 = bf_dep_teu(ydb, it.dep[1]);
    char *q = bf_quote_sql(ydb, "DEMOFWD", it.dep, 2, 1);
    struct it_response r;
    ck_assert_int_eq(bf_post_booking(&sy, ykey, q, true, NULL, &r), 0);
    ck_assert_int_eq(r.status, 201);
    char path[96];
    snprintf(path, sizeof path, "/v1/bookings/%s/confirm", it_json_str(r.json, "reference"));
    it_response_free(&r);
    ck_assert_int_eq(bf_dep_teu(ydb, it.dep[1]), teu0 + 2);
    usleep(1600 * 1000);
    ck_assert_int_eq(it_request(&sy, "POST", path, ykey, NULL, NULL, &r), 0);
    expect_problem(&r, 409, "invalid_state");
    ck_assert_ptr_nonnull(strstr(it_json_str(r.json, "detail"), "EXPIRED"));
    it_response_free(&r);
    ck_assert_int_eq(bf_dep_teu(ydb, it.dep[1]), teu0);
    ck_assert_int_eq(bf_violations(ydb), 0);
    free(q);
}
END_TEST

Suite *bookings_suite(void);
Suite *bookings_suite(void)
{
    Suite *s = suite_create("bookings");
    TCase *tc = tcase_create("lifecycle");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_book_confirmed);
    tcase_add_test(tc, test_patch_real_quote);
    tcase_add_test(tc, test_hold_confirm_cancel);
    tcase_add_test(tc, test_quote_booked_twice_and_expired);
    tcase_add_test(tc, test_idempotency);
    tcase_add_test(tc, test_patch_and_if_match);
    tcase_add_test(tc, test_visibility);
    tcase_add_test(tc, test_validation);
    tcase_add_test(tc, test_list_pages);
    suite_add_tcase(s, tc);
    TCase *tx = tcase_create("expiry");
    tcase_add_unchecked_fixture(tx, setup_expiry, teardown_expiry);
    tcase_set_timeout(tx, 120);
    tcase_add_test(tx, test_expiry_by_sweeper);
    tcase_add_test(tx, test_expired_on_confirm);
    suite_add_tcase(s, tx);
    return s;
}
