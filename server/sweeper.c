/* sweeper: hold expiry and idempotency purge (see include/sweeper.h). */
#include "sweeper.h"

#include "app.h"
#include "config.h"
#include "db.h"
#include "idempotency.h"
#include "log.h"
#include "metrics.h"
#include "quote_cache.h"
#include "store_booking.h"
#include "worker.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <uv.h>

#define ACQUIRE_TIMEOUT_MS 1000
#define MAX_BATCHES 50 /* per sweep: 5000 holds, then the next tick goes on */
#define PURGE_EVERY_S 60

static uv_timer_t timer;  /* loop thread only */
static bool sweeping;     /* loop thread only: a sweep job is queued or running */
static time_t last_purge; /* the sweep job only (never two at once) */

static void sweep_work(void *arg)
{
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c)
        return; /* PostgreSQL busy or down: the next tick tries again */
    long expired = 0;
    for (int i = 0; i < MAX_BATCHES; i++) {
        int n = store_booking_expire_due(c, SWEEPER_BATCH);
        if (n < 0) {
            log_event(LOGL_WARN, "sweeper.failed", "expiring holds failed");
            break;
        }
        expired += n;
        if (n < SWEEPER_BATCH)
            break;
    }
    if (expired > 0) {
        quote_cache_booked_changed(); /* the released units are free for quotes at once */
        metrics_count("corridor_bookings_expired_total", "Held bookings expired by the sweeper.",
                      (double)expired);
        log_event(LOGL_INFO, "sweeper.expired", "%ld held booking(s) expired", expired);
    }
    time_t now = time(NULL);
    if (now - last_purge >= PURGE_EVERY_S) {
        long purged = idempotency_purge(c);
        last_purge = now;
        if (purged > 0)
            log_event(LOGL_INFO, "sweeper.purged", "%ld idempotency key(s) older than 24 h purged",
                      purged);
    }
    db_release(app.db, c);
}

static void sweep_done(void *arg)
{
    sweeping = false;
}

static void tick(uv_timer_t *t)
{
    if (sweeping)
        return;
    sweeping = true;
    if (worker_submit(app.worker, sweep_work, sweep_done, NULL) != 0)
        sweeping = false; /* stopping */
}

static void start_on_loop(void *arg)
{
    uint64_t every = app.cfg->sweep_interval_ms ? app.cfg->sweep_interval_ms : 1000;
    uv_timer_init(worker_loop(app.worker), &timer);
    uv_timer_start(&timer, tick, every, every);
}

int sweeper_start(void)
{
    return worker_call_on_loop(app.worker, start_on_loop, NULL);
}
