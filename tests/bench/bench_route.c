/* bench_route: itinerary search time on synthetic timetables of growing size.
 *
 *   build/bench/bench_route [-r REPEAT] [-q QUERIES] [corridor|10k|100k|1m ...]
 *
 * (default: all four sizes).  With -r, each query runs REPEAT times and its
 * fastest run counts (less noise from other processes on a shared machine);
 * -q overrides the number of queries (e.g. a few under valgrind).
 * Each network is a random geometric graph (nodes on a plane, links to near
 * neighbours, a chain that keeps it connected), every link both ways, with
 * departures spread over 90 days.  Queries pick a random origin and
 * destination, a ready time in the first 60 days and a 30-day horizon.
 * Callbacks are cheap: a leg costs its (Manhattan) distance times a rate per mode, a
 * change needs 2 hours and costs a handling fee when the class changes, a sea
 * leg pays a port fee at both ends.  Prints one line per size: median and
 * p99 microseconds per query, and the labels (partial itineraries) created. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route.h"
#include "xmem.h"

#define DAY 86400
#define HOUR 3600

enum { RAIL, SEA, ROAD };

struct size_spec {
    const char *name;
    uint32_t nodes, links; /* links counted one way; each runs both ways */
    size_t connections;
    int queries;
    double width_km, height_km;
};

static const struct size_spec SIZES[] = {
    {"corridor", 40, 50, 3000, 2000, 600, 2500},
    {"10k", 200, 300, 10000, 1000, 2000, 2000},
    {"100k", 700, 1050, 100000, 300, 4000, 4000},
    {"1m", 2000, 3000, 1000000, 100, 6000, 6000},
};

struct network {
    uint32_t n_nodes;
    double *x, *y;
    uint32_t n_links;
    uint32_t *from, *to;
    uint8_t *mode, *cls;
    int64_t *duration;
    int n_levels; /* links of level l: [level_first[l], level_first[l] + level_count[l]) */
    uint32_t level_first[3], level_count[3];
};

/* The leg callback prices from the node coordinates (a table that stays in
 * cache), like a tariff by distance band would. */
struct bench_costs {
    const int32_t *xkm, *ykm;
};

static const int64_t PER_KM[3] = {180, 120, 350}; /* rail, sea, road: minor units per km */

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static uint64_t rndn(uint64_t n)
{
    return rnd() % n;
}

static double clock_us(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* Wall time is what a client sees; this thread's CPU time leaves out the
 * time other processes on the shared machine took the core. */
static double now_us(void)
{
    return clock_us(CLOCK_MONOTONIC);
}
static double cpu_us(void)
{
    return clock_us(CLOCK_THREAD_CPUTIME_ID);
}

static bool leg_cost(void *arg, const struct route_connection *c, int64_t *cost)
{
    const struct bench_costs *b = arg;
    int64_t km = labs((long)(b->xkm[c->from] - b->xkm[c->to])) +
                 labs((long)(b->ykm[c->from] - b->ykm[c->to])) + 20;
    *cost = km * PER_KM[c->mode];
    return true;
}

static bool transfer_cost(void *arg, uint32_t node, const struct route_connection *in,
                          const struct route_connection *out, int64_t *cost)
{
    (void)arg;
    (void)node;
    *cost = 0;
    if (!in) {
        *cost = out->mode == SEA ? 15000 : 0;
        return true;
    }
    if (!out) {
        *cost = in->mode == SEA ? 15000 : 0;
        return true;
    }
    if (out->departs_at - in->arrives_at < 2 * HOUR)
        return false;
    if (in->cls != out->cls)
        *cost = in->mode == SEA || out->mode == SEA ? 15000 : 8000;
    return true;
}

static bool linked(const struct network *n, uint32_t a, uint32_t b)
{
    for (uint32_t i = 0; i < n->n_links; i++)
        if ((n->from[i] == a && n->to[i] == b) || (n->from[i] == b && n->to[i] == a))
            return true;
    return false;
}

static void add_link(struct network *n, uint32_t a, uint32_t b)
{
    uint32_t i = n->n_links;
    double km = hypot(n->x[a] - n->x[b], n->y[a] - n->y[b]) + 20;
    uint8_t mode = rndn(100) < 80 ? RAIL : rndn(3) ? SEA : ROAD;
    double kmh = mode == RAIL ? 35 : mode == SEA ? 22 : 55;
    uint8_t gauge = (uint8_t)(n->x[a] + n->x[b] > n->x[n->n_nodes - 1] ? 1 : 0);
    for (int dir = 0; dir < 2; dir++) {
        n->from[i + dir] = dir ? b : a;
        n->to[i + dir] = dir ? a : b;
        n->mode[i + dir] = mode;
        n->cls[i + dir] = (uint8_t)(mode * 2 + (mode == RAIL ? gauge : 0));
        n->duration[i + dir] = (int64_t)(km / kmh * HOUR) + 2 * HOUR;
    }
    n->n_links += 2;
}

/* Links among the nodes whose index is a multiple of stride: a chain by x
 * keeps them connected, then random members are joined to one of their four
 * nearest fellow members until there are n_links (one way). */
static void link_level(struct network *n, uint32_t stride, uint32_t n_links)
{
    uint32_t first = n->n_links, tries = 0;
    for (uint32_t i = stride; i < n->n_nodes; i += stride)
        add_link(n, i - stride, i);
    while (n->n_links - first < 2 * n_links && tries++ < 100 * n_links) {
        uint32_t a = (uint32_t)rndn(n->n_nodes / stride) * stride, near[4] = {a, a, a, a};
        double dist[4] = {INFINITY, INFINITY, INFINITY, INFINITY};
        for (uint32_t b = 0; b < n->n_nodes; b += stride) {
            double d = hypot(n->x[a] - n->x[b], n->y[a] - n->y[b]);
            if (b == a || d >= dist[3])
                continue;
            int k = 3;
            while (k > 0 && dist[k - 1] > d) {
                dist[k] = dist[k - 1];
                near[k] = near[k - 1];
                k--;
            }
            dist[k] = d;
            near[k] = b;
        }
        uint32_t b = near[rndn(4)];
        if (b != a && !linked(n, a, b))
            add_link(n, a, b);
    }
}

/* Nodes on a plane, sorted by x.  Local links join near neighbours; in the
 * larger networks every 10th node is also a hub on a trunk network and every
 * 100th a gateway on a long-haul one, so that an itinerary needs a handful of
 * legs rather than dozens (like a real freight network). */
static void build_network(struct network *n, const struct size_spec *sz)
{
    memset(n, 0, sizeof(*n));
    n->n_nodes = sz->nodes;
    n->x = xcalloc(sz->nodes, sizeof(double));
    n->y = xcalloc(sz->nodes, sizeof(double));
    for (uint32_t i = 0; i < sz->nodes; i++) {
        n->x[i] = (double)rndn(1000000) / 1e6 * sz->width_km;
        n->y[i] = (double)rndn(1000000) / 1e6 * sz->height_km;
    }
    for (uint32_t gap = sz->nodes / 2; gap > 0; gap /= 2) /* shell sort by x */
        for (uint32_t i = gap; i < sz->nodes; i++)
            for (uint32_t j = i; j >= gap && n->x[j - gap] > n->x[j]; j -= gap) {
                double tx = n->x[j], ty = n->y[j];
                n->x[j] = n->x[j - gap];
                n->y[j] = n->y[j - gap];
                n->x[j - gap] = tx;
                n->y[j - gap] = ty;
            }
    size_t cap = 4 * ((size_t)sz->links + sz->nodes);
    n->from = xcalloc(cap, sizeof(uint32_t));
    n->to = xcalloc(cap, sizeof(uint32_t));
    n->mode = xcalloc(cap, 1);
    n->cls = xcalloc(cap, 1);
    n->duration = xcalloc(cap, sizeof(int64_t));
    uint32_t stride = 1;
    for (int level = 0; level < 3 && sz->nodes / stride >= 10; level++, stride *= 10) {
        n->level_first[level] = n->n_links;
        link_level(n, stride, level == 0 ? sz->links : 2 * (sz->nodes / stride));
        n->level_count[level] = n->n_links - n->level_first[level];
        n->n_levels = level + 1;
    }
}

static void free_network(struct network *n)
{
    free(n->x);
    free(n->y);
    free(n->from);
    free(n->to);
    free(n->mode);
    free(n->cls);
    free(n->duration);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}
static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

static void run(struct size_spec sz_copy, int repeat, int queries)
{
    const struct size_spec *sz = &sz_copy;
    if (queries > 0)
        sz_copy.queries = queries;
    struct network net;
    build_network(&net, sz);
    const int64_t t0 = 1767225600; /* 2026-01-01 */
    struct route_connection *c = xreallocarray(NULL, sz->connections, sizeof(*c));
    for (size_t i = 0; i < sz->connections; i++) {
        /* Every link has a departure; then half the departures are local,
         * the rest on the trunk and long-haul links. */
        int level = net.n_levels == 1 ? 0 : rndn(2) ? 0 : 1 + (int)rndn((uint64_t)net.n_levels - 1);
        uint32_t l = (uint32_t)(i < net.n_links ? i
                                                : net.level_first[level] +
                                                      rndn(net.level_count[level]));
        int64_t dep = t0 + (int64_t)rndn(90 * DAY / 600) * 600;
        c[i] = (struct route_connection){.from = net.from[l], .to = net.to[l], .departs_at = dep,
                                         .arrives_at = dep + net.duration[l] +
                                                       (int64_t)rndn(4) * HOUR,
                                         .ref = (uint32_t)i, .mode = net.mode[l],
                                         .cls = net.cls[l]};
    }
    double b0 = now_us();
    struct route_timetable *t = route_timetable_build(c, sz->connections, net.n_nodes);
    double build_ms = (now_us() - b0) / 1e3;
    free(c);

    int32_t *xkm = xreallocarray(NULL, net.n_nodes, sizeof(*xkm));
    int32_t *ykm = xreallocarray(NULL, net.n_nodes, sizeof(*ykm));
    for (uint32_t i = 0; i < net.n_nodes; i++) {
        xkm[i] = (int32_t)net.x[i];
        ykm[i] = (int32_t)net.y[i];
    }
    struct bench_costs bc = {xkm, ykm};
    struct route_costs costs = {.arg = &bc, .leg = leg_cost, .transfer = transfer_cost};
    struct route_itinerary *out = xreallocarray(NULL, 64, sizeof(*out));
    double *us = xreallocarray(NULL, (size_t)sz->queries, sizeof(*us));
    double *cpu = xreallocarray(NULL, (size_t)sz->queries, sizeof(*cpu));
    size_t *labels = xreallocarray(NULL, (size_t)sz->queries, sizeof(*labels));
    size_t found = 0, options = 0, transfers = 0, scanned = 0;
    for (int i = 0; i < sz->queries; i++) {
        struct route_stats st;
        struct route_query q = {.origin = (uint32_t)rndn(net.n_nodes), .stats = &st};
        do
            q.destination = (uint32_t)rndn(net.n_nodes);
        while (q.destination == q.origin);
        q.ready_at = t0 + (int64_t)rndn(60) * DAY;
        q.horizon_end = q.ready_at + 30 * DAY;
        enum route_outcome why;
        size_t n = 0;
        for (int r = 0; r < repeat; r++) {
            double q0 = now_us(), c0 = cpu_us();
            n = route_search(t, &q, &costs, out, 64, &why);
            double c1 = cpu_us() - c0, w1 = now_us() - q0;
            if (r == 0 || c1 < cpu[i])
                cpu[i] = c1;
            if (r == 0 || w1 < us[i])
                us[i] = w1;
        }
        labels[i] = st.labels;
        found += n > 0;
        options += n;
        transfers += st.transfer_calls;
        scanned += st.scanned;
    }
    qsort(us, (size_t)sz->queries, sizeof(*us), cmp_double);
    qsort(cpu, (size_t)sz->queries, sizeof(*cpu), cmp_double);
    qsort(labels, (size_t)sz->queries, sizeof(*labels), cmp_size);
    size_t nq = (size_t)sz->queries, p99 = (nq * 99 + 99) / 100 - 1;
    printf("route %-8s nodes=%u links=%u connections=%zu build_ms=%.0f queries=%zu "
           "median_us=%.1f p99_us=%.1f max_us=%.1f cpu_median_us=%.1f cpu_p99_us=%.1f "
           "labels_median=%zu labels_p99=%zu transfers_mean=%.0f scanned_mean=%.0f found=%zu "
           "options_mean=%.2f\n",
           sz->name, net.n_nodes, net.n_links, route_timetable_size(t), build_ms, nq,
           us[nq / 2], us[p99], us[nq - 1], cpu[nq / 2], cpu[p99], labels[nq / 2], labels[p99],
           (double)transfers / (double)nq, (double)scanned / (double)nq, found,
           found ? (double)options / (double)found : 0.0);
    fflush(stdout);
    free(us);
    free(cpu);
    free(labels);
    free(out);
    free(xkm);
    free(ykm);
    route_timetable_free(t);
    free_network(&net);
}

int main(int argc, char **argv)
{
    int repeat = 1, queries = 0, first = 1;
    while (first + 1 < argc && argv[first][0] == '-') {
        if (strcmp(argv[first], "-r") == 0)
            repeat = atoi(argv[first + 1]) > 0 ? atoi(argv[first + 1]) : 1;
        else if (strcmp(argv[first], "-q") == 0)
            queries = atoi(argv[first + 1]);
        first += 2;
    }
    for (size_t s = 0; s < sizeof(SIZES) / sizeof(SIZES[0]); s++) {
        bool wanted = argc <= first;
        for (int a = first; a < argc; a++)
            wanted |= strcmp(argv[a], SIZES[s].name) == 0;
        if (wanted)
            run(SIZES[s], repeat, queries);
    }
    return 0;
}
