/* sweeper: expires held bookings past their hold and purges old
 * idempotency keys.  A uv_timer on the loop thread fires every
 * cfg->sweep_interval_ms and, unless the previous sweep is still running
 * (sweeps never overlap in one process), submits one pool job that expires
 * holds in batches of SWEEPER_BATCH, each batch one transaction taken with
 * FOR UPDATE SKIP LOCKED -- so several servers share the work without
 * waiting on each other -- releasing every unit they reserved and writing
 * booking.expired events (store_booking_expire_due).  Idempotency keys
 * older than 24 h are purged at most once a minute.  With the default
 * interval a hold becomes EXPIRED about a second after its expiry. */
#ifndef CORRIDOR_SWEEPER_H
#define CORRIDOR_SWEEPER_H

#define SWEEPER_BATCH 100

/* Starts the timer (on the loop thread, through app.worker).  Main thread,
 * after worker_start.  The timer closes with the loop in worker_stop, which
 * lets a sweep in flight finish.  Returns 0 or -1. */
int sweeper_start(void);

#endif
