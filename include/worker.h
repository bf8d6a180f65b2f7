/* worker: the libuv loop thread and its thread pool.  Jobs come in from any
 * thread through a locked queue and one uv_async_t (uv_async_send coalesces,
 * so the loop drains the whole queue each wake-up), run on the libuv pool with
 * uv_queue_work, and complete on the loop thread. */
#ifndef CORRIDOR_WORKER_H
#define CORRIDOR_WORKER_H

#include <uv.h>

struct worker;

typedef void (*worker_fn)(void *arg);      /* runs on a libuv pool thread */
typedef void (*worker_done_fn)(void *arg); /* runs on the loop thread after work */
typedef void (*worker_loop_fn)(void *arg); /* runs on the loop thread */

/* Sets UV_THREADPOOL_SIZE to threads, starts the loop thread.  Returns 0 or -1.
 * Main thread only, before any submit. */
int worker_start(struct worker **out, unsigned threads);

/* Queues work(arg) on the pool, then done(arg) (may be NULL) on the loop
 * thread.  Any thread.  Returns 0, or -1 once stopping (nothing runs then). */
int worker_submit(struct worker *w, worker_fn work, worker_done_fn done, void *arg);

/* Runs fn(arg) on the loop thread soon.  Any thread.  Returns 0 or -1. */
int worker_call_on_loop(struct worker *w, worker_loop_fn fn, void *arg);

/* The loop; loop thread only (for timers, uv_poll, etc. set up from
 * worker_call_on_loop callbacks). */
uv_loop_t *worker_loop(struct worker *w);

/* Jobs queued or running now (a gauge for /metrics).  Any thread. */
unsigned worker_pending(const struct worker *w);

/* Stops accepting jobs, lets queued and running jobs finish, closes every
 * handle on the loop, joins the loop thread and frees w.  Main thread only. */
void worker_stop(struct worker *w);

#endif
