/* Integration: how quotes are stored since the write-behind writer and the
 * in-memory caches (suite "quote_store", include/quote_writer.h and
 * include/quote_cache.h): identical requests share one stored offer;
 * a quote answered 201 can be read and booked at once, here or on another
 * instance; a booking made here, or booked capacity changed by anyone in
 * PostgreSQL, is priced by the next quote; the writer survives losing its
 * session; and nothing answered is lost when the server stops.
 *
 * Each test quotes its own request (its own ready date and commodity), so
 * that no test reuses another's offer or capacity. */
#include "bookings_fixture.h"
#include "harness.h"

#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];
static char *k_demo; /* DEMOFWD forwarder */

static void setup(void)
{
    it_db_create("quote_store", db);
    k_demo = it_issue_key(db, "DEMOFWD", "forwarder");
    if (!k_demo || it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "quote_store: server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
    free(k_demo);
}

/* ---- helpers ---- */

/* A quote request KZAAU -> IRTHR for one 40HC of 20 000 kg (2 TEU), ready
 * `days` after today (UTC), tagged with commodity (static buffer). */
static const char *body_of(int days, const char *commodity)
{
    static char buf[512];
    char ready[16];
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(ready, sizeof ready, "%Y-%m-%d", &tm);
    snprintf(buf, sizeof buf,
             "{\"origin\":\"KZAAU\",\"destination\":\"IRTHR\",\"ready_date\":\"%s\","
             "\"cargo\":{\"containers\":[{\"type\":\"40HC\",\"count\":1,"
             "\"gross_weight_kg\":20000}],\"commodity\":\"%s\"},\"currency\":\"USD\"}",
             ready, commodity);
    return buf;
}

/* POST /v1/quotes on s; asserts an HTTP answer came (any status). */
static void quote_on(const struct it_server *s, const char *body, struct it_response *r)
{
    ck_assert_int_eq(it_request(s, "POST", "/v1/quotes", k_demo, body, NULL, r), 0);
}

/* POST /v1/quotes on srv, asserting 201; returns the response. */
static void quote_201(const char *body, struct it_response *r)
{
    quote_on(&srv, body, r);
    ck_assert_msg(r->status == 201, "POST /v1/quotes: %ld %.300s", r->status, r->body);
    ck_assert_ptr_nonnull(r->json);
    ck_assert_ptr_nonnull(it_json_str(r->json, "id"));
}

static long option1_first_departure(json_t *quote)
{
    return (long)json_integer_value(it_json_get(quote, "options.0.legs.0.departure_id"));
}

/* Whether any option of a quote travels on departure dep. */
static bool uses_departure(json_t *quote, long dep)
{
    size_t i, k;
    json_t *o, *leg;
    json_array_foreach(json_object_get(quote, "options"), i, o)
    {
        json_array_foreach(json_object_get(o, "legs"), k, leg)
        {
            if (json_integer_value(json_object_get(leg, "departure_id")) == dep)
                return true;
        }
    }
    return false;
}

/* A quote answer that no longer offers dep: 201 without it, or 409
 * capacity_unavailable naming it.  Sets *why for a message. */
static bool avoids_departure(const struct it_response *r, long dep, const char **why)
{
    if (r->status == 201) {
        *why = "201 still offers it";
        return !uses_departure(r->json, dep);
    }
    if (r->status == 409) {
        *why = "409 without naming it";
        const char *code = it_json_str(r->json, "code");
        if (!code || strcmp(code, "capacity_unavailable") != 0)
            return false;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(r->json, "errors"), i, e)
        {
            if (json_integer_value(json_object_get(e, "departure_id")) == dep)
                return true;
        }
        return false;
    }
    *why = "neither 201 nor 409";
    return false;
}

/* The end of the JSON value starting at p (after leading blanks), or NULL. */
static const char *value_end(const char *p)
{
    while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
        p++;
    int depth = 0;
    bool in_string = false;
    for (; *p; p++) {
        if (in_string) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == '"') {
                in_string = false;
                if (depth == 0)
                    return p + 1;
            }
        } else if (*p == '"') {
            in_string = true;
        } else if (*p == '[' || *p == '{') {
            depth++;
        } else if (*p == ']' || *p == '}') {
            if (--depth == 0)
                return p + 1;
            if (depth < 0)
                return p;
        } else if (depth == 0 && (*p == ',' || *p == ' ')) {
            return p;
        }
    }
    return depth == 0 ? p : NULL;
}

/* The bytes of the top-level member `name` of the JSON object text body,
 * as a new string (free it), or NULL. */
static char *raw_member(const char *body, const char *name)
{
    const char *p = body;
    while (*p == ' ' || *p == '\n')
        p++;
    if (*p++ != '{')
        return NULL;
    size_t name_len = strlen(name);
    for (;;) {
        while (*p == ' ' || *p == '\n' || *p == ',')
            p++;
        if (*p != '"')
            return NULL;
        const char *key = p + 1;
        const char *key_end = value_end(p);
        if (!key_end)
            return NULL;
        p = key_end;
        while (*p == ' ' || *p == ':')
            p++;
        const char *end = value_end(p);
        if (!end)
            return NULL;
        if ((size_t)(key_end - 1 - key) == name_len && memcmp(key, name, name_len) == 0)
            return strndup(p, (size_t)(end - p));
        p = end;
    }
}

/* Runs SQL with text parameters on its own connection; returns the result
 * (PQclear it); asserts it succeeded. */
static PGresult *sql_params(const char *sql, int n, const char *const *params)
{
    PGconn *c = PQconnectdb(it_db_url(db));
    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
    PGresult *r = PQexecParams(c, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        fprintf(stderr, "quote_store: SQL failed: %s\n  %s", sql, PQresultErrorMessage(r));
    PQfinish(c);
    ck_assert(st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK);
    return r;
}

/* How many of the n quote ids are rows of corridor.quote. */
static long stored_count(char *const *ids, size_t n)
{
    if (n == 0)
        return 0;
    size_t cap = n * (36 + 1) + 3;
    char *list = malloc(cap), *p = list;
    ck_assert_ptr_nonnull(list);
    *p++ = '{';
    for (size_t i = 0; i < n; i++)
        p += snprintf(p, cap - (size_t)(p - list), "%s%s", i ? "," : "", ids[i]);
    snprintf(p, cap - (size_t)(p - list), "}");
    const char *params[] = {list};
    PGresult *r =
        sql_params("SELECT count(*) FROM corridor.quote WHERE id = ANY ($1::uuid[])", 1, params);
    long count = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    free(list);
    return count;
}

/* Polls until all n ids are stored or timeout_s passed; returns the count. */
static long wait_stored(char *const *ids, size_t n, double timeout_s)
{
    double t0 = bf_now();
    long got = stored_count(ids, n);
    while (got != (long)n && bf_now() - t0 < timeout_s) {
        usleep(20 * 1000);
        got = stored_count(ids, n);
    }
    return got;
}

/* The value of a counter or gauge on s's /metrics (0 when it is not there
 * yet), or -1 when /metrics did not answer 200.  Asserts nothing. */
static double metric(const struct it_server *s, const char *name)
{
    struct it_response r;
    if (it_request(s, "GET", "/metrics", NULL, NULL, NULL, &r) != 0)
        return -1;
    double v = r.status == 200 ? 0 : -1;
    size_t n = strlen(name);
    for (const char *line = r.status == 200 ? r.body : NULL; line && *line;) {
        const char *eol = strchr(line, '\n');
        if (strncmp(line, name, n) == 0 && (line[n] == ' ' || line[n] == '{')) {
            const char *sp = strchr(line + n, ' ');
            if (sp && (!eol || sp < eol))
                v += strtod(sp + 1, NULL);
        }
        line = eol ? eol + 1 : NULL;
    }
    it_response_free(&r);
    return v;
}

/* GET /v1/quotes/{id} on s. */
static void get_quote(const struct it_server *s, const char *id, struct it_response *r)
{
    char path[96];
    snprintf(path, sizeof path, "/v1/quotes/%s", id);
    ck_assert_int_eq(it_request(s, "GET", path, k_demo, NULL, NULL, r), 0);
}

/* The stored quote read back is the quote answered. */
static void check_same_quote(json_t *answered, json_t *read)
{
    static const char *const strings[] = {"id",         "organization", "created_at",
                                          "expires_at", "currency",     NULL};
    for (size_t i = 0; strings[i]; i++) {
        const char *a = it_json_str(answered, strings[i]), *b = it_json_str(read, strings[i]);
        ck_assert_msg(a && b && strcmp(a, b) == 0, "%s: answered %s, read %s", strings[i],
                      a ? a : "nothing", b ? b : "nothing");
    }
    ck_assert_int_eq(json_integer_value(json_object_get(answered, "data_version")),
                     json_integer_value(json_object_get(read, "data_version")));
    static const char *const docs[] = {"request", "fx", "options", NULL};
    for (size_t i = 0; docs[i]; i++)
        ck_assert_msg(
            json_equal(json_object_get(answered, docs[i]), json_object_get(read, docs[i])),
            "%s differs between the answer and GET", docs[i]);
}

/* Holds the quote writers' INSERT back: a session of its own takes
 * LOCK TABLE corridor.quote IN SHARE MODE (which conflicts only with
 * writers: quotes are still priced and answered, read and booked), and
 * commits after max_ms or when told to (writer_release). */
struct writer_hold {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int state; /* 0 starting, 1 holding, -1 failed */
    bool release;
    int max_ms;
    pthread_t thread;
};

static void *hold_writers(void *arg)
{
    struct writer_hold *h = arg;
    PGconn *c = PQconnectdb(it_db_url(db));
    bool ok = PQstatus(c) == CONNECTION_OK;
    if (ok) {
        PGresult *r = PQexec(c, "BEGIN; LOCK TABLE corridor.quote IN SHARE MODE");
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
    }
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += h->max_ms / 1000;
    until.tv_nsec += (long)(h->max_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&h->mu);
    h->state = ok ? 1 : -1;
    pthread_cond_broadcast(&h->cv);
    while (ok && !h->release)
        if (pthread_cond_timedwait(&h->cv, &h->mu, &until) != 0)
            break;
    pthread_mutex_unlock(&h->mu);
    if (ok)
        PQclear(PQexec(c, "COMMIT"));
    PQfinish(c);
    return NULL;
}

/* Starts holding the writers back; true once the lock is held. */
static bool writer_hold_start(struct writer_hold *h, int max_ms)
{
    memset(h, 0, sizeof *h);
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->max_ms = max_ms;
    if (pthread_create(&h->thread, NULL, hold_writers, h) != 0) {
        h->state = -1;
        return false;
    }
    pthread_mutex_lock(&h->mu);
    while (h->state == 0)
        pthread_cond_wait(&h->cv, &h->mu);
    pthread_mutex_unlock(&h->mu);
    return h->state == 1;
}

/* Lets the writers go (at once when release, else when max_ms is up). */
static void writer_hold_end(struct writer_hold *h, bool release)
{
    pthread_mutex_lock(&h->mu);
    h->release |= release;
    pthread_cond_broadcast(&h->cv);
    pthread_mutex_unlock(&h->mu);
    pthread_join(h->thread, NULL);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
}

/* Whether the server's log holds text (polled for at most timeout_s). */
static bool log_shows(const struct it_server *s, const char *text, double timeout_s)
{
    double t0 = bf_now();
    for (;;) {
        bool found = false;
        FILE *f = fopen(s->log_path, "r");
        if (f) {
            char line[4096];
            while (!found && fgets(line, sizeof line, f))
                found = strstr(line, text) != NULL;
            fclose(f);
        }
        if (found || bf_now() - t0 >= timeout_s)
            return found;
        usleep(20 * 1000);
    }
}

struct stopper {
    struct it_server *s;
    int rc;
};

static void *stop_server(void *arg)
{
    struct stopper *st = arg;
    st->rc = it_server_stop(st->s);
    return NULL;
}

/* ---- tests ---- */

/* 1. Identical requests share one rendered offer, stored once. */
START_TEST(identical_quotes_share_one_stored_offer)
{
    const char *body = body_of(3, "t1 identical");
    struct it_response a, b;
    quote_201(body, &a);
    quote_201(body, &b);
    const char *id_a = it_json_str(a.json, "id"), *id_b = it_json_str(b.json, "id");
    ck_assert_str_ne(id_a, id_b);
    char *opt_a = raw_member(a.body, "options"), *opt_b = raw_member(b.body, "options");
    ck_assert_ptr_nonnull(opt_a);
    ck_assert_ptr_nonnull(opt_b);
    ck_assert_msg(strcmp(opt_a, opt_b) == 0, "the two answers' options differ");
    ck_assert_uint_ge(json_array_size(json_object_get(a.json, "options")), 1);

    /* a GET waits for each quote's batch */
    struct it_response g;
    get_quote(&srv, id_a, &g);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);
    get_quote(&srv, id_b, &g);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);

    const char *params[] = {id_a, id_b, opt_a};
    PGresult *r =
        sql_params("SELECT q.id::text, q.offer_id::text, q.options IS NULL, "
                   "corridor.quote_options(q) = $3::jsonb, "
                   "(SELECT count(*) FROM corridor.quote_offer o WHERE o.id = q.offer_id) "
                   "FROM corridor.quote q WHERE q.id IN ($1::uuid, $2::uuid) ORDER BY q.id",
                   3, params);
    ck_assert_int_eq(PQntuples(r), 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(!PQgetisnull(r, i, 1), "quote %s has no offer_id", PQgetvalue(r, i, 0));
        ck_assert_str_eq(PQgetvalue(r, i, 2), "t"); /* options only in the offer */
        ck_assert_msg(strcmp(PQgetvalue(r, i, 3), "t") == 0,
                      "corridor.quote_options of %s is not the answered options",
                      PQgetvalue(r, i, 0));
        ck_assert_str_eq(PQgetvalue(r, i, 4), "1");
    }
    ck_assert_msg(strcmp(PQgetvalue(r, 0, 1), PQgetvalue(r, 1, 1)) == 0,
                  "two offers for identical requests: %s and %s", PQgetvalue(r, 0, 1),
                  PQgetvalue(r, 1, 1));
    PQclear(r);

    /* the offer's option_at (035) cuts out each option exactly, as
     * booking_create cuts the one it books */
    const char *offer_params[] = {id_a, opt_a};
    r = sql_params("SELECT cardinality(o.option_at) - 1 = json_array_length(o.options), "
                   "(SELECT bool_and(convert_from(substring(convert_to(o.options::text, 'UTF8') "
                   "FROM o.option_at[k] + 1 FOR o.option_at[k + 1] - o.option_at[k] - 1), "
                   "'UTF8')::jsonb = ($2::jsonb)->(k - 1)) "
                   "FROM generate_series(1, cardinality(o.option_at) - 1) k) "
                   "FROM corridor.quote q JOIN corridor.quote_offer_stored o ON o.id = q.offer_id "
                   "WHERE q.id = $1::uuid",
                   2, offer_params);
    ck_assert_int_eq(PQntuples(r), 1);
    ck_assert_msg(strcmp(PQgetvalue(r, 0, 0), "t") == 0 && strcmp(PQgetvalue(r, 0, 1), "t") == 0,
                  "option_at does not cut the offer into its options");
    PQclear(r);
    free(opt_a);
    free(opt_b);
    it_response_free(&a);
    it_response_free(&b);
}
END_TEST

/* 2. A quote can be read and booked the moment it is answered. */
START_TEST(read_your_writes_get_and_book_at_once)
{
    const char *body = body_of(4, "t2 read your writes");
    for (int i = 0; i < 30; i++) {
        struct it_response q, g, bk;
        quote_201(body, &q);
        const char *id = it_json_str(q.json, "id");
        /* the GET first, then the booking; every other round the other way
         * round, so that the booking is the first to ask for the quote */
        if (i % 2 == 0)
            get_quote(&srv, id, &g);
        ck_assert_int_eq(bf_post_booking(&srv, k_demo, id, false, NULL, &bk), 0);
        if (i % 2 == 1)
            get_quote(&srv, id, &g);
        ck_assert_msg(g.status == 200, "round %d: GET %s: %ld %.300s", i, id, g.status, g.body);
        ck_assert_msg(bk.status == 201, "round %d: booking %s: %ld %.300s", i, id, bk.status,
                      bk.body);
        check_same_quote(q.json, g.json);
        ck_assert_str_eq(it_json_str(bk.json, "quote_id"), id);
        it_response_free(&q);
        it_response_free(&g);
        it_response_free(&bk);
    }
    ck_assert_int_eq(bf_violations(db), 0);
}
END_TEST

/* 3. A booking made through this server is priced by the very next quote:
 * its own booking makes the kept booked rows and offers stale.  NOTIFY
 * corridor_booked is switched off meanwhile, so that only the server's
 * own invalidation can do it. */
START_TEST(own_booking_is_priced_by_the_next_quote)
{
    const char *body = body_of(6, "t3 local invalidation");
    char saved[512];
    snprintf(saved, sizeof saved, "%s", body);
    struct it_response q;
    quote_201(saved, &q);
    long dep = option1_first_departure(q.json);
    json_int_t version = json_integer_value(json_object_get(q.json, "data_version"));
    it_response_free(&q);
    ck_assert_int_gt(dep, 0);

    /* exactly one 40HC of 20 000 kg fits (a capacity change: a new data version) */
    bf_sql(db,
           "UPDATE corridor.departure SET capacity_teu = booked_teu + 2, "
           "capacity_kg = booked_kg + 20000 WHERE id = %ld",
           dep);
    double t0 = bf_now();
    bool seen = false;
    for (;;) {
        quote_201(saved, &q);
        seen = json_integer_value(json_object_get(q.json, "data_version")) > version;
        if (seen || bf_now() - t0 > 5.0)
            break;
        it_response_free(&q);
        usleep(20 * 1000);
    }
    ck_assert_msg(seen, "no quote with the new data version within 5 s");
    ck_assert_msg(option1_first_departure(q.json) == dep,
                  "option 1 no longer starts with departure %ld after the capacity change: %.300s",
                  dep, q.body);
    char id[64];
    snprintf(id, sizeof id, "%s", it_json_str(q.json, "id"));
    it_response_free(&q);

    /* (no assertion while the triggers are off) */
    bf_sql(db, "ALTER TABLE corridor.departure DISABLE TRIGGER departure_booked; "
               "ALTER TABLE corridor.port_window DISABLE TRIGGER port_window_booked");
    struct it_response bk = {0}, again = {0};
    int rc_bk = bf_post_booking(&srv, k_demo, id, false, NULL, &bk);
    int rc_again = it_request(&srv, "POST", "/v1/quotes", k_demo, saved, NULL, &again);
    bf_sql(db, "ALTER TABLE corridor.departure ENABLE TRIGGER departure_booked; "
               "ALTER TABLE corridor.port_window ENABLE TRIGGER port_window_booked");
    ck_assert_int_eq(rc_bk, 0);
    ck_assert_msg(bk.status == 201, "booking: %ld %.300s", bk.status, bk.body);
    ck_assert_int_eq(rc_again, 0);
    ck_assert_int_eq(
        bf_dep_teu(db, dep),
        bf_sql_long(db, "SELECT capacity_teu FROM corridor.departure WHERE id = %ld", dep));
    const char *why = "";
    ck_assert_msg(avoids_departure(&again, dep, &why),
                  "the quote after the booking still offers departure %ld (%s): %ld %.300s", dep,
                  why, again.status, again.body);
    it_response_free(&bk);
    it_response_free(&again);
}
END_TEST

/* 4. Capacity booked by someone else in PostgreSQL (here a superuser in
 * psql) stops being offered within a second (NOTIFY corridor_booked). */
START_TEST(capacity_booked_outside_stops_being_offered_within_1s)
{
    const char *body = body_of(10, "t4 outside invalidation");
    char saved[512];
    snprintf(saved, sizeof saved, "%s", body);
    struct it_response q;
    quote_201(saved, &q);
    long dep = option1_first_departure(q.json);
    it_response_free(&q);
    ck_assert_int_gt(dep, 0);
    /* the same again: now answered from the kept offer */
    quote_201(saved, &q);
    ck_assert_int_eq(option1_first_departure(q.json), dep);
    it_response_free(&q);

    long teu = bf_dep_teu(db, dep), kg = bf_dep_kg(db, dep);
    bf_sql(db,
           "UPDATE corridor.departure SET booked_teu = capacity_teu, booked_kg = capacity_kg "
           "WHERE id = %ld",
           dep);
    double t0 = bf_now(), took = -1;
    long last_status = 0;
    const char *why = "";
    while (bf_now() - t0 < 1.0) {
        quote_on(&srv, saved, &q);
        last_status = q.status;
        bool gone = avoids_departure(&q, dep, &why);
        it_response_free(&q);
        if (gone) {
            took = bf_now() - t0;
            break;
        }
        usleep(20 * 1000);
    }
    /* what no booking holds is given back (corridor.check_invariants) */
    bf_sql(db, "UPDATE corridor.departure SET booked_teu = %ld, booked_kg = %ld WHERE id = %ld",
           teu, kg, dep);
    ck_assert_msg(took >= 0,
                  "departure %ld, full since a psql UPDATE, still offered after 1 s "
                  "(last answer %ld: %s)",
                  dep, last_status, why);
}
END_TEST

/* 5. The writer's session is killed: quotes are 201 (stored) or 503, never
 * a 201 that is lost, and the writer comes back. */
START_TEST(writer_session_killed_loses_nothing_answered)
{
    /* the writer has a session: a quote was stored */
    struct it_response q, g;
    quote_201(body_of(12, "t5 before"), &q);
    get_quote(&srv, it_json_str(q.json, "id"), &g);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);
    it_response_free(&q);

    long killed = bf_sql_long(db, "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                                  "FROM pg_stat_activity "
                                  "WHERE application_name = 'corridord-quote-writer' "
                                  "AND datname = current_database()");
    ck_assert_int_eq(killed, 1);

    char *ids[40];
    size_t n = 0;
    int unavailable = 0;
    for (int i = 0; i < 20; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "t5 after %d", i % 3);
        quote_on(&srv, body_of(12, tag), &q);
        ck_assert_msg(q.status == 201 || q.status == 503, "quote %d: %ld %.300s", i, q.status,
                      q.body);
        if (q.status == 201)
            ids[n++] = strdup(it_json_str(q.json, "id"));
        else
            unavailable++;
        it_response_free(&q);
    }
    /* and the writer recovers: quotes are accepted again */
    double t0 = bf_now();
    bool recovered = false;
    while (!recovered && bf_now() - t0 < 6.0) {
        quote_on(&srv, body_of(12, "t5 recovered"), &q);
        ck_assert_msg(q.status == 201 || q.status == 503, "%ld %.300s", q.status, q.body);
        if (q.status == 201) {
            ids[n++] = strdup(it_json_str(q.json, "id"));
            recovered = true;
        } else {
            usleep(50 * 1000);
        }
        it_response_free(&q);
    }
    ck_assert_msg(recovered, "quotes still refused 6 s after the writer's session was killed");
    long got = wait_stored(ids, n, 6.0);
    ck_assert_msg(got == (long)n, "%ld of %zu quotes answered 201 are stored (%d were 503)", got, n,
                  unavailable);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
}
END_TEST

/* 6. SIGTERM: every quote answered is stored before the process exits.
 * The writer is held back (a lock on corridor.quote) while the quotes are
 * made and until a while after SIGTERM, so that they are all still queued
 * when the server is told to stop: a server that exited without writing
 * its queue would lose them. */
START_TEST(nothing_answered_is_lost_on_sigterm)
{
    enum { N = 200 };
    char *ids[N];
    size_t n = 0;
    long bad_status = 0;
    double pending = -1;
    bool held = false, stopping = false;
    struct it_server s;
    struct stopper st = {&s, -1};
    struct writer_hold h;
    /* (no assertion while s runs or the writers are held) */
    int started = it_server_start(&s, db, NULL);
    if (started == 0)
        held = writer_hold_start(&h, 10000);
    for (int i = 0; started == 0 && held && i < N; i++) {
        char tag[32];
        snprintf(tag, sizeof tag, "t6 sigterm %d", i % 4);
        struct it_response q;
        if (it_request(&s, "POST", "/v1/quotes", k_demo, body_of(14, tag), NULL, &q) != 0) {
            bad_status = -1;
            break;
        }
        const char *id = it_json_str(q.json, "id");
        if (q.status != 201 || !id) {
            bad_status = q.status;
            it_response_free(&q);
            break;
        }
        ids[n++] = strdup(id);
        it_response_free(&q);
    }
    if (started == 0) {
        pending = metric(&s, "corridor_quote_writer_pending");
        pthread_t stopper;
        if (pthread_create(&stopper, NULL, stop_server, &st) == 0) {
            stopping = log_shows(&s, "\"event\":\"stopping\"", 5.0);
            /* a server that does not store its queue exits meanwhile */
            usleep(300 * 1000);
            if (held)
                writer_hold_end(&h, true);
            held = false;
            pthread_join(stopper, NULL);
        } else {
            st.rc = it_server_stop(&s);
        }
    }
    if (held)
        writer_hold_end(&h, true);
    ck_assert_int_eq(started, 0);
    ck_assert_msg(bad_status == 0, "quote %zu answered %ld", n, bad_status);
    ck_assert_uint_eq(n, N);
    ck_assert_msg(stopping, "the server did not log that it was stopping");
    /* the quotes were still queued when SIGTERM came */
    ck_assert_msg(pending >= N - 1, "%g quotes pending before SIGTERM", pending);
    ck_assert_int_eq(st.rc, 0);
    long got = stored_count(ids, n);
    ck_assert_msg(got == (long)n, "%ld of %zu quotes answered before SIGTERM are stored", got, n);
    for (size_t i = 0; i < n; i++)
        free(ids[i]);
}
END_TEST

/* 7. Two instances on one database: a quote made on A is booked (and read)
 * on B the moment A answered it. */
START_TEST(quote_on_one_instance_book_on_another)
{
    enum { ROUNDS = 10, READS = 5 };
    struct it_server b;
    long booked[ROUNDS] = {0}, read[READS] = {0};
    char detail[512] = "";
    /* (no assertion while b runs) */
    int started = it_server_start(&b, db, NULL);
    if (started == 0)
        bf_wait_key(&b, k_demo);
    for (int i = 0; started == 0 && i < ROUNDS + READS; i++) {
        struct it_response q, r;
        if (it_request(&srv, "POST", "/v1/quotes", k_demo, body_of(20, "t7 two instances"), NULL,
                       &q) != 0 ||
            q.status != 201) {
            snprintf(detail, sizeof detail, "round %d: quote on A: %ld", i, q.status);
            it_response_free(&q);
            break;
        }
        char path[96];
        snprintf(path, sizeof path, "/v1/quotes/%s", it_json_str(q.json, "id"));
        int rc = i < ROUNDS
                     ? bf_post_booking(&b, k_demo, it_json_str(q.json, "id"), false, NULL, &r)
                     : it_request(&b, "GET", path, k_demo, NULL, NULL, &r);
        long status = rc == 0 ? r.status : -1;
        if (i < ROUNDS)
            booked[i] = status;
        else
            read[i - ROUNDS] = status;
        if (rc == 0 && status != 201 && status != 200 && !detail[0])
            snprintf(detail, sizeof detail, "round %d on B: %ld %.300s", i, status, r.body);
        if (rc == 0)
            it_response_free(&r);
        it_response_free(&q);
    }
    int stopped = started == 0 ? it_server_stop(&b) : -1;
    ck_assert_int_eq(started, 0);
    for (int i = 0; i < ROUNDS; i++)
        ck_assert_msg(booked[i] == 201, "booking %d on B: %ld (%s)", i, booked[i], detail);
    for (int i = 0; i < READS; i++)
        ck_assert_msg(read[i] == 200, "GET %d on B: %ld (%s)", i, read[i], detail);
    ck_assert_int_eq(stopped, 0);
    ck_assert_int_eq(bf_violations(db), 0);
}
END_TEST

/* 7b. The same, deterministically: A's writer is held back ~40 ms (well
 * within the QUOTE_RECENT_TRIES x QUOTE_RECENT_PAUSE_MS = 100 ms another
 * instance looks again for a quote minted moments ago), so the quote is
 * still queued on A when B is asked for it.  B must look again, for a GET
 * and for a booking alike, instead of answering 404. */
START_TEST(another_instance_waits_for_a_quote_still_queued)
{
    enum { ROUNDS = 2 };
    static const char *const what[] = {"GET", "booking"};
    struct it_server b;
    long status[ROUNDS][2] = {{0}};
    double took[ROUNDS][2] = {{0}};
    int hold_failed = 0;
    char detail[512] = "";
    /* (no assertion while b runs) */
    int started = it_server_start(&b, db, NULL);
    if (started == 0)
        bf_wait_key(&b, k_demo);
    for (int i = 0; started == 0 && i < ROUNDS && !hold_failed; i++)
        for (int k = 0; k < 2 && !hold_failed; k++) {
            struct writer_hold h;
            bool held = writer_hold_start(&h, 40);
            double t0 = bf_now();
            struct it_response q = {0}, r = {0};
            char tag[48];
            snprintf(tag, sizeof tag, "t7b held writer %d %d", i, k);
            int rc =
                held ? it_request(&srv, "POST", "/v1/quotes", k_demo, body_of(22, tag), NULL, &q)
                     : -1;
            if (rc == 0 && q.status == 201) {
                const char *id = it_json_str(q.json, "id");
                char path[96];
                snprintf(path, sizeof path, "/v1/quotes/%s", id);
                rc = k == 0 ? it_request(&b, "GET", path, k_demo, NULL, NULL, &r)
                            : bf_post_booking(&b, k_demo, id, false, NULL, &r);
                status[i][k] = rc == 0 ? r.status : -1;
                took[i][k] = bf_now() - t0;
                if (rc == 0 && r.status != 200 && r.status != 201 && !detail[0])
                    snprintf(detail, sizeof detail, "%.300s", r.body);
            } else {
                hold_failed = held ? 2 : 1;
                if (!detail[0])
                    snprintf(detail, sizeof detail, "quote on A: %ld %.300s", q.status,
                             q.body ? q.body : "");
            }
            writer_hold_end(&h, false); /* after its 40 ms */
            it_response_free(&q);
            it_response_free(&r);
        }
    int stopped = started == 0 ? it_server_stop(&b) : -1;
    ck_assert_int_eq(started, 0);
    ck_assert_msg(hold_failed == 0, "could not hold the writer back or quote (%s)", detail);
    for (int i = 0; i < ROUNDS; i++)
        for (int k = 0; k < 2; k++)
            ck_assert_msg(status[i][k] == (k == 0 ? 200 : 201),
                          "round %d: %s on B of a quote still queued on A: %ld after %.0f ms (%s)",
                          i, what[k], status[i][k], took[i][k] * 1000, detail);
    ck_assert_int_eq(stopped, 0);
}
END_TEST

/* 8. /metrics counts offers reused and quotes stored by the writer. */
START_TEST(metrics_count_reuses_and_stored_quotes)
{
    double reuses = metric(&srv, "corridor_quote_offer_reuses_total");
    double stored = metric(&srv, "corridor_quotes_stored_total");
    ck_assert(reuses >= 0 && stored >= 0);
    const char *body = body_of(16, "t8 metrics");
    char saved[512];
    snprintf(saved, sizeof saved, "%s", body);
    struct it_response a, b, g;
    quote_201(saved, &a);
    quote_201(saved, &b);
    /* GET returns once the batch committed, and the writer counts it before */
    get_quote(&srv, it_json_str(a.json, "id"), &g);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);
    get_quote(&srv, it_json_str(b.json, "id"), &g);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);
    double reuses_after = metric(&srv, "corridor_quote_offer_reuses_total");
    double stored_after = metric(&srv, "corridor_quotes_stored_total");
    ck_assert_msg(reuses_after - reuses >= 1, "corridor_quote_offer_reuses_total %g -> %g", reuses,
                  reuses_after);
    ck_assert_msg(stored_after - stored >= 2, "corridor_quotes_stored_total %g -> %g", stored,
                  stored_after);
    ck_assert_msg(reuses_after >= 1 && stored_after >= 2, "reuses %g, stored %g", reuses_after,
                  stored_after);
    it_response_free(&a);
    it_response_free(&b);
}
END_TEST

/* The same bytes again are answered before the body is parsed
 * (api_quotes_early), but only with an offer of the same organization:
 * another forwarder sending them gets its own price (DEMOFWD has the INSTC
 * discount, CASPFWD none), and a body that is not JSON, or a key that is
 * not valid, still gets its error. */
START_TEST(same_bytes_reuse_only_within_one_organization)
{
    char *k_casp = it_issue_key(db, "CASPFWD", "forwarder");
    ck_assert_ptr_nonnull(k_casp);
    bf_wait_key(&srv, k_casp); /* keys reach the server asynchronously */
    char body[512];
    snprintf(body, sizeof body, "%s", body_of(12, "same bytes"));
    double reused0 = metric(&srv, "corridor_quote_offer_reuses_total");
    struct it_response a, b, c;
    quote_201(body, &a);
    quote_201(body, &b); /* the same bytes: the early path */
    ck_assert_str_eq(it_json_str(b.json, "organization"), "DEMOFWD");
    ck_assert_str_eq(it_json_str(a.json, "options.0.total.amount"),
                     it_json_str(b.json, "options.0.total.amount"));
    ck_assert_double_ge(metric(&srv, "corridor_quote_offer_reuses_total"), reused0 + 1);

    ck_assert_int_eq(it_request(&srv, "POST", "/v1/quotes", k_casp, body, NULL, &c), 0);
    ck_assert_msg(c.status == 201, "CASPFWD: %ld %s", c.status, c.body);
    ck_assert_str_eq(it_json_str(c.json, "organization"), "CASPFWD");
    ck_assert_str_ne(it_json_str(c.json, "options.0.total.amount"),
                     it_json_str(a.json, "options.0.total.amount"));
    ck_assert_ptr_null(strstr(c.body, "DISCOUNT_INSTC"));
    ck_assert_ptr_nonnull(strstr(a.body, "DISCOUNT_INSTC"));
    it_response_free(&a);
    it_response_free(&b);
    it_response_free(&c);

    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "POST", "/v1/quotes", k_demo, "{\"origin\": ", NULL, &r), 0);
    ck_assert_int_eq(r.status, 400);
    ck_assert_str_eq(it_json_str(r.json, "code"), "malformed_json");
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "POST", "/v1/quotes", "cor_nonsense", body, NULL, &r), 0);
    ck_assert_int_eq(r.status, 401);
    it_response_free(&r);
    free(k_casp);
}
END_TEST

Suite *quote_store_suite(void);
Suite *quote_store_suite(void)
{
    Suite *s = suite_create("quote_store");
    TCase *tc = tcase_create("quote_store");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, identical_quotes_share_one_stored_offer);
    tcase_add_test(tc, read_your_writes_get_and_book_at_once);
    tcase_add_test(tc, own_booking_is_priced_by_the_next_quote);
    tcase_add_test(tc, capacity_booked_outside_stops_being_offered_within_1s);
    tcase_add_test(tc, writer_session_killed_loses_nothing_answered);
    tcase_add_test(tc, nothing_answered_is_lost_on_sigterm);
    tcase_add_test(tc, quote_on_one_instance_book_on_another);
    tcase_add_test(tc, another_instance_waits_for_a_quote_still_queued);
    tcase_add_test(tc, metrics_count_reuses_and_stored_quotes);
    tcase_add_test(tc, same_bytes_reuse_only_within_one_organization);
    suite_add_tcase(s, tc);
    return s;
}
