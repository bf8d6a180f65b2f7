/* Integration: quotes over HTTP on the seeded corridor (suite "quotes"):
 * consistent, Pareto-optimal options whose charges add up to the total,
 * cost and time orders, via and avoid_modes, conversion to EUR line by line,
 * a rate changed in psql priced by the running server within one second,
 * who may read a quote, and every refusal (400, 404, 409, 422). */
#include "harness.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];
static char *k_demo;     /* DEMOFWD forwarder (has the INSTC rail discount) */
static char *k_casp;     /* CASPFWD forwarder (no discount) */
static char *k_operator; /* CORRIDOR operator */
static char *k_carrier;  /* KTZ carrier */
static char ready[16];   /* today (UTC) + 3 days */
static char too_early[16];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void day_from_today(int days, char out[16])
{
    time_t t = time(NULL) + (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 16, "%Y-%m-%d", &tm);
}

static void setup(void)
{
    it_db_create("quotes", db);
    /* A terminal without a single link: no route can reach it. */
    PGresult *r = it_sql(db, "INSERT INTO corridor.node (code, name, country, kind, timezone) "
                             "VALUES ('XTSTIS', 'Isolated test terminal', 'KZ', 'terminal', "
                             "'Asia/Almaty')");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "quotes: setup SQL failed: %s", PQresultErrorMessage(r));
        exit(2);
    }
    PQclear(r);
    k_demo = it_issue_key(db, "DEMOFWD", "forwarder");
    k_casp = it_issue_key(db, "CASPFWD", "forwarder");
    k_operator = it_issue_key(db, "CORRIDOR", "operator");
    k_carrier = it_issue_key(db, "KTZ", "carrier");
    if (!k_demo || !k_casp || !k_operator || !k_carrier ||
        it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "quotes: server did not start\n");
        exit(2);
    }
    day_from_today(3, ready);
    day_from_today(-2, too_early);
}

static void teardown(void)
{
    it_server_stop(&srv);
    free(k_demo);
    free(k_casp);
    free(k_operator);
    free(k_carrier);
}

/* ---- helpers ---- */

/* POSTs body to /v1/quotes; asserts the status; returns the JSON (decref). */
static json_t *post_quote(const char *key, const char *body, long want)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "POST", "/v1/quotes", key, body, NULL, &r), 0);
    ck_assert_msg(r.status == want, "POST /v1/quotes: status %ld, want %ld: %s\nbody: %s",
                  r.status, want, r.body, body);
    ck_assert_msg(r.json != NULL, "not JSON: %s", r.body);
    if (want == 201) {
        const char *loc = it_header(&r, "Location");
        ck_assert_ptr_nonnull(loc);
        char expect[96];
        snprintf(expect, sizeof expect, "/v1/quotes/%s", it_json_str(r.json, "id"));
        ck_assert_str_eq(loc, expect);
    }
    json_t *j = json_incref(r.json);
    it_response_free(&r);
    return j;
}

/* The standard request body with the given extra members (text starting
 * with ',' or empty). */
static const char *body_of(const char *origin, const char *destination, const char *containers,
                           const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"origin\":\"%s\",\"destination\":\"%s\",\"ready_date\":\"%s\","
             "\"cargo\":{\"containers\":%s,\"commodity\":\"wheat\",\"hs_code\":\"1001\","
             "\"dangerous_goods\":false}%s}",
             origin, destination, ready, containers, extra);
    return buf;
}

#define TWO_40HC "[{\"type\":\"40HC\",\"count\":2,\"gross_weight_kg\":24000}]"
#define ONE_40HC "[{\"type\":\"40HC\",\"count\":1,\"gross_weight_kg\":20000}]"

/* A decimal string as an integer at scale (digits after the point);
 * asserts it has no more fractional digits than that. */
static long long scaled(const char *s, int scale)
{
    ck_assert_ptr_nonnull(s);
    int neg = *s == '-';
    const char *p = s + neg;
    long long v = 0;
    int frac = -1;
    for (; *p; p++) {
        if (*p == '.') {
            ck_assert_int_eq(frac, -1);
            frac = 0;
            continue;
        }
        ck_assert_msg(*p >= '0' && *p <= '9', "not a decimal: %s", s);
        v = v * 10 + (*p - '0');
        if (frac >= 0)
            frac++;
    }
    if (frac < 0)
        frac = 0;
    ck_assert_msg(frac <= scale, "%s has more than %d decimals", s, scale);
    for (; frac < scale; frac++)
        v *= 10;
    return neg ? -v : v;
}

/* Money in minor units; asserts exactly two decimals (USD, EUR). */
static long long cents(json_t *money, const char *currency)
{
    const char *amount = it_json_str(money, "amount");
    ck_assert_ptr_nonnull(amount);
    ck_assert_str_eq(it_json_str(money, "currency"), currency);
    const char *dot = strchr(amount, '.');
    ck_assert_msg(dot && strlen(dot) == 3, "amount %s lacks 2 decimals", amount);
    return scaled(amount, 2);
}

/* num / den rounded half away from zero. */
static long long round_div(__int128 num, __int128 den)
{
    __int128 q = num / den, r = num % den;
    if (r < 0)
        r = -r;
    if (2 * r >= den)
        q += num < 0 ? -1 : 1;
    return (long long)q;
}

static long long sql_long(const char *sql)
{
    char *v = it_sql_value(db, sql);
    ck_assert_msg(v != NULL, "no value from %s", sql);
    long long n = atoll(v);
    free(v);
    return n;
}

/* Everything one option must satisfy: charges sum to the total, legs are
 * consecutive from origin to destination with increasing times, and each
 * port call sits in an existing window of its node. */
static void check_option(json_t *o, size_t index, const char *origin, const char *destination,
                         const char *currency)
{
    ck_assert_int_eq(json_integer_value(json_object_get(o, "option")), (json_int_t)index + 1);
    long long sum = 0;
    size_t i;
    json_t *x;
    json_array_foreach(json_object_get(o, "charges"), i, x) {
        sum += cents(json_object_get(x, "amount"), currency);
        ck_assert_ptr_nonnull(it_json_str(x, "code"));
        ck_assert_ptr_nonnull(it_json_str(x, "quantity"));
        ck_assert_ptr_nonnull(it_json_str(x, "fx_rate"));
        ck_assert_ptr_nonnull(it_json_str(x, "unit_price.amount"));
    }
    ck_assert_msg(json_array_size(json_object_get(o, "charges")) > 0, "an option without charges");
    ck_assert_int_eq(sum, cents(json_object_get(o, "total"), currency));

    json_t *legs = json_object_get(o, "legs");
    size_t n = json_array_size(legs);
    ck_assert_uint_gt(n, 0);
    ck_assert_str_eq(it_json_str(legs, "0.from"), origin);
    ck_assert_str_eq(it_json_str(json_array_get(legs, n - 1), "to"), destination);
    ck_assert_str_eq(it_json_str(o, "departs_at"), it_json_str(legs, "0.departs_at"));
    ck_assert_str_eq(it_json_str(o, "arrives_at"),
                     it_json_str(json_array_get(legs, n - 1), "arrives_at"));
    json_array_foreach(legs, i, x) {
        ck_assert_int_eq(json_integer_value(json_object_get(x, "seq")), (json_int_t)i + 1);
        ck_assert_int_gt(json_integer_value(json_object_get(x, "departure_id")), 0);
        /* RFC 3339 UTC strings of one format compare as times */
        ck_assert_int_lt(strcmp(it_json_str(x, "departs_at"), it_json_str(x, "arrives_at")), 0);
        if (i + 1 < n) {
            json_t *next = json_array_get(legs, i + 1);
            ck_assert_str_eq(it_json_str(x, "to"), it_json_str(next, "from"));
            ck_assert_int_le(strcmp(it_json_str(x, "arrives_at"), it_json_str(next, "departs_at")),
                             0);
        }
    }
    json_array_foreach(json_object_get(o, "port_calls"), i, x) {
        json_t *w = json_object_get(x, "window_id");
        if (json_is_null(w))
            continue;
        char sql[256], want[32];
        snprintf(sql, sizeof sql,
                 "SELECT node_code || ' ' || (starts_at <= '%s'::timestamptz AND "
                 "'%s'::timestamptz < ends_at) FROM corridor.port_window WHERE id = %lld",
                 it_json_str(x, "at"), it_json_str(x, "at"), (long long)json_integer_value(w));
        char *v = it_sql_value(db, sql);
        snprintf(want, sizeof want, "%s true", it_json_str(x, "node"));
        ck_assert_msg(v && strcmp(v, want) == 0, "port call at %s in window %lld: %s",
                      it_json_str(x, "node"), (long long)json_integer_value(w), v ? v : "none");
        free(v);
    }
}

/* No option is both dearer and later than another. */
static void check_pareto(json_t *options, const char *currency)
{
    size_t n = json_array_size(options);
    for (size_t a = 0; a < n; a++)
        for (size_t b = 0; b < n; b++) {
            json_t *x = json_array_get(options, a), *y = json_array_get(options, b);
            bool dearer = cents(json_object_get(x, "total"), currency) >
                          cents(json_object_get(y, "total"), currency);
            bool later = strcmp(it_json_str(x, "arrives_at"), it_json_str(y, "arrives_at")) > 0;
            ck_assert_msg(!(dearer && later), "option %zu is dearer and later than option %zu",
                          a + 1, b + 1);
        }
}

/* The departure ids of an option's legs, as "id,id,..." (static buffer). */
static const char *itinerary(json_t *o)
{
    static char buf[512];
    size_t i, len = 0;
    json_t *x;
    buf[0] = '\0';
    json_array_foreach(json_object_get(o, "legs"), i, x)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%lld,",
                                (long long)json_integer_value(json_object_get(x, "departure_id")));
    return buf;
}

/* ---- tests ---- */

START_TEST(kzala_to_irsrp_options_are_consistent)
{
    json_t *q = post_quote(k_demo, body_of("KZALA", "IRSRP", TWO_40HC, ",\"max_options\":10"), 201);
    json_t *options = json_object_get(q, "options");
    size_t i;
    json_t *o;
    ck_assert_uint_ge(json_array_size(options), 1);
    ck_assert_str_eq(it_json_str(q, "currency"), "USD");
    ck_assert_str_eq(it_json_str(q, "organization"), "DEMOFWD");
    json_array_foreach(options, i, o) {
        check_option(o, i, "KZALA", "IRSRP", "USD");
        ck_assert_int_eq(json_integer_value(json_object_get(o, "teu")), 4);
        ck_assert_int_eq(json_integer_value(json_object_get(o, "kg")), 48000);
    }
    check_pareto(options, "USD");
    /* sorted by cost: totals never decrease */
    for (i = 1; i < json_array_size(options); i++)
        ck_assert_int_le(cents(json_object_get(json_array_get(options, i - 1), "total"), "USD"),
                         cents(json_object_get(json_array_get(options, i), "total"), "USD"));
    /* the discount of DEMOFWD shows as negative lines */
    bool discount = false;
    json_array_foreach(json_object_get(json_array_get(options, 0), "charges"), i, o)
        discount |= strcmp(it_json_str(o, "code"), "DISCOUNT_INSTC") == 0 &&
                    cents(json_object_get(o, "amount"), "USD") < 0;
    ck_assert_msg(discount, "no DISCOUNT_INSTC line for DEMOFWD's rail freight");

    /* the data version it was priced with, and the price holding 30 minutes */
    ck_assert_int_eq(json_integer_value(json_object_get(q, "data_version")),
                     sql_long("SELECT version FROM corridor.data_version"));
    struct tm c = {0}, e = {0};
    ck_assert_ptr_nonnull(strptime(it_json_str(q, "created_at"), "%Y-%m-%dT%H:%M:%SZ", &c));
    ck_assert_ptr_nonnull(strptime(it_json_str(q, "expires_at"), "%Y-%m-%dT%H:%M:%SZ", &e));
    ck_assert_int_eq((long)(timegm(&e) - timegm(&c)), 1800);

    /* stored as answered, with what a booking reserves (written behind the
     * answer: a GET through the server waits for its batch) */
    char sql[640];
    snprintf(sql, sizeof sql, "/v1/quotes/%s", it_json_str(q, "id"));
    struct it_response g;
    ck_assert_int_eq(it_request(&srv, "GET", sql, k_demo, NULL, NULL, &g), 0);
    ck_assert_int_eq(g.status, 200);
    it_response_free(&g);
    snprintf(sql, sizeof sql,
             "SELECT org_code || ' ' || currency || ' ' || jsonb_array_length(o) || ' ' || "
             "(o->0->>'teu') || ' ' || (o->0->>'kg') || ' ' || "
             "(o->0->'total'->>'amount') || ' ' || (o->0->'legs'->0->>'departure_id') "
             "FROM corridor.quote q, corridor.quote_options(q) o WHERE id = '%s'",
             it_json_str(q, "id"));
    char *row = it_sql_value(db, sql), want[256];
    snprintf(want, sizeof want, "DEMOFWD USD %zu 4 48000 %s %lld", json_array_size(options),
             it_json_str(options, "0.total.amount"),
             (long long)json_integer_value(it_json_get(options, "0.legs.0.departure_id")));
    ck_assert_msg(row && strcmp(row, want) == 0, "stored %s, want %s", row ? row : "nothing",
                  want);
    free(row);
    json_decref(q);
}
END_TEST

START_TEST(optimize_time_and_cost_order_the_same_front)
{
    json_t *cost = post_quote(k_casp, body_of("KZALA", "IRSRP", TWO_40HC,
                                              ",\"optimize\":\"cost\",\"max_options\":10"), 201);
    json_t *time_ = post_quote(k_casp, body_of("KZALA", "IRSRP", TWO_40HC,
                                               ",\"optimize\":\"time\",\"max_options\":10"), 201);
    json_t *a = json_object_get(cost, "options"), *b = json_object_get(time_, "options");
    size_t n = json_array_size(a);
    ck_assert_uint_eq(n, json_array_size(b));
    for (size_t i = 1; i < n; i++) {
        json_t *p = json_array_get(a, i - 1), *q = json_array_get(a, i);
        ck_assert_int_le(cents(json_object_get(p, "total"), "USD"),
                         cents(json_object_get(q, "total"), "USD"));
        p = json_array_get(b, i - 1);
        q = json_array_get(b, i);
        ck_assert_int_le(strcmp(it_json_str(p, "arrives_at"), it_json_str(q, "arrives_at")), 0);
    }
    /* the same itineraries, in reverse order of the two criteria */
    for (size_t i = 0; i < n; i++) {
        char want[512];
        snprintf(want, sizeof want, "%s", itinerary(json_array_get(a, i)));
        bool found = false;
        for (size_t k = 0; k < n && !found; k++)
            found = strcmp(want, itinerary(json_array_get(b, k))) == 0;
        ck_assert_msg(found, "cost option %zu is missing from the time order", i + 1);
    }
    if (n > 1) {
        /* the fastest first when optimizing time: not later than the cheapest */
        ck_assert_int_le(strcmp(it_json_str(b, "0.arrives_at"), it_json_str(a, "0.arrives_at")), 0);
        ck_assert_int_le(cents(it_json_get(a, "0.total"), "USD"),
                         cents(it_json_get(b, "0.total"), "USD"));
    }
    json_decref(cost);
    json_decref(time_);
}
END_TEST

START_TEST(via_and_avoid_modes_are_honoured)
{
    json_t *q = post_quote(k_casp, body_of("KZALA", "IRSRP", ONE_40HC, ",\"via\":[\"IRAMD\"]"),
                           201);
    size_t i, k;
    json_t *o, *leg;
    json_array_foreach(json_object_get(q, "options"), i, o) {
        check_option(o, i, "KZALA", "IRSRP", "USD");
        bool passes = false;
        json_array_foreach(json_object_get(o, "legs"), k, leg)
            passes |= strcmp(it_json_str(leg, "to"), "IRAMD") == 0;
        ck_assert_msg(passes, "option %zu does not pass IRAMD", i + 1);
    }
    json_decref(q);

    q = post_quote(k_casp, body_of("KZAAU", "IRSRP", ONE_40HC, ",\"avoid_modes\":[\"sea\"]"), 201);
    json_array_foreach(json_object_get(q, "options"), i, o) {
        check_option(o, i, "KZAAU", "IRSRP", "USD");
        json_array_foreach(json_object_get(o, "legs"), k, leg)
            ck_assert_str_ne(it_json_str(leg, "mode"), "sea");
    }
    json_decref(q);
    /* the same trip by sea is possible when sea is allowed */
    q = post_quote(k_casp, body_of("KZAAU", "IRSRP", ONE_40HC, ",\"via\":[\"IRAMD\"]"), 201);
    json_decref(q);

    /* Almaty has rail links only */
    q = post_quote(k_casp, body_of("KZALA", "IRSRP", ONE_40HC, ",\"avoid_modes\":[\"rail\"]"),
                   422);
    ck_assert_str_eq(it_json_str(q, "code"), "no_route");
    json_decref(q);
}
END_TEST

START_TEST(eur_amounts_are_usd_lines_times_the_rate)
{
    json_t *usd = post_quote(k_demo, body_of("KZALA", "IRSRP", TWO_40HC, ",\"max_options\":10"),
                             201);
    json_t *eur = post_quote(k_demo, body_of("KZALA", "IRSRP", TWO_40HC,
                                             ",\"max_options\":10,\"currency\":\"EUR\""), 201);
    ck_assert_str_eq(it_json_str(eur, "currency"), "EUR");
    char *rate_text = it_sql_value(db, "SELECT per_usd FROM corridor.fx_rate WHERE currency = 'EUR' "
                                       "AND on_date <= (now() AT TIME ZONE 'UTC')::date "
                                       "ORDER BY on_date DESC LIMIT 1");
    ck_assert_ptr_nonnull(rate_text);
    long long fx8 = scaled(rate_text, 8);
    free(rate_text);
    ck_assert_int_eq(scaled(it_json_str(eur, "fx.per_usd.EUR"), 8), fx8);

    json_t *e = json_array_get(json_object_get(eur, "options"), 0), *u = NULL;
    check_option(e, 0, "KZALA", "IRSRP", "EUR");
    size_t i;
    json_t *o;
    char wanted[512];
    snprintf(wanted, sizeof wanted, "%s", itinerary(e));
    json_array_foreach(json_object_get(usd, "options"), i, o)
        if (strcmp(itinerary(o), wanted) == 0)
            u = o;
    ck_assert_msg(u != NULL, "the EUR option's itinerary is not among the USD options");
    json_t *ue = json_object_get(e, "charges"), *uu = json_object_get(u, "charges");
    ck_assert_uint_eq(json_array_size(ue), json_array_size(uu));
    bool by_hand = false;
    json_array_foreach(ue, i, o) {
        json_t *line = json_array_get(uu, i);
        ck_assert_str_eq(it_json_str(o, "code"), it_json_str(line, "code"));
        long long in_usd = cents(json_object_get(line, "amount"), "USD");
        long long in_eur = cents(json_object_get(o, "amount"), "EUR");
        /* each line is converted from its exact amount and rounded once:
         * within one cent of the rounded USD line times the rate */
        long long approx = round_div((__int128)in_usd * fx8, 100000000);
        ck_assert_msg(llabs(in_eur - approx) <= 1, "line %zu: %lld EUR cents for %lld USD cents",
                      i + 1, in_eur, in_usd);
        if (!by_hand && strcmp(it_json_str(o, "code"), "RAIL_FREIGHT") == 0 &&
            strcmp(it_json_str(o, "unit_price.currency"), "USD") == 0) {
            /* by hand: quantity x rate x per_usd(EUR), rounded half away */
            long long q4 = scaled(it_json_str(o, "quantity"), 4);
            long long r6 = scaled(it_json_str(o, "unit_price.amount"), 6);
            long long want = round_div((__int128)q4 * r6 * fx8, (__int128)10000000000000000LL);
            ck_assert_int_eq(in_eur, want);
            ck_assert_int_eq(scaled(it_json_str(o, "fx_rate"), 10), fx8 * 100);
            by_hand = true;
        }
    }
    ck_assert_msg(by_hand, "no USD rail freight line to check by hand");
    json_decref(usd);
    json_decref(eur);
}
END_TEST

START_TEST(a_rate_changed_in_psql_is_priced_within_one_second)
{
    const char *body = body_of("KZALA", "IRSRP", ONE_40HC, "");
    char saved[2048];
    snprintf(saved, sizeof saved, "%s", body);
    json_t *before = post_quote(k_casp, saved, 201);
    json_t *line = NULL, *x;
    size_t i;
    json_array_foreach(it_json_get(before, "options.0.charges"), i, x)
        if (!line && strcmp(it_json_str(x, "code"), "RAIL_FREIGHT") == 0 &&
            strcmp(it_json_str(x, "unit_price.currency"), "USD") == 0)
            line = x;
    ck_assert_ptr_nonnull(line);
    long long tariff = json_integer_value(json_object_get(line, "tariff_id"));
    long long old_amount = cents(json_object_get(line, "amount"), "USD");
    long long q4 = scaled(it_json_str(line, "quantity"), 4);
    long long version = json_integer_value(json_object_get(before, "data_version"));

    /* the operator lowers the rate to 0.10 USD in psql */
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE corridor.tariff SET rate = 0.10 WHERE id = %lld", tariff);
    ck_assert_str_eq(it_sql_error_as(db, "corridor_operator", sql), "");
    double t0 = now_s(), took = -1;
    long long new_amount = old_amount, new_version = version;
    while (now_s() - t0 < 1.0) {
        json_t *q = post_quote(k_casp, saved, 201);
        json_array_foreach(it_json_get(q, "options.0.charges"), i, x)
            if (json_integer_value(json_object_get(x, "tariff_id")) == tariff &&
                strcmp(it_json_str(x, "code"), "RAIL_FREIGHT") == 0)
                new_amount = cents(json_object_get(x, "amount"), "USD");
        new_version = json_integer_value(json_object_get(q, "data_version"));
        json_decref(q);
        if (new_amount != old_amount) {
            took = now_s() - t0;
            break;
        }
        usleep(20 * 1000);
    }
    ck_assert_msg(took >= 0, "the new rate was not priced within 1 s");
    /* exactly quantity x 0.10 USD, and the quote records the newer data */
    ck_assert_int_eq(new_amount, round_div((__int128)q4 * 100000, 100000000));
    ck_assert_int_gt(new_version, version);
    ck_assert_int_eq(sql_long("SELECT count(*) FROM corridor.tariff_history WHERE op = 'UPDATE'"), 1);
    json_decref(before);
}
END_TEST

START_TEST(only_the_owner_and_operators_read_a_quote)
{
    json_t *q = post_quote(k_demo, body_of("KZALA", "IRSRP", ONE_40HC, ""), 201);
    char path[96];
    snprintf(path, sizeof path, "/v1/quotes/%s", it_json_str(q, "id"));
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", path, k_demo, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_json_str(r.json, "id"), it_json_str(q, "id"));
    ck_assert_str_eq(it_json_str(r.json, "options.0.total.amount"),
                     it_json_str(q, "options.0.total.amount"));
    char stored[512];
    snprintf(stored, sizeof stored, "%s", itinerary(it_json_get(r.json, "options.0")));
    ck_assert_str_eq(stored, itinerary(it_json_get(q, "options.0")));
    ck_assert_str_eq(it_json_str(r.json, "expires_at"), it_json_str(q, "expires_at"));
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "GET", path, k_casp, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(it_json_str(r.json, "code"), "not_found");
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "GET", path, k_operator, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_json_str(r.json, "organization"), "DEMOFWD");
    it_response_free(&r);

    /* carriers neither quote nor read quotes */
    ck_assert_int_eq(it_request(&srv, "GET", path, k_carrier, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 403);
    it_response_free(&r);
    json_t *p = post_quote(k_carrier, body_of("KZALA", "IRSRP", ONE_40HC, ""), 403);
    ck_assert_str_eq(it_json_str(p, "code"), "forbidden");
    json_decref(p);
    /* an operator may quote (priced without any forwarder's discount) */
    p = post_quote(k_operator, body_of("KZALA", "IRSRP", ONE_40HC, ""), 201);
    json_decref(p);
    json_decref(q);
}
END_TEST

START_TEST(unknown_and_malformed_ids_are_404)
{
    static const char *const paths[] = {"/v1/quotes/not-a-uuid", "/v1/quotes/1234",
                                        "/v1/quotes/00000000-0000-0000-0000-000000000000",
                                        "/v1/quotes/0000000g-0000-0000-0000-000000000000"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct it_response r;
        ck_assert_int_eq(it_request(&srv, "GET", paths[i], k_operator, NULL, NULL, &r), 0);
        ck_assert_msg(r.status == 404, "%s: %ld", paths[i], r.status);
        ck_assert_str_eq(it_json_str(r.json, "code"), "not_found");
        it_response_free(&r);
    }
}
END_TEST

/* POSTs body and asserts status, code and that errors name every pointer
 * (NULL-terminated). */
static void expect_problem(const char *body, long status, const char *code,
                           const char *const *pointers)
{
    json_t *p = post_quote(k_demo, body, status);
    ck_assert_str_eq(it_json_str(p, "code"), code);
    for (size_t i = 0; pointers && pointers[i]; i++) {
        bool found = false;
        size_t k;
        json_t *e;
        json_array_foreach(json_object_get(p, "errors"), k, e)
            found |= strcmp(it_json_str(e, "pointer"), pointers[i]) == 0;
        ck_assert_msg(found, "no error at %s for %s", pointers[i], body);
    }
    json_decref(p);
}

START_TEST(every_validation_error_is_listed)
{
    char body[1024];
    expect_problem("{}", 400, "validation_failed",
                   (const char *const[]){"/origin", "/destination", "/ready_date", "/cargo", NULL});
    expect_problem("{\"origin\":5,\"destination\":true,\"ready_date\":20261203,\"cargo\":\"x\","
                   "\"max_options\":\"3\",\"optimize\":\"fast\",\"currency\":\"EURO\","
                   "\"avoid_modes\":\"sea\",\"via\":[\"\"]}",
                   400, "validation_failed",
                   (const char *const[]){"/origin", "/destination", "/ready_date", "/cargo",
                                         "/max_options", "/optimize", "/currency",
                                         "/avoid_modes", "/via/0", NULL});
    expect_problem(body_of("KZALA", "IRSRP", ONE_40HC, ",\"colour\":\"red\""), 400,
                   "validation_failed", (const char *const[]){"/colour", NULL});
    expect_problem(body_of("KZALA", "IRSRP",
                           "[{\"type\":\"45HC\",\"count\":0,\"gross_weight_kg\":40001,\"x\":1},"
                           "{\"type\":\"20DV\",\"count\":101,\"gross_weight_kg\":\"9\"}]",
                           ""),
                   400, "validation_failed",
                   (const char *const[]){"/cargo/containers/0/type", "/cargo/containers/0/count",
                                         "/cargo/containers/0/gross_weight_kg",
                                         "/cargo/containers/0/x", "/cargo/containers/1/count",
                                         "/cargo/containers/1/gross_weight_kg", NULL});
    expect_problem(body_of("KZALA", "IRSRP", "[]", ",\"max_options\":0"), 400,
                   "validation_failed",
                   (const char *const[]){"/cargo/containers", "/max_options", NULL});
    expect_problem(body_of("KZALA", "KZALA", ONE_40HC, ",\"currency\":\"XXX\""), 400,
                   "validation_failed", (const char *const[]){"/destination", "/currency", NULL});
    snprintf(body, sizeof body,
             "{\"origin\":\"KZALA\",\"destination\":\"IRSRP\",\"ready_date\":\"2027-02-30\","
             "\"cargo\":{\"containers\":%s}}", ONE_40HC);
    expect_problem(body, 400, "validation_failed", (const char *const[]){"/ready_date", NULL});
    snprintf(body, sizeof body,
             "{\"origin\":\"KZALA\",\"destination\":\"IRSRP\",\"ready_date\":\"%s\","
             "\"cargo\":{\"containers\":%s,\"hs_code\":\"wheat\",\"dangerous_goods\":\"no\"}}",
             too_early, ONE_40HC);
    expect_problem(body, 400, "validation_failed",
                   (const char *const[]){"/ready_date", "/cargo/hs_code",
                                         "/cargo/dangerous_goods", NULL});
}
END_TEST

START_TEST(unknown_locations_are_422_with_pointers)
{
    expect_problem(body_of("KZALA", "IRXXX", ONE_40HC, ",\"via\":[\"KZAAU\",\"ZZZZZ\"]"), 422,
                   "unknown_location", (const char *const[]){"/destination", "/via/1", NULL});
    json_t *p = post_quote(k_demo, body_of("kzala", "IRSRP", ONE_40HC, ""), 422);
    ck_assert_str_eq(it_json_str(p, "errors.0.pointer"), "/origin");
    ck_assert_uint_eq(json_array_size(json_object_get(p, "errors")), 1);
    json_decref(p);
}
END_TEST

START_TEST(no_route_is_422_with_the_reason)
{
    json_t *p = post_quote(k_demo, body_of("KZALA", "XTSTIS", ONE_40HC, ""), 422);
    ck_assert_str_eq(it_json_str(p, "code"), "no_route");
    ck_assert_ptr_nonnull(strstr(it_json_str(p, "detail"), "XTSTIS"));
    json_decref(p);
    p = post_quote(k_demo, body_of("KZALA", "IRSRP", ONE_40HC,
                                   ",\"avoid_modes\":[\"rail\",\"sea\",\"road\"]"), 422);
    ck_assert_str_eq(it_json_str(p, "code"), "no_route");
    json_decref(p);
}
END_TEST

START_TEST(full_departures_are_409_naming_them)
{
    /* Kuryk's every departure is booked to capacity: nothing leaves */
    json_t *q = post_quote(k_demo, body_of("KZKUR", "KZUZE", ONE_40HC, ""), 201);
    json_decref(q);
    PGresult *r = it_sql(db, "UPDATE corridor.departure d SET booked_teu = d.capacity_teu, "
                             "booked_kg = d.capacity_kg FROM corridor.link l "
                             "WHERE l.id = d.link_id AND l.from_code = 'KZKUR'");
    ck_assert_int_eq(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    json_t *p = post_quote(k_demo, body_of("KZKUR", "KZUZE", ONE_40HC, ""), 409);
    ck_assert_str_eq(it_json_str(p, "code"), "capacity_unavailable");
    size_t n = json_array_size(json_object_get(p, "errors"));
    ck_assert_uint_ge(n, 1);
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(p, "errors"), i, e) {
        json_int_t id = json_integer_value(json_object_get(e, "departure_id"));
        ck_assert_int_gt(id, 0);
        char sql[256];
        snprintf(sql, sizeof sql,
                 "SELECT l.from_code FROM corridor.departure d JOIN corridor.link l "
                 "ON l.id = d.link_id WHERE d.id = %lld", (long long)id);
        char *from = it_sql_value(db, sql);
        ck_assert_msg(from && strcmp(from, "KZKUR") == 0, "departure %lld leaves %s",
                      (long long)id, from ? from : "nowhere");
        free(from);
        ck_assert_ptr_nonnull(strstr(it_json_str(e, "message"), ": 0 TEU / 0 kg free"));
    }
    json_decref(p);
}
END_TEST

Suite *quotes_suite(void);
Suite *quotes_suite(void)
{
    Suite *s = suite_create("quotes");
    TCase *tc = tcase_create("quotes");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, kzala_to_irsrp_options_are_consistent);
    tcase_add_test(tc, optimize_time_and_cost_order_the_same_front);
    tcase_add_test(tc, via_and_avoid_modes_are_honoured);
    tcase_add_test(tc, eur_amounts_are_usd_lines_times_the_rate);
    tcase_add_test(tc, only_the_owner_and_operators_read_a_quote);
    tcase_add_test(tc, unknown_and_malformed_ids_are_404);
    tcase_add_test(tc, every_validation_error_is_listed);
    tcase_add_test(tc, unknown_locations_are_422_with_pointers);
    tcase_add_test(tc, no_route_is_422_with_the_reason);
    tcase_add_test(tc, full_departures_are_409_naming_them);
    tcase_add_test(tc, a_rate_changed_in_psql_is_priced_within_one_second);
    suite_add_tcase(s, tc);
    return s;
}
