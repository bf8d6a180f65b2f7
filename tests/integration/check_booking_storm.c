/* Integration: booking storms (suite "booking_storm").  Many concurrent
 * POST /v1/bookings (threads with libcurl, one quote each, every quote made
 * before the storm) against a departure with room for exactly N of them:
 * exactly N are booked, every other answer is 409 capacity_unavailable,
 * booked_teu ends at the capacity and corridor.check_invariants() is empty
 * -- against one server, then against two server processes sharing the
 * database.  Then opposite-direction bookings (the same departures and
 * windows listed in reverse leg order) all at once: every one is booked, no
 * 5xx reaches a client and no transaction had to be retried (a deadlock
 * would have been retried: corridor_booking_tx_retries_total).  Last, a
 * server whose booking lane lets one change run at a time
 * (CORRIDOR_BOOKING_CONCURRENCY=1): a storm of creates and then of cancels
 * still ends exactly right, and nothing waits in the lane afterwards.
 * Last, a server killed (SIGKILL) while bookings with Idempotency-Keys are
 * in flight: nothing is half-booked, and after a restart every request sent
 * again with its key gets its final answer at once; a duplicate of a
 * request still running waits for it, but not for ever; and PostgreSQL
 * sessions ended mid-booking leave nothing behind either. */
#include "bookings_fixture.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static struct it_server srv[2];
static char db[64];
static char *fwd;

static void setup(void)
{
    it_db_create("storm", db);
    bf_install(db);
    fwd = it_issue_key(db, "DEMOFWD", "forwarder");
    /* two slots each, as on the 2-core machines this runs on, whatever this
     * one has: the storms then always queue, and batch */
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=2", NULL};
    if (it_server_start(&srv[0], db, env) != 0 || it_server_start(&srv[1], db, env) != 0) {
        fprintf(stderr, "booking_storm: the servers did not start\n");
        it_server_stop(&srv[0]);
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv[0]);
    it_server_stop(&srv[1]);
}

struct call {
    const struct it_server *s;
    char *quote;
    const char *cancel; /* a booking reference: POST .../cancel instead of a create */
    const char *idem;   /* the create's Idempotency-Key, or NULL */
    struct it_response r;
    int rc;
};

static pthread_barrier_t start_line;

static void *call_thread(void *arg)
{
    struct call *c = arg;
    pthread_barrier_wait(&start_line);
    if (c->cancel) {
        char path[64];
        snprintf(path, sizeof path, "/v1/bookings/%s/cancel", c->cancel);
        c->rc = it_request(c->s, "POST", path, fwd, NULL, NULL, &c->r);
    } else {
        c->rc = bf_post_booking(c->s, fwd, c->quote, false, c->idem, &c->r);
    }
    return NULL;
}

/* One call, without waiting for the others (call_thread waits for the
 * start line). */
static void *call_thread_now(void *arg)
{
    struct call *c = arg;
    c->rc = bf_post_booking(c->s, fwd, c->quote, false, c->idem, &c->r);
    return NULL;
}

/* Sends every call at once (one thread each); results are asserted by the
 * caller on the test thread. */
static void storm(struct call *calls, int n)
{
    pthread_t *th = calloc((size_t)n, sizeof *th);
    pthread_barrier_init(&start_line, NULL, (unsigned)n);
    for (int i = 0; i < n; i++)
        pthread_create(&th[i], NULL, call_thread, &calls[i]);
    for (int i = 0; i < n; i++)
        pthread_join(th[i], NULL);
    pthread_barrier_destroy(&start_line);
    free(th);
}

/* A storm of `requests` bookings of 1 x 40HC (2 TEU) on itinerary nth,
 * whose sea departure has room for exactly `fit` of them, spread over
 * `servers` server processes of on[].  With cancel, the booked ones are then
 * all cancelled at once, which gives the departure its capacity back. */
/* Leaves room on departure dep for exactly fit bookings of 2 TEU (and the
 * kilograms of requests of them); returns its capacity in TEU. */
static long room_for(long dep, int fit, int requests)
{
    bf_sql(db,
           "UPDATE corridor.departure SET capacity_teu = booked_teu + %d, "
           "capacity_kg = greatest(capacity_kg, booked_kg + %d) WHERE id = %ld",
           2 * fit, 20000 * requests, dep);
    return bf_sql_long(db, "SELECT capacity_teu FROM corridor.departure WHERE id = %ld", dep);
}

static void capacity_storm(const struct it_server *on, int servers, int nth, int requests, int fit,
                           bool cancel)
{
    struct bf_itinerary it;
    bf_itinerary(db, nth, &it);
    long dep = it.dep[0];
    long capacity = room_for(dep, fit, requests);
    struct call *calls = calloc((size_t)requests, sizeof *calls);
    for (int i = 0; i < requests; i++) {
        calls[i].s = &on[i % servers];
        calls[i].quote = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    }
    storm(calls, requests);

    int booked = 0, refused = 0;
    for (int i = 0; i < requests; i++) {
        ck_assert_msg(calls[i].rc == 0, "request %d got no answer", i);
        if (calls[i].r.status == 201) {
            booked++;
        } else {
            const char *code = it_json_str(calls[i].r.json, "code");
            ck_assert_msg(calls[i].r.status == 409 && code &&
                              strcmp(code, "capacity_unavailable") == 0,
                          "request %d: %ld %s", i, calls[i].r.status, calls[i].r.body);
            /* the refusal names the full departure */
            char want[32];
            snprintf(want, sizeof want, "departure %ld", dep);
            ck_assert_ptr_nonnull(strstr(it_json_str(calls[i].r.json, "detail"), want));
            refused++;
        }
    }
    ck_assert_int_eq(booked, fit);
    ck_assert_int_eq(refused, requests - fit);
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity);
    ck_assert_int_eq(bf_sql_long(db,
                                 "SELECT count(*) FROM corridor.booking_leg WHERE "
                                 "departure_id = %ld",
                                 dep),
                     fit);
    ck_assert_int_eq(bf_violations(db), 0);
    if (cancel) {
        struct call *cancels = calloc((size_t)fit, sizeof *cancels);
        int n = 0;
        for (int i = 0; i < requests; i++) {
            if (calls[i].r.status != 201)
                continue;
            cancels[n].s = calls[i].s;
            cancels[n].cancel = it_json_str(calls[i].r.json, "reference");
            ck_assert_ptr_nonnull(cancels[n].cancel);
            n++;
        }
        storm(cancels, n);
        for (int i = 0; i < n; i++) {
            ck_assert_msg(cancels[i].rc == 0, "cancel %d got no answer", i);
            ck_assert_msg(cancels[i].r.status == 200, "cancel %d: %ld %s", i, cancels[i].r.status,
                          cancels[i].r.body);
            ck_assert_str_eq(it_json_str(cancels[i].r.json, "status"), "CANCELLED");
            it_response_free(&cancels[i].r);
        }
        free(cancels);
        ck_assert_int_eq(bf_dep_teu(db, dep), capacity - 2 * fit);
        ck_assert_int_eq(bf_violations(db), 0);
    }
    for (int i = 0; i < requests; i++) {
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
    free(calls);
}

START_TEST(test_storm_one_server)
{
    capacity_storm(srv, 1, 10, 40, 5, false);
}
END_TEST

START_TEST(test_storm_two_servers)
{
    capacity_storm(srv, 2, 11, 44, 7, false);
}
END_TEST

/* The value of a counter in /metrics (0 when it was never counted). */
static double metric(const struct it_server *s, const char *name)
{
    struct it_response r;
    ck_assert_int_eq(it_request(s, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    double v = 0;
    char pattern[128];
    snprintf(pattern, sizeof pattern, "\n%s ", name);
    const char *p = strstr(r.body, pattern);
    if (p)
        v = atof(p + strlen(pattern));
    it_response_free(&r);
    return v;
}

START_TEST(test_opposite_directions)
{
    struct bf_itinerary it;
    bf_itinerary(db, 12, &it);
    enum { N = 40 };
    /* room for everyone: what is tested is that nobody deadlocks */
    bf_sql(db,
           "UPDATE corridor.departure SET capacity_teu = booked_teu + %d, "
           "capacity_kg = booked_kg + %d WHERE id IN (%ld, %ld)",
           2 * N, 20000 * N, it.dep[0], it.dep[1]);
    for (int w = 0; w < 2; w++)
        if (it.win[w])
            bf_sql(db,
                   "UPDATE corridor.port_window SET capacity_teu = booked_teu + %d "
                   "WHERE id = %ld",
                   2 * N, it.win[w]);
    long teu0 = bf_dep_teu(db, it.dep[0]), teu1 = bf_dep_teu(db, it.dep[1]);
    double retries0 = metric(&srv[0], "corridor_booking_tx_retries_total") +
                      metric(&srv[1], "corridor_booking_tx_retries_total");
    double batched0 = metric(&srv[0], "corridor_bookings_batched_total") +
                      metric(&srv[1], "corridor_bookings_batched_total");
    long reversed[2] = {it.dep[1], it.dep[0]};
    struct call calls[N];
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < N; i++) {
        calls[i].s = &srv[i % 2];
        /* half of them list the legs (and so the rows) the other way round */
        calls[i].quote = bf_quote_sql(db, "DEMOFWD", i % 4 < 2 ? it.dep : reversed, 2, 1);
    }
    storm(calls, N);
    for (int i = 0; i < N; i++) {
        ck_assert_msg(calls[i].rc == 0, "request %d got no answer", i);
        ck_assert_msg(calls[i].r.status == 201, "request %d: %ld %s", i, calls[i].r.status,
                      calls[i].r.body);
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
    ck_assert_int_eq(bf_dep_teu(db, it.dep[0]), teu0 + 2 * N);
    ck_assert_int_eq(bf_dep_teu(db, it.dep[1]), teu1 + 2 * N);
    double retries = metric(&srv[0], "corridor_booking_tx_retries_total") +
                     metric(&srv[1], "corridor_booking_tx_retries_total");
    ck_assert_msg(retries == retries0, "%.0f booking transactions were retried",
                  retries - retries0);
    /* most of them waited for a slot and were booked in batches (038),
     * which lock in the same global order: none failed (a deadlock would
     * have) */
    double batched = metric(&srv[0], "corridor_bookings_batched_total") +
                     metric(&srv[1], "corridor_bookings_batched_total");
    ck_assert_msg(batched - batched0 >= N / 4, "only %.0f of %d bookings were made in batches",
                  batched - batched0, N);
    ck_assert(metric(&srv[0], "corridor_booking_batches_failed_total") == 0);
    ck_assert(metric(&srv[1], "corridor_booking_batches_failed_total") == 0);
    ck_assert_int_eq(bf_violations(db), 0);
}
END_TEST

/* A booking lane of one: every change waits its turn, and all of them
 * still get their right answer. */
START_TEST(test_storm_lane_of_one)
{
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=1", NULL};
    struct it_server one;
    ck_assert_int_eq(it_server_start(&one, db, env), 0);
    capacity_storm(&one, 1, 13, 32, 6, true);
    ck_assert(metric(&one, "corridor_booking_lane_waiting") == 0);
    struct it_response r;
    ck_assert_int_eq(it_request(&one, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
    ck_assert_ptr_nonnull(strstr(r.body, "\ncorridor_booking_lane_waiting 0"));
    it_response_free(&r);
    ck_assert_int_eq(it_server_stop(&one), 0);
}
END_TEST

struct storm_run {
    struct call *calls;
    int n;
};

static void *storm_thread(void *arg)
{
    struct storm_run *run = arg;
    storm(run->calls, run->n);
    return NULL;
}

/* Backends of db waiting for a lock inside booking_create. */
static long waiting_bookings(void)
{
    return bf_sql_long(db, "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock' AND query LIKE "
                           "'%%booking_create%%'");
}

/* calls[i]: a create of a new quote over the two departures of it on server s,
 * with Idempotency-Key keys[i] = "<tag>-<first departure>-<i>". */
static void keyed_calls(struct call *calls, char (*keys)[48], int n, const struct it_server *s,
                        const char *tag, const struct bf_itinerary *it)
{
    memset(calls, 0, (size_t)n * sizeof *calls);
    for (int i = 0; i < n; i++) {
        snprintf(keys[i], sizeof keys[i], "%s-%ld-%d", tag, it->dep[0], i);
        calls[i].s = s;
        calls[i].idem = keys[i];
        calls[i].quote = bf_quote_sql(db, "DEMOFWD", it->dep, 2, 1);
    }
}

/* A session of the test that holds departure dep locked (FOR UPDATE) until
 * release_departure: bookings over it wait inside booking_create. */
static PGconn *hold_departure(long dep)
{
    PGconn *hold = PQconnectdb(it_db_url(db));
    ck_assert_int_eq(PQstatus(hold), CONNECTION_OK);
    char sql[128];
    snprintf(sql, sizeof sql, "BEGIN; SELECT 1 FROM corridor.departure WHERE id = %ld FOR UPDATE",
             dep);
    PGresult *r = PQexec(hold, sql);
    ck_assert_int_eq(PQresultStatus(r), PGRES_TUPLES_OK);
    PQclear(r);
    return hold;
}

/* Rolls back what the session of hold_departure (or any such session) holds. */
static void release_departure(PGconn *hold)
{
    PQclear(PQexec(hold, "ROLLBACK"));
    PQfinish(hold);
}

/* A server killed (SIGKILL) while N bookings with Idempotency-Keys are in
 * flight, held at a departure that a session of the test keeps locked, so
 * that some are inside their transactions and the others wait in the lane.
 * Nothing of them may stay: no booking, no reserved TEU.  After a restart the
 * same N requests, sent again with their keys, get their final answers at
 * once -- exactly FIT booked (the departure's room), the others 409
 * capacity_unavailable, none 409 idempotency_in_progress for a request
 * whose server is gone -- and sent a third time, every answer is replayed. */
START_TEST(test_server_killed_mid_booking)
{
    enum { N = 12, FIT = 5 };
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=4", NULL};
    struct bf_itinerary it;
    bf_itinerary(db, 14, &it);
    long dep = it.dep[0];
    long capacity = room_for(dep, FIT, N);
    long legs0 =
        bf_sql_long(db, "SELECT count(*) FROM corridor.booking_leg WHERE departure_id = %ld", dep);

    struct it_server k;
    ck_assert_int_eq(it_server_start(&k, db, env), 0);
    bf_wait_key(&k, fwd);
    struct call calls[N];
    char keys[N][48];
    keyed_calls(calls, keys, N, &k, "killed", &it);

    PGconn *hold = hold_departure(dep);

    struct storm_run run = {calls, N};
    pthread_t th;
    pthread_create(&th, NULL, storm_thread, &run);
    long waiting = 0;
    for (int i = 0; i < 200 && (waiting = waiting_bookings()) < 4; i++)
        usleep(50 * 1000);
    ck_assert_msg(waiting >= 1, "no booking reached the locked departure");
    it_server_kill(&k);
    pthread_join(th, NULL);
    for (int i = 0; i < N; i++) {
        ck_assert_msg(calls[i].rc != 0, "request %d was answered (%ld) before the kill", i,
                      calls[i].r.status);
        it_response_free(&calls[i].r);
    }
    release_departure(hold);

    /* the killed server's sessions end without committing anything */
    for (int i = 0; i < 200 && waiting_bookings() > 0; i++)
        usleep(50 * 1000);
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity - 2 * FIT);
    ck_assert_int_eq(
        bf_sql_long(db, "SELECT count(*) FROM corridor.booking_leg WHERE departure_id = %ld", dep),
        legs0);
    ck_assert_int_eq(bf_violations(db), 0);

    struct it_server again;
    ck_assert_int_eq(it_server_start(&again, db, env), 0);
    bf_wait_key(&again, fwd);
    for (int i = 0; i < N; i++)
        calls[i].s = &again;
    double t0 = bf_now();
    storm(calls, N);
    double took = bf_now() - t0;
    int booked = 0;
    char refs[N][24];
    for (int i = 0; i < N; i++) {
        refs[i][0] = '\0';
        ck_assert_msg(calls[i].rc == 0, "request %d got no answer after the restart", i);
        if (calls[i].r.status == 201) {
            booked++;
            snprintf(refs[i], sizeof refs[i], "%s", it_json_str(calls[i].r.json, "reference"));
            ck_assert_int_eq(bf_sql_long(db,
                                         "SELECT count(*) FROM corridor.booking WHERE "
                                         "reference = '%s' AND quote_id = '%s'",
                                         refs[i], calls[i].quote),
                             1);
        } else {
            const char *code = it_json_str(calls[i].r.json, "code");
            ck_assert_msg(
                calls[i].r.status == 409 && code && strcmp(code, "capacity_unavailable") == 0,
                "request %d after the restart: %ld %s", i, calls[i].r.status, calls[i].r.body);
        }
        it_response_free(&calls[i].r);
    }
    ck_assert_int_eq(booked, FIT);
    ck_assert_msg(took < 2.0, "the answers after the restart took %.1f s", took);
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity);
    ck_assert_int_eq(
        bf_sql_long(db, "SELECT count(*) FROM corridor.booking_leg WHERE departure_id = %ld", dep),
        legs0 + FIT);
    ck_assert_int_eq(bf_violations(db), 0);

    /* the same requests once more: the answers of the second round, replayed */
    storm(calls, N);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(calls[i].rc, 0);
        const char *replayed = it_header(&calls[i].r, "Idempotent-Replayed");
        ck_assert_msg(replayed && strcmp(replayed, "true") == 0, "request %d: not a replay: %ld %s",
                      i, calls[i].r.status, calls[i].r.body);
        ck_assert_int_eq(calls[i].r.status, refs[i][0] ? 201 : 409);
        if (refs[i][0])
            ck_assert_str_eq(it_json_str(calls[i].r.json, "reference"), refs[i]);
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity);
    ck_assert_int_eq(it_server_stop(&again), 0);
}
END_TEST

struct held_call {
    const struct it_server *s;
    const char *quote;
    const char *idem;
    struct it_response r;
    int rc;
};

static void *held_thread(void *arg)
{
    struct held_call *c = arg;
    c->rc = bf_post_booking(c->s, fwd, c->quote, false, c->idem, &c->r);
    return NULL;
}

/* A duplicate of a request whose transaction is still running waits for it:
 * the first is held at a departure a session of the test keeps locked for
 * longer than that wait, so the duplicate (on the other instance) gets 409
 * idempotency_in_progress with Retry-After -- after about 3 s, not at once.
 * Once the lock is gone the first is booked, and the duplicate sent again
 * replays its answer; one booking in all. */
START_TEST(test_duplicate_waits_for_the_first)
{
    struct bf_itinerary it;
    bf_itinerary(db, 15, &it);
    char *q = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    PGconn *hold = hold_departure(it.dep[0]);

    struct held_call first = {.s = &srv[0], .quote = q, .idem = "held-first"};
    pthread_t th;
    pthread_create(&th, NULL, held_thread, &first);
    for (int i = 0; i < 200 && waiting_bookings() < 1; i++)
        usleep(50 * 1000);
    ck_assert_int_ge(waiting_bookings(), 1);

    struct it_response dup;
    double t0 = bf_now();
    ck_assert_int_eq(bf_post_booking(&srv[1], fwd, q, false, "held-first", &dup), 0);
    double waited = bf_now() - t0;
    ck_assert_msg(dup.status == 409 && it_json_str(dup.json, "code") &&
                      strcmp(it_json_str(dup.json, "code"), "idempotency_in_progress") == 0,
                  "the duplicate: %ld %s", dup.status, dup.body);
    ck_assert_ptr_nonnull(it_header(&dup, "Retry-After"));
    ck_assert_msg(waited > 2.5 && waited < 10, "the duplicate was answered after %.2f s", waited);
    it_response_free(&dup);

    release_departure(hold);
    pthread_join(th, NULL);
    ck_assert_int_eq(first.rc, 0);
    ck_assert_msg(first.r.status == 201, "the first: %ld %s", first.r.status, first.r.body);
    ck_assert_int_eq(bf_post_booking(&srv[1], fwd, q, false, "held-first", &dup), 0);
    ck_assert_int_eq(dup.status, 201);
    ck_assert_str_eq(dup.body, first.r.body);
    ck_assert_str_eq(it_header(&dup, "Idempotent-Replayed"), "true");
    it_response_free(&dup);
    it_response_free(&first.r);
    ck_assert_int_eq(
        bf_sql_long(db, "SELECT count(*) FROM corridor.booking WHERE quote_id = '%s'", q), 1);
    ck_assert_int_eq(bf_violations(db), 0);
    free(q);
}
END_TEST

/* A booking of a quote this server has still to write waits for that write
 * before it takes a slot of the booking lane.  With a lane of one and the
 * quote writer held up (a session of the test locks corridor.quote against
 * inserts), a booking of a fresh quote waits for the writer, and a booking
 * of an older quote meanwhile is answered at once (it used to wait behind
 * the first for the slot, up to 3 s).  Released, the fresh quote is written
 * and booked. */
START_TEST(test_fresh_quote_waits_outside_the_lane)
{
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=1", NULL};
    struct it_server one;
    ck_assert_int_eq(it_server_start(&one, db, env), 0);
    bf_wait_key(&one, fwd);
    struct bf_itinerary it;
    bf_itinerary(db, 17, &it);
    char *older = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);

    PGconn *hold = PQconnectdb(it_db_url(db));
    ck_assert_int_eq(PQstatus(hold), CONNECTION_OK);
    PGresult *r = PQexec(hold, "BEGIN; LOCK TABLE corridor.quote IN SHARE ROW EXCLUSIVE MODE");
    ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    long deps[16];
    size_t n_deps;
    char *fresh = bf_quote(&one, fwd, db, "DEMOFWD", &it, 1, deps, &n_deps);
    struct held_call first = {.s = &one, .quote = fresh};
    pthread_t th;
    pthread_create(&th, NULL, held_thread, &first);
    usleep(300 * 1000); /* the first is waiting for the writer by now */

    struct it_response second;
    double t0 = bf_now();
    ck_assert_int_eq(bf_post_booking(&one, fwd, older, false, NULL, &second), 0);
    double took = bf_now() - t0;
    ck_assert_msg(second.status == 201, "the older quote: %ld %s", second.status, second.body);
    it_response_free(&second);
    release_departure(hold); /* (its ROLLBACK releases the table too) */
    ck_assert_msg(took < 1.5, "the older quote's booking waited %.2f s", took);

    pthread_join(th, NULL);
    ck_assert_int_eq(first.rc, 0);
    ck_assert_msg(first.r.status == 201, "the fresh quote: %ld %s", first.r.status, first.r.body);
    it_response_free(&first.r);
    ck_assert_int_eq(bf_violations(db), 0);
    ck_assert_int_eq(it_server_stop(&one), 0);
    free(older);
    free(fresh);
}
END_TEST

/* PostgreSQL sessions ended (pg_terminate_backend) in the middle of
 * bookings with Idempotency-Keys, while they wait at a departure a session
 * of the test keeps locked: those requests are answered 5xx and nothing of
 * them stays; the others go on.  Sent again with their keys, the 5xx ones get
 * their final answers (the server opens new sessions), FIT are booked in all
 * and every answer then replays. */
START_TEST(test_sessions_killed_mid_booking)
{
    enum { N = 10, FIT = 4 };
    struct bf_itinerary it;
    bf_itinerary(db, 16, &it);
    long dep = it.dep[0];
    long capacity = room_for(dep, FIT, N);
    struct call calls[N];
    char keys[N][48];
    keyed_calls(calls, keys, N, &srv[0], "session", &it);
    PGconn *hold = hold_departure(dep);
    struct storm_run run = {calls, N};
    pthread_t th;
    pthread_create(&th, NULL, storm_thread, &run);
    for (int i = 0; i < 200 && waiting_bookings() < 1; i++)
        usleep(50 * 1000);
    long killed = bf_sql_long(db, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                                  "FROM pg_stat_activity WHERE datname = current_database() "
                                  "AND wait_event_type = 'Lock' AND query LIKE "
                                  "'%%booking_create%%'");
    ck_assert_int_ge(killed, 1);
    release_departure(hold);
    pthread_join(th, NULL);

    int failed = 0;
    for (int i = 0; i < N; i++) {
        ck_assert_msg(calls[i].rc == 0, "request %d got no answer", i);
        long st = calls[i].r.status;
        const char *code = it_json_str(calls[i].r.json, "code");
        if (st >= 500) {
            failed++;
            continue;
        }
        ck_assert_msg(st == 201 || (st == 409 && code && strcmp(code, "capacity_unavailable") == 0),
                      "request %d: %ld %s", i, st, calls[i].r.body);
    }
    ck_assert_msg(failed >= 1 && failed <= killed, "%d answers 5xx for %ld sessions ended", failed,
                  killed);
    ck_assert_int_eq(bf_violations(db), 0);

    /* the 5xx ones again, with their keys */
    struct call again[N];
    int n = 0;
    for (int i = 0; i < N; i++)
        if (calls[i].r.status >= 500)
            again[n++] =
                (struct call){.s = &srv[0], .quote = calls[i].quote, .idem = calls[i].idem};
    storm(again, n);
    for (int i = 0; i < n; i++) {
        ck_assert_int_eq(again[i].rc, 0);
        const char *code = it_json_str(again[i].r.json, "code");
        ck_assert_msg(again[i].r.status == 201 || (again[i].r.status == 409 && code &&
                                                   strcmp(code, "capacity_unavailable") == 0),
                      "retry %d: %ld %s", i, again[i].r.status, again[i].r.body);
        it_response_free(&again[i].r);
    }
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity);
    ck_assert_int_eq(
        bf_sql_long(db, "SELECT count(*) FROM corridor.booking_leg WHERE departure_id = %ld", dep),
        FIT);
    ck_assert_int_eq(bf_violations(db), 0);

    /* every key now has its final answer */
    for (int i = 0; i < N; i++) {
        it_response_free(&calls[i].r);
        ck_assert_int_eq(
            bf_post_booking(&srv[0], fwd, calls[i].quote, false, calls[i].idem, &calls[i].r), 0);
        const char *replayed = it_header(&calls[i].r, "Idempotent-Replayed");
        ck_assert_msg(replayed && strcmp(replayed, "true") == 0, "key %d: not a replay: %ld %s", i,
                      calls[i].r.status, calls[i].r.body);
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
    ck_assert_int_eq(bf_dep_teu(db, dep), capacity);
}
END_TEST

/* Bookings of real quotes (made over HTTP, so each offer is stored with its
 * options' offsets, 035) that wait for a lane of one are booked in batches
 * (038), half of them with an Idempotency-Key: every one is booked, every
 * answer is the booking exactly as GET then shows it, every keyed one is
 * replayed byte for byte, nothing failed as a batch and the invariants
 * hold. */
START_TEST(test_batches_of_real_quotes)
{
    enum { N = 16 };
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=1", "CORRIDOR_BOOKING_BATCH=8",
                                      NULL};
    struct it_server one;
    ck_assert_int_eq(it_server_start(&one, db, env), 0);
    bf_wait_key(&one, fwd);
    struct call calls[N];
    char keys[N][48];
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < N; i++) {
        struct bf_itinerary it;
        bf_itinerary(db, 18 + i % 2, &it);
        long deps[16];
        size_t nd;
        calls[i].s = &one;
        if (i % 2 == 0) { /* half of them with an Idempotency-Key */
            snprintf(keys[i], sizeof keys[i], "batched-%d", i);
            calls[i].idem = keys[i];
        }
        calls[i].quote = bf_quote(&one, fwd, db, "DEMOFWD", &it, 1 + i / 2 % 2, deps, &nd);
        /* room for all of them: what is tested is the batches */
        for (size_t k = 0; k < nd; k++)
            bf_sql(db,
                   "UPDATE corridor.departure SET capacity_teu = booked_teu + 1000, "
                   "capacity_kg = booked_kg + 100000000 WHERE id = %ld",
                   deps[k]);
    }
    bf_sql(db, "UPDATE corridor.port_window SET capacity_teu = booked_teu + 1000 "
               "WHERE node_code IN ('KZAAU', 'IRAMD', 'IRTHR')");
    double batched0 = metric(&one, "corridor_bookings_batched_total");
    storm(calls, N);
    for (int i = 0; i < N; i++) {
        ck_assert_int_eq(calls[i].rc, 0);
        ck_assert_msg(calls[i].r.status == 201, "request %d: %ld %s", i, calls[i].r.status,
                      calls[i].r.body);
        struct it_response got;
        char path[64];
        snprintf(path, sizeof path, "/v1/bookings/%s", it_json_str(calls[i].r.json, "reference"));
        ck_assert_int_eq(it_request(&one, "GET", path, fwd, NULL, NULL, &got), 0);
        ck_assert_int_eq(got.status, 200);
        ck_assert_str_eq(got.body, calls[i].r.body);
        it_response_free(&got);
        if (calls[i].idem) { /* the key's answer was stored with it: replayed byte for byte */
            ck_assert_int_eq(bf_post_booking(&one, fwd, calls[i].quote, false, calls[i].idem, &got),
                             0);
            ck_assert_int_eq(got.status, 201);
            ck_assert_str_eq(it_header(&got, "Idempotent-Replayed"), "true");
            ck_assert_str_eq(got.body, calls[i].r.body);
            ck_assert_str_eq(it_header(&got, "ETag"), it_header(&calls[i].r, "ETag"));
            ck_assert_str_eq(it_header(&got, "Location"), it_header(&calls[i].r, "Location"));
            it_response_free(&got);
        }
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
    ck_assert_msg(metric(&one, "corridor_bookings_batched_total") - batched0 >= N / 2,
                  "only %.0f of %d in batches",
                  metric(&one, "corridor_bookings_batched_total") - batched0, N);
    ck_assert(metric(&one, "corridor_booking_batches_failed_total") == 0);
    ck_assert_int_eq(bf_violations(db), 0);
    ck_assert_int_eq(it_server_stop(&one), 0);
}
END_TEST

/* Shutdown with bookings waiting for the lane: SIGTERM while one booking is
 * held inside PostgreSQL (at a departure the test keeps locked) and three
 * wait behind it for the lane's one slot.  After its 10 s, the server answers
 * all four 503; the three that waited must then not be booked when the
 * worker drains them (their clients were told they failed).  The one inside
 * PostgreSQL may still commit once the lock goes (that cannot be called
 * back); the invariants hold either way. */
START_TEST(test_shutdown_does_not_book_what_it_refused)
{
    enum { N = 4 };
    static const char *const env[] = {"CORRIDOR_BOOKING_CONCURRENCY=1", NULL};
    struct it_server one;
    ck_assert_int_eq(it_server_start(&one, db, env), 0);
    bf_wait_key(&one, fwd);
    struct bf_itinerary it;
    bf_itinerary(db, 18, &it);
    struct call calls[N];
    memset(calls, 0, sizeof calls);
    for (int i = 0; i < N; i++) {
        calls[i].s = &one;
        calls[i].quote = bf_quote_sql(db, "DEMOFWD", it.dep, 2, 1);
    }
    PGconn *hold = hold_departure(it.dep[0]);
    pthread_t th[N];
    pthread_create(&th[0], NULL, call_thread_now, &calls[0]);
    for (int i = 0; i < 200 && waiting_bookings() < 1; i++)
        usleep(50 * 1000);
    ck_assert_int_ge(waiting_bookings(), 1);
    for (int i = 1; i < N; i++)
        pthread_create(&th[i], NULL, call_thread_now, &calls[i]);
    for (int i = 0; i < 200 && metric(&one, "corridor_booking_lane_waiting") < N - 1; i++)
        usleep(50 * 1000);
    ck_assert(metric(&one, "corridor_booking_lane_waiting") == N - 1);

    kill(one.pid, SIGTERM);
    for (int i = 1; i < N; i++) /* answered when the server gives up waiting */
        pthread_join(th[i], NULL);
    release_departure(hold);
    pthread_join(th[0], NULL);
    int st = 0;
    waitpid(one.pid, &st, 0);
    one.pid = 0;
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the server did not stop cleanly");
    for (int i = 1; i < N; i++) {
        ck_assert_int_eq(calls[i].rc, 0);
        ck_assert_msg(calls[i].r.status == 503, "request %d: %ld %s", i, calls[i].r.status,
                      calls[i].r.body);
        ck_assert_int_eq(bf_sql_long(db,
                                     "SELECT count(*) FROM corridor.booking WHERE quote_id = '%s'",
                                     calls[i].quote),
                         0);
    }
    ck_assert_int_eq(bf_violations(db), 0);
    for (int i = 0; i < N; i++) {
        it_response_free(&calls[i].r);
        free(calls[i].quote);
    }
}
END_TEST

Suite *booking_storm_suite(void);
Suite *booking_storm_suite(void)
{
    Suite *s = suite_create("booking_storm");
    TCase *tc = tcase_create("storms");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 180);
    tcase_add_test(tc, test_storm_one_server);
    tcase_add_test(tc, test_storm_two_servers);
    tcase_add_test(tc, test_opposite_directions);
    tcase_add_test(tc, test_storm_lane_of_one);
    tcase_add_test(tc, test_batches_of_real_quotes);
    tcase_add_test(tc, test_shutdown_does_not_book_what_it_refused);
    tcase_add_test(tc, test_server_killed_mid_booking);
    tcase_add_test(tc, test_duplicate_waits_for_the_first);
    tcase_add_test(tc, test_fresh_quote_waits_outside_the_lane);
    tcase_add_test(tc, test_sessions_killed_mid_booking);
    suite_add_tcase(s, tc);
    return s;
}
