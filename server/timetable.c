/* timetable: departures and port windows, sorted and indexed; the route
 * module's connections; UTC dates and times. */
#include "timetable.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

struct id_index {
    int64_t id;
    uint32_t i;
};

struct timetable {
    const struct network *net;
    struct timetable_departure *deps;
    size_t n_deps, cap_deps;
    struct timetable_window *wins;
    size_t n_wins, cap_wins;
    uint32_t *win_first;       /* per node: first window index; [n_nodes] = n_wins */
    struct id_index *win_by_id;
    struct route_timetable *route;
    bool finished;
};

#define ERR(...) (err ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)

struct timetable *timetable_new(const struct network *net)
{
    struct timetable *t = xcalloc(1, sizeof *t);
    t->net = net;
    return t;
}

void timetable_free(struct timetable *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_deps; i++)
        free(t->deps[i].service);
    free(t->deps);
    free(t->wins);
    free(t->win_first);
    free(t->win_by_id);
    route_timetable_free(t->route);
    free(t);
}

int timetable_add_departure(struct timetable *t, const struct timetable_departure *d, char *err,
                            size_t errlen)
{
    if (t->finished) {
        ERR("timetable already finished");
        return -1;
    }
    if (d->link >= network_link_count(t->net)) {
        ERR("departure %lld: unknown link", (long long)d->id);
        return -1;
    }
    if (d->arrives_at <= d->departs_at || d->cutoff_at > d->departs_at) {
        ERR("departure %lld: needs cutoff_at <= departs_at < arrives_at", (long long)d->id);
        return -1;
    }
    if (d->capacity_teu < 0 || d->capacity_kg < 0) {
        ERR("departure %lld: negative capacity", (long long)d->id);
        return -1;
    }
    if ((unsigned)d->status > TIMETABLE_CANCELLED) {
        ERR("departure %lld: bad status", (long long)d->id);
        return -1;
    }
    if (t->n_deps >= UINT32_MAX - 1) {
        ERR("too many departures");
        return -1;
    }
    if (t->n_deps == t->cap_deps) {
        t->cap_deps = t->cap_deps ? t->cap_deps * 2 : 256;
        t->deps = xreallocarray(t->deps, t->cap_deps, sizeof *t->deps);
    }
    t->deps[t->n_deps] = *d;
    t->deps[t->n_deps].service = xstrdup(d->service ? d->service : "");
    t->n_deps++;
    return 0;
}

int timetable_add_window(struct timetable *t, const struct timetable_window *w, char *err,
                         size_t errlen)
{
    if (t->finished) {
        ERR("timetable already finished");
        return -1;
    }
    if (w->node >= network_node_count(t->net)) {
        ERR("port window %lld: unknown node", (long long)w->id);
        return -1;
    }
    if (w->ends_at <= w->starts_at || w->capacity_teu < 0) {
        ERR("port window %lld: needs starts_at < ends_at and capacity >= 0", (long long)w->id);
        return -1;
    }
    if (t->n_wins >= UINT32_MAX - 1) {
        ERR("too many port windows");
        return -1;
    }
    if (t->n_wins == t->cap_wins) {
        t->cap_wins = t->cap_wins ? t->cap_wins * 2 : 64;
        t->wins = xreallocarray(t->wins, t->cap_wins, sizeof *t->wins);
    }
    t->wins[t->n_wins++] = *w;
    return 0;
}

/* qsort, but never with a NULL base (an empty array may be NULL). */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static int cmp_dep_id(const void *a, const void *b)
{
    int64_t x = ((const struct timetable_departure *)a)->id;
    int64_t y = ((const struct timetable_departure *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_win(const void *a, const void *b)
{
    const struct timetable_window *x = a, *y = b;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return (x->starts_at > y->starts_at) - (x->starts_at < y->starts_at);
}

static int cmp_id_index(const void *a, const void *b)
{
    int64_t x = ((const struct id_index *)a)->id, y = ((const struct id_index *)b)->id;
    return (x > y) - (x < y);
}

uint8_t timetable_transfer_class(const struct network_link *l)
{
    unsigned g = 0;
    switch (l->gauge_mm) {
    case 1435:
        g = 1;
        break;
    case 1520:
        g = 2;
        break;
    case 1676:
        g = 3;
        break;
    }
    return (uint8_t)((unsigned)l->mode * 4 + g);
}

int timetable_finish(struct timetable *t, char *err, size_t errlen)
{
    size_t n_nodes = network_node_count(t->net);
    sort(t->deps, t->n_deps, sizeof *t->deps, cmp_dep_id);
    for (size_t i = 1; i < t->n_deps; i++)
        if (t->deps[i].id == t->deps[i - 1].id) {
            ERR("duplicate departure id %lld", (long long)t->deps[i].id);
            return -1;
        }
    sort(t->wins, t->n_wins, sizeof *t->wins, cmp_win);
    t->win_first = xcalloc(n_nodes + 1, sizeof(uint32_t));
    for (size_t i = 0; i < t->n_wins; i++)
        t->win_first[t->wins[i].node + 1]++;
    for (size_t v = 0; v < n_nodes; v++)
        t->win_first[v + 1] += t->win_first[v];
    for (size_t i = 1; i < t->n_wins; i++)
        if (t->wins[i].node == t->wins[i - 1].node &&
            t->wins[i].starts_at < t->wins[i - 1].ends_at) {
            ERR("port windows %lld and %lld overlap at %s", (long long)t->wins[i - 1].id,
                (long long)t->wins[i].id, network_node_at(t->net, t->wins[i].node)->code);
            return -1;
        }
    t->win_by_id = xreallocarray(NULL, t->n_wins ? t->n_wins : 1, sizeof *t->win_by_id);
    for (size_t i = 0; i < t->n_wins; i++)
        t->win_by_id[i] = (struct id_index){t->wins[i].id, (uint32_t)i};
    sort(t->win_by_id, t->n_wins, sizeof *t->win_by_id, cmp_id_index);
    for (size_t i = 1; i < t->n_wins; i++)
        if (t->win_by_id[i].id == t->win_by_id[i - 1].id) {
            ERR("duplicate port window id %lld", (long long)t->win_by_id[i].id);
            return -1;
        }

    struct route_connection *c = xreallocarray(NULL, t->n_deps ? t->n_deps : 1, sizeof *c);
    size_t n = 0;
    for (size_t i = 0; i < t->n_deps; i++) {
        const struct timetable_departure *d = &t->deps[i];
        if (d->status != TIMETABLE_SCHEDULED)
            continue;
        const struct network_link *l = network_link_at(t->net, d->link);
        c[n++] = (struct route_connection){
            .from = l->from,
            .to = l->to,
            .departs_at = d->departs_at,
            .arrives_at = d->arrives_at,
            .ref = (uint32_t)i,
            .mode = (uint8_t)l->mode,
            .cls = timetable_transfer_class(l),
        };
    }
    t->route = route_timetable_build(c, n, (uint32_t)n_nodes);
    free(c);
    t->finished = true;
    return 0;
}

const struct network *timetable_network(const struct timetable *t)
{
    return t->net;
}

size_t timetable_departure_count(const struct timetable *t)
{
    return t->n_deps;
}

const struct timetable_departure *timetable_departure_at(const struct timetable *t, uint32_t i)
{
    return &t->deps[i];
}

uint32_t timetable_departure_find(const struct timetable *t, int64_t id)
{
    size_t lo = 0, hi = t->n_deps;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->deps[mid].id == id)
            return (uint32_t)mid;
        if (t->deps[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return TIMETABLE_NONE;
}

size_t timetable_window_count(const struct timetable *t)
{
    return t->n_wins;
}

const struct timetable_window *timetable_window_at(const struct timetable *t, uint32_t i)
{
    return &t->wins[i];
}

uint32_t timetable_window_find(const struct timetable *t, int64_t id)
{
    size_t lo = 0, hi = t->n_wins;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->win_by_id[mid].id == id)
            return t->win_by_id[mid].i;
        if (t->win_by_id[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return TIMETABLE_NONE;
}

bool timetable_node_has_windows(const struct timetable *t, uint32_t node)
{
    return node < network_node_count(t->net) && t->win_first[node + 1] > t->win_first[node];
}

uint32_t timetable_window_containing(const struct timetable *t, uint32_t node, int64_t at)
{
    if (node >= network_node_count(t->net))
        return TIMETABLE_NONE;
    /* The last window of node starting at or before `at`. */
    size_t lo = t->win_first[node], hi = t->win_first[node + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->wins[mid].starts_at <= at)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == t->win_first[node])
        return TIMETABLE_NONE;
    const struct timetable_window *w = &t->wins[lo - 1];
    return at < w->ends_at ? (uint32_t)(lo - 1) : TIMETABLE_NONE;
}

const struct route_timetable *timetable_route(const struct timetable *t)
{
    return t->route;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int timetable_date_parse(const char *text, int32_t *days)
{
    if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
        return -1;
    int y = digits(text, 4), m = digits(text + 5, 2), d = digits(text + 8, 2);
    if (y < 0 || m < 1 || m > 12 || d < 1)
        return -1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    *days = (int32_t)days_from_civil(y, (unsigned)m, (unsigned)d);
    return 0;
}

/* Two decimal digits of v (0..99) and a separator after them; by hand, not
 * snprintf: quote answers print thousands of dates and times. */
static void put2(char *p, unsigned v, char sep)
{
    p[0] = (char)('0' + v / 10);
    p[1] = (char)('0' + v % 10);
    p[2] = sep;
}

int timetable_date_format(int32_t days, char *buf, size_t size)
{
    int64_t y;
    unsigned m, d;
    if (size < 11)
        return -1;
    civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999)
        return -1;
    put2(buf, (unsigned)(y / 100), '\0'); /* its separator is overwritten next */
    put2(buf + 2, (unsigned)(y % 100), '-');
    put2(buf + 5, m, '-');
    put2(buf + 8, d, '\0');
    return 10;
}

int32_t timetable_date_of(int64_t unix_seconds)
{
    int64_t q = unix_seconds / 86400;
    if (unix_seconds % 86400 < 0)
        q--;
    return (int32_t)q;
}

int timetable_time_format(int64_t unix_seconds, char *buf, size_t size)
{
    int32_t days = timetable_date_of(unix_seconds);
    int64_t sod = unix_seconds - (int64_t)days * 86400;
    if (size < 21 || timetable_date_format(days, buf, size) < 0)
        return -1;
    buf[10] = 'T';
    put2(buf + 11, (unsigned)(sod / 3600), ':');
    put2(buf + 14, (unsigned)(sod / 60 % 60), ':');
    put2(buf + 17, (unsigned)(sod % 60), 'Z');
    buf[20] = '\0';
    return 20;
}
