/* Unit tests of worker's lanes (a real loop thread and a real libuv pool of
 * 4 threads, no database): a lane of max 2 never has more than 2 jobs running
 * and starts them in submission order; a lane of max 1 completes them in
 * submission order; a lane of max 0 is not limited; jobs waiting for a slot
 * wait off the pool (a plain job still runs while the lane is full) and are
 * counted by worker_lane_waiting and worker_pending; worker_stop runs every
 * job still waiting in a lane; a job's first stage (worker_submit_lane_job)
 * runs while its lane is full and takes no slot, and worker_stop runs jobs
 * still in their first stage to the end; jobs with a batch function that
 * wait behind each other run together, up to the lane's batch size, and
 * only with their own kind.  Nothing is asserted about time
 * beyond "the limit was never exceeded"; waits only bound a hang. */
#include "worker.h"

#include <check.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define POOL 4
#define JOBS 20

/* One test's record of its jobs (each test runs in its own forked child). */
static atomic_uint running;      /* jobs inside work() now */
static atomic_uint max_running;  /* the most seen at once */
static atomic_uint started;      /* jobs that entered work() */
static atomic_uint done_count;   /* done() callbacks run */
static atomic_bool gate_open;    /* jobs with `gated` wait for it */
static atomic_uint wait_for_max; /* work() waits (bounded) until max_running reaches it */
static int done_order[JOBS + 8]; /* loop thread writes, test thread reads after done_count */
static bool started_late[JOBS];  /* job i started while more than slack of 0..i-1 had not */
static unsigned slack;

struct job {
    int index;
    int sleep_ms;
    bool gated;
};

static struct job jobs[JOBS + 8];
static atomic_bool has_started[JOBS + 8];

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Polls until *v >= want or about limit_ms passed; returns the last value. */
static unsigned wait_at_least(atomic_uint *v, unsigned want, int limit_ms)
{
    unsigned x;
    for (int i = 0; (x = atomic_load(v)) < want && i < limit_ms; i++)
        sleep_ms(1);
    return x;
}

static void reset(void)
{
    atomic_store(&running, 0);
    atomic_store(&max_running, 0);
    atomic_store(&started, 0);
    atomic_store(&done_count, 0);
    atomic_store(&gate_open, false);
    atomic_store(&wait_for_max, 0);
    memset(done_order, -1, sizeof done_order);
    memset(started_late, 0, sizeof started_late);
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < JOBS + 8; i++) {
        atomic_store(&has_started[i], false);
        jobs[i].index = i;
    }
}

static void work(void *arg)
{
    struct job *j = arg;
    unsigned now = atomic_fetch_add(&running, 1) + 1;
    unsigned seen = atomic_load(&max_running);
    while (now > seen && !atomic_compare_exchange_weak(&max_running, &seen, now))
        ;
    if (j->index < JOBS) {
        unsigned missing = 0;
        for (int i = 0; i < j->index; i++)
            missing += !atomic_load(&has_started[i]);
        started_late[j->index] = missing > slack;
    }
    atomic_store(&has_started[j->index], true);
    atomic_fetch_add(&started, 1);
    wait_at_least(&max_running, atomic_load(&wait_for_max), 2000);
    for (int i = 0; j->gated && !atomic_load(&gate_open) && i < 5000; i++)
        sleep_ms(1);
    sleep_ms(j->sleep_ms);
    atomic_fetch_sub(&running, 1);
}

static void done(void *arg)
{
    struct job *j = arg;
    unsigned n = atomic_load(&done_count);
    if (n < JOBS + 8)
        done_order[n] = j->index;
    atomic_fetch_add(&done_count, 1);
}

/* Submits jobs 0..n-1 of sleep ms each through a new lane of max, waits for
 * them all, stops the worker; returns the most that ran at once. */
static unsigned run_lane(unsigned max, int n, int ms)
{
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, max);
    ck_assert_ptr_nonnull(lane);
    for (int i = 0; i < n; i++) {
        jobs[i].sleep_ms = ms;
        ck_assert_int_eq(worker_submit_lane(w, lane, work, done, &jobs[i]), 0);
    }
    ck_assert_uint_eq(wait_at_least(&done_count, (unsigned)n, 20000), (unsigned)n);
    for (int i = 0; i < 5000 && worker_pending(w) > 0; i++) /* counted down after done() */
        sleep_ms(1);
    ck_assert_uint_eq(worker_pending(w), 0);
    ck_assert_uint_eq(worker_lane_waiting(lane), 0);
    worker_stop(w);
    return atomic_load(&max_running);
}

START_TEST(lane_of_two_runs_two_at_once_in_order)
{
    reset();
    slack = 1; /* the other job on the pool may not have started yet */
    ck_assert_uint_eq(run_lane(2, JOBS, 20), 2);
    ck_assert_uint_eq(atomic_load(&started), JOBS);
    for (int i = 0; i < JOBS; i++) {
        ck_assert_msg(!started_late[i], "job %d started before an earlier one had its turn", i);
        bool seen = false;
        for (int k = 0; k < JOBS; k++)
            seen |= done_order[k] == i;
        ck_assert_msg(seen, "job %d completed no done callback", i);
    }
}
END_TEST

START_TEST(lane_of_one_completes_in_order)
{
    reset();
    slack = 0;
    ck_assert_uint_eq(run_lane(1, JOBS, 2), 1);
    for (int i = 0; i < JOBS; i++) {
        ck_assert_msg(!started_late[i], "job %d started before an earlier one", i);
        ck_assert_int_eq(done_order[i], i);
    }
}
END_TEST

START_TEST(lane_of_zero_is_unlimited)
{
    reset();
    slack = JOBS;
    /* each job waits (at most 2 s) until 3 ran at once: a lane that limits
     * anyway ends with 2 or fewer, an unlimited one with 3 or more */
    atomic_store(&wait_for_max, 3);
    ck_assert_uint_gt(run_lane(0, JOBS, 20), 2);
    ck_assert_uint_eq(atomic_load(&done_count), JOBS);
}
END_TEST

/* A job gated on a flag holds the lane's one slot: the lane's next jobs wait
 * (counted), a plain job still gets a pool thread although more lane jobs
 * wait than the pool has threads, and opening the gate lets the lane drain in
 * order. */
START_TEST(lane_waits_off_the_pool)
{
    reset();
    slack = JOBS;
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, 1);
    jobs[0].gated = true;
    for (int i = 0; i < POOL + 2; i++)
        ck_assert_int_eq(worker_submit_lane(w, lane, work, done, &jobs[i]), 0);
    for (int i = 0; i < 5000 && worker_lane_waiting(lane) < POOL + 1; i++)
        sleep_ms(1);
    ck_assert_uint_eq(worker_lane_waiting(lane), POOL + 1);
    ck_assert_uint_eq(worker_pending(w), POOL + 2);
    ck_assert_uint_eq(wait_at_least(&started, 1, 5000), 1);

    struct job *plain = &jobs[JOBS];
    ck_assert_int_eq(worker_submit(w, work, done, plain), 0);
    ck_assert_uint_eq(wait_at_least(&done_count, 1, 5000), 1);
    ck_assert_int_eq(done_order[0], JOBS); /* the plain job, while the gate was shut */
    ck_assert_uint_eq(atomic_load(&started), 2);

    atomic_store(&gate_open, true);
    ck_assert_uint_eq(wait_at_least(&done_count, POOL + 3, 5000), POOL + 3);
    for (int i = 0; i < POOL + 2; i++)
        ck_assert_int_eq(done_order[i + 1], i);
    ck_assert_uint_eq(worker_lane_waiting(lane), 0);
    ck_assert_uint_eq(atomic_load(&max_running), 2);
    worker_stop(w);
}
END_TEST

START_TEST(stop_runs_waiting_lane_jobs)
{
    reset();
    slack = 0;
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, 1);
    worker_lane_new(w, 3); /* an unused lane is freed too (ASan) */
    for (int i = 0; i < 10; i++) {
        jobs[i].sleep_ms = 5;
        ck_assert_int_eq(worker_submit_lane(w, lane, work, done, &jobs[i]), 0);
    }
    worker_stop(w); /* joins the loop thread: every write of it is visible */
    ck_assert_uint_eq(atomic_load(&done_count), 10);
    for (int i = 0; i < 10; i++)
        ck_assert_int_eq(done_order[i], i);
    ck_assert_uint_eq(atomic_load(&max_running), 1);
}
END_TEST

START_TEST(null_lane_is_plain_submit)
{
    reset();
    slack = JOBS;
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    ck_assert_int_eq(worker_submit_lane(w, NULL, work, done, &jobs[0]), 0);
    ck_assert_uint_eq(worker_lane_waiting(NULL), 0);
    ck_assert_ptr_null(worker_lane_new(NULL, 1));
    worker_stop(w);
    ck_assert_uint_eq(atomic_load(&done_count), 1);
}
END_TEST

/* The first stage of a lane job: counted, and it may sleep; it is outside
 * `running`, which counts the lane's work only. */
static atomic_uint first_count;
static atomic_bool first_ran[JOBS + 8];

static void first(void *arg)
{
    struct job *j = arg;
    sleep_ms(j->sleep_ms);
    atomic_store(&first_ran[j->index], true);
    atomic_fetch_add(&first_count, 1);
}

/* Job 0 holds the one slot of a lane (gated); jobs 1..3 with a first stage
 * run that stage meanwhile, but their work waits for the slot and then runs
 * one at a time after job 0. */
START_TEST(first_stage_runs_outside_the_lane)
{
    reset();
    slack = JOBS;
    atomic_store(&first_count, 0);
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, 1);
    jobs[0].gated = true;
    ck_assert_int_eq(worker_submit_lane(w, lane, work, done, &jobs[0]), 0);
    ck_assert_uint_eq(wait_at_least(&started, 1, 5000), 1);
    for (int i = 1; i <= 3; i++)
        ck_assert_int_eq(worker_submit_lane_job(w, lane, first, work, NULL, done, &jobs[i]), 0);
    ck_assert_uint_eq(wait_at_least(&first_count, 3, 5000), 3);
    ck_assert_uint_eq(atomic_load(&started), 1); /* their work waits for the slot */
    for (int i = 0; i < 5000 && worker_lane_waiting(lane) < 3; i++)
        sleep_ms(1);
    ck_assert_uint_eq(worker_lane_waiting(lane), 3);
    atomic_store(&gate_open, true);
    ck_assert_uint_eq(wait_at_least(&done_count, 4, 5000), 4);
    ck_assert_int_eq(done_order[0], 0);
    ck_assert_uint_eq(atomic_load(&max_running), 1);
    ck_assert_uint_eq(worker_lane_waiting(lane), 0);
    worker_stop(w);
}
END_TEST

/* worker_stop while jobs are still in their first stage: each still runs
 * its work and done, through the lane. */
START_TEST(stop_runs_jobs_in_their_first_stage)
{
    reset();
    slack = JOBS;
    atomic_store(&first_count, 0);
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, 1);
    for (int i = 0; i < 8; i++) {
        jobs[i].sleep_ms = 5;
        ck_assert_int_eq(worker_submit_lane_job(w, lane, first, work, NULL, done, &jobs[i]), 0);
    }
    worker_stop(w);
    ck_assert_uint_eq(atomic_load(&first_count), 8);
    ck_assert_uint_eq(atomic_load(&done_count), 8);
    ck_assert_uint_eq(atomic_load(&started), 8);
    ck_assert_uint_eq(atomic_load(&max_running), 1);
    for (int i = 0; i < 8; i++)
        ck_assert(atomic_load(&first_ran[i]));
}
END_TEST

/* Batches: what each batch call got, in order. */
static int batch_sizes[JOBS];
static int batch_first[JOBS];
static atomic_uint batches;

static void batch(void **args, size_t n)
{
    unsigned b = atomic_fetch_add(&batches, 1);
    if (b < JOBS) {
        batch_sizes[b] = (int)n;
        batch_first[b] = ((struct job *)args[0])->index;
    }
    for (size_t k = 0; k < n; k++)
        work(args[k]);
}

/* A lane of one slot and batches of up to 4: while job 0 holds the slot,
 * jobs 1-6 (batchable), 7 (not) and 8 (batchable) wait.  Then 1-4 run as
 * one batch, 5-6 as another (7 is not of their kind), 7 alone, and 8 alone
 * (nobody behind it); every done runs, in order. */
START_TEST(batches_take_the_same_kind_behind)
{
    reset();
    slack = JOBS;
    atomic_store(&batches, 0);
    memset(batch_sizes, 0, sizeof batch_sizes);
    struct worker *w;
    ck_assert_int_eq(worker_start(&w, POOL), 0);
    struct worker_lane *lane = worker_lane_new(w, 1);
    worker_lane_set_batch(lane, 4);
    jobs[0].gated = true;
    ck_assert_int_eq(worker_submit_lane_job(w, lane, NULL, work, batch, done, &jobs[0]), 0);
    ck_assert_uint_eq(wait_at_least(&started, 1, 5000), 1);
    for (int i = 1; i <= 8; i++)
        ck_assert_int_eq(
            worker_submit_lane_job(w, lane, NULL, work, i == 7 ? NULL : batch, done, &jobs[i]), 0);
    for (int i = 0; i < 5000 && worker_lane_waiting(lane) < 8; i++)
        sleep_ms(1);
    ck_assert_uint_eq(worker_lane_waiting(lane), 8);
    atomic_store(&gate_open, true);
    ck_assert_uint_eq(wait_at_least(&done_count, 9, 5000), 9);
    for (int i = 0; i <= 8; i++)
        ck_assert_int_eq(done_order[i], i);
    ck_assert_uint_eq(atomic_load(&batches), 2);
    ck_assert_int_eq(batch_sizes[0], 4);
    ck_assert_int_eq(batch_first[0], 1);
    ck_assert_int_eq(batch_sizes[1], 2);
    ck_assert_int_eq(batch_first[1], 5);
    ck_assert_uint_eq(atomic_load(&started), 9);
    ck_assert_uint_eq(worker_lane_waiting(lane), 0);
    for (int i = 0; i < 5000 && worker_pending(w) > 0; i++)
        sleep_ms(1);
    ck_assert_uint_eq(worker_pending(w), 0);
    worker_stop(w);
}
END_TEST

Suite *worker_suite(void);
Suite *worker_suite(void)
{
    Suite *s = suite_create("worker");
    TCase *tc = tcase_create("lanes");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, lane_of_two_runs_two_at_once_in_order);
    tcase_add_test(tc, lane_of_one_completes_in_order);
    tcase_add_test(tc, lane_of_zero_is_unlimited);
    tcase_add_test(tc, lane_waits_off_the_pool);
    tcase_add_test(tc, stop_runs_waiting_lane_jobs);
    tcase_add_test(tc, null_lane_is_plain_submit);
    tcase_add_test(tc, first_stage_runs_outside_the_lane);
    tcase_add_test(tc, stop_runs_jobs_in_their_first_stage);
    tcase_add_test(tc, batches_take_the_same_kind_behind);
    suite_add_tcase(s, tc);
    return s;
}
