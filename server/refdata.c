/* refdata: keeps the in-memory API keys and the pricing snapshot
 * (store_snapshot.c) current with PostgreSQL (see include/refdata.h).
 *
 * Every piece of state below except the atomics is touched on the loop
 * thread only: notifications arrive there, reload jobs are submitted from
 * there and complete there.  A reload that is asked for while one of the
 * same kind runs is remembered as one "again" flag, so a burst of
 * notifications costs at most one extra load.  A failed load is retried by a
 * timer. */
#include "refdata.h"

#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "db_listen.h"
#include "log.h"
#include "quote_cache.h"
#include "snapshot.h"
#include "store_snapshot.h"
#include "worker.h"
#include "xmem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#define RETRY_MS 1000
#define ACQUIRE_TIMEOUT_MS 5000

struct reload {
    const char *what;                    /* "keys", "snapshot" */
    int (*load)(struct db_conn *c);      /* runs on a pool thread */
    bool running, again;                 /* loop thread */
    int result;                          /* written by the job, read in done */
    atomic_bool loaded;                  /* once loaded successfully; any thread */
    uv_timer_t retry;                    /* loop thread */
};

static struct reload keys = {.what = "keys", .load = auth_reload};
static struct reload snapshot = {.what = "snapshot", .load = store_snapshot_load};

static struct db_listener *listener;
static void (*events_fn)(const char *payload, void *arg);
static void *events_arg;
static bool stopping;
static atomic_bool started;

static pthread_mutex_t stop_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t stop_cv = PTHREAD_COND_INITIALIZER;
static bool stop_done;

static void request_reload(struct reload *r);

/* Pool thread. */
static void reload_work(void *arg)
{
    struct reload *r = arg;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        r->result = -1;
        return;
    }
    r->result = r->load(c);
    db_release(app.db, c);
}

static void on_retry(uv_timer_t *t)
{
    request_reload(t->data);
}

/* Loop thread. */
static void reload_done(void *arg)
{
    struct reload *r = arg;
    r->running = false;
    if (stopping)
        return;
    if (r->result == 0) {
        if (!atomic_exchange(&r->loaded, true))
            log_event(LOGL_INFO, "refdata.loaded", "%s loaded", r->what);
    } else if (!r->again) {
        log_event(LOGL_WARN, "refdata.reload_failed", "loading %s failed; retrying in %d ms",
                  r->what, RETRY_MS);
        uv_timer_start(&r->retry, on_retry, RETRY_MS, 0);
    }
    if (r->again) {
        r->again = false;
        request_reload(r);
    }
}

/* Loop thread: starts a load of r now, or once more after the running one. */
static void request_reload(struct reload *r)
{
    if (stopping)
        return;
    if (r->running) {
        r->again = true;
        return;
    }
    uv_timer_stop(&r->retry);
    r->running = true;
    r->again = false;
    if (worker_submit(app.worker, reload_work, reload_done, r) != 0)
        r->running = false;
}

/* Loop thread: a notification, or (channel NULL) a fresh LISTEN connection. */
static void on_notify(const char *channel, const char *payload, void *arg)
{
    (void)arg;
    if (!channel) {
        quote_cache_booked_changed(); /* bookings may have changed unheard */
        request_reload(&keys);
        request_reload(&snapshot);
        if (events_fn)
            events_fn(NULL, events_arg);
        return;
    }
    if (strcmp(channel, "corridor_keys") == 0) {
        request_reload(&keys);
    } else if (strcmp(channel, "corridor_changed") == 0) {
        log_event(LOGL_DEBUG, "refdata.changed", "data version %s", payload ? payload : "?");
        request_reload(&snapshot);
    } else if (strcmp(channel, "corridor_booked") == 0) {
        quote_cache_booked_changed(); /* sql/migrations/030_booked_notify.sql */
    } else if (strcmp(channel, "corridor_events") == 0) {
        if (events_fn)
            events_fn(payload, events_arg);
    }
}

static void start_on_loop(void *arg)
{
    (void)arg;
    static const char *const channels[] = {"corridor_changed", "corridor_keys",
                                           "corridor_events", "corridor_booked", NULL};
    uv_loop_t *loop = worker_loop(app.worker);
    uv_timer_init(loop, &keys.retry);
    keys.retry.data = &keys;
    request_reload(&keys);
    uv_timer_init(loop, &snapshot.retry);
    snapshot.retry.data = &snapshot;
    request_reload(&snapshot);
    listener = db_listen_start(loop, app.cfg->database_url, channels, on_notify, NULL);
}

int refdata_start(void)
{
    if (atomic_exchange(&started, true))
        return 0;
    if (worker_call_on_loop(app.worker, start_on_loop, NULL) != 0) {
        log_event(LOGL_ERROR, "refdata.start_failed", "the worker loop is not running");
        return -1;
    }
    return 0;
}

static void stop_on_loop(void *arg)
{
    (void)arg;
    stopping = true;
    db_listen_stop(listener);
    listener = NULL;
    uv_timer_stop(&keys.retry);
    if (!uv_is_closing((uv_handle_t *)&keys.retry))
        uv_close((uv_handle_t *)&keys.retry, NULL);
    uv_timer_stop(&snapshot.retry);
    if (!uv_is_closing((uv_handle_t *)&snapshot.retry))
        uv_close((uv_handle_t *)&snapshot.retry, NULL);
    pthread_mutex_lock(&stop_mu);
    stop_done = true;
    pthread_cond_signal(&stop_cv);
    pthread_mutex_unlock(&stop_mu);
}

void refdata_stop(void)
{
    if (!atomic_load(&started))
        return;
    if (worker_call_on_loop(app.worker, stop_on_loop, NULL) != 0)
        return;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 2;
    pthread_mutex_lock(&stop_mu);
    while (!stop_done)
        if (pthread_cond_timedwait(&stop_cv, &stop_mu, &deadline) != 0)
            break;
    pthread_mutex_unlock(&stop_mu);
    /* Drop the process's reference; requests still in flight keep theirs. */
    snapshot_publish(NULL);
}

bool refdata_ready(void)
{
    return atomic_load(&keys.loaded) && atomic_load(&snapshot.loaded);
}

void refdata_on_events(void (*fn)(const char *payload, void *arg), void *arg)
{
    events_fn = fn;
    events_arg = arg;
}
