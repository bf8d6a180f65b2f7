/* quote: route search with tariff, capacity and port-window callbacks, then
 * line-by-line pricing of the chosen itineraries (see quote.h). */
#include "quote.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "route.h"
#include "timetable.h"
#include "xmem.h"

#define MAX_FRONT 64 /* itineraries asked from the search before sorting and cutting */

enum { UNKNOWN = 0, PRICED = 1, UNPRICEABLE = 2 };

struct cache {
    int64_t cost;
    uint8_t state;
};

/* One query's state, shared by the callbacks. */
struct ctx {
    const struct network *net;
    const struct timetable *tt;
    const struct tariff_pricing *pricing;
    const struct quote_availability *avail; /* NULL: nothing booked */
    int32_t teu;
    int64_t kg, now;
    bool ignore_capacity;      /* the second search: capacity and windows ignored */
    bool capacity_refused;     /* the first search refused a leg or call for room */
    struct cache *links;       /* per link */
    struct cache *calls[2];    /* per node, by enum tariff_node_charge */
    char reason[256];          /* the first pricing failure */
};

/* A port call at a node between in and out (either may be NULL). */
struct call {
    enum quote_call_kind kind;
    int64_t at;
};

static size_t calls_at(const struct route_connection *in, const struct route_connection *out,
                       struct call c[2])
{
    size_t n = 0;
    bool in_sea = in && in->mode == NETWORK_SEA, out_sea = out && out->mode == NETWORK_SEA;
    if (in_sea)
        c[n++] = (struct call){QUOTE_CALL_DISCHARGE, in->arrives_at};
    if (out_sea)
        c[n++] = (struct call){QUOTE_CALL_LOAD, out->departs_at};
    if (!in_sea && !out_sea && in && out && in->cls != out->cls)
        c[n++] = (struct call){QUOTE_CALL_TRANSSHIPMENT, in->arrives_at};
    return n;
}

static enum tariff_node_charge call_charge(enum quote_call_kind k)
{
    return k == QUOTE_CALL_TRANSSHIPMENT ? TARIFF_TRANSSHIPMENT : TARIFF_PORT_HANDLING;
}

static const struct quote_free_departure *free_departure(const struct quote_availability *a,
                                                         int64_t id)
{
    size_t lo = 0, hi = a->n_departures;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a->departures[mid].id == id)
            return &a->departures[mid];
        if (a->departures[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Free TEU of window index w (missing from the availability: 0). */
static int32_t window_free(const struct ctx *x, uint32_t w)
{
    const struct timetable_window *tw = timetable_window_at(x->tt, w);
    if (!x->avail)
        return tw->capacity_teu;
    size_t lo = 0, hi = x->avail->n_windows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->avail->windows[mid].id == tw->id)
            return x->avail->windows[mid].free_teu;
        if (x->avail->windows[mid].id < tw->id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

static bool departure_has_room(const struct ctx *x, const struct timetable_departure *d)
{
    if (!x->avail)
        return d->capacity_teu >= x->teu && d->capacity_kg >= x->kg;
    const struct quote_free_departure *f = free_departure(x->avail, d->id);
    return f && f->free_teu >= x->teu && f->free_kg >= x->kg;
}

/* Cached price of one leg or node charge; false when unpriceable. */
static bool cached(struct ctx *x, struct cache *c, uint32_t link, uint32_t node,
                   enum tariff_node_charge charge, int64_t *cost)
{
    if (c->state == UNKNOWN) {
        char reason[256];
        int rc = link != NETWORK_NONE
                     ? tariff_price_leg(x->pricing, link, 0, NULL, &c->cost, reason, sizeof reason)
                     : tariff_price_call(x->pricing, node, charge, NULL, NULL, &c->cost, reason,
                                         sizeof reason);
        if (rc == TARIFF_OK && c->cost < 0) {
            rc = TARIFF_EOVERFLOW; /* the search needs costs >= 0 */
            snprintf(reason, sizeof reason, "a negative price after discounts");
        }
        c->state = rc == TARIFF_OK ? PRICED : UNPRICEABLE;
        if (rc != TARIFF_OK && !x->reason[0])
            snprintf(x->reason, sizeof x->reason, "%s", reason);
    }
    *cost = c->cost;
    return c->state == PRICED;
}

static bool leg_cb(void *arg, const struct route_connection *c, int64_t *cost)
{
    struct ctx *x = arg;
    const struct timetable_departure *d = timetable_departure_at(x->tt, c->ref);
    if (d->cutoff_at <= x->now)
        return false;
    if (!x->ignore_capacity && !departure_has_room(x, d)) {
        x->capacity_refused = true;
        return false;
    }
    return cached(x, &x->links[d->link], d->link, NETWORK_NONE, 0, cost);
}

/* Do the calls fit their windows at node?  (Two calls in one window need
 * room for both.)  Writes each call's window index (TIMETABLE_NONE when the
 * node has no windows) into win. */
static bool windows_ok(struct ctx *x, uint32_t node, const struct call *c, size_t n,
                       uint32_t *win)
{
    bool constrained = timetable_node_has_windows(x->tt, node);
    for (size_t i = 0; i < n; i++) {
        win[i] = constrained ? timetable_window_containing(x->tt, node, c[i].at) : TIMETABLE_NONE;
        if (x->ignore_capacity || !constrained)
            continue;
        int32_t need = x->teu * (int32_t)(1 + (i == 1 && win[0] == win[1]));
        if (win[i] == TIMETABLE_NONE || window_free(x, win[i]) < need) {
            x->capacity_refused = true;
            return false;
        }
    }
    return true;
}

static bool transfer_cb(void *arg, uint32_t node, const struct route_connection *in,
                        const struct route_connection *out, int64_t *cost)
{
    struct ctx *x = arg;
    if (in && out &&
        out->departs_at - in->arrives_at <
            (int64_t)network_node_at(x->net, node)->transfer_minutes * 60)
        return false;
    struct call c[2];
    uint32_t win[2];
    size_t n = calls_at(in, out, c);
    *cost = 0;
    if (n == 0)
        return true; /* staying on the rails of the same mode and gauge */
    for (size_t i = 0; i < n; i++) {
        enum tariff_node_charge ch = call_charge(c[i].kind);
        int64_t k;
        if (!cached(x, &x->calls[ch][node], NETWORK_NONE, node, ch, &k))
            return false;
        *cost += k;
    }
    return windows_ok(x, node, c, n, win);
}

static void fmt_time(int64_t t, char *buf, size_t size)
{
    if (timetable_time_format(t, buf, size) < 0)
        snprintf(buf, size, "%lld", (long long)t);
}

/* Prices the calls at node into opt (port calls) and charges. */
static int price_calls(struct ctx *x, uint32_t node, const struct route_connection *in,
                       const struct route_connection *out, struct quote_option *opt,
                       struct tariff_charges *ch, int64_t *sum, char *reason, size_t rlen)
{
    struct call c[2];
    uint32_t win[2];
    size_t n = calls_at(in, out, c);
    windows_ok(x, node, c, n, win);
    for (size_t i = 0; i < n; i++) {
        int64_t t;
        int rc = tariff_price_call(x->pricing, node, call_charge(c[i].kind),
                                   quote_call_kind_name(c[i].kind), ch, &t, reason, rlen);
        if (rc != TARIFF_OK)
            return rc;
        *sum += t;
        struct quote_port_call *pc = &opt->port_calls[opt->n_port_calls++];
        memset(pc, 0, sizeof *pc);
        snprintf(pc->node, sizeof pc->node, "%s", network_node_at(x->net, node)->code);
        pc->kind = c[i].kind;
        pc->window_id = win[i] == TIMETABLE_NONE ? 0 : timetable_window_at(x->tt, win[i])->id;
        pc->at = c[i].at;
        pc->teu = x->teu;
    }
    return TARIFF_OK;
}

/* Turns one itinerary into a priced option.  Returns 0, or -1 with a detail
 * when the lines do not add up to the search's cost (never expected). */
static int build_option(struct ctx *x, const struct route_itinerary *it,
                        struct quote_option *opt, char *detail, size_t dlen)
{
    struct tariff_charges ch = {0};
    int64_t sum = 0, t;
    char reason[256] = "";
    memset(opt, 0, sizeof *opt);
    opt->legs = xcalloc(it->n_legs, sizeof *opt->legs);
    opt->port_calls = xcalloc(2 * (it->n_legs + 1), sizeof *opt->port_calls);
    for (size_t i = 0; i < it->n_legs; i++) {
        const struct route_connection *c = it->legs[i];
        const struct route_connection *prev = i ? it->legs[i - 1] : NULL;
        if (price_calls(x, c->from, prev, c, opt, &ch, &sum, reason, sizeof reason) != TARIFF_OK)
            goto fail;
        const struct timetable_departure *d = timetable_departure_at(x->tt, c->ref);
        const struct network_link *l = network_link_at(x->net, d->link);
        if (tariff_price_leg(x->pricing, d->link, (int)i + 1, &ch, &t, reason, sizeof reason) !=
            TARIFF_OK)
            goto fail;
        sum += t;
        struct quote_leg *g = &opt->legs[opt->n_legs++];
        g->seq = (int)i + 1;
        snprintf(g->from, sizeof g->from, "%s", network_node_at(x->net, l->from)->code);
        snprintf(g->to, sizeof g->to, "%s", network_node_at(x->net, l->to)->code);
        g->mode = l->mode;
        snprintf(g->carrier, sizeof g->carrier, "%s", l->carrier);
        g->departure_id = d->id;
        g->link_id = l->id;
        g->departs_at = d->departs_at;
        g->arrives_at = d->arrives_at;
        g->distance_km10 = l->distance_km10;
        money_decimal_format(l->distance_km10, 1, g->distance_km, sizeof g->distance_km);
    }
    const struct route_connection *last = it->legs[it->n_legs - 1];
    if (price_calls(x, last->to, last, NULL, opt, &ch, &sum, reason, sizeof reason) != TARIFF_OK)
        goto fail;
    opt->charges = ch.v;
    opt->n_charges = ch.n;
    opt->total = sum;
    opt->departs_at = it->departs_at;
    opt->arrives_at = it->arrives_at;
    int64_t hundredths;
    money_div_round((__int128)(it->arrives_at - it->departs_at) * 100, 3600, &hundredths);
    money_decimal_format(hundredths, 2, opt->transit_hours, sizeof opt->transit_hours);
    if (sum != it->cost) {
        snprintf(detail, dlen, "charges add up to %lld but the search priced %lld",
                 (long long)sum, (long long)it->cost);
        return -1;
    }
    return 0;
fail:
    opt->charges = ch.v;
    snprintf(detail, dlen, "re-pricing failed: %.200s", reason);
    return -1;
}

static void free_option(struct quote_option *o)
{
    free(o->legs);
    free(o->port_calls);
    free(o->charges);
}

void quote_result_free(struct quote_result *r)
{
    for (size_t i = 0; i < r->n_options; i++)
        free_option(&r->options[i]);
    free(r->options);
    free(r->full_departures);
    free(r->full_windows);
    memset(r, 0, sizeof *r);
}

/* True when itinerary a comes before b in the request's order (cost: total
 * then arrival; time: arrival then total).  The search's cost is the total
 * the option will show: both come from the same pricing functions. */
static bool before(const struct route_itinerary *a, const struct route_itinerary *b,
                   enum quote_optimize mode)
{
    if (mode == QUOTE_OPTIMIZE_TIME && a->arrives_at != b->arrives_at)
        return a->arrives_at < b->arrives_at;
    if (a->cost != b->cost)
        return a->cost < b->cost;
    return a->arrives_at < b->arrives_at;
}

/* Sorts the n indices in idx by `before` (insertion sort: a front is small). */
static void order(const struct route_itinerary *its, size_t *idx, size_t n,
                  enum quote_optimize mode)
{
    for (size_t i = 0; i < n; i++)
        idx[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && before(&its[idx[j]], &its[idx[j - 1]], mode); j--) {
            size_t t = idx[j];
            idx[j] = idx[j - 1];
            idx[j - 1] = t;
        }
}

__attribute__((format(printf, 4, 5))) static enum quote_status
fail(struct quote_result *out, enum quote_status st, const char *field, const char *fmt, ...)
{
    va_list ap;
    out->status = st;
    snprintf(out->error_field, sizeof out->error_field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(out->error_detail, sizeof out->error_detail, fmt, ap);
    va_end(ap);
    return st;
}

/* Appends to a NUL-terminated buffer, silently truncating (ASCII text). */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t size,
                                                         const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
}

static void add_id(int64_t **v, size_t *n, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i] == id)
            return;
    *v = xreallocarray(*v, *n + 1, sizeof **v);
    (*v)[(*n)++] = id;
}

/* Names what stops itinerary `it` (found with capacity ignored): full
 * departures and windows, and calls outside any window.  Returns how many. */
static size_t report_capacity(struct ctx *x, const struct route_itinerary *it,
                              struct quote_result *out)
{
    char *d = out->error_detail;
    size_t dn = sizeof out->error_detail, found = 0;
    char when[24];
    snprintf(d, dn, "not enough free capacity:");
    for (size_t i = 0; i <= it->n_legs; i++) {
        const struct route_connection *in = i ? it->legs[i - 1] : NULL;
        const struct route_connection *leg = i < it->n_legs ? it->legs[i] : NULL;
        uint32_t node = leg ? leg->from : in->to;
        struct call c[2];
        uint32_t win[2];
        size_t n = calls_at(in, leg, c);
        windows_ok(x, node, c, n, win);
        const char *code = network_node_at(x->net, node)->code;
        for (size_t k = 0; k < n && timetable_node_has_windows(x->tt, node); k++) {
            fmt_time(c[k].at, when, sizeof when);
            if (win[k] == TIMETABLE_NONE) {
                append(d, dn, " no port window at %s at %s;", code, when);
                found++;
                continue;
            }
            int32_t need = x->teu * (int32_t)(1 + (k == 1 && win[0] == win[1]));
            int32_t have = window_free(x, win[k]);
            int64_t id = timetable_window_at(x->tt, win[k])->id;
            if (have < need && !(k == 1 && win[0] == win[1] && out->n_full_windows &&
                                 out->full_windows[out->n_full_windows - 1] == id)) {
                add_id(&out->full_windows, &out->n_full_windows, id);
                append(d, dn, " port window %lld at %s (%s): %d TEU free, %d needed;",
                       (long long)id, code, when, (int)have, (int)need);
                found++;
            }
        }
        if (!leg)
            break;
        const struct timetable_departure *dep = timetable_departure_at(x->tt, leg->ref);
        if (!departure_has_room(x, dep)) {
            const struct quote_free_departure *f =
                x->avail ? free_departure(x->avail, dep->id) : NULL;
            fmt_time(dep->departs_at, when, sizeof when);
            add_id(&out->full_departures, &out->n_full_departures, dep->id);
            append(d, dn, " departure %lld %s → %s at %s: %d TEU / %lld kg free, %d TEU / %lld kg needed;",
                   (long long)dep->id, code, network_node_at(x->net, leg->to)->code, when,
                   f ? (int)f->free_teu : x->avail ? 0 : (int)dep->capacity_teu,
                   f ? (long long)f->free_kg : x->avail ? 0LL : (long long)dep->capacity_kg,
                   (int)x->teu, (long long)x->kg);
            found++;
        }
    }
    size_t len = strlen(d);
    if (len && d[len - 1] == ';')
        d[len - 1] = '\0';
    return found;
}

static int cmp_free_dep(const void *a, const void *b)
{
    int64_t x = ((const struct quote_free_departure *)a)->id;
    int64_t y = ((const struct quote_free_departure *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_free_win(const void *a, const void *b)
{
    int64_t x = ((const struct quote_free_window *)a)->id;
    int64_t y = ((const struct quote_free_window *)b)->id;
    return (x > y) - (x < y);
}

/* Returns avail, or a sorted private copy in *copy (free its arrays). */
static const struct quote_availability *sorted_availability(const struct quote_availability *a,
                                                            struct quote_availability *copy)
{
    bool sorted = true;
    for (size_t i = 1; sorted && i < a->n_departures; i++)
        sorted = a->departures[i - 1].id < a->departures[i].id;
    for (size_t i = 1; sorted && i < a->n_windows; i++)
        sorted = a->windows[i - 1].id < a->windows[i].id;
    if (sorted)
        return a;
    struct quote_free_departure *d = xreallocarray(NULL, a->n_departures + 1, sizeof *d);
    struct quote_free_window *w = xreallocarray(NULL, a->n_windows + 1, sizeof *w);
    if (a->n_departures)
        memcpy(d, a->departures, a->n_departures * sizeof *d);
    if (a->n_windows)
        memcpy(w, a->windows, a->n_windows * sizeof *w);
    qsort(d, a->n_departures, sizeof *d, cmp_free_dep);
    qsort(w, a->n_windows, sizeof *w, cmp_free_win);
    *copy = (struct quote_availability){d, a->n_departures, w, a->n_windows};
    return copy;
}

/* The best of n itineraries by the request's order. */
static const struct route_itinerary *best_itinerary(const struct route_itinerary *it, size_t n,
                                                    enum quote_optimize mode)
{
    const struct route_itinerary *b = &it[0];
    for (size_t i = 1; i < n; i++)
        if (before(&it[i], b, mode))
            b = &it[i];
    return b;
}

enum quote_status quote_compute(const struct snapshot *s, const struct quote_request *req,
                                const struct quote_availability *avail,
                                struct quote_result *out)
{
    memset(out, 0, sizeof *out);
    out->data_version = snapshot_version(s);
    const struct network *net = snapshot_network(s);
    const struct tariff_book *book = snapshot_tariffs(s);
    struct ctx x = {.net = net, .tt = snapshot_timetable(s), .now = req->now};
    struct tariff_pricing pricing;
    struct quote_availability copy = {0};
    struct route_itinerary *its = NULL;
    enum quote_status st = QUOTE_OK;
    char err[256], from_day[11] = "?", to_day[11] = "?";

    int max_options = req->max_options ? req->max_options : QUOTE_DEFAULT_OPTIONS;
    int horizon = req->horizon_days ? req->horizon_days : QUOTE_DEFAULT_HORIZON_DAYS;
    if (max_options < 1 || max_options > QUOTE_MAX_OPTIONS)
        return fail(out, QUOTE_EINVALID, "max_options", "max_options must be 1..%d",
                    QUOTE_MAX_OPTIONS);
    if (horizon < 1 || horizon > 366)
        return fail(out, QUOTE_EINVALID, "horizon_days", "horizon must be 1..366 days");
    if (req->n_via > QUOTE_MAX_VIA)
        return fail(out, QUOTE_EINVALID, "via", "at most %d via locations", QUOTE_MAX_VIA);
    if (!req->currency || tariff_book_minor_units(book, req->currency) < 0)
        return fail(out, QUOTE_EINVALID, "currency", "unknown currency %s",
                    req->currency ? req->currency : "(none)");
    int rc = tariff_pricing_init(&pricing, book, req->pricing_date, req->currency, req->org_code,
                                 req->containers, req->n_containers, err, sizeof err);
    if (rc != TARIFF_OK)
        return fail(out, QUOTE_EINVALID, rc == TARIFF_ENOFX ? "currency" : "cargo.containers",
                    "%s", err);
    snprintf(out->currency, sizeof out->currency, "%s", pricing.currency);
    out->minor_units = pricing.minor_units;
    int64_t teu = 0, kg = 0;
    for (size_t i = 0; i < req->n_containers; i++) {
        const struct tariff_container *c = &req->containers[i];
        teu += (int64_t)c->count * tariff_container_teu(c->type);
        kg += (int64_t)c->count * c->gross_weight_kg;
        if (teu > INT32_MAX / 2 || kg > INT64_MAX / 4)
            return fail(out, QUOTE_EINVALID, "cargo.containers", "too many containers");
    }
    out->teu = x.teu = (int32_t)teu;
    out->kg = x.kg = kg;

    struct route_query q = {.avoid_modes = req->avoid_modes};
    uint32_t via[QUOTE_MAX_VIA];
    q.origin = network_node_find(net, req->origin);
    q.destination = network_node_find(net, req->destination);
    if (q.origin == NETWORK_NONE)
        return fail(out, QUOTE_EUNKNOWN_LOCATION, "origin", "unknown location %s",
                    req->origin ? req->origin : "(none)");
    if (q.destination == NETWORK_NONE)
        return fail(out, QUOTE_EUNKNOWN_LOCATION, "destination", "unknown location %s",
                    req->destination ? req->destination : "(none)");
    for (size_t i = 0; i < req->n_via; i++) {
        char field[32];
        snprintf(field, sizeof field, "via[%zu]", i);
        if ((via[i] = network_node_find(net, req->via[i])) == NETWORK_NONE)
            return fail(out, QUOTE_EUNKNOWN_LOCATION, field, "unknown location %s",
                        req->via[i] ? req->via[i] : "(none)");
    }
    if (q.origin == q.destination)
        return fail(out, QUOTE_EINVALID, "destination", "destination equals origin");
    q.via = via;
    q.n_via = req->n_via;
    q.ready_at = (int64_t)req->ready_date * 86400;
    q.horizon_end = q.ready_at + (int64_t)horizon * 86400;
    timetable_date_format(req->ready_date, from_day, sizeof from_day);
    timetable_date_format(req->ready_date + horizon, to_day, sizeof to_day);

    x.pricing = &pricing;
    x.avail = avail ? sorted_availability(avail, &copy) : NULL;
    x.links = xcalloc(network_link_count(net) + 1, sizeof *x.links);
    x.calls[0] = xcalloc(network_node_count(net) + 1, sizeof *x.calls[0]);
    x.calls[1] = xcalloc(network_node_count(net) + 1, sizeof *x.calls[1]);
    its = xreallocarray(NULL, MAX_FRONT, sizeof *its);
    struct route_costs costs = {.arg = &x, .leg = leg_cb, .transfer = transfer_cb};
    enum route_outcome outcome;
    const struct route_timetable *rt = timetable_route(x.tt);
    size_t n = route_search(rt, &q, &costs, its, MAX_FRONT, &outcome);

    if (n == 0 && outcome == ROUTE_NO_CONNECTION) {
        st = fail(out, QUOTE_ENO_ROUTE, "", "no connection from %s to %s%s%s between %s and %s",
                  req->origin, req->destination, req->n_via ? " via the given locations" : "",
                  req->avoid_modes ? " avoiding the given modes" : "", from_day, to_day);
        goto out;
    }
    if (n == 0 && x.capacity_refused) {
        /* Would anything go without the capacity limits?  Then name what is full. */
        x.ignore_capacity = true;
        size_t n2 = route_search(rt, &q, &costs, its, MAX_FRONT, &outcome);
        x.ignore_capacity = false;
        if (n2 > 0 && report_capacity(&x, best_itinerary(its, n2, req->optimize), out) > 0) {
            st = QUOTE_ECAPACITY;
            goto out;
        }
        free(out->full_departures);
        free(out->full_windows);
        out->full_departures = out->full_windows = NULL;
        out->n_full_departures = out->n_full_windows = 0;
    }
    if (n == 0) {
        st = fail(out, QUOTE_ENO_ROUTE, "", "no itinerary from %s to %s between %s and %s: %s",
                  req->origin, req->destination, from_day, to_day,
                  x.reason[0] ? x.reason
                              : "every connection is closed for booking or the transfers are "
                                "too short");
        goto out;
    }
    /* Order the front, keep max_options, and only then format the lines. */
    size_t idx[MAX_FRONT], keep = n < (size_t)max_options ? n : (size_t)max_options;
    order(its, idx, n, req->optimize);
    out->options = xcalloc(keep, sizeof *out->options);
    for (size_t i = 0; i < keep; i++) {
        char detail[256];
        struct quote_option *o = &out->options[out->n_options++];
        if (build_option(&x, &its[idx[i]], o, detail, sizeof detail)) {
            st = fail(out, QUOTE_EINTERNAL, "", "%s", detail);
            goto out;
        }
        o->option = (int)i + 1;
    }
    st = QUOTE_OK;
out:
    if (x.avail == &copy) {
        free((void *)copy.departures);
        free((void *)copy.windows);
    }
    free(x.links);
    free(x.calls[0]);
    free(x.calls[1]);
    free(its);
    out->status = st;
    return st;
}

const char *quote_call_kind_name(enum quote_call_kind k)
{
    switch (k) {
    case QUOTE_CALL_LOAD:
        return "load";
    case QUOTE_CALL_DISCHARGE:
        return "discharge";
    case QUOTE_CALL_TRANSSHIPMENT:
        return "transshipment";
    }
    return "?";
}

int quote_optimize_parse(const char *s)
{
    if (s && strcmp(s, "cost") == 0)
        return QUOTE_OPTIMIZE_COST;
    if (s && strcmp(s, "time") == 0)
        return QUOTE_OPTIMIZE_TIME;
    return -1;
}
