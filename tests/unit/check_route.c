/* Unit tests of route: hand-made itineraries, then the search cross-checked
 * against a brute-force enumeration of every path on hundreds of small random
 * timetables (seed printed on failure; ROUTE_TEST_SEED overrides it). */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

#define H 3600
enum { A, B, C, D };

static struct route_connection conn(uint32_t from, uint32_t to, int64_t dep_h, int64_t arr_h,
                                    uint32_t ref, uint8_t mode, uint8_t cls)
{
    return (struct route_connection){.from = from, .to = to, .departs_at = dep_h * H,
                                     .arrives_at = arr_h * H, .ref = ref, .mode = mode,
                                     .cls = cls};
}

/* ---- hand-made cases: simple tariffs ------------------------------------------------ */

struct simple {
    int64_t leg_cost[16];
    bool leg_refused[16];
    int leg_calls[16];
    int64_t min_change;   /* seconds between arrival and the next departure */
    int64_t load, change, discharge;
    int64_t discharge_cls[4]; /* added to discharge, by the arriving leg's class */
    int64_t full_arrival; /* a call at this arrival time is refused (full port window) */
    int64_t full_arrival2;
};

static bool simple_leg(void *arg, const struct route_connection *c, int64_t *cost)
{
    struct simple *s = arg;
    s->leg_calls[c->ref]++;
    *cost = s->leg_cost[c->ref];
    return !s->leg_refused[c->ref];
}

static bool simple_transfer(void *arg, uint32_t node, const struct route_connection *in,
                            const struct route_connection *out, int64_t *cost)
{
    struct simple *s = arg;
    if (in && (in->arrives_at == s->full_arrival || in->arrives_at == s->full_arrival2))
        return false;
    if (!in) {
        *cost = s->load;
        return true;
    }
    if (!out) {
        *cost = s->discharge + s->discharge_cls[in->cls];
        return true;
    }
    if (out->departs_at - in->arrives_at < s->min_change)
        return false;
    *cost = s->change;
    return true;
}

/* The network of most hand-made cases:
 * ref 0: A->C direct 10h->16h, 500      ref 3: A->C direct 11h->22h, 300
 * ref 1: A->B 8h->12h, 100              ref 2: B->C 14h->20h, 100
 * ref 4: B->C 15h->24h, 100
 * With load 10, change 5, discharge 20: direct 530 at 16h; via B 235 at 20h
 * (or at 24h when 2 hours are too short a change); ref 3 330 at 22h. */
static struct route_timetable *corridor(void)
{
    struct route_connection c[] = {
        conn(A, C, 10, 16, 0, 1, 1), conn(A, B, 8, 12, 1, 0, 0), conn(B, C, 14, 20, 2, 0, 0),
        conn(A, C, 11, 22, 3, 0, 0), conn(B, C, 15, 24, 4, 0, 0),
    };
    return route_timetable_build(c, sizeof(c) / sizeof(c[0]), 3);
}

static struct simple corridor_costs(void)
{
    struct simple s = {.leg_cost = {500, 100, 100, 300, 100}, .min_change = 1 * H, .load = 10,
                       .change = 5, .discharge = 20, .full_arrival = -1, .full_arrival2 = -1};
    return s;
}

static struct route_query query(uint32_t from, uint32_t to)
{
    return (struct route_query){.origin = from, .destination = to, .ready_at = 0,
                                .horizon_end = 1000 * H};
}

struct found {
    size_t n;
    enum route_outcome outcome;
    struct route_itinerary it[8];
};

static struct found search(const struct route_timetable *t, const struct route_query *q,
                           struct simple *s)
{
    struct found f;
    struct route_costs costs = {.arg = s, .leg = simple_leg, .transfer = simple_transfer};
    memset(&f, 0, sizeof(f));
    f.n = route_search(t, q, &costs, f.it, 8, &f.outcome);
    for (size_t i = 0; i < 16; i++)
        ck_assert_int_le(s->leg_calls[i], 1);
    memset(s->leg_calls, 0, sizeof(s->leg_calls));
    return f;
}

/* Asserts itinerary i: total cost, arrival hour and the refs of its legs. */
static void expect(const struct found *f, size_t i, int64_t cost, int64_t arr_h, size_t n_legs,
                   const uint32_t *refs)
{
    ck_assert_uint_gt(f->n, i);
    const struct route_itinerary *it = &f->it[i];
    ck_assert_int_eq(it->cost, cost);
    ck_assert_int_eq(it->arrives_at, arr_h * H);
    ck_assert_uint_eq(it->n_legs, n_legs);
    for (size_t k = 0; k < n_legs; k++)
        ck_assert_uint_eq(it->legs[k]->ref, refs[k]);
    ck_assert_int_eq(it->departs_at, it->legs[0]->departs_at);
    ck_assert_int_eq(it->arrives_at, it->legs[n_legs - 1]->arrives_at);
}

START_TEST(test_direct_and_connection_both_returned)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    struct route_stats st;
    q.stats = &st;
    struct found f = search(t, &q, &s);
    ck_assert_int_eq(f.outcome, ROUTE_FOUND);
    ck_assert_uint_eq(f.n, 2); /* ref 3 (330 at 22h) is dearer and later than 235 at 20h */
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    expect(&f, 1, 235, 20, 2, (uint32_t[]){1, 2});
    ck_assert_uint_eq(st.scanned, 5);
    ck_assert_uint_eq(st.leg_calls, 5);
    ck_assert_uint_eq(st.labels, 6); /* the start and one per connection */
    ck_assert_uint_gt(st.transfer_calls, 4);
    route_timetable_free(t);
}
END_TEST

START_TEST(test_too_short_a_change_is_refused)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    s.min_change = 3 * H; /* 12h -> 14h is too short, 12h -> 15h is fine */
    struct route_query q = query(A, C);
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 3);
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    expect(&f, 1, 330, 22, 1, (uint32_t[]){3});
    expect(&f, 2, 235, 24, 2, (uint32_t[]){1, 4});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_max_out_keeps_the_earliest)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    struct route_costs costs = {.arg = &s, .leg = simple_leg, .transfer = simple_transfer};
    struct route_itinerary it[1];
    enum route_outcome o;
    ck_assert_uint_eq(route_search(t, &q, &costs, it, 1, &o), 1);
    ck_assert_int_eq(o, ROUTE_FOUND);
    ck_assert_int_eq(it[0].cost, 530);
    route_timetable_free(t);
}
END_TEST

START_TEST(test_via_forces_the_detour)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    uint32_t via[] = {B};
    q.via = via;
    q.n_via = 1;
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 235, 20, 2, (uint32_t[]){1, 2});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_via_order)
{
    /* A->B->D->C (costs 1+2+4) and A->D->B->C (costs 8+16+32), same times. */
    struct route_connection c[] = {
        conn(A, B, 1, 2, 0, 0, 0), conn(B, D, 3, 4, 1, 0, 0), conn(D, C, 5, 6, 2, 0, 0),
        conn(A, D, 1, 2, 3, 0, 0), conn(D, B, 3, 4, 4, 0, 0), conn(B, C, 5, 6, 5, 0, 0),
        conn(A, C, 1, 7, 6, 0, 0),
    };
    struct route_timetable *t = route_timetable_build(c, 7, 4);
    struct simple s = {.leg_cost = {1, 2, 4, 8, 16, 32, 1000}, .full_arrival = -1, .full_arrival2 = -1};
    struct route_query q = query(A, C);
    uint32_t bd[] = {B, D}, db[] = {D, B};
    q.via = bd;
    q.n_via = 2;
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 7, 6, 3, (uint32_t[]){0, 1, 2});
    q.via = db;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 56, 6, 3, (uint32_t[]){3, 4, 5});
    /* Without via: the direct one is dearer and later than A->B->D->C. */
    q.n_via = 0;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 7, 6, 3, (uint32_t[]){0, 1, 2});
    /* The origin counts as passed: via [A, D, B] is A->D->B->C. */
    uint32_t adb[] = {A, D, B};
    q.via = adb;
    q.n_via = 3;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 56, 6, 3, (uint32_t[]){3, 4, 5});
    /* ... but only once: via [A, A] needs a return to A, which never happens. */
    uint32_t aa[] = {A, A};
    q.via = aa;
    q.n_via = 2;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(f.outcome, ROUTE_NO_CONNECTION);
    q.via = adb;
    q.n_via = 3;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 56, 6, 3, (uint32_t[]){3, 4, 5});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_avoid_modes)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    q.avoid_modes = 1u << 1; /* ref 0 is mode 1 */
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 235, 20, 2, (uint32_t[]){1, 2});
    q.avoid_modes = 1u << 0; /* everything else is mode 0 */
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_max_legs)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    q.max_legs = 1;
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 2);
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    expect(&f, 1, 330, 22, 1, (uint32_t[]){3});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_max_legs_keeps_fewer_legs_dearer)
{
    /* At C, A->B->C (2 legs, cost 2, 4h) beats A->C (1 leg, cost 50, 5h) on
     * time and cost; then C->E->D.  With max_legs 3 only A->C->E->D fits. */
    enum { E = 4 };
    struct route_connection c[] = {
        conn(A, B, 1, 2, 0, 0, 0), conn(B, C, 3, 4, 1, 0, 0), conn(A, C, 1, 5, 2, 0, 0),
        conn(C, E, 6, 7, 3, 0, 0), conn(E, D, 8, 9, 4, 0, 0),
    };
    struct route_timetable *t = route_timetable_build(c, 5, 5);
    struct simple s = {.leg_cost = {1, 1, 50, 1, 1}, .full_arrival = -1, .full_arrival2 = -1};
    struct route_query q = query(A, D);
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 4, 9, 4, (uint32_t[]){0, 1, 3, 4});
    q.max_legs = 3;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 52, 9, 3, (uint32_t[]){2, 3, 4});
    q.max_legs = 2;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(f.outcome, ROUTE_NO_CONNECTION);
    route_timetable_free(t);

    /* The same when the dearer one arrives at C after the cheaper one. */
    c[2] = conn(A, C, 3, 5, 2, 0, 0);
    t = route_timetable_build(c, 5, 5);
    q.max_legs = 3;
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 52, 9, 3, (uint32_t[]){2, 3, 4});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_older_cheaper_arrival_with_more_legs)
{
    /* At B, three arrivals none of which dominates another: by A->B at 10h
     * (50, 1 leg), at 9h (60, 1 leg), and by A->D->E->B at 8h (20, 3 legs).
     * Leaving B at 12h, the oldest is the cheapest. */
    enum { E = 4 };
    struct route_connection c[] = {
        conn(A, B, 1, 10, 0, 0, 0), conn(A, B, 1, 9, 1, 0, 0), conn(A, D, 1, 2, 2, 0, 0),
        conn(D, E, 3, 4, 3, 0, 0),  conn(E, B, 5, 8, 4, 0, 0), conn(B, C, 12, 13, 5, 0, 0),
    };
    struct route_timetable *t = route_timetable_build(c, 6, 5);
    struct simple s = {.leg_cost = {50, 60, 5, 5, 10, 1}, .full_arrival = -1, .full_arrival2 = -1};
    struct route_query q = query(A, C);
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 21, 13, 4, (uint32_t[]){2, 3, 4, 5});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_outcomes)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(C, A); /* nothing leaves C */
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(f.outcome, ROUTE_NO_CONNECTION);
    q = query(A, C);
    q.ready_at = 16 * H; /* everything has left */
    f = search(t, &q, &s);
    ck_assert_int_eq(f.outcome, ROUTE_NO_CONNECTION);
    q = query(A, C);
    for (int i = 0; i < 5; i++)
        s.leg_refused[i] = true; /* e.g. every departure full */
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 0);
    ck_assert_int_eq(f.outcome, ROUTE_ONLY_INFEASIBLE);
    s = corridor_costs();
    s.discharge = 0;
    s.min_change = 100 * H;     /* no change possible */
    s.leg_refused[0] = true;    /* the direct ones refused */
    s.leg_refused[3] = true;
    f = search(t, &q, &s);
    ck_assert_int_eq(f.outcome, ROUTE_ONLY_INFEASIBLE);
    q.origin = 7; /* out of range */
    f = search(t, &q, &s);
    ck_assert_int_eq(f.outcome, ROUTE_NO_CONNECTION);
    route_timetable_free(t);
}
END_TEST

START_TEST(test_ready_at_and_horizon)
{
    struct route_timetable *t = corridor();
    struct simple s = corridor_costs();
    struct route_query q = query(A, C);
    q.ready_at = 9 * H; /* ref 1 (8h) has left */
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 2);
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    expect(&f, 1, 330, 22, 1, (uint32_t[]){3});
    q.ready_at = 0;
    q.horizon_end = 10 * H; /* departures at 10h count, their arrival may be later */
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 530, 16, 1, (uint32_t[]){0});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_full_window_at_earlier_arrival)
{
    /* Two A->B legs in the same class; the earlier and cheaper one arrives
     * at 10h, when the window at B is full.  The later one must be used. */
    struct route_connection c[] = {
        conn(A, B, 8, 10, 0, 0, 0), conn(A, B, 9, 11, 1, 0, 0), conn(B, C, 13, 15, 2, 0, 0),
    };
    struct route_timetable *t = route_timetable_build(c, 3, 3);
    struct simple s = {.leg_cost = {100, 150, 100}, .load = 10, .change = 5, .discharge = 20,
                       .full_arrival = 10 * H, .full_arrival2 = -1};
    struct route_query q = query(A, C);
    struct found f = search(t, &q, &s);
    ck_assert_int_eq(f.outcome, ROUTE_FOUND);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 285, 15, 2, (uint32_t[]){1, 2});
    q = query(A, B); /* the discharge at B at 10h is refused too */
    f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 180, 11, 1, (uint32_t[]){1});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_discharge_counts_before_pruning)
{
    /* The first arrival costs 100 + 50 to discharge; the later one 120 + 0:
     * a result of 150 must not hide a partial itinerary of 120. */
    struct route_connection c[] = {conn(A, C, 1, 10, 0, 0, 0), conn(A, C, 2, 12, 1, 0, 1)};
    struct route_timetable *t = route_timetable_build(c, 2, 3);
    struct simple s = {.leg_cost = {100, 120}, .discharge_cls = {50, 0}, .full_arrival = -1, .full_arrival2 = -1};
    struct route_query q = query(A, C);
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 2);
    expect(&f, 0, 150, 10, 1, (uint32_t[]){0});
    expect(&f, 1, 120, 12, 1, (uint32_t[]){1});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_full_windows_at_two_earlier_arrivals)
{
    /* Three A->B legs in one class, scanned in departure order: 11h (150),
     * then 12h (200, dominated by the first), then 10h (100, dominating both).
     * The windows at B are full at 10h and 11h: only the 12h one can go on. */
    struct route_connection c[] = {
        conn(A, B, 5, 11, 0, 0, 0), conn(A, B, 6, 12, 1, 0, 0), conn(A, B, 7, 10, 2, 0, 0),
        conn(B, C, 14, 15, 3, 0, 0),
    };
    struct route_timetable *t = route_timetable_build(c, 4, 3);
    struct simple s = {.leg_cost = {150, 200, 100, 100}, .load = 10, .change = 5,
                       .discharge = 20, .full_arrival = 10 * H, .full_arrival2 = 11 * H};
    struct route_query q = query(A, C);
    struct found f = search(t, &q, &s);
    ck_assert_uint_eq(f.n, 1);
    expect(&f, 0, 335, 15, 2, (uint32_t[]){1, 3});
    route_timetable_free(t);
}
END_TEST

START_TEST(test_timetable_build)
{
    struct route_connection c[] = {
        conn(A, B, 5, 6, 0, 0, 0), conn(A, A, 1, 2, 1, 0, 0), conn(A, B, 3, 3, 2, 0, 0),
        conn(B, C, 1, 9, 3, 0, 0), conn(B, C, 1, 4, 4, 0, 0), conn(A, C, 1, 4, 5, 0, 0),
        conn(A, D, 1, 2, 6, 0, 0), /* node 3 is out of range for 3 nodes */
    };
    struct route_timetable *t = route_timetable_build(c, 7, 3);
    ck_assert_uint_eq(route_timetable_size(t), 4);
    uint32_t order[] = {4, 5, 3, 0};
    for (size_t i = 0; i < 4; i++)
        ck_assert_uint_eq(route_timetable_at(t, i)->ref, order[i]);
    route_timetable_free(t);
}
END_TEST

/* ---- brute force cross-check -------------------------------------------------------- */

#define MAXN 8
#define MAXC 100

static uint64_t rng_state;
static uint64_t rnd(void)
{
    uint64_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return rng_state = x;
}
static int64_t rndi(int64_t lo, int64_t hi) /* inclusive */
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}
static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t x = (a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2))) * 0xff51afd7ed558ccdULL;
    return x ^ (x >> 29);
}

/* Random tariffs that depend only on what route.h allows.  Refusals are
 * arbitrary (including by arrival time: full windows); an accepted change
 * costs more, never less, for a later arrival (a rush fee). */
struct world {
    uint64_t salt;
    uint64_t rarity; /* about one in this many calls or legs is refused */
    int64_t ready_at;
    int64_t leg_cost[MAXC];
    bool leg_refused[MAXC];
    int leg_calls[MAXC];
    int64_t min_change[MAXN][4][4];
    int64_t change_cost[MAXN][4][8][4];
    int64_t rush_window[MAXN], rush_fee[MAXN];
    int64_t load[MAXN][4], discharge[MAXN][4][8];
    bool counting;
};

static bool window_full(const struct world *w, uint32_t node, int64_t at)
{
    return mix(w->salt ^ node, (uint64_t)(at / 10)) % w->rarity == 0;
}

static bool world_leg(void *arg, const struct route_connection *c, int64_t *cost)
{
    struct world *w = arg;
    if (w->counting)
        w->leg_calls[c->ref]++;
    *cost = w->leg_cost[c->ref];
    return !w->leg_refused[c->ref];
}

static bool world_transfer(void *arg, uint32_t node, const struct route_connection *in,
                           const struct route_connection *out, int64_t *cost)
{
    const struct world *w = arg;
    if (!in) {
        if (mix(w->salt + node, (uint64_t)out->departs_at * 31 + out->cls * 7 + out->mode) %
                w->rarity ==
            0)
            return false;
        *cost = w->load[node][out->cls] + (w->ready_at % 3);
        return true;
    }
    if (!out) {
        if (in->mode == 2 && window_full(w, node, in->arrives_at))
            return false;
        *cost = w->discharge[node][in->cls][in->mode];
        return true;
    }
    int64_t dwell = out->departs_at - in->arrives_at;
    if (dwell < w->min_change[node][in->cls][out->cls])
        return false;
    bool call = in->cls != out->cls || in->mode != out->mode;
    if (call && window_full(w, node, in->arrives_at))
        return false;
    if (mix(w->salt * 3 + node, in->cls * 64 + in->mode * 8 + out->cls * 2 + out->mode) %
            (2 * w->rarity) ==
        0)
        return false;
    *cost = w->change_cost[node][in->cls][in->mode][out->cls] + (int64_t)(out->departs_at % 4) +
            (dwell < w->rush_window[node] ? w->rush_fee[node] : 0);
    return true;
}

struct pair {
    int64_t arr, cost;
};

struct brute {
    const struct route_connection *c;
    size_t n;
    const struct route_query *q;
    struct world *w;
    size_t max_legs;
    bool relaxed_reached;
    struct pair front[256];
    size_t n_front;
    long steps;
};

static void front_add(struct brute *b, int64_t arr, int64_t cost)
{
    size_t j = 0;
    for (size_t i = 0; i < b->n_front; i++)
        if (b->front[i].arr <= arr && b->front[i].cost <= cost)
            return;
    for (size_t i = 0; i < b->n_front; i++)
        if (!(arr <= b->front[i].arr && cost <= b->front[i].cost))
            b->front[j++] = b->front[i];
    b->front[j++] = (struct pair){arr, cost};
    b->n_front = j;
}

/* Every path from node, having arrived by in (NULL at the origin). */
static void dfs(struct brute *b, uint32_t node, const struct route_connection *in, int64_t cost,
                size_t legs, size_t via, bool feasible)
{
    const struct route_query *q = b->q;
    int64_t avail = in ? in->arrives_at : q->ready_at;
    b->steps++;
    if (legs == b->max_legs || (!feasible && b->relaxed_reached))
        return;
    for (size_t i = 0; i < b->n; i++) {
        const struct route_connection *c = &b->c[i];
        if (c->from != node || c->departs_at < avail || c->departs_at > q->horizon_end ||
            ((q->avoid_modes >> c->mode) & 1u))
            continue;
        int64_t lc = 0, tc = 0, dc = 0;
        bool ok = feasible && world_leg(b->w, c, &lc) && world_transfer(b->w, node, in, c, &tc);
        size_t v = via + (via < q->n_via && q->via[via] == c->to);
        if (c->to == q->destination && v == q->n_via) {
            b->relaxed_reached = true;
            if (ok && world_transfer(b->w, c->to, c, NULL, &dc))
                front_add(b, c->arrives_at, cost + lc + tc + dc);
        }
        dfs(b, c->to, c, cost + lc + tc, legs + 1, v, ok);
    }
}

/* Checks that it is a valid itinerary for q and that its cost is what the
 * callbacks say. */
static void check_itinerary(const struct route_itinerary *it, const struct route_query *q,
                            struct world *w, size_t max_legs, const char *where)
{
    int64_t cost = 0, c1;
    size_t via = q->n_via > 0 && q->via[0] == q->origin;
    const struct route_connection *prev = NULL;
    ck_assert_msg(it->n_legs >= 1 && it->n_legs <= max_legs, "%s: %zu legs", where, it->n_legs);
    for (size_t i = 0; i < it->n_legs; i++) {
        const struct route_connection *c = it->legs[i];
        ck_assert_msg(c->from == (prev ? prev->to : q->origin), "%s: legs do not chain", where);
        ck_assert_msg(c->departs_at >= (prev ? prev->arrives_at : q->ready_at), "%s: time", where);
        ck_assert_msg(c->departs_at <= q->horizon_end, "%s: beyond horizon", where);
        ck_assert_msg(!((q->avoid_modes >> c->mode) & 1u), "%s: avoided mode", where);
        ck_assert_msg(world_leg(w, c, &c1), "%s: refused leg used", where);
        cost += c1;
        ck_assert_msg(world_transfer(w, c->from, prev, c, &c1), "%s: refused transfer", where);
        cost += c1;
        via += via < q->n_via && q->via[via] == c->to;
        prev = c;
    }
    ck_assert_msg(prev->to == q->destination, "%s: ends elsewhere", where);
    ck_assert_msg(world_transfer(w, prev->to, prev, NULL, &c1), "%s: refused discharge", where);
    cost += c1;
    ck_assert_msg(via == q->n_via, "%s: via not passed", where);
    ck_assert_msg(cost == it->cost, "%s: cost %lld, callbacks say %lld", where,
                  (long long)it->cost, (long long)cost);
    ck_assert_msg(it->departs_at == it->legs[0]->departs_at && it->arrives_at == prev->arrives_at,
                  "%s: times", where);
}

static int cmp_pair(const void *pa, const void *pb)
{
    const struct pair *a = pa, *b = pb;
    if (a->arr != b->arr)
        return a->arr < b->arr ? -1 : 1;
    return (a->cost > b->cost) - (a->cost < b->cost);
}

static void random_world(struct world *w, uint32_t n_nodes)
{
    memset(w, 0, sizeof(*w));
    w->salt = rnd();
    w->rarity = (uint64_t)rndi(4, 16);
    for (int i = 0; i < MAXC; i++) {
        w->leg_cost[i] = rndi(0, 60);
        w->leg_refused[i] = rndi(0, 2 * w->rarity) == 0;
    }
    for (uint32_t n = 0; n < n_nodes; n++) {
        w->rush_window[n] = rndi(0, 20);
        w->rush_fee[n] = rndi(0, 15);
        for (int a = 0; a < 4; a++) {
            w->load[n][a] = rndi(0, 10);
            for (int m = 0; m < 8; m++)
                w->discharge[n][a][m] = rndi(0, 40);
            for (int b2 = 0; b2 < 4; b2++) {
                w->min_change[n][a][b2] = rndi(0, 4);
                for (int m = 0; m < 8; m++)
                    w->change_cost[n][a][m][b2] = rndi(0, 10);
            }
        }
    }
}

/* Either connections on random node pairs at random times, or a few links
 * each with several departures of similar duration and price (so partial
 * itineraries meet in the same bags, where dominance and its exceptions
 * matter).  Few or many modes and classes, likewise. */
static void random_timetable(struct route_connection *c, size_t n, uint32_t n_nodes,
                             int64_t span, struct world *w)
{
    uint8_t max_mode = (uint8_t)rndi(0, 2), max_cls = (uint8_t)rndi(0, 3);
    struct route_connection link[4 * MAXN];
    int64_t link_cost[4 * MAXN];
    size_t n_links = 0;
    if (rndi(0, 2)) {
        /* A connected network: a random tree plus a few more edges, both ways. */
        size_t n_edges = n_nodes - 1 + (size_t)rndi(0, n_nodes);
        for (size_t e = 0; e < n_edges; e++) {
            struct route_connection *l = &link[n_links];
            l->from = e + 1 < n_nodes ? (uint32_t)(e + 1) : (uint32_t)rndi(0, n_nodes - 1);
            do
                l->to = (uint32_t)rndi(0, e + 1 < n_nodes ? (int64_t)e : n_nodes - 1);
            while (l->to == l->from);
            l->arrives_at = rndi(1, span / 8); /* the duration */
            l->mode = (uint8_t)rndi(0, max_mode);
            l->cls = (uint8_t)rndi(0, max_cls);
            link_cost[n_links] = rndi(0, 50);
            link[n_links + 1] = *l;
            link[n_links + 1].from = l->to;
            link[n_links + 1].to = l->from;
            link_cost[n_links + 1] = link_cost[n_links] + rndi(-3, 3);
            n_links += 2;
        }
    }
    for (size_t i = 0; i < n; i++) {
        c[i].departs_at = rndi(0, span);
        c[i].ref = (uint32_t)i;
        if (n_links) {
            size_t l = (size_t)rndi(0, (int64_t)n_links - 1);
            c[i].from = link[l].from;
            c[i].to = link[l].to;
            c[i].arrives_at = c[i].departs_at + link[l].arrives_at + rndi(0, 2);
            c[i].mode = link[l].mode;
            c[i].cls = link[l].cls;
            w->leg_cost[i] = link_cost[l] + rndi(3, 8);
            if (rndi(0, 3) == 0) { /* a slow and cheap service */
                c[i].arrives_at += 2 * link[l].arrives_at;
                w->leg_cost[i] /= 3;
            }
            continue;
        }
        c[i].from = (uint32_t)rndi(0, n_nodes - 1);
        do
            c[i].to = (uint32_t)rndi(0, n_nodes - 1);
        while (c[i].to == c[i].from);
        c[i].arrives_at = c[i].departs_at + rndi(1, span / 6);
        c[i].mode = (uint8_t)rndi(0, max_mode);
        c[i].cls = (uint8_t)rndi(0, max_cls);
    }
}

START_TEST(test_matches_brute_force)
{
    uint64_t seed = 0x5eed2026c0441dULL;
    const char *env = getenv("ROUTE_TEST_SEED");
    if (env)
        seed = strtoull(env, NULL, 0);
    rng_state = seed;
    static struct world w;
    long total_steps = 0;
    size_t nonempty = 0, infeasible = 0, multi = 0;
    for (int iter = 0; iter < 3000; iter++) {
        uint64_t iter_state = rng_state;
        char where[128];
        snprintf(where, sizeof(where), "seed 0x%llx iteration %d (ROUTE_TEST_SEED=0x%llx)",
                 (unsigned long long)seed, iter, (unsigned long long)iter_state);
        /* Mostly 5-8 nodes and 20-60 connections; one in four is denser. */
        bool dense = rndi(0, 3) == 0;
        uint32_t n_nodes = dense ? 5 : (uint32_t)rndi(5, 8);
        size_t n = dense ? (size_t)rndi(60, MAXC) : (size_t)rndi(20, 60);
        int64_t span = (int64_t[]){30, 40, 60}[rndi(0, 2)];
        struct route_connection c[MAXC];
        random_world(&w, n_nodes);
        random_timetable(c, n, n_nodes, span, &w);
        struct route_timetable *t = route_timetable_build(c, n, n_nodes);
        for (int qi = 0; qi < 3; qi++) {
            struct route_query q = {.origin = (uint32_t)rndi(0, n_nodes - 1)};
            do
                q.destination = (uint32_t)rndi(0, n_nodes - 1);
            while (q.destination == q.origin);
            uint32_t via[2];
            q.ready_at = rndi(0, span / 6);
            q.horizon_end = rndi(span / 2, span);
            if (rndi(0, 2) == 0) {
                q.n_via = (size_t)rndi(1, 2);
                for (size_t k = 0; k < q.n_via; k++)
                    via[k] = (uint32_t)rndi(0, n_nodes - 1);
                q.via = via;
            }
            if (rndi(0, 4) == 0)
                q.avoid_modes = 1u << rndi(0, 2);
            q.max_legs = rndi(0, 1) ? 0 : (size_t)rndi(1, 5);
            w.ready_at = q.ready_at;

            struct brute b = {.c = c, .n = n, .q = &q, .w = &w,
                              .max_legs = q.max_legs ? q.max_legs : ROUTE_DEFAULT_MAX_LEGS};
            dfs(&b, q.origin, NULL, 0, 0, q.n_via > 0 && via[0] == q.origin, true);
            total_steps += b.steps;
            qsort(b.front, b.n_front, sizeof(b.front[0]), cmp_pair);

            struct route_itinerary it[256];
            enum route_outcome outcome;
            struct route_costs costs = {.arg = &w, .leg = world_leg, .transfer = world_transfer};
            memset(w.leg_calls, 0, sizeof(w.leg_calls));
            w.counting = true;
            size_t got = route_search(t, &q, &costs, it, 256, &outcome);
            w.counting = false;

            for (size_t i = 0; i < n; i++)
                ck_assert_msg(w.leg_calls[i] <= 1, "%s query %d: leg %zu called %d times", where,
                              qi, i, w.leg_calls[i]);
            ck_assert_msg(got == b.n_front, "%s query %d: %zu itineraries, brute force %zu",
                          where, qi, got, b.n_front);
            for (size_t i = 0; i < got; i++) {
                ck_assert_msg(it[i].arrives_at == b.front[i].arr && it[i].cost == b.front[i].cost,
                              "%s query %d: #%zu is (%lld, %lld), brute force (%lld, %lld)", where,
                              qi, i, (long long)it[i].arrives_at, (long long)it[i].cost,
                              (long long)b.front[i].arr, (long long)b.front[i].cost);
                check_itinerary(&it[i], &q, &w, b.max_legs, where);
            }
            enum route_outcome want = b.n_front          ? ROUTE_FOUND
                                      : b.relaxed_reached ? ROUTE_ONLY_INFEASIBLE
                                                          : ROUTE_NO_CONNECTION;
            ck_assert_msg(outcome == want, "%s query %d: outcome %d, brute force %d", where, qi,
                          (int)outcome, (int)want);
            nonempty += got > 0;
            multi += got > 1;
            infeasible += outcome == ROUTE_ONLY_INFEASIBLE;
        }
        route_timetable_free(t);
    }
    /* The generator must exercise the interesting cases, or the test proves little. */
    ck_assert_uint_gt(nonempty, 3000);
    ck_assert_uint_gt(infeasible, 400);
    ck_assert_uint_gt(multi, 1200);
    fprintf(stderr, "\nroute brute force: %zu of 9000 queries found itineraries (%zu more than "
                    "one), %zu only infeasible, %ld brute-force steps\n",
            nonempty, multi, infeasible, total_steps);
}
END_TEST

/* Many threads searching one timetable get what one thread gets. */
#define SHARED_QUERIES 40
struct shared {
    struct route_timetable *t;
    struct world *w;
    struct route_query q[SHARED_QUERIES];
    size_t n[SHARED_QUERIES];
    struct pair first[SHARED_QUERIES], last[SHARED_QUERIES];
    int mismatches[4];
};
struct worker_arg {
    struct shared *sh;
    int id;
};

static void *search_all(void *p)
{
    struct worker_arg *a = p;
    struct shared *sh = a->sh;
    struct route_costs costs = {.arg = sh->w, .leg = world_leg, .transfer = world_transfer};
    struct route_itinerary *it = malloc(64 * sizeof(*it));
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < SHARED_QUERIES; i++) {
            enum route_outcome o;
            size_t n = route_search(sh->t, &sh->q[i], &costs, it, 64, &o);
            if (n != sh->n[i] ||
                (n > 0 && (it[0].arrives_at != sh->first[i].arr ||
                           it[0].cost != sh->first[i].cost ||
                           it[n - 1].arrives_at != sh->last[i].arr ||
                           it[n - 1].cost != sh->last[i].cost)))
                sh->mismatches[a->id]++;
        }
    free(it);
    return NULL;
}

START_TEST(test_concurrent_searches_share_a_timetable)
{
    static struct world w;
    static struct shared sh;
    struct route_connection c[MAXC];
    rng_state = 0x7e57ab1e;
    random_world(&w, 6);
    w.ready_at = 0; /* the same for every query below */
    random_timetable(c, MAXC, 6, 60, &w);
    sh.t = route_timetable_build(c, MAXC, 6);
    sh.w = &w;
    struct route_costs costs = {.arg = &w, .leg = world_leg, .transfer = world_transfer};
    struct route_itinerary it[64];
    size_t found = 0;
    for (int i = 0; i < SHARED_QUERIES; i++) {
        enum route_outcome o;
        sh.q[i] = (struct route_query){.origin = (uint32_t)(i % 6),
                                       .destination = (uint32_t)((i / 6 + 1 + i % 6) % 6),
                                       .horizon_end = 60};
        sh.n[i] = route_search(sh.t, &sh.q[i], &costs, it, 64, &o);
        if (sh.n[i] > 0) {
            sh.first[i] = (struct pair){it[0].arrives_at, it[0].cost};
            sh.last[i] = (struct pair){it[sh.n[i] - 1].arrives_at, it[sh.n[i] - 1].cost};
            found++;
        }
    }
    ck_assert_uint_gt(found, 10);
    pthread_t th[4];
    struct worker_arg args[4];
    for (int k = 0; k < 4; k++) {
        args[k] = (struct worker_arg){&sh, k};
        ck_assert_int_eq(pthread_create(&th[k], NULL, search_all, &args[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        ck_assert_int_eq(sh.mismatches[k], 0);
    }
    route_timetable_free(sh.t);
}
END_TEST

Suite *route_suite(void);
Suite *route_suite(void)
{
    Suite *s = suite_create("route");
    TCase *tc = tcase_create("hand-made");
    tcase_add_test(tc, test_direct_and_connection_both_returned);
    tcase_add_test(tc, test_too_short_a_change_is_refused);
    tcase_add_test(tc, test_max_out_keeps_the_earliest);
    tcase_add_test(tc, test_via_forces_the_detour);
    tcase_add_test(tc, test_via_order);
    tcase_add_test(tc, test_avoid_modes);
    tcase_add_test(tc, test_max_legs);
    tcase_add_test(tc, test_max_legs_keeps_fewer_legs_dearer);
    tcase_add_test(tc, test_older_cheaper_arrival_with_more_legs);
    tcase_add_test(tc, test_outcomes);
    tcase_add_test(tc, test_ready_at_and_horizon);
    tcase_add_test(tc, test_full_window_at_earlier_arrival);
    tcase_add_test(tc, test_discharge_counts_before_pruning);
    tcase_add_test(tc, test_full_windows_at_two_earlier_arrivals);
    tcase_add_test(tc, test_timetable_build);
    suite_add_tcase(s, tc);
    TCase *bf = tcase_create("brute force");
    tcase_set_timeout(bf, 120);
    tcase_add_test(bf, test_matches_brute_force);
    tcase_add_test(bf, test_concurrent_searches_share_a_timetable);
    suite_add_tcase(s, bf);
    return s;
}
