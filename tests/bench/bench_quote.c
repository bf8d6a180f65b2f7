/* bench_quote: end-to-end quote time (route search with tariff callbacks,
 * then line-by-line pricing of the options) on synthetic snapshots, no
 * database.
 *
 *   build/bench/bench_quote [corridor|10k|100k|1m ...]   (default: all four)
 *
 * Each snapshot is built through the snapshot builder from text values, as
 * the loader does: a random geometric network (a chain that keeps it
 * connected plus links to near neighbours, every link both ways; 1520 mm
 * rail in the west, 1435 in the east, some sea and road links), the
 * corridor's rate structure on every link (0.15/0.18 USD per TEU-km by
 * band, 0.24 per 40' container-km, sea per TEU, road per container-km in
 * KZT), port handling and transshipment at every node, a BAF surcharge and a
 * discount, 6-hour port windows at sea ports, and departures of services
 * running along random walks of 3-15 links, starting at random times over
 * 90 days.  Queries: random origin and destination, a ready date in the
 * first 60 days, a 30-day horizon, 2 x 40HC at 20 t, in USD, with nothing
 * booked (availability NULL).  Prints one line per size: median and p99
 * microseconds per quote, and how many queries found options. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "quote.h"
#include "snapshot.h"
#include "timetable.h"
#include "xmem.h"

#define DAY 86400

struct size_spec {
    const char *name;
    unsigned nodes, links; /* links counted one way; each runs both ways */
    size_t departures;
    int queries;
    double width_km, height_km;
};

static const struct size_spec SIZES[] = {
    {"corridor", 40, 50, 3000, 2000, 600, 2500},
    {"10k", 200, 300, 10000, 1000, 2000, 2000},
    {"100k", 700, 1050, 100000, 300, 4000, 4000},
    {"1m", 2000, 3000, 1000000, 100, 6000, 6000},
};

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double frand(void)
{
    return (double)(rnd() >> 11) / 9007199254740992.0;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void must(int rc, struct snapshot_builder *b)
{
    if (rc != 0) {
        fprintf(stderr, "bench_quote: builder: %s\n", snapshot_builder_error(b));
        exit(1);
    }
}

struct link_info {
    int64_t id;
    unsigned from, to;
    int mode;
    double km, hours;
};

static struct snapshot *build(const struct size_spec *z, int64_t t0)
{
    struct snapshot_builder *b = snapshot_builder_new(1);
    must(snapshot_builder_add_currency(b, "USD", 2), b);
    must(snapshot_builder_add_currency(b, "KZT", 2), b);
    struct snapshot_fx_row fx = {"KZT", "2026-01-01", "478.50000000"};
    must(snapshot_builder_add_fx(b, &fx), b);

    double *x = xcalloc(z->nodes, sizeof *x), *y = xcalloc(z->nodes, sizeof *y);
    bool *port = xcalloc(z->nodes, sizeof *port);
    char code[16];
    for (unsigned i = 0; i < z->nodes; i++) {
        x[i] = frand() * z->width_km;
        y[i] = frand() * z->height_km;
    }
    /* Sort nodes by x so that the chain i -> i + 1 runs west to east. */
    for (unsigned i = 1; i < z->nodes; i++)
        for (unsigned j = i; j > 0 && x[j - 1] > x[j]; j--) {
            double t = x[j]; x[j] = x[j - 1]; x[j - 1] = t;
            t = y[j]; y[j] = y[j - 1]; y[j - 1] = t;
        }
    for (unsigned i = 0; i < z->nodes; i++) {
        snprintf(code, sizeof code, "N%04u", i);
        struct snapshot_node_row n = {code, code, "KZ", "rail_station", "UTC", NULL, NULL, 120};
        must(snapshot_builder_add_node(b, &n), b);
    }
    struct link_info *L = xcalloc(2 * (size_t)z->links, sizeof *L);
    size_t nl = 0;
    for (unsigned k = 0; k < z->links; k++) {
        unsigned a, c;
        if (k < z->nodes - 1) {
            a = k;
            c = k + 1;
        } else { /* a near neighbour: one of the next 8 by x */
            a = (unsigned)(rnd() % z->nodes);
            c = a + 1 + (unsigned)(rnd() % 8);
            if (c >= z->nodes)
                c = a == 0 ? 1 : a - 1 - (unsigned)(rnd() % (a < 8 ? a : 8));
        }
        double km = 1.2 * hypot(x[a] - x[c], y[a] - y[c]) + 5;
        unsigned r = (unsigned)(rnd() % 10);
        int mode = r < 8 ? NETWORK_RAIL : r < 9 ? NETWORK_SEA : NETWORK_ROAD;
        double speed = mode == NETWORK_RAIL ? 40 : mode == NETWORK_SEA ? 20 : 50;
        for (int dir = 0; dir < 2; dir++) {
            struct link_info *li = &L[nl];
            *li = (struct link_info){(int64_t)nl + 1, dir ? c : a, dir ? a : c, mode, km,
                                     km / speed + 1};
            char from[16], to[16], dist[32], hours[32];
            snprintf(from, sizeof from, "N%04u", li->from);
            snprintf(to, sizeof to, "N%04u", li->to);
            snprintf(dist, sizeof dist, "%.1f", km);
            snprintf(hours, sizeof hours, "%.1f", li->hours);
            int gauge = mode != NETWORK_RAIL ? 0 : x[li->from] < z->width_km / 2 ? 1520 : 1435;
            struct snapshot_link_row lr = {li->id, from, to, network_mode_name(mode), gauge,
                                           dist, hours, "KTZ"};
            must(snapshot_builder_add_link(b, &lr), b);
            if (mode == NETWORK_SEA)
                port[li->from] = port[li->to] = true;
            nl++;
        }
    }
    /* Departures: services (trains, sailings) along random walks of 3..15
     * links starting at random times over 90 days, each next leg leaving
     * 3 h after the previous arrival, as the seed's through services do. */
    unsigned *first = xcalloc(z->nodes + 1, sizeof *first), *out = xcalloc(nl, sizeof *out);
    for (size_t k = 0; k < nl; k++)
        first[L[k].from + 1]++;
    for (unsigned i = 0; i < z->nodes; i++)
        first[i + 1] += first[i];
    unsigned *fill = xcalloc(z->nodes, sizeof *fill);
    for (size_t k = 0; k < nl; k++)
        out[first[L[k].from] + fill[L[k].from]++] = (unsigned)k;
    for (size_t d = 0; d < z->departures;) {
        unsigned at_node = (unsigned)(rnd() % z->nodes), prev = UINT32_MAX;
        int64_t t = t0 + (int64_t)(frand() * 90 * DAY);
        int steps = 3 + (int)(rnd() % 13);
        for (int k = 0; k < steps && d < z->departures; k++) {
            unsigned deg = first[at_node + 1] - first[at_node];
            if (deg == 0)
                break;
            const struct link_info *li = &L[out[first[at_node] + rnd() % deg]];
            if (li->to == prev && deg > 1)
                li = &L[out[first[at_node] + rnd() % deg]];
            int64_t arr = t + (int64_t)(li->hours * 3600);
            struct snapshot_departure_row dr = {(int64_t)d + 1, li->id, "svc", t, arr,
                                                t - (li->mode == NETWORK_SEA ? DAY : 6 * 3600),
                                                100, 2500000, "scheduled"};
            must(snapshot_builder_add_departure(b, &dr), b);
            d++;
            prev = at_node;
            at_node = li->to;
            t = arr + 3 * 3600;
        }
    }
    free(first);
    free(out);
    free(fill);
    int64_t wid = 1;
    for (unsigned i = 0; i < z->nodes; i++) {
        if (!port[i])
            continue;
        snprintf(code, sizeof code, "N%04u", i);
        for (int64_t w = 0; w < 4 * 100; w++) {
            struct snapshot_window_row wr = {wid++, code, t0 + w * 6 * 3600,
                                             t0 + (w + 1) * 6 * 3600, 500};
            must(snapshot_builder_add_window(b, &wr), b);
        }
    }
    int64_t tid = 1;
    for (size_t k = 0; k < nl; k++) {
        struct snapshot_tariff_row t = {.charge_code = tariff_leg_code(L[k].mode),
                                        .link_id = L[k].id, .min_gross_kg = -1,
                                        .max_gross_kg = -1, .currency = "USD",
                                        .min_charge = "0", .valid_from = "2026-01-01"};
        if (L[k].mode == NETWORK_RAIL) {
            t.id = tid++, t.max_gross_kg = 24000, t.basis = "per_teu_km", t.rate = "0.150000";
            must(snapshot_builder_add_tariff(b, &t), b);
            t.id = tid++, t.min_gross_kg = 24001, t.max_gross_kg = -1, t.rate = "0.180000";
            must(snapshot_builder_add_tariff(b, &t), b);
            t.id = tid++, t.min_gross_kg = -1, t.container_type = "40HC";
            t.basis = "per_container_km", t.rate = "0.240000";
        } else if (L[k].mode == NETWORK_SEA) {
            t.id = tid++, t.basis = "per_teu", t.rate = "650";
        } else {
            t.id = tid++, t.basis = "per_container_km", t.rate = "520", t.currency = "KZT";
            t.min_charge = "100000";
        }
        must(snapshot_builder_add_tariff(b, &t), b);
    }
    for (unsigned i = 0; i < z->nodes; i++) {
        snprintf(code, sizeof code, "N%04u", i);
        struct snapshot_tariff_row t = {.id = tid++, .charge_code = "TRANSSHIPMENT",
                                        .node_code = code, .min_gross_kg = -1,
                                        .max_gross_kg = -1, .basis = "per_container",
                                        .rate = "85", .currency = "USD", .min_charge = "85",
                                        .valid_from = "2026-01-01"};
        must(snapshot_builder_add_tariff(b, &t), b);
        t.id = tid++, t.charge_code = "PORT_HANDLING", t.rate = "110", t.min_charge = "0";
        must(snapshot_builder_add_tariff(b, &t), b);
    }
    struct snapshot_surcharge_row baf = {1, "BAF", "SEA_FREIGHT", "sea", "12.000", "2026-01-01",
                                         NULL};
    must(snapshot_builder_add_surcharge(b, &baf), b);
    struct snapshot_discount_row instc = {1, "INSTC", NULL, "RAIL_FREIGHT", "5.000",
                                          "2026-01-01", NULL};
    must(snapshot_builder_add_discount(b, &instc), b);
    free(x);
    free(y);
    free(port);
    free(L);
    char err[256];
    struct snapshot *s = snapshot_builder_finish(b, err, sizeof err);
    if (!s) {
        fprintf(stderr, "bench_quote: %s\n", err);
        exit(1);
    }
    return s;
}

static void run(const struct size_spec *z)
{
    int32_t day0;
    timetable_date_parse("2026-12-01", &day0);
    int64_t t0 = (int64_t)day0 * DAY;
    double b0 = now_us();
    struct snapshot *s = build(z, t0);
    double build_ms = (now_us() - b0) / 1000;
    static const struct tariff_container c[] = {{TARIFF_40HC, 2, 20000}};
    double *us = xcalloc((size_t)z->queries, sizeof *us);
    int found = 0, capacity = 0;
    size_t options = 0;
    for (int i = 0; i < z->queries; i++) {
        char from[16], to[16];
        unsigned a = (unsigned)(rnd() % z->nodes), d = (unsigned)(rnd() % z->nodes);
        if (a == d)
            d = (d + 1) % z->nodes;
        snprintf(from, sizeof from, "N%04u", a);
        snprintf(to, sizeof to, "N%04u", d);
        struct quote_request q = {.origin = from, .destination = to,
                                  .ready_date = day0 + (int32_t)(rnd() % 60), .containers = c,
                                  .n_containers = 1, .currency = "USD",
                                  .optimize = (i & 1) ? QUOTE_OPTIMIZE_TIME : QUOTE_OPTIMIZE_COST,
                                  .now = t0 - DAY, .pricing_date = day0};
        struct quote_result r;
        double q0 = now_us();
        enum quote_status st = quote_compute(s, &q, NULL, &r);
        us[i] = now_us() - q0;
        found += st == QUOTE_OK;
        capacity += st == QUOTE_ECAPACITY;
        options += r.n_options;
        if (st == QUOTE_EINTERNAL) {
            fprintf(stderr, "bench_quote: internal error: %s\n", r.error_detail);
            exit(1);
        }
        quote_result_free(&r);
    }
    qsort(us, (size_t)z->queries, sizeof *us, cmp_double);
    printf("%-8s nodes %5u links %5u departures %8zu  build %7.0f ms  quote median %8.1f us"
           "  p99 %8.1f us  found %d/%d (%.1f options avg), capacity %d\n",
           z->name, z->nodes, 2 * z->links, z->departures, build_ms, us[z->queries / 2],
           us[(size_t)(z->queries * 0.99)], found, z->queries,
           found ? (double)options / found : 0.0, capacity);
    fflush(stdout);
    free(us);
    snapshot_release(s);
}

int main(int argc, char **argv)
{
    size_t n = sizeof SIZES / sizeof *SIZES;
    for (size_t i = 0; i < n; i++) {
        bool wanted = argc < 2;
        for (int a = 1; a < argc; a++)
            wanted |= strcmp(argv[a], SIZES[i].name) == 0;
        if (wanted)
            run(&SIZES[i]);
    }
    return 0;
}
