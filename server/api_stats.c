/* api_stats: the corridor statistics (see include/api_stats.h). */
#include "api_stats.h"

#include "app.h"
#include "auth.h"
#include "db.h"
#include "jsonv.h"
#include "store_booking.h"
#include "xmem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_TIMEOUT_MS 3000
#define MAX_DAYS (5 * 366)

struct stats_job {
    char from[11], to[11];
};

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Days since 1970-01-01 of a valid YYYY-MM-DD, or -1. */
static long day_number(const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap(y)))
        return -1;
    long days = 0;
    for (int yy = 1970; yy < y; yy++)
        days += leap(yy) ? 366 : 365;
    for (int mm = 1; mm < m; mm++)
        days += mdays[mm - 1] + (mm == 2 && leap(y));
    return days + d - 1;
}

static void stats_work(struct http_request *req, void *arg)
{
    struct stats_job *j = arg;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        http_reply_unavailable(req);
        return;
    }
    json_t *out = NULL;
    int st = store_booking_stats(c, j->from, j->to, &out);
    db_release(app.db, c);
    char *s =
        st == STORE_BOOKING_OK ? json_dumps(out, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(out);
    if (s)
        http_reply_raw(req, 200, "application/json", s, strlen(s));
    else if (st == STORE_BOOKING_UNAVAILABLE)
        http_reply_unavailable(req);
    else
        http_reply_problem(req, 500, "internal_error", "computing the statistics failed", NULL);
    free(s);
}

static void get_stats(struct http_request *req)
{
    static const char *const allowed[] = {"from", "to", NULL};
    struct jsonv v;
    jsonv_init(&v);
    jsonv_query_known(&v, req, allowed);
    struct stats_job *j = xcalloc(1, sizeof *j);
    const char *from = http_query(req, "from"), *to = http_query(req, "to");
    long df = 0, dt = 0;
    if (from) {
        if ((df = day_number(from)) < 0)
            jsonv_error(&v, "/query/from", "must be a date YYYY-MM-DD");
        else
            snprintf(j->from, sizeof j->from, "%s", from);
    } else {
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(j->from, sizeof j->from, "%Y-%m-01", &tm);
        df = day_number(j->from);
    }
    if (to) {
        if ((dt = day_number(to)) < 0)
            jsonv_error(&v, "/query/to", "must be a date YYYY-MM-DD");
        else
            snprintf(j->to, sizeof j->to, "%s", to);
    } else {
        char year[8];
        snprintf(year, sizeof year, "%04d", (atoi(j->from) + 1) % 10000);
        memcpy(j->to, year, 4);
        memcpy(j->to + 4, j->from + 4, 7);
        if (strcmp(j->to + 4, "-02-29") == 0)
            memcpy(j->to + 8, "28", 2);
        dt = day_number(j->to);
    }
    if (jsonv_ok(&v) && (dt <= df || dt - df > MAX_DAYS))
        jsonv_error(&v, "/query/to", "must be after from, and at most 5 years after it");
    if (!jsonv_ok(&v)) {
        free(j);
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    http_on_free(req, free, j);
    http_defer(req, stats_work, j);
}

static const struct http_route routes[] = {
    {HTTP_GET, "/v1/stats/corridor", "stats_corridor", AUTH_OPERATOR, false, get_stats},
};

const struct http_route_table api_stats_routes = {routes, sizeof routes / sizeof routes[0]};
