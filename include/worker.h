/* worker: the libuv loop thread and its thread pool.  Jobs come in from any
 * thread through a locked queue and one uv_async_t (uv_async_send coalesces,
 * so the loop drains the whole queue each wake-up), run on the libuv pool with
 * uv_queue_work, and complete on the loop thread.
 *
 * A lane limits how many of its jobs are on the pool at once (e.g. booking
 * changes, which contend for the same rows in PostgreSQL).  A lane job beyond
 * the limit waits, in FIFO order, on the loop thread -- not on a pool thread,
 * so the pool keeps running every other job -- and is queued on the pool
 * when one of its lane's jobs completes. */
#ifndef CORRIDOR_WORKER_H
#define CORRIDOR_WORKER_H

#include <stddef.h>
#include <uv.h>

struct worker;
struct worker_lane;

typedef void (*worker_fn)(void *arg);      /* runs on a libuv pool thread */
typedef void (*worker_done_fn)(void *arg); /* runs on the loop thread after work */
typedef void (*worker_loop_fn)(void *arg); /* runs on the loop thread */

/* Sets UV_THREADPOOL_SIZE to threads, starts the loop thread.  Returns 0 or -1.
 * Main thread only, before any submit. */
int worker_start(struct worker **out, unsigned threads);

/* Queues work(arg) on the pool, then done(arg) (may be NULL) on the loop
 * thread.  Any thread.  Returns 0, or -1 once stopping (nothing runs then). */
int worker_submit(struct worker *w, worker_fn work, worker_done_fn done, void *arg);

/* A new lane of w letting at most max of its jobs run at once (0: no limit).
 * Owned by w and freed by worker_stop.  Any thread; before its first
 * worker_submit_lane.  Returns NULL when w is NULL. */
struct worker_lane *worker_lane_new(struct worker *w, unsigned max);

/* worker_submit through lane (NULL: the same as worker_submit): work(arg)
 * waits on the loop thread while max of the lane's jobs are queued or running
 * on the pool, and starts in submission order.  Any thread.  Returns 0, or -1
 * once stopping (nothing runs then).  Jobs submitted before worker_stop all
 * run, waiting ones included. */
int worker_submit_lane(struct worker *w, struct worker_lane *lane, worker_fn work,
                       worker_done_fn done, void *arg);

/* Runs the args of n jobs at once on a pool thread (their work, together). */
typedef void (*worker_batch_fn)(void **args, size_t n);
#define WORKER_BATCH_MAX 32

/* worker_submit_lane with two options.  first (may be NULL): first(arg)
 * runs on the pool outside the lane (waiting for nothing, taking no slot),
 * then the job goes through the lane as above -- for a job that may have to
 * wait for something else before it is worth a slot.  batch (may be NULL):
 * when the job has waited for a slot, the jobs waiting right behind it with
 * the same batch function, up to the lane's batch size
 * (worker_lane_set_batch), take that slot with it and batch(args, n) runs
 * instead of their works, in order; then done(arg) of each.  A job that
 * finds a free slot, or nobody behind it, runs work alone. */
int worker_submit_lane_job(struct worker *w, struct worker_lane *lane, worker_fn first,
                           worker_fn work, worker_batch_fn batch, worker_done_fn done, void *arg);

/* How many jobs of lane may run as one batch (1, the default: none; at most
 * WORKER_BATCH_MAX).  Any thread; before the lane's first job. */
void worker_lane_set_batch(struct worker_lane *lane, unsigned batch_max);

/* Jobs of lane waiting for a slot (a gauge for /metrics).  Any thread. */
unsigned worker_lane_waiting(const struct worker_lane *lane);

/* Runs fn(arg) on the loop thread soon.  Any thread.  Returns 0 or -1. */
int worker_call_on_loop(struct worker *w, worker_loop_fn fn, void *arg);

/* The loop; loop thread only (for timers, uv_poll, etc. set up from
 * worker_call_on_loop callbacks). */
uv_loop_t *worker_loop(struct worker *w);

/* Jobs queued, waiting in a lane or running now (a gauge for /metrics).
 * Any thread. */
unsigned worker_pending(const struct worker *w);

/* Stops accepting jobs, lets queued, lane-waiting and running jobs finish,
 * closes every handle on the loop, joins the loop thread and frees w and its
 * lanes.  Main thread only. */
void worker_stop(struct worker *w);

#endif
