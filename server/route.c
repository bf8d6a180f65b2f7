/* route: multi-criteria itinerary search, Connection Scan style (see include/route.h).
 *
 * One pass over the connections departing in [ready_at, horizon_end], in
 * departure order.  A label is a partial itinerary ending at a node:
 * (arrival, cost, legs), the connection it arrived by and its parent.  Labels
 * live in Pareto bags keyed by (node, arriving connection's cls and mode, via
 * progress): the transfer callback may depend on in->cls and in->mode, so
 * labels arriving by different classes or modes never compare.
 *
 * It may also depend on in->arrives_at, which is what makes plain dominance
 * unsafe: an earlier arrival may be refused (a full port window) where a
 * later one is accepted.  So a dominated label is not thrown away but kept as
 * a "shadow" of the label that dominates it, and is looked at only when that
 * label's transfer is refused.  When the dominating label's transfer is
 * accepted it is at least as good (its cost was lower and, by the contract in
 * route.h, an accepted transfer never costs more for an earlier arrival), so
 * shadows cost a little memory and no time unless refusals actually happen.
 *
 * Legs are a third criterion (a cheaper label with more legs must not hide a
 * dearer one with fewer when max_legs binds).  A bag's front (the labels no
 * other dominates) is a small block of entries, newest first, each with the
 * least cost and legs of itself and all older ones, so that the scan of a
 * departure stops as soon as no older label can give anything new.
 *
 * Costs are never negative (route.h), so a destination result that is no
 * later and no dearer than a label's cost so far makes the label useless
 * (target pruning); results are compared by their final cost, which includes
 * the discharge at the destination.  Every label stays in the per-query arena
 * until the end, so parents can be followed to rebuild itineraries.  All
 * scratch belongs to one query; the timetable is only read. */
#include "route.h"

#include <stdlib.h>
#include <string.h>

#include "xmem.h"

#define NONE UINT32_MAX
#define PREFETCH 8 /* connections ahead */
#define START_CLS 0xff /* the origin's start label: no arriving connection */

struct route_timetable {
    struct route_connection *conns; /* sorted by departure, arrival, ref */
    size_t n;
    uint32_t n_nodes;
};

struct label {
    int64_t arrives_at;
    int64_t cost;    /* every leg and transfer so far */
    uint32_t in;     /* timetable index of the arriving connection; NONE at the origin */
    uint32_t parent; /* the label this one extends; NONE for the start label */
    uint32_t next;   /* next sibling among the shadows of one label */
    uint32_t shadow; /* first label this one dominates (while in a front: entry.shadow) */
    uint8_t legs;
};

/* A label in a bag's front, with what the scan needs, so that a bag's front
 * is one small block of memory. */
struct entry {
    int64_t arrives_at, cost;
    int64_t older_cost; /* least cost of this entry and all older ones in the front */
    uint32_t label, in, shadow;
    uint8_t legs, older_legs; /* older_legs: least legs of this entry and all older ones */
};

struct bag {
    int64_t earliest; /* arrival of the oldest entry */
    uint32_t next;    /* next bag at the same node */
    uint32_t first;   /* its block of entries, newest first */
    uint32_t n, cap;
    uint8_t cls, mode, via;
};

struct result {
    int64_t arrives_at, cost;
    uint32_t label;
};

/* A candidate label for one connection, before it goes into a bag. */
struct candidate {
    int64_t cost;
    uint32_t parent;
    uint8_t legs;
};

struct search {
    const struct route_timetable *t;
    const struct route_query *q;
    const struct route_costs *costs;
    size_t max_legs;
    uint32_t n_via;
    struct label *labels;
    uint32_t n_labels, cap_labels;
    struct bag *bags;
    uint32_t n_bags, cap_bags;
    struct entry *entries; /* the bags' blocks; a bag that outgrows its block moves */
    uint32_t n_entries, cap_entries;
    uint32_t *node_bags;    /* per node: first bag, NONE */
    int64_t *node_earliest; /* per node: earliest arrival of any label there */
    struct result *front;   /* destination results, Pareto over (arrival, cost) */
    size_t n_front, cap_front;
    uint32_t *stack;
    size_t cap_stack;
    size_t transfer_calls, leg_calls;
    struct candidate cand[ROUTE_MAX_VIA + 1][ROUTE_DEFAULT_MAX_LEGS + 1];
    uint8_t n_cand[ROUTE_MAX_VIA + 1];
};

/* ---- timetable -------------------------------------------------------------------- */

static int cmp_connection(const void *pa, const void *pb)
{
    const struct route_connection *a = pa, *b = pb;
    if (a->departs_at != b->departs_at)
        return a->departs_at < b->departs_at ? -1 : 1;
    if (a->arrives_at != b->arrives_at)
        return a->arrives_at < b->arrives_at ? -1 : 1;
    if (a->ref != b->ref)
        return a->ref < b->ref ? -1 : 1;
    /* Same departure, arrival and ref: order by content so the result does
     * not depend on the input order. */
    if (a->from != b->from)
        return a->from < b->from ? -1 : 1;
    if (a->to != b->to)
        return a->to < b->to ? -1 : 1;
    if (a->mode != b->mode)
        return a->mode < b->mode ? -1 : 1;
    return (a->cls > b->cls) - (a->cls < b->cls);
}

/* Copies the valid connections and sorts them.  Returns a timetable owned by
 * the caller (route_timetable_free); any thread.  Also drops connections whose
 * nodes are out of range or whose mode or cls is out of range. */
struct route_timetable *route_timetable_build(const struct route_connection *c, size_t n,
                                              uint32_t n_nodes)
{
    struct route_timetable *t = xcalloc(1, sizeof(*t));
    t->n_nodes = n_nodes;
    t->conns = xreallocarray(NULL, n ? n : 1, sizeof(*t->conns));
    for (size_t i = 0; i < n && t->n < NONE - 1; i++) {
        if (c[i].from == c[i].to || c[i].arrives_at <= c[i].departs_at ||
            c[i].from >= n_nodes || c[i].to >= n_nodes || c[i].mode >= 8 || c[i].cls >= 16)
            continue;
        t->conns[t->n++] = c[i];
    }
    qsort(t->conns, t->n, sizeof(*t->conns), cmp_connection);
    return t;
}

/* Frees t (NULL is fine).  No query may be running on it. */
void route_timetable_free(struct route_timetable *t)
{
    if (!t)
        return;
    free(t->conns);
    free(t);
}

/* Number of connections kept by route_timetable_build. */
size_t route_timetable_size(const struct route_timetable *t)
{
    return t->n;
}

/* The i-th connection in departure order; owned by t. */
const struct route_connection *route_timetable_at(const struct route_timetable *t, size_t i)
{
    return &t->conns[i];
}

/* Index of the first connection departing at or after at. */
static size_t first_departure(const struct route_timetable *t, int64_t at)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->conns[mid].departs_at < at)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* ---- arena ------------------------------------------------------------------------ */

static uint32_t new_label(struct search *s)
{
    if (s->n_labels == s->cap_labels) {
        s->cap_labels = s->cap_labels ? s->cap_labels * 2 : 256;
        s->labels = xreallocarray(s->labels, s->cap_labels, sizeof(*s->labels));
    }
    return s->n_labels++;
}

static uint32_t find_bag(struct search *s, uint32_t node, uint8_t cls, uint8_t mode, uint8_t via)
{
    for (uint32_t b = s->node_bags[node]; b != NONE; b = s->bags[b].next)
        if (s->bags[b].cls == cls && s->bags[b].mode == mode && s->bags[b].via == via)
            return b;
    if (s->n_bags == s->cap_bags) {
        s->cap_bags = s->cap_bags ? s->cap_bags * 2 : 64;
        s->bags = xreallocarray(s->bags, s->cap_bags, sizeof(*s->bags));
    }
    uint32_t b = s->n_bags++;
    s->bags[b] = (struct bag){.earliest = INT64_MAX, .next = s->node_bags[node], .cls = cls,
                              .mode = mode, .via = via};
    s->node_bags[node] = b;
    return b;
}

/* Makes room for one more entry in bag b (moving its block if full). */
static void bag_reserve(struct search *s, struct bag *b)
{
    if (b->n < b->cap)
        return;
    uint32_t cap = b->cap ? b->cap * 2 : 4;
    if (s->cap_entries - s->n_entries < cap) {
        while (s->cap_entries - s->n_entries < cap)
            s->cap_entries = s->cap_entries ? s->cap_entries * 2 : 1024;
        s->entries = xreallocarray(s->entries, s->cap_entries, sizeof(*s->entries));
    }
    if (b->n > 0)
        memcpy(&s->entries[s->n_entries], &s->entries[b->first], b->n * sizeof(*s->entries));
    b->first = s->n_entries;
    b->cap = cap;
    s->n_entries += cap;
}

static void push(struct search *s, size_t *top, uint32_t x)
{
    if (*top == s->cap_stack) {
        s->cap_stack = s->cap_stack ? s->cap_stack * 2 : 64;
        s->stack = xreallocarray(s->stack, s->cap_stack, sizeof(*s->stack));
    }
    s->stack[(*top)++] = x;
}

/* Puts label x into bag b at node: into the front, or as a shadow of the
 * front entry that dominates it.  Entries x dominates become its shadows. */
static void bag_insert(struct search *s, uint32_t node, uint32_t b, uint32_t x)
{
    struct bag *bag = &s->bags[b];
    struct label *n = &s->labels[x];
    struct entry *e = &s->entries[bag->first];
    for (uint32_t i = 0; i < bag->n; i++)
        if (e[i].arrives_at <= n->arrives_at && e[i].cost <= n->cost && e[i].legs <= n->legs) {
            n->next = e[i].shadow;
            e[i].shadow = x;
            return; /* then x dominates nothing: the front is an antichain */
        }
    bag_reserve(s, bag);
    e = &s->entries[bag->first];
    uint32_t j = 0, at, shadow = NONE;
    for (uint32_t i = 0; i < bag->n; i++) {
        if (n->arrives_at <= e[i].arrives_at && n->cost <= e[i].cost && n->legs <= e[i].legs) {
            struct label *d = &s->labels[e[i].label];
            d->shadow = e[i].shadow;
            d->next = shadow;
            shadow = e[i].label;
            continue;
        }
        e[j++] = e[i];
    }
    for (at = 0; at < j && e[at].arrives_at >= n->arrives_at; at++)
        ;
    memmove(&e[at + 1], &e[at], (j - at) * sizeof(*e));
    e[at] = (struct entry){.arrives_at = n->arrives_at, .cost = n->cost, .label = x,
                           .in = n->in, .shadow = shadow, .legs = n->legs};
    bag->n = j + 1;
    int64_t cost = INT64_MAX;
    uint8_t legs = UINT8_MAX;
    for (uint32_t i = bag->n; i-- > 0;) {
        if (e[i].cost < cost)
            cost = e[i].cost;
        if (e[i].legs < legs)
            legs = e[i].legs;
        e[i].older_cost = cost;
        e[i].older_legs = legs;
    }
    if (n->arrives_at < bag->earliest)
        bag->earliest = n->arrives_at;
    if (n->arrives_at < s->node_earliest[node])
        s->node_earliest[node] = n->arrives_at;
}

/* ---- destination front ------------------------------------------------------------ */

/* The lowest final cost among results arriving at or before arrives_at. */
static int64_t front_bound(const struct search *s, int64_t arrives_at)
{
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < s->n_front; i++)
        if (s->front[i].arrives_at <= arrives_at && s->front[i].cost < best)
            best = s->front[i].cost;
    return best;
}

static void front_insert(struct search *s, int64_t arrives_at, int64_t cost, uint32_t label)
{
    size_t j = 0;
    for (size_t i = 0; i < s->n_front; i++) {
        const struct result *r = &s->front[i];
        if (r->arrives_at <= arrives_at && r->cost <= cost)
            return; /* nothing removed yet: the front never dominates itself */
        if (!(arrives_at <= r->arrives_at && cost <= r->cost))
            s->front[j++] = *r;
    }
    s->n_front = j;
    if (s->n_front == s->cap_front) {
        s->cap_front = s->cap_front ? s->cap_front * 2 : 16;
        s->front = xreallocarray(s->front, s->cap_front, sizeof(*s->front));
    }
    s->front[s->n_front++] = (struct result){arrives_at, cost, label};
}

/* ---- the scan --------------------------------------------------------------------- */

/* Is (cost, legs) no better than a candidate already gathered? */
static bool candidate_covers(const struct search *s, uint8_t via, int64_t cost, unsigned legs)
{
    for (uint8_t i = 0; i < s->n_cand[via]; i++)
        if (s->cand[via][i].cost <= cost && s->cand[via][i].legs <= legs)
            return true;
    return false;
}

static void add_candidate(struct search *s, uint8_t via, int64_t cost, uint8_t legs,
                          uint32_t parent)
{
    struct candidate *c = s->cand[via];
    uint8_t n = s->n_cand[via], j = 0;
    if (candidate_covers(s, via, cost, legs))
        return;
    for (uint8_t i = 0; i < n; i++)
        if (!(cost <= c[i].cost && legs <= c[i].legs))
            c[j++] = c[i];
    c[j++] = (struct candidate){cost, parent, legs};
    s->n_cand[via] = j;
}

/* What gather knows about the connection it looks at. */
struct scan {
    const struct route_connection *c;
    uint32_t ci;
    bool asked;       /* has leg been called */
    int64_t leg_cost; /* its answer */
    int64_t bound;    /* results no later than c's arrival cost at least this */
};

/* Can nothing of cost at least `cost` and at least `legs` legs, at this
 * point of the scan, give a new candidate for via progress via? */
static inline bool hopeless(const struct search *s, const struct scan *sc, uint8_t via, int64_t cost,
                     unsigned legs)
{
    int64_t lower;
    if (legs >= s->max_legs || cost >= sc->bound)
        return true;
    if (!sc->asked)
        return false;
    if (__builtin_add_overflow(cost, sc->leg_cost, &lower) || lower >= sc->bound)
        return true;
    return candidate_covers(s, via, lower, legs + 1);
}

enum { SKIPPED, REFUSED, LEG_REFUSED };

/* Tries one label (arrival, cost, legs, arriving connection) as the
 * predecessor of the scanned connection, adding a candidate if it is one. */
static inline int try_label(struct search *s, struct scan *sc, uint8_t via, int64_t arrives_at,
                     int64_t cost, uint8_t legs, uint32_t in, uint32_t label)
{
    const struct route_costs *k = s->costs;
    const struct route_connection *c = sc->c;
    int64_t tc;
    if (arrives_at > c->departs_at || hopeless(s, sc, via, cost, legs))
        return SKIPPED; /* and so are its shadows */
    if (!sc->asked) {
        sc->asked = true;
        s->leg_calls++;
        if (!k->leg(k->arg, c, &sc->leg_cost))
            return LEG_REFUSED;
        if (hopeless(s, sc, via, cost, legs))
            return SKIPPED;
    }
    s->transfer_calls++;
    if (!k->transfer(k->arg, c->from, in == NONE ? NULL : &s->t->conns[in], c, &tc))
        return REFUSED;
    if (!__builtin_add_overflow(cost + sc->leg_cost, tc, &cost) && cost < sc->bound)
        add_candidate(s, via, cost, (uint8_t)(legs + 1), label);
    return SKIPPED;
}

/* Tries front entry e and, where a transfer is refused, the shadows.
 * Returns false when the leg itself is refused. */
static bool try_entry(struct search *s, struct scan *sc, uint8_t via, const struct entry *e)
{
    size_t top = 0;
    int r = try_label(s, sc, via, e->arrives_at, e->cost, e->legs, e->in, e->label);
    if (r != REFUSED)
        return r != LEG_REFUSED;
    for (uint32_t z = e->shadow; z != NONE; z = s->labels[z].next)
        push(s, &top, z);
    while (top > 0) {
        uint32_t y = s->stack[--top];
        const struct label *L = &s->labels[y];
        if (try_label(s, sc, via, L->arrives_at, L->cost, L->legs, L->in, y) != REFUSED)
            continue;
        for (uint32_t z = s->labels[y].shadow; z != NONE; z = s->labels[z].next)
            push(s, &top, z);
    }
    return true;
}

/* Gathers, for the scanned connection, the Pareto-best (cost, legs)
 * predecessors per via progress among the labels at its departure node.
 * Returns false when the connection cannot be used at all. */
static bool gather(struct search *s, struct scan *sc)
{
    const struct route_connection *c = sc->c;
    for (uint32_t b = s->node_bags[c->from]; b != NONE; b = s->bags[b].next) {
        const struct bag *bag = &s->bags[b];
        if (bag->earliest > c->departs_at)
            continue;
        for (uint32_t i = 0; i < bag->n; i++) {
            const struct entry *e = &s->entries[bag->first + i];
            if (e->arrives_at > c->departs_at)
                continue;
            if (hopeless(s, sc, bag->via, e->older_cost, e->older_legs))
                break;
            if (!try_entry(s, sc, bag->via, e))
                return false;
        }
    }
    return sc->asked;
}

/* Turns the gathered candidates of connection ci into labels. */
static void extend(struct search *s, const struct scan *sc)
{
    const struct route_connection *c = sc->c;
    uint32_t ci = sc->ci;
    int64_t bound = sc->bound;
    const struct route_query *q = s->q;
    for (uint32_t v = 0; v <= s->n_via; v++) {
        uint8_t n = s->n_cand[v];
        if (n == 0)
            continue;
        s->n_cand[v] = 0;
        uint8_t via = (uint8_t)(v + (v < s->n_via && q->via[v] == c->to));
        bool complete = c->to == q->destination && via == s->n_via;
        bool onward = c->arrives_at <= q->horizon_end;
        if (!complete && !onward)
            continue;
        uint32_t b = onward ? find_bag(s, c->to, c->cls, c->mode, via) : NONE;
        for (uint8_t i = 0; i < n; i++) {
            const struct candidate *cd = &s->cand[v][i];
            if (cd->cost >= bound || s->n_labels >= NONE - 1 ||
                (!complete && cd->legs >= s->max_legs))
                continue;
            uint32_t x = new_label(s);
            s->labels[x] = (struct label){.arrives_at = c->arrives_at, .cost = cd->cost,
                                          .in = ci, .parent = cd->parent, .next = NONE,
                                          .shadow = NONE, .legs = cd->legs};
            int64_t tc, total;
            s->transfer_calls += complete;
            if (complete && s->costs->transfer(s->costs->arg, c->to, c, NULL, &tc) &&
                !__builtin_add_overflow(cd->cost, tc, &total)) {
                front_insert(s, c->arrives_at, total, x);
                if (total < bound)
                    bound = total;
            }
            if (onward && cd->legs < s->max_legs)
                bag_insert(s, c->to, b, x);
        }
    }
}

/* Is the destination reachable within the horizon, the avoided modes, the via
 * order and max_legs, when every leg and transfer is accepted (and no time
 * is needed to change legs)?  Only run when the search found nothing. */
static bool reachable_ignoring_refusals(const struct search *s, size_t first, uint8_t via0)
{
    const struct route_query *q = s->q;
    const struct route_timetable *t = s->t;
    size_t nv = s->n_via + 1, nl = s->max_legs + 1;
    int64_t *reach = xreallocarray(NULL, (size_t)t->n_nodes * nv * nl, sizeof(*reach));
    int64_t *earliest = xreallocarray(NULL, t->n_nodes, sizeof(*earliest));
    bool found = false;
    for (size_t i = 0; i < (size_t)t->n_nodes * nv * nl; i++)
        reach[i] = INT64_MAX;
    for (size_t i = 0; i < t->n_nodes; i++)
        earliest[i] = INT64_MAX;
    reach[((size_t)q->origin * nv + via0) * nl] = q->ready_at;
    earliest[q->origin] = q->ready_at;

    for (size_t i = first; i < t->n && t->conns[i].departs_at <= q->horizon_end; i++) {
        const struct route_connection *c = &t->conns[i];
        if ((q->avoid_modes >> c->mode) & 1u || earliest[c->from] > c->departs_at)
            continue;
        for (size_t v = 0; v < nv; v++) {
            const int64_t *r = &reach[((size_t)c->from * nv + v) * nl];
            size_t legs = 0;
            while (legs < s->max_legs && r[legs] > c->departs_at)
                legs++;
            if (legs == s->max_legs)
                continue; /* min legs by then: fewer legs never hurt when nothing is refused */
            size_t via = v + (v < s->n_via && q->via[v] == c->to);
            if (c->to == q->destination && via == s->n_via) {
                found = true;
                goto out;
            }
            int64_t *to = &reach[((size_t)c->to * nv + via) * nl + legs + 1];
            if (c->arrives_at < *to)
                *to = c->arrives_at;
            if (c->arrives_at < earliest[c->to])
                earliest[c->to] = c->arrives_at;
        }
    }
out:
    free(reach);
    free(earliest);
    return found;
}

/* Asks the cache for what the scan will soon need: the bags at both ends
 * of a connection a little ahead, then the connection by which the newest
 * label at the departure node of a nearer one arrived (the transfer callback
 * reads it).  Only hints: nothing depends on them. */
static void prefetch(const struct search *s, size_t i)
{
    const struct route_connection *far = &s->t->conns[i + 2 * PREFETCH];
    uint32_t b = s->node_bags[far->from];
    if (b != NONE)
        __builtin_prefetch(&s->entries[s->bags[b].first]);
    b = s->node_bags[far->to];
    if (b != NONE)
        __builtin_prefetch(&s->entries[s->bags[b].first]);
    b = s->node_bags[s->t->conns[i + PREFETCH].from];
    if (b != NONE && s->bags[b].n > 0 && s->entries[s->bags[b].first].in != NONE)
        __builtin_prefetch(&s->t->conns[s->entries[s->bags[b].first].in]);
}

static int cmp_result(const void *pa, const void *pb)
{
    const struct result *a = pa, *b = pb;
    if (a->arrives_at != b->arrives_at)
        return a->arrives_at < b->arrives_at ? -1 : 1;
    return (a->cost > b->cost) - (a->cost < b->cost);
}

static void rebuild(const struct search *s, const struct result *r, struct route_itinerary *it)
{
    const struct label *L = s->labels;
    uint32_t x = r->label;
    it->cost = r->cost;
    it->arrives_at = r->arrives_at;
    it->n_legs = L[x].legs;
    for (size_t i = it->n_legs; i > 0; i--) {
        it->legs[i - 1] = &s->t->conns[L[x].in];
        x = L[x].parent;
    }
    it->departs_at = it->legs[0]->departs_at;
}

/* Searches t for q (see route.h).  The itineraries point into t; the caller
 * owns out.  Any thread; callbacks run on the calling thread. */
size_t route_search(const struct route_timetable *t, const struct route_query *q,
                    const struct route_costs *costs, struct route_itinerary *out, size_t max_out,
                    enum route_outcome *outcome)
{
    struct search *s = NULL;
    size_t n_out = 0;
    enum route_outcome why = ROUTE_NO_CONNECTION;

    if (q->stats)
        *q->stats = (struct route_stats){0};
    if (q->origin >= t->n_nodes || q->destination >= t->n_nodes || q->n_via > ROUTE_MAX_VIA ||
        (q->n_via > 0 && !q->via))
        goto out;
    s = xcalloc(1, sizeof(*s));
    s->t = t;
    s->q = q;
    s->costs = costs;
    s->n_via = (uint32_t)q->n_via;
    s->max_legs = q->max_legs == 0 || q->max_legs > ROUTE_DEFAULT_MAX_LEGS
                      ? ROUTE_DEFAULT_MAX_LEGS
                      : q->max_legs;
    s->node_bags = xreallocarray(NULL, t->n_nodes, sizeof(*s->node_bags));
    s->node_earliest = xreallocarray(NULL, t->n_nodes, sizeof(*s->node_earliest));
    for (uint32_t i = 0; i < t->n_nodes; i++) {
        s->node_bags[i] = NONE;
        s->node_earliest[i] = INT64_MAX;
    }

    uint8_t via0 = s->n_via > 0 && q->via[0] == q->origin;
    uint32_t start = new_label(s);
    s->labels[start] = (struct label){.arrives_at = q->ready_at, .in = NONE, .parent = NONE,
                                      .next = NONE, .shadow = NONE};
    bag_insert(s, q->origin, find_bag(s, q->origin, START_CLS, START_CLS, via0), start);

    size_t first = first_departure(t, q->ready_at), i;
    for (i = first; i < t->n && t->conns[i].departs_at <= q->horizon_end; i++) {
        const struct route_connection *c = &t->conns[i];
        if (i + 2 * PREFETCH < t->n)
            prefetch(s, i);
        if ((q->avoid_modes >> c->mode) & 1u || s->node_earliest[c->from] > c->departs_at)
            continue;
        struct scan sc = {.c = c, .ci = (uint32_t)i,
                          .bound = s->n_front ? front_bound(s, c->arrives_at) : INT64_MAX};
        if (gather(s, &sc))
            extend(s, &sc);
    }

    if (s->n_front > 0) {
        why = ROUTE_FOUND;
        qsort(s->front, s->n_front, sizeof(*s->front), cmp_result);
        for (; n_out < s->n_front && n_out < max_out; n_out++)
            rebuild(s, &s->front[n_out], &out[n_out]);
    } else if (reachable_ignoring_refusals(s, first, via0)) {
        why = ROUTE_ONLY_INFEASIBLE;
    }
    if (q->stats)
        *q->stats = (struct route_stats){.scanned = i - first, .labels = s->n_labels,
                                         .transfer_calls = s->transfer_calls,
                                         .leg_calls = s->leg_calls};

out:
    if (s) {
        free(s->labels);
        free(s->bags);
        free(s->entries);
        free(s->node_bags);
        free(s->node_earliest);
        free(s->front);
        free(s->stack);
        free(s);
    }
    if (outcome)
        *outcome = why;
    return n_out;
}
