/* Integration: the network and schedule reads on the seeded corridor
 * (suite "network"): every list, pagination, filters, bad parameters, and
 * 503 while PostgreSQL cannot be reached, with recovery. */
#include "harness.h"

#include <check.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];
static char *key; /* an operator key */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void exec_sql(const char *dbname, const char *sql)
{
    PGresult *r = it_sql(dbname, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        fprintf(stderr, "network: SQL failed: %s\n%s", sql, PQresultErrorMessage(r));
        PQclear(r);
        ck_abort_msg("SQL failed");
    }
    PQclear(r);
}

static long sql_long(const char *sql)
{
    char *v = it_sql_value(db, sql);
    ck_assert_msg(v != NULL, "no value from %s", sql);
    long n = atol(v);
    free(v);
    return n;
}

/* Waits until the server accepts k (keys load asynchronously). */
static void wait_key(const struct it_server *s, const char *k)
{
    double t0 = now_s();
    while (now_s() - t0 < 3.0) {
        struct it_response r;
        if (it_request(s, "GET", "/v1/nodes?limit=1", k, NULL, NULL, &r) == 0) {
            long st = r.status;
            it_response_free(&r);
            if (st == 200)
                return;
        }
        usleep(20 * 1000);
    }
}

/* A fixed schedule far from the seed's dates, on seeded links and nodes. */
static char link_from[16], link_to[16];
static long link_id, other_link_id;

static void setup(void)
{
    it_db_create("network", db);
    char *v = it_sql_value(db, "SELECT id || ' ' || from_code || ' ' || to_code FROM corridor.link "
                               "ORDER BY id LIMIT 1");
    if (!v || sscanf(v, "%ld %15s %15s", &link_id, link_from, link_to) != 3) {
        fprintf(stderr, "network: the seed has no links\n");
        exit(2);
    }
    free(v);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT id FROM corridor.link WHERE NOT (from_code = '%s' AND to_code = '%s') "
             "ORDER BY id LIMIT 1",
             link_from, link_to);
    v = it_sql_value(db, sql);
    other_link_id = v ? atol(v) : 0;
    free(v);
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, cutoff_at, "
             "capacity_teu, capacity_kg) VALUES "
             "(%ld, 'IT-1', '2031-05-10 06:00Z', '2031-05-12 06:00Z', '2031-05-09 06:00Z', 100, 2000000),"
             "(%ld, 'IT-2', '2031-05-11 23:30Z', '2031-05-13 06:00Z', '2031-05-11 06:00Z', 80, 1500000),"
             "(%ld, 'IT-3', '2031-05-12 00:00Z', '2031-05-14 06:00Z', '2031-05-11 06:00Z', 60, 1000000),"
             "(%ld, 'IT-4', '2031-05-10 08:00Z', '2031-05-12 06:00Z', '2031-05-09 06:00Z', 50, 900000);"
             "UPDATE corridor.departure SET booked_teu = 7, booked_kg = 123456 WHERE service = 'IT-1';"
             "INSERT INTO corridor.port_window (node_code, starts_at, ends_at, capacity_teu) VALUES "
             "('KZAAU', '2031-05-10 00:00Z', '2031-05-10 12:00Z', 40),"
             "('KZAAU', '2031-05-10 12:00Z', '2031-05-11 00:00Z', 40),"
             "('KZAAU', '2031-05-12 00:00Z', '2031-05-12 12:00Z', 40);"
             "UPDATE corridor.port_window SET booked_teu = 5 WHERE node_code = 'KZAAU' "
             "AND starts_at = '2031-05-10 00:00Z';"
             "INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, "
             "min_charge, valid_from, valid_to, note) VALUES ('IT_TEST_FEE', 'KZAAU', "
             "'per_container', 12.345, 'USD', 5.5, '2031-05-10', '2031-05-10', 'one day only')",
             link_id, link_id, link_id, other_link_id);
    PGresult *r = it_sql(db, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "network: setup SQL failed: %s", PQresultErrorMessage(r));
        exit(2);
    }
    PQclear(r);
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "network: server did not start\n");
        exit(2);
    }
    key = it_issue_key(db, "CORRIDOR", "operator");
    wait_key(&srv, key);
}

static void teardown(void)
{
    it_server_stop(&srv);
    free(key);
}

/* GET path; asserts the status; returns the parsed body (decref it). */
static json_t *get_json(const struct it_server *s, const char *path, const char *k, long want)
{
    struct it_response r;
    ck_assert_int_eq(it_request(s, "GET", path, k, NULL, NULL, &r), 0);
    ck_assert_msg(r.status == want, "GET %s: status %ld, want %ld: %s", path, r.status, want,
                  r.body);
    json_t *j = r.json ? json_incref(r.json) : NULL;
    ck_assert_msg(j != NULL, "GET %s: body is not JSON: %s", path, r.body);
    it_response_free(&r);
    return j;
}

/* Walks a list page by page; returns every item (decref) and the number of pages. */
static json_t *walk(const char *path, int limit, int *pages)
{
    json_t *all = json_array();
    char url[1024];
    char cursor[512] = "";
    *pages = 0;
    for (;;) {
        snprintf(url, sizeof url, "%s%slimit=%d%s%s", path, strchr(path, '?') ? "&" : "?", limit,
                 cursor[0] ? "&cursor=" : "", cursor);
        json_t *page = get_json(&srv, url, key, 200);
        json_t *items = json_object_get(page, "items");
        ck_assert(json_is_array(items));
        ck_assert_int_le(json_array_size(items), limit);
        json_array_extend(all, items);
        (*pages)++;
        json_t *next = json_object_get(page, "next_cursor");
        ck_assert(json_is_null(next) || json_is_string(next));
        if (json_is_null(next)) {
            json_decref(page);
            break;
        }
        ck_assert_int_eq(json_array_size(items), limit);
        snprintf(cursor, sizeof cursor, "%s", json_string_value(next));
        json_decref(page);
        ck_assert_int_lt(*pages, 1000);
    }
    return all;
}

static void assert_problem(const char *path, long status, const char *code, const char *pointer)
{
    json_t *j = get_json(&srv, path, key, status);
    ck_assert_str_eq(it_json_str(j, "code"), code);
    if (pointer) {
        bool found = false;
        json_t *e;
        size_t i;
        json_array_foreach(json_object_get(j, "errors"), i, e)
        {
            const char *p = json_string_value(json_object_get(e, "pointer"));
            if (p && strcmp(p, pointer) == 0)
                found = true;
        }
        ck_assert_msg(found, "GET %s: no error at %s", path, pointer);
    }
    json_decref(j);
}

START_TEST(nodes_all_38)
{
    json_t *page = get_json(&srv, "/v1/nodes", key, 200);
    json_t *items = json_object_get(page, "items");
    ck_assert_int_eq(json_array_size(items), 38);
    ck_assert_int_eq(json_array_size(items), sql_long("SELECT count(*) FROM corridor.node"));
    ck_assert(json_is_null(json_object_get(page, "next_cursor")));
    bool seen_aktau = false;
    json_t *n;
    size_t i;
    json_array_foreach(items, i, n)
    {
        ck_assert_ptr_nonnull(it_json_str(n, "code"));
        ck_assert_ptr_nonnull(it_json_str(n, "name"));
        ck_assert_int_eq(strlen(it_json_str(n, "country")), 2);
        ck_assert_ptr_nonnull(it_json_str(n, "timezone"));
        json_t *lat = json_object_get(n, "lat");
        ck_assert(json_is_number(lat) || json_is_null(lat));
        if (strcmp(it_json_str(n, "code"), "KZAAU") == 0) {
            seen_aktau = true;
            ck_assert_str_eq(it_json_str(n, "kind"), "port");
            ck_assert_str_eq(it_json_str(n, "country"), "KZ");
            ck_assert(json_is_number(json_object_get(n, "lon")));
            ck_assert_double_gt(json_number_value(lat), 43.0);
            ck_assert_double_lt(json_number_value(lat), 44.0);
        }
    }
    ck_assert(seen_aktau);
    json_decref(page);
}
END_TEST

START_TEST(nodes_cursor_walk_sees_each_once)
{
    int pages = 0;
    json_t *all = walk("/v1/nodes", 5, &pages);
    ck_assert_int_eq(json_array_size(all), 38);
    ck_assert_int_eq(pages, 8);
    for (size_t i = 1; i < json_array_size(all); i++) {
        const char *a = it_json_str(json_array_get(all, i - 1), "code");
        const char *b = it_json_str(json_array_get(all, i), "code");
        ck_assert_msg(strcmp(a, b) < 0, "nodes out of order or repeated: %s, %s", a, b);
    }
    json_decref(all);
}
END_TEST

START_TEST(links_walk)
{
    int pages = 0;
    json_t *all = walk("/v1/links", 7, &pages);
    long n = sql_long("SELECT count(*) FROM corridor.link");
    ck_assert_int_gt(n, 0);
    ck_assert_int_eq((long)json_array_size(all), n);
    json_int_t prev = 0;
    json_t *l;
    size_t i;
    json_array_foreach(all, i, l)
    {
        json_int_t id = json_integer_value(json_object_get(l, "id"));
        ck_assert_int_gt(id, prev);
        prev = id;
        const char *mode = it_json_str(l, "mode");
        ck_assert_ptr_nonnull(mode);
        json_t *gauge = json_object_get(l, "gauge_mm");
        if (strcmp(mode, "rail") == 0)
            ck_assert(json_is_integer(gauge));
        else
            ck_assert(json_is_null(gauge));
        ck_assert(json_is_number(json_object_get(l, "distance_km")));
        ck_assert_double_gt(json_number_value(json_object_get(l, "distance_km")), 0);
        ck_assert(json_is_number(json_object_get(l, "transit_hours")));
        ck_assert_ptr_nonnull(it_json_str(l, "from"));
        ck_assert_ptr_nonnull(it_json_str(l, "to"));
        ck_assert_ptr_nonnull(it_json_str(l, "carrier"));
    }
    json_decref(all);
}
END_TEST

START_TEST(departures_filtered_with_availability)
{
    char path[256];
    snprintf(path, sizeof path, "/v1/departures?from=%s&to=%s&date_from=2031-05-10&date_to=2031-05-11",
             link_from, link_to);
    json_t *page = get_json(&srv, path, key, 200);
    json_t *items = json_object_get(page, "items");
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id "
             "WHERE l.from_code = '%s' AND l.to_code = '%s' AND d.departs_at >= '2031-05-10Z' "
             "AND d.departs_at < '2031-05-12Z'",
             link_from, link_to);
    ck_assert_int_eq((long)json_array_size(items), sql_long(sql));
    bool seen1 = false, seen2 = false;
    const char *prev = "";
    json_t *d;
    size_t i;
    json_array_foreach(items, i, d)
    {
        ck_assert_str_eq(it_json_str(d, "from"), link_from);
        ck_assert_str_eq(it_json_str(d, "to"), link_to);
        const char *at = it_json_str(d, "departs_at");
        ck_assert(strcmp(at, "2031-05-10") > 0 && strcmp(at, "2031-05-12") < 0);
        ck_assert(strcmp(prev, at) <= 0);
        prev = at;
        const char *svc = it_json_str(d, "service");
        ck_assert_str_ne(svc, "IT-3"); /* 2031-05-12 00:00 is after date_to */
        ck_assert_str_ne(svc, "IT-4"); /* another link */
        if (strcmp(svc, "IT-1") == 0) {
            seen1 = true;
            ck_assert_str_eq(at, "2031-05-10T06:00:00Z");
            ck_assert_str_eq(it_json_str(d, "arrives_at"), "2031-05-12T06:00:00Z");
            ck_assert_str_eq(it_json_str(d, "cutoff_at"), "2031-05-09T06:00:00Z");
            ck_assert_int_eq(json_integer_value(json_object_get(d, "capacity_teu")), 100);
            ck_assert_int_eq(json_integer_value(json_object_get(d, "available_teu")), 93);
            ck_assert_int_eq(json_integer_value(json_object_get(d, "capacity_kg")), 2000000);
            ck_assert_int_eq(json_integer_value(json_object_get(d, "available_kg")),
                             2000000 - 123456);
            ck_assert_str_eq(it_json_str(d, "status"), "scheduled");
            ck_assert_int_eq(json_integer_value(json_object_get(d, "link_id")), link_id);
        }
        if (strcmp(svc, "IT-2") == 0)
            seen2 = true; /* 23:30 on date_to: date_to is inclusive */
    }
    ck_assert(seen1 && seen2);
    json_decref(page);

    /* a booking made in SQL shows at once (no reload involved) */
    exec_sql(db, "UPDATE corridor.departure SET booked_teu = 20 WHERE service = 'IT-1'");
    page = get_json(&srv, path, key, 200);
    json_array_foreach(json_object_get(page, "items"), i, d)
        if (strcmp(it_json_str(d, "service"), "IT-1") == 0)
            ck_assert_int_eq(json_integer_value(json_object_get(d, "available_teu")), 80);
    json_decref(page);
    exec_sql(db, "UPDATE corridor.departure SET booked_teu = 7 WHERE service = 'IT-1'");
}
END_TEST

START_TEST(departures_cursor_walk)
{
    int pages = 0;
    json_t *all = walk("/v1/departures?date_from=2031-05-10&date_to=2031-05-12", 1, &pages);
    long n = sql_long("SELECT count(*) FROM corridor.departure WHERE departs_at >= '2031-05-10Z' "
                      "AND departs_at < '2031-05-13Z'");
    ck_assert_int_ge(n, 4);
    ck_assert_int_eq((long)json_array_size(all), n);
    for (size_t i = 1; i < json_array_size(all); i++) {
        json_t *a = json_array_get(all, i - 1), *b = json_array_get(all, i);
        int c = strcmp(it_json_str(a, "departs_at"), it_json_str(b, "departs_at"));
        ck_assert(c < 0 || (c == 0 && json_integer_value(json_object_get(a, "id")) <
                                          json_integer_value(json_object_get(b, "id"))));
    }
    json_decref(all);
}
END_TEST

START_TEST(departures_default_range_is_today_on)
{
    /* a departure yesterday and one in 40 days are outside the default range */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, cutoff_at, "
             "capacity_teu, capacity_kg) VALUES "
             "(%ld, 'IT-OLD', current_date - 1 + time '06:17:31', current_date + 1, current_date - 2, 10, 10),"
             "(%ld, 'IT-NOW', current_date + 2 + time '06:17:31', current_date + 4, current_date + 1, 10, 10),"
             "(%ld, 'IT-FAR', current_date + 40 + time '06:17:31', current_date + 42, current_date + 39, 10, 10)",
             link_id, link_id, link_id);
    exec_sql(db, sql);
    char path[128];
    snprintf(path, sizeof path, "/v1/departures?from=%s&to=%s", link_from, link_to);
    int pages;
    json_t *all = walk(path, 200, &pages);
    bool now = false;
    json_t *d;
    size_t i;
    json_array_foreach(all, i, d)
    {
        const char *svc = it_json_str(d, "service");
        ck_assert_str_ne(svc, "IT-OLD");
        ck_assert_str_ne(svc, "IT-FAR");
        if (strcmp(svc, "IT-NOW") == 0)
            now = true;
    }
    ck_assert(now);
    json_decref(all);
    exec_sql(db, "DELETE FROM corridor.departure WHERE service IN ('IT-OLD', 'IT-NOW', 'IT-FAR')");
}
END_TEST

START_TEST(port_windows)
{
    json_t *page =
        get_json(&srv, "/v1/ports/KZAAU/windows?date_from=2031-05-10&date_to=2031-05-10", key, 200);
    json_t *items = json_object_get(page, "items");
    ck_assert_int_eq(json_array_size(items), 2);
    json_t *w = json_array_get(items, 0);
    ck_assert_str_eq(it_json_str(w, "starts_at"), "2031-05-10T00:00:00Z");
    ck_assert_str_eq(it_json_str(w, "ends_at"), "2031-05-10T12:00:00Z");
    ck_assert_int_eq(json_integer_value(json_object_get(w, "capacity_teu")), 40);
    ck_assert_int_eq(json_integer_value(json_object_get(w, "available_teu")), 35);
    ck_assert(json_is_integer(json_object_get(w, "id")));
    w = json_array_get(items, 1);
    ck_assert_str_eq(it_json_str(w, "starts_at"), "2031-05-10T12:00:00Z");
    ck_assert_int_eq(json_integer_value(json_object_get(w, "available_teu")), 40);
    json_decref(page);
    /* a range reaching the third window */
    page = get_json(&srv, "/v1/ports/KZAAU/windows?date_from=2031-05-10&date_to=2031-05-12&limit=2",
                    key, 200);
    ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 2);
    ck_assert(json_is_string(json_object_get(page, "next_cursor")));
    json_decref(page);
    /* a known node without windows that day: empty, not an error */
    page = get_json(&srv, "/v1/ports/KZAAU/windows?date_from=2031-06-10", key, 200);
    ck_assert_int_eq(json_array_size(json_object_get(page, "items")), 0);
    json_decref(page);
    assert_problem("/v1/ports/ZZZZZ/windows", 404, "not_found", NULL);
}
END_TEST

START_TEST(tariffs_on_a_date)
{
    int pages = 0;
    json_t *all = walk("/v1/tariffs?on=2031-05-10", 7, &pages);
    long n = sql_long("SELECT count(*) FROM corridor.tariff WHERE valid_from <= '2031-05-10' "
                      "AND (valid_to IS NULL OR valid_to >= '2031-05-10')");
    ck_assert_int_eq((long)json_array_size(all), n);
    bool seen = false;
    json_t *t;
    size_t i;
    json_array_foreach(all, i, t)
    {
        ck_assert(json_is_string(json_object_get(t, "rate")));
        ck_assert(json_is_string(json_object_get(t, "min_charge")));
        ck_assert_ptr_nonnull(it_json_str(t, "basis"));
        ck_assert_ptr_nonnull(it_json_str(t, "currency"));
        if (strcmp(it_json_str(t, "charge_code"), "IT_TEST_FEE") == 0) {
            seen = true;
            ck_assert_str_eq(it_json_str(t, "rate"), "12.345");
            ck_assert_str_eq(it_json_str(t, "min_charge"), "5.5");
            ck_assert_str_eq(it_json_str(t, "node_code"), "KZAAU");
            ck_assert(json_is_null(json_object_get(t, "link_id")));
            ck_assert_str_eq(it_json_str(t, "valid_from"), "2031-05-10");
            ck_assert_str_eq(it_json_str(t, "valid_to"), "2031-05-10");
            ck_assert_str_eq(it_json_str(t, "note"), "one day only");
        }
    }
    ck_assert(seen);
    json_decref(all);
    /* the next day it is no longer in force */
    all = walk("/v1/tariffs?on=2031-05-11", 200, &pages);
    json_array_foreach(all, i, t)
        ck_assert_str_ne(it_json_str(t, "charge_code"), "IT_TEST_FEE");
    json_decref(all);
    /* today by default */
    all = walk("/v1/tariffs", 200, &pages);
    ck_assert_int_eq((long)json_array_size(all),
                     sql_long("SELECT count(*) FROM corridor.tariff WHERE valid_from <= "
                              "current_date AND (valid_to IS NULL OR valid_to >= current_date)"));
    json_decref(all);
}
END_TEST

START_TEST(bad_parameters)
{
    assert_problem("/v1/nodes?limit=0", 400, "validation_failed", "/query/limit");
    assert_problem("/v1/nodes?limit=201", 400, "validation_failed", "/query/limit");
    assert_problem("/v1/links?limit=ten", 400, "validation_failed", "/query/limit");
    assert_problem("/v1/links?cursor=!!", 400, "validation_failed", "/query/cursor");
    /* base64url of "bad key" is well-formed but not a key of this list */
    assert_problem("/v1/links?cursor=YmFkIGtleQ", 400, "validation_failed", "/query/cursor");
    assert_problem("/v1/departures?date_from=2026-02-30", 400, "validation_failed",
                   "/query/date_from");
    assert_problem("/v1/departures?date_to=03/12/2026", 400, "validation_failed",
                   "/query/date_to");
    assert_problem("/v1/departures?date_from=2026-12-10&date_to=2026-12-01", 400,
                   "validation_failed", "/query/date_to");
    assert_problem("/v1/tariffs?on=tomorrow", 400, "validation_failed", "/query/on");
    assert_problem("/v1/departures?from=ZZZZZ", 422, "unknown_location", "/query/from");
    assert_problem("/v1/departures?from=KZAAU&to=XXNOPE", 422, "unknown_location", "/query/to");
    /* every bad parameter is reported, not only the first */
    json_t *j = get_json(&srv, "/v1/departures?limit=0&date_from=x&date_to=y", key, 400);
    ck_assert_int_eq(json_array_size(json_object_get(j, "errors")), 3);
    json_decref(j);
}
END_TEST

START_TEST(unknown_parameter_is_400)
{
    assert_problem("/v1/nodes?limt=5", 400, "validation_failed", "/query/limt");
    assert_problem("/v1/departures?form=KZAAU", 400, "validation_failed", "/query/form");
    /* every list endpoint reports a typo the same way */
    assert_problem("/v1/bookings?stauts=HELD", 400, "validation_failed", "/query/stauts");
    assert_problem("/v1/events?aftr=1", 400, "validation_failed", "/query/aftr");
}
END_TEST

/* ---- PostgreSQL unreachable ---- */

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* Starts corridord against url without waiting for readiness (it cannot be
 * ready); waits for /healthz. */
static void start_unready(struct it_server *s, const char *url, const char *tag)
{
    memset(s, 0, sizeof *s);
    s->port = free_port();
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%u", s->port);
    snprintf(s->log_path, sizeof s->log_path, "%s/%s-%u.log",
             getenv("CORRIDOR_TEST_LOGDIR") ? getenv("CORRIDOR_TEST_LOGDIR") : "/tmp", tag,
             s->port);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", s->port);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        setenv("CORRIDOR_DATABASE_URL", url, 1);
        setenv("CORRIDOR_LISTEN", listen, 1);
        const char *bin = getenv("CORRIDOR_TEST_BIN");
        execl(bin, bin, "serve", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    double t0 = now_s();
    while (now_s() - t0 < 10.0) {
        struct it_response r;
        if (it_request(s, "GET", "/healthz", NULL, NULL, NULL, &r) == 0) {
            long st = r.status;
            it_response_free(&r);
            if (st == 200)
                return;
        }
        usleep(50 * 1000);
    }
    ck_abort_msg("corridord did not answer /healthz (log %s)", s->log_path);
}

static long status_of(const struct it_server *s, const char *path, const char *k,
                      char *retry_after, size_t ra_len)
{
    struct it_response r;
    if (it_request(s, "GET", path, k, NULL, NULL, &r) != 0)
        return 0;
    long st = r.status;
    if (retry_after) {
        const char *ra = it_header(&r, "Retry-After");
        snprintf(retry_after, ra_len, "%s", ra ? ra : "");
    }
    it_response_free(&r);
    return st;
}

START_TEST(unreachable_database_503)
{
    /* a port where nothing listens: connects fail at once */
    char url[512];
    snprintf(url, sizeof url, "%s", it_db_url(db));
    char *p = strstr(url, "port=");
    ck_assert_ptr_nonnull(p);
    char dead[600];
    snprintf(dead, sizeof dead, "%.*sport=%u%s", (int)(p - url), url, free_port(),
             strchr(p, ' ') ? strchr(p, ' ') : "");
    struct it_server s;
    start_unready(&s, dead, "deadpg");
    char ra[32];
    ck_assert_int_eq(status_of(&s, "/healthz", NULL, NULL, 0), 200);
    ck_assert_int_eq(status_of(&s, "/readyz", NULL, NULL, 0), 503);
    double t0 = now_s();
    long st = status_of(&s, "/v1/nodes", key, ra, sizeof ra);
    double took = now_s() - t0;
    it_server_stop(&s);
    ck_assert_int_eq(st, 503);
    ck_assert_str_ne(ra, "");
    ck_assert_int_ge(atoi(ra), 1);
    ck_assert_msg(took < 2.5, "a 503 took %.2f s; it should fail fast", took);
}
END_TEST

START_TEST(database_comes_and_goes)
{
    /* The server starts before its database exists, becomes ready when it
     * appears, answers 503 while it is gone again, and recovers. */
    char late[64], sql[256];
    snprintf(late, sizeof late, "it_late_%d", (int)getpid());
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", late);
    exec_sql("postgres", sql);
    struct it_server s;
    start_unready(&s, it_db_url(late), late);
    ck_assert_int_eq(status_of(&s, "/readyz", NULL, NULL, 0), 503);

    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", late,
             getenv("CORRIDOR_TEST_TEMPLATE"));
    exec_sql("postgres", sql);
    char *k = it_issue_key(late, "CORRIDOR", "operator");
    double t0 = now_s();
    while (now_s() - t0 < 10.0 && status_of(&s, "/readyz", NULL, NULL, 0) != 200)
        usleep(100 * 1000);
    ck_assert_int_eq(status_of(&s, "/readyz", NULL, NULL, 0), 200);
    t0 = now_s();
    while (now_s() - t0 < 3.0 && status_of(&s, "/v1/nodes", k, NULL, 0) != 200)
        usleep(50 * 1000);
    ck_assert_int_eq(status_of(&s, "/v1/nodes", k, NULL, 0), 200);

    /* the database goes away under a running, ready server */
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", late);
    exec_sql("postgres", sql);
    char ra[32];
    ck_assert_int_eq(status_of(&s, "/v1/nodes", k, ra, sizeof ra), 503);
    ck_assert_str_ne(ra, "");
    ck_assert_int_eq(status_of(&s, "/healthz", NULL, NULL, 0), 200);

    /* and comes back: the same key works again without a restart */
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", late,
             getenv("CORRIDOR_TEST_TEMPLATE"));
    exec_sql("postgres", sql);
    char *k2 = it_issue_key(late, "CORRIDOR", "operator");
    t0 = now_s();
    long st = 0;
    while (now_s() - t0 < 10.0 && (st = status_of(&s, "/v1/nodes", k2, NULL, 0)) != 200)
        usleep(100 * 1000);
    it_server_stop(&s);
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", late);
    exec_sql("postgres", sql);
    ck_assert_int_eq(st, 200);
    free(k);
    free(k2);
}
END_TEST

Suite *network_suite(void);
Suite *network_suite(void)
{
    Suite *s = suite_create("network");
    TCase *tc = tcase_create("reads");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, nodes_all_38);
    tcase_add_test(tc, nodes_cursor_walk_sees_each_once);
    tcase_add_test(tc, links_walk);
    tcase_add_test(tc, departures_filtered_with_availability);
    tcase_add_test(tc, departures_cursor_walk);
    tcase_add_test(tc, departures_default_range_is_today_on);
    tcase_add_test(tc, port_windows);
    tcase_add_test(tc, tariffs_on_a_date);
    tcase_add_test(tc, bad_parameters);
    tcase_add_test(tc, unknown_parameter_is_400);
    tcase_add_test(tc, unreachable_database_503);
    tcase_add_test(tc, database_comes_and_goes);
    suite_add_tcase(s, tc);
    return s;
}
