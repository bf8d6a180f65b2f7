/* api_events: the event feed and its long-poll hub (see include/api_events.h).
 *
 * A request's struct waiter lives until both of its holders let go: the
 * request (its http_on_free callback clears w->req) and the hub side (a
 * query job in flight, or the hub's list).  Every reply + resume happens
 * under hub_mu and only while w->req is set, as http.h asks; the lock order
 * is hub_mu, then http's own lock.  The list, the generation counter and
 * the stopping flag are under hub_mu; the timer is touched on the loop
 * thread only. */
#include "api_events.h"

#include "app.h"
#include "auth.h"
#include "db.h"
#include "jsonv.h"
#include "log.h"
#include "refdata.h"
#include "store_events.h"
#include "worker.h"
#include "xmem.h"

#include <ctype.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define ACQUIRE_TIMEOUT_MS 3000
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200
#define WAIT_MAX_S 30
#define TICK_MS 100

struct waiter {
    struct http_request *req; /* NULL once the request is gone */
    struct auth_principal who;
    long long after;
    int limit;
    int64_t deadline_ms; /* monotonic */
    uint64_t gen;        /* hub generation read before the last query */
    int refs;            /* the request + the hub side */
    struct waiter *next; /* in the hub's list while parked */
};

static pthread_mutex_t hub_mu = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *hub_head;
static uint64_t hub_gen;
static bool hub_stopping;
static uv_timer_t hub_timer; /* loop thread only */
static bool timer_ready, timer_active;

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Drops one hold on w; frees it with the last.  Caller holds hub_mu. */
static void unref_locked(struct waiter *w)
{
    if (--w->refs == 0)
        free(w);
}

/* http_on_free: the request is gone. */
static void request_gone(void *arg)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&hub_mu);
    w->req = NULL;
    unref_locked(w);
    pthread_mutex_unlock(&hub_mu);
}

/* Answers w's request with items (stolen; NULL: none) and resumes it.
 * Caller holds hub_mu. */
static void answer_locked(struct waiter *w, json_t *items, long long last)
{
    if (!w->req) {
        json_decref(items);
        return;
    }
    char cursor[24];
    snprintf(cursor, sizeof cursor, "%lld", last);
    json_t *o =
        json_pack("{s:o, s:s}", "items", items ? items : json_array(), "next_cursor", cursor);
    char *s = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(o);
    if (s)
        http_reply_raw(w->req, 200, "application/json", s, strlen(s));
    else
        http_reply_problem(w->req, 500, "internal_error", "the response could not be encoded",
                           NULL);
    free(s);
    http_resume(w->req);
    w->req = NULL;
}

static void fail_locked(struct waiter *w, int st)
{
    if (!w->req)
        return;
    if (st == STORE_EVENTS_UNAVAILABLE)
        http_reply_unavailable(w->req);
    else
        http_reply_problem(w->req, 500, "internal_error", "reading the event feed failed", NULL);
    http_resume(w->req);
    w->req = NULL;
}

/* ---- one query (pool thread), then park or finish (loop thread) ---- */

static void query_work(void *arg)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&hub_mu);
    w->gen = hub_gen;
    bool gone = w->req == NULL;
    pthread_mutex_unlock(&hub_mu);
    if (gone)
        return;
    json_t *items = NULL;
    long long last = w->after;
    int st = STORE_EVENTS_UNAVAILABLE;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (c) {
        st = store_events_after(c, &w->who, w->after, w->limit, &items, &last);
        db_release(app.db, c);
    }
    pthread_mutex_lock(&hub_mu);
    if (st != STORE_EVENTS_OK) {
        fail_locked(w, st);
    } else if (json_array_size(items) > 0 || now_ms() >= w->deadline_ms || hub_stopping) {
        answer_locked(w, items, last);
        items = NULL;
    }
    pthread_mutex_unlock(&hub_mu);
    json_decref(items);
}

static void query_done(void *arg);

/* Queues a query for w (the hub side's hold goes with it). */
static void submit_query(struct waiter *w)
{
    if (worker_submit(app.worker, query_work, query_done, w) != 0) {
        pthread_mutex_lock(&hub_mu);
        answer_locked(w, NULL, w->after);
        unref_locked(w);
        pthread_mutex_unlock(&hub_mu);
    }
}

static void tick(uv_timer_t *t);

/* Loop thread: parks w unless it is answered, due, or a notification came
 * in while its query ran. */
static void query_done(void *arg)
{
    struct waiter *w = arg;
    pthread_mutex_lock(&hub_mu);
    if (!w->req) {
        unref_locked(w);
        pthread_mutex_unlock(&hub_mu);
        return;
    }
    if (hub_stopping || now_ms() >= w->deadline_ms) {
        answer_locked(w, NULL, w->after);
        unref_locked(w);
        pthread_mutex_unlock(&hub_mu);
        return;
    }
    if (w->gen != hub_gen) {
        pthread_mutex_unlock(&hub_mu);
        submit_query(w);
        return;
    }
    w->next = hub_head;
    hub_head = w;
    pthread_mutex_unlock(&hub_mu);
    if (timer_ready && !timer_active) {
        uv_timer_start(&hub_timer, tick, TICK_MS, TICK_MS);
        timer_active = true;
    }
}

/* Loop thread: answers parked requests whose wait is over (or that are gone). */
static void tick(uv_timer_t *t)
{
    int64_t now = now_ms();
    pthread_mutex_lock(&hub_mu);
    for (struct waiter **p = &hub_head; *p;) {
        struct waiter *w = *p;
        if (!w->req || now >= w->deadline_ms) {
            *p = w->next;
            answer_locked(w, NULL, w->after);
            unref_locked(w);
        } else {
            p = &w->next;
        }
    }
    bool empty = hub_head == NULL;
    pthread_mutex_unlock(&hub_mu);
    if (empty) {
        uv_timer_stop(t);
        timer_active = false;
    }
}

/* Loop thread: NOTIFY corridor_events (payload: newest id; NULL after a
 * reconnect, when anything may have been missed). */
static void on_events(const char *payload, void *arg)
{
    long long newest = payload ? strtoll(payload, NULL, 10) : -1;
    struct waiter *wake = NULL;
    pthread_mutex_lock(&hub_mu);
    hub_gen++;
    for (struct waiter **p = &hub_head; *p;) {
        struct waiter *w = *p;
        if (newest < 0 || w->after < newest || !w->req) {
            *p = w->next;
            w->next = wake;
            wake = w;
        } else {
            p = &w->next;
        }
    }
    pthread_mutex_unlock(&hub_mu);
    while (wake) {
        struct waiter *w = wake;
        wake = w->next;
        submit_query(w);
    }
}

static void timer_setup(void *arg)
{
    uv_timer_init(worker_loop(app.worker), &hub_timer);
    timer_ready = true;
}

void api_events_start(void)
{
    refdata_on_events(on_events, NULL);
    worker_call_on_loop(app.worker, timer_setup, NULL);
}

void api_events_stop(void)
{
    pthread_mutex_lock(&hub_mu);
    hub_stopping = true;
    while (hub_head) {
        struct waiter *w = hub_head;
        hub_head = w->next;
        answer_locked(w, NULL, w->after);
        unref_locked(w);
    }
    pthread_mutex_unlock(&hub_mu);
}

/* ---- the handler (MHD thread) ---- */

/* Reads an optional non-negative integer query parameter within [min, max]. */
static long long query_int(struct http_request *req, struct jsonv *v, const char *name,
                           long long min, long long max, long long dflt)
{
    const char *s = http_query(req, name);
    if (!s)
        return dflt;
    char *end;
    long long n = strtoll(s, &end, 10);
    if (!isdigit((unsigned char)*s) || *end != '\0' || n < min || n > max) {
        char pointer[32];
        snprintf(pointer, sizeof pointer, "/query/%s", name);
        jsonv_error(v, pointer, "must be an integer from %lld to %lld", min, max);
        return dflt;
    }
    return n;
}

static void get_events(struct http_request *req)
{
    static const char *const allowed[] = {"after", "limit", "wait", NULL};
    struct jsonv v;
    jsonv_init(&v);
    jsonv_query_known(&v, req, allowed);
    long long after = query_int(req, &v, "after", 0, INT64_MAX, 0);
    long long limit = query_int(req, &v, "limit", 1, LIMIT_MAX, LIMIT_DEFAULT);
    long long wait = query_int(req, &v, "wait", 0, WAIT_MAX_S, 0);
    if (!jsonv_ok(&v)) {
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    struct waiter *w = xcalloc(1, sizeof *w);
    w->req = req;
    w->who = *http_principal(req);
    w->after = after;
    w->limit = (int)limit;
    w->deadline_ms = now_ms() + wait * 1000;
    w->refs = 2;
    http_on_free(req, request_gone, w);
    http_suspend(req);
    submit_query(w);
}

static const struct http_route routes[] = {
    {HTTP_GET, "/v1/events", "events_list", AUTH_ANY, false, get_events},
};

const struct http_route_table api_events_routes = {routes, sizeof routes / sizeof routes[0]};
