/* worker: the libuv loop thread and its pool (see include/worker.h).
 *
 * Producers on any thread append to a mutex-protected list; only the append
 * that turns the list from empty to non-empty calls uv_async_send (it
 * coalesces, so the loop drains the whole list on each wake-up).  The send
 * happens under the lock, so once worker_stop has set `stopping` no producer
 * can still be about to send to a handle the loop is closing.  uv_queue_work
 * runs on the loop thread only.
 *
 * Lanes: a lane job drained from the list is queued on the pool when fewer
 * than max of its lane's jobs are there, and otherwise appended to the lane's
 * waiting list; the after-work of each lane job queues the lane's next
 * waiting one.  Every count and list of a lane is touched on the loop thread
 * only (`waiting` is also an atomic copy for the gauge).  A lane with waiting
 * jobs always has a job on the pool, whose completion keeps the loop alive,
 * so worker_stop still runs every waiting job before uv_run returns.
 *
 * A lane job with a first stage (worker_submit_lane_job) runs that stage
 * on the pool outside its lane, with no slot; its after-work enters the job
 * into the lane as if it had just been submitted.
 *
 * Batches: when a slot frees and the next waiting job has a batch function,
 * the jobs right behind it with the same batch function (up to the lane's
 * batch size) leave the waiting list with it and run as one job in that
 * slot: batch(args, n) once, then each one's done. */
#include "worker.h"

#include "log.h"
#include "xmem.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum item_kind { ITEM_WORK, ITEM_CALL };

struct item {
    struct item *next;
    enum item_kind kind;
    worker_fn first; /* set until the first stage has run: outside the lane */
    worker_fn work;
    worker_batch_fn batch;   /* NULL: never batched */
    struct item *batch_next; /* the others of its batch, in order */
    size_t batch_n;          /* how many others */
    worker_done_fn done;
    worker_loop_fn call;
    void *arg;
    struct worker *w;
    struct worker_lane *lane; /* NULL: no limit */
    uv_work_t req;
};

struct worker_lane {
    struct worker *w;
    struct worker_lane *next; /* w->lanes, under w->mu */
    unsigned max;             /* 0: no limit */
    unsigned batch_max;       /* jobs run together at most (1: no batches) */
    unsigned on_pool;         /* loop thread: its jobs queued or running on the pool */
    struct item *head, *tail; /* loop thread: waiting for a slot, FIFO */
    atomic_uint waiting;      /* the length of that list, for the gauge */
};

struct worker {
    uv_loop_t loop;
    uv_async_t wake;
    uv_thread_t thread;
    pthread_mutex_t mu;
    struct item *head, *tail;  /* under mu */
    bool stopping;             /* under mu */
    bool closed;               /* loop thread only: handles closed */
    struct worker_lane *lanes; /* under mu; freed by worker_stop */
    atomic_uint pending;       /* work items queued, waiting in a lane or running */
};

static void run_work(uv_work_t *req)
{
    struct item *it = req->data;
    if (it->first) {
        it->first(it->arg);
    } else if (it->batch_n > 0) {
        void *args[WORKER_BATCH_MAX];
        size_t n = 0;
        for (struct item *m = it; m; m = m->batch_next)
            args[n++] = m->arg;
        it->batch(args, n);
    } else {
        it->work(it->arg);
    }
}

static void after_work(uv_work_t *req, int status);

/* Loop thread: puts it on the pool. */
static void queue_on_pool(struct item *it)
{
    it->req.data = it;
    uv_queue_work(&it->w->loop, &it->req, run_work, after_work);
}

/* Loop thread: puts a work item on the pool, or in its lane's waiting list
 * when the lane is full. */
static void enter(struct item *it)
{
    struct worker_lane *l = it->lane;
    if (it->first) { /* the first stage takes no slot */
        queue_on_pool(it);
        return;
    }
    if (l && l->max && l->on_pool >= l->max) {
        it->next = NULL;
        if (l->tail)
            l->tail->next = it;
        else
            l->head = it;
        l->tail = it;
        atomic_fetch_add(&l->waiting, 1);
        return;
    }
    if (l)
        l->on_pool++;
    queue_on_pool(it);
}

/* Loop thread: a job of l left the pool; the next waiting one takes its slot. */
static void leave(struct worker_lane *l)
{
    l->on_pool--;
    struct item *next = l->head;
    if (!next)
        return;
    l->head = next->next;
    if (!l->head)
        l->tail = NULL;
    atomic_fetch_sub(&l->waiting, 1);
    /* the same kind of job right behind it joins it */
    for (struct item *last = next; next->batch && l->head && l->head->batch == next->batch &&
                                   next->batch_n + 1 < l->batch_max;) {
        struct item *more = l->head;
        l->head = more->next;
        if (!l->head)
            l->tail = NULL;
        atomic_fetch_sub(&l->waiting, 1);
        more->next = NULL;
        last->batch_next = more;
        last = more;
        next->batch_n++;
    }
    l->on_pool++;
    queue_on_pool(next);
}

static void after_work(uv_work_t *req, int status)
{
    struct item *it = req->data;
    (void)status; /* never cancelled: queued jobs always run */
    if (it->first) {
        /* the first stage ran: now the lane */
        it->first = NULL;
        enter(it);
        return;
    }
    if (it->lane)
        leave(it->lane);
    struct worker *w = it->w;
    while (it) {
        struct item *next = it->batch_next;
        if (it->done)
            it->done(it->arg);
        atomic_fetch_sub(&w->pending, 1);
        free(it);
        it = next;
    }
}

static void close_walk(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_wake(uv_async_t *h)
{
    struct worker *w = h->data;
    pthread_mutex_lock(&w->mu);
    struct item *list = w->head;
    w->head = w->tail = NULL;
    bool stopping = w->stopping;
    pthread_mutex_unlock(&w->mu);

    while (list) {
        struct item *it = list;
        list = it->next;
        if (it->kind == ITEM_CALL) {
            it->call(it->arg);
            free(it);
        } else {
            enter(it);
        }
    }
    /* Closing every handle lets uv_run return once the queued and running
     * jobs have completed (a work request keeps the loop alive by itself). */
    if (stopping && !w->closed) {
        w->closed = true;
        uv_walk(&w->loop, close_walk, NULL);
    }
}

static void loop_main(void *arg)
{
    struct worker *w = arg;
    uv_run(&w->loop, UV_RUN_DEFAULT);
}

int worker_start(struct worker **out, unsigned threads)
{
    char n[16];
    snprintf(n, sizeof n, "%u", threads ? threads : 1);
    setenv("UV_THREADPOOL_SIZE", n, 1);

    struct worker *w = xcalloc(1, sizeof *w);
    pthread_mutex_init(&w->mu, NULL);
    atomic_init(&w->pending, 0);
    int rc = uv_loop_init(&w->loop);
    if (rc != 0) {
        log_event(LOGL_ERROR, "worker_start", "uv_loop_init: %s", uv_strerror(rc));
        goto fail;
    }
    rc = uv_async_init(&w->loop, &w->wake, on_wake);
    if (rc != 0) {
        log_event(LOGL_ERROR, "worker_start", "uv_async_init: %s", uv_strerror(rc));
        uv_loop_close(&w->loop);
        goto fail;
    }
    w->wake.data = w;
    rc = uv_thread_create(&w->thread, loop_main, w);
    if (rc != 0) {
        log_event(LOGL_ERROR, "worker_start", "uv_thread_create: %s", uv_strerror(rc));
        uv_close((uv_handle_t *)&w->wake, NULL);
        uv_run(&w->loop, UV_RUN_DEFAULT);
        uv_loop_close(&w->loop);
        goto fail;
    }
    *out = w;
    return 0;
fail:
    pthread_mutex_destroy(&w->mu);
    free(w);
    *out = NULL;
    return -1;
}

static int push(struct worker *w, struct item *it)
{
    if (!w) {
        free(it);
        return -1;
    }
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        free(it);
        return -1;
    }
    bool was_empty = w->head == NULL;
    if (w->tail)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    if (it->kind == ITEM_WORK)
        atomic_fetch_add(&w->pending, 1);
    if (was_empty)
        uv_async_send(&w->wake);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

int worker_submit(struct worker *w, worker_fn work, worker_done_fn done, void *arg)
{
    return worker_submit_lane(w, NULL, work, done, arg);
}

int worker_submit_lane(struct worker *w, struct worker_lane *lane, worker_fn work,
                       worker_done_fn done, void *arg)
{
    return worker_submit_lane_job(w, lane, NULL, work, NULL, done, arg);
}

int worker_submit_lane_job(struct worker *w, struct worker_lane *lane, worker_fn first,
                           worker_fn work, worker_batch_fn batch, worker_done_fn done, void *arg)
{
    assert(!lane || lane->w == w);
    struct item *it = xcalloc(1, sizeof *it);
    it->kind = ITEM_WORK;
    it->first = first;
    it->work = work;
    it->batch = lane ? batch : NULL;
    it->done = done;
    it->arg = arg;
    it->w = w;
    it->lane = lane;
    return push(w, it);
}

struct worker_lane *worker_lane_new(struct worker *w, unsigned max)
{
    if (!w)
        return NULL;
    struct worker_lane *l = xcalloc(1, sizeof *l);
    l->w = w;
    l->max = max;
    l->batch_max = 1;
    atomic_init(&l->waiting, 0);
    pthread_mutex_lock(&w->mu);
    l->next = w->lanes;
    w->lanes = l;
    pthread_mutex_unlock(&w->mu);
    return l;
}

void worker_lane_set_batch(struct worker_lane *lane, unsigned batch_max)
{
    if (lane)
        lane->batch_max =
            batch_max < 1 ? 1 : (batch_max > WORKER_BATCH_MAX ? WORKER_BATCH_MAX : batch_max);
}

unsigned worker_lane_waiting(const struct worker_lane *lane)
{
    return lane ? atomic_load(&((struct worker_lane *)lane)->waiting) : 0;
}

int worker_call_on_loop(struct worker *w, worker_loop_fn fn, void *arg)
{
    struct item *it = xcalloc(1, sizeof *it);
    it->kind = ITEM_CALL;
    it->call = fn;
    it->arg = arg;
    it->w = w;
    return push(w, it);
}

uv_loop_t *worker_loop(struct worker *w)
{
    return &w->loop;
}

unsigned worker_pending(const struct worker *w)
{
    return w ? atomic_load(&((struct worker *)w)->pending) : 0;
}

void worker_stop(struct worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    uv_async_send(&w->wake);
    pthread_mutex_unlock(&w->mu);
    uv_thread_join(&w->thread);
    int rc = uv_loop_close(&w->loop);
    if (rc != 0)
        log_event(LOGL_WARN, "worker_stop", "uv_loop_close: %s", uv_strerror(rc));
    while (w->lanes) {
        struct worker_lane *l = w->lanes;
        w->lanes = l->next;
        assert(!l->head && l->on_pool == 0); /* uv_run returned: every job ran */
        free(l);
    }
    pthread_mutex_destroy(&w->mu);
    free(w);
}
