/* metrics: request counters and latency histograms by route, named counters
 * and gauges, rendered as Prometheus text format 0.0.4 (see
 * include/metrics.h).  Everything sits under one mutex: the critical
 * sections are a few additions, and there are only a handful of routes. */
#include "metrics.h"

#include "xmem.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                   0.1,    0.25,  0.5,    1,     2.5,  5};
#define N_BUCKETS (sizeof bucket_le / sizeof bucket_le[0])

struct status_count {
    unsigned status;
    uint64_t n;
};

struct route_stats {
    char *route;
    struct status_count *by_status;
    size_t n_status;
    uint64_t buckets[N_BUCKETS]; /* not cumulative; summed at render */
    uint64_t count;
    double sum;
};

struct counter {
    char *name; /* may carry labels: corridor_x_total{kind="a"} */
    char *help;
    double value;
};

struct gauge {
    char *name;
    char *help;
    double (*fn)(void *arg);
    void *arg;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct route_stats *routes;
static size_t n_routes;
static struct counter *counters;
static size_t n_counters;
static struct gauge *gauges;
static size_t n_gauges;

static struct route_stats *route_find(const char *route)
{
    for (size_t i = 0; i < n_routes; i++)
        if (strcmp(routes[i].route, route) == 0)
            return &routes[i];
    routes = xreallocarray(routes, n_routes + 1, sizeof *routes);
    struct route_stats *r = &routes[n_routes++];
    memset(r, 0, sizeof *r);
    r->route = xstrdup(route);
    return r;
}

void metrics_request(const char *route, unsigned status, double seconds)
{
    if (!route)
        route = "";
    if (seconds < 0)
        seconds = 0;
    pthread_mutex_lock(&mu);
    struct route_stats *r = route_find(route);
    size_t i;
    for (i = 0; i < r->n_status; i++)
        if (r->by_status[i].status == status)
            break;
    if (i == r->n_status) {
        r->by_status = xreallocarray(r->by_status, r->n_status + 1, sizeof *r->by_status);
        r->by_status[r->n_status++] = (struct status_count){status, 0};
    }
    r->by_status[i].n++;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        if (seconds <= bucket_le[b]) {
            r->buckets[b]++;
            break;
        }
    }
    r->count++;
    r->sum += seconds;
    pthread_mutex_unlock(&mu);
}

void metrics_count(const char *name, const char *help, double n)
{
    pthread_mutex_lock(&mu);
    size_t i;
    for (i = 0; i < n_counters; i++)
        if (strcmp(counters[i].name, name) == 0)
            break;
    if (i == n_counters) {
        counters = xreallocarray(counters, n_counters + 1, sizeof *counters);
        counters[n_counters++] = (struct counter){xstrdup(name), xstrdup(help ? help : ""), 0};
    }
    counters[i].value += n;
    pthread_mutex_unlock(&mu);
}

void metrics_gauge(const char *name, const char *help, double (*fn)(void *arg), void *arg)
{
    pthread_mutex_lock(&mu);
    size_t i;
    for (i = 0; i < n_gauges; i++)
        if (strcmp(gauges[i].name, name) == 0)
            break;
    if (i == n_gauges) {
        gauges = xreallocarray(gauges, n_gauges + 1, sizeof *gauges);
        n_gauges++;
    } else {
        free(gauges[i].name);
        free(gauges[i].help);
    }
    gauges[i] = (struct gauge){xstrdup(name), xstrdup(help ? help : ""), fn, arg};
    pthread_mutex_unlock(&mu);
}

/* ---- rendering ---- */

struct out {
    char *p;
    size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < o->cap - o->len) {
            o->len += (size_t)n;
            return;
        }
        o->cap = o->cap * 2 + (size_t)n;
        o->p = xrealloc(o->p, o->cap);
    }
}

/* A label value with \ " and newline escaped (Prometheus text format). */
static void out_label(struct out *o, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            outf(o, "\\%c", *s);
        else if (*s == '\n')
            outf(o, "\\n");
        else
            outf(o, "%c", *s);
    }
}

static void out_help(struct out *o, const char *help)
{
    for (; *help; help++) {
        if (*help == '\\')
            outf(o, "\\\\");
        else if (*help == '\n')
            outf(o, "\\n");
        else
            outf(o, "%c", *help);
    }
}

/* The metric family of a name that may carry labels. */
static size_t family_len(const char *name)
{
    const char *brace = strchr(name, '{');
    return brace ? (size_t)(brace - name) : strlen(name);
}

static void render_requests(struct out *o)
{
    outf(o, "# HELP corridor_http_requests_total HTTP requests answered, by route and status.\n"
            "# TYPE corridor_http_requests_total counter\n");
    for (size_t i = 0; i < n_routes; i++) {
        for (size_t s = 0; s < routes[i].n_status; s++) {
            outf(o, "corridor_http_requests_total{route=\"");
            out_label(o, routes[i].route);
            outf(o, "\",status=\"%u\"} %llu\n", routes[i].by_status[s].status,
                 (unsigned long long)routes[i].by_status[s].n);
        }
    }
    outf(o, "# HELP corridor_http_request_duration_seconds Time from the request's headers to "
            "its response being queued, by route.\n"
            "# TYPE corridor_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < n_routes; i++) {
        uint64_t cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cum += routes[i].buckets[b];
            outf(o, "corridor_http_request_duration_seconds_bucket{route=\"");
            out_label(o, routes[i].route);
            outf(o, "\",le=\"%g\"} %llu\n", bucket_le[b], (unsigned long long)cum);
        }
        outf(o, "corridor_http_request_duration_seconds_bucket{route=\"");
        out_label(o, routes[i].route);
        outf(o, "\",le=\"+Inf\"} %llu\n", (unsigned long long)routes[i].count);
        outf(o, "corridor_http_request_duration_seconds_sum{route=\"");
        out_label(o, routes[i].route);
        outf(o, "\"} %.6f\n", routes[i].sum);
        outf(o, "corridor_http_request_duration_seconds_count{route=\"");
        out_label(o, routes[i].route);
        outf(o, "\"} %llu\n", (unsigned long long)routes[i].count);
    }
}

static void render_counters(struct out *o)
{
    for (size_t i = 0; i < n_counters; i++) {
        size_t fl = family_len(counters[i].name);
        bool first = true;
        for (size_t j = 0; j < i; j++) {
            if (family_len(counters[j].name) == fl &&
                strncmp(counters[j].name, counters[i].name, fl) == 0) {
                first = false;
                break;
            }
        }
        if (!first)
            continue;
        outf(o, "# HELP %.*s ", (int)fl, counters[i].name);
        out_help(o, counters[i].help);
        outf(o, "\n# TYPE %.*s counter\n", (int)fl, counters[i].name);
        for (size_t j = i; j < n_counters; j++) {
            if (family_len(counters[j].name) == fl &&
                strncmp(counters[j].name, counters[i].name, fl) == 0)
                outf(o, "%s %.17g\n", counters[j].name, counters[j].value);
        }
    }
}

char *metrics_render(size_t *len)
{
    struct out o = {xmalloc(4096), 0, 4096};
    o.p[0] = '\0';
    /* Gauge callbacks run outside the lock: they may take other locks. */
    pthread_mutex_lock(&mu);
    size_t ng = n_gauges;
    struct gauge *gs = xcalloc(ng ? ng : 1, sizeof *gs);
    for (size_t i = 0; i < ng; i++)
        gs[i] = (struct gauge){xstrdup(gauges[i].name), xstrdup(gauges[i].help), gauges[i].fn,
                               gauges[i].arg};
    render_requests(&o);
    render_counters(&o);
    pthread_mutex_unlock(&mu);
    for (size_t i = 0; i < ng; i++) {
        double v = gs[i].fn ? gs[i].fn(gs[i].arg) : 0;
        outf(&o, "# HELP %s ", gs[i].name);
        out_help(&o, gs[i].help);
        outf(&o, "\n# TYPE %s gauge\n%s %.17g\n", gs[i].name, gs[i].name, v);
        free(gs[i].name);
        free(gs[i].help);
    }
    free(gs);
    if (len)
        *len = o.len;
    return o.p;
}
