/* tariff_book: tariff rows, surcharges, discounts, FX rates and currencies,
 * sorted for lookup (see tariff_book.h). */
#include "tariff_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "xmem.h"

struct tariff_book {
    const struct network *net;
    struct money_currency *cur;
    size_t n_cur, cap_cur;
    struct tariff_row *rows; /* sorted by (target, charge code, id) after finish */
    size_t n_rows, cap_rows;
    struct tariff_surcharge *sur;
    size_t n_sur, cap_sur;
    struct tariff_discount *disc;
    size_t n_disc, cap_disc;
    struct tariff_fx *fx; /* sorted by (currency, on_date) after finish */
    size_t n_fx, cap_fx;
    uint32_t *target_first; /* rows of link i start at [i], of node j at [n_links + j] */
    bool finished;
};

#define ERR(...) (err ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)
#define GROW(arr, n, cap)                                                   \
    do {                                                                    \
        if ((n) == (cap)) {                                                 \
            (cap) = (cap) ? 2 * (cap) : 16;                                 \
            (arr) = xreallocarray((arr), (cap), sizeof *(arr));             \
        }                                                                   \
    } while (0)

static const char *const TYPE_NAMES[TARIFF_N_CONTAINER_TYPES] = {"20DV", "40DV", "40HC", "20RF",
                                                                 "40RF"};
static const char *const BASIS_NAMES[] = {"per_container",    "per_teu",    "per_tonne",
                                          "per_container_km", "per_teu_km", "per_tonne_km",
                                          "per_shipment",     "percent"};

const char *tariff_container_type_name(enum tariff_container_type t)
{
    return (unsigned)t < TARIFF_N_CONTAINER_TYPES ? TYPE_NAMES[t] : "?";
}

int tariff_container_type_parse(const char *s)
{
    for (int i = 0; s && i < TARIFF_N_CONTAINER_TYPES; i++)
        if (strcmp(s, TYPE_NAMES[i]) == 0)
            return i;
    return -1;
}

const char *tariff_basis_name(enum tariff_basis b)
{
    return (unsigned)b <= TARIFF_PERCENT ? BASIS_NAMES[b] : "?";
}

int tariff_basis_parse(const char *s)
{
    for (int i = 0; s && i <= TARIFF_PERCENT; i++)
        if (strcmp(s, BASIS_NAMES[i]) == 0)
            return i;
    return -1;
}

int tariff_container_teu(enum tariff_container_type t)
{
    return (t == TARIFF_20DV || t == TARIFF_20RF) ? 1 : 2;
}

struct tariff_book *tariff_book_new(const struct network *net)
{
    struct tariff_book *b = xcalloc(1, sizeof *b);
    b->net = net;
    return b;
}

void tariff_book_free(struct tariff_book *b)
{
    if (!b)
        return;
    free(b->cur);
    free(b->rows);
    free(b->sur);
    free(b->disc);
    free(b->fx);
    free(b->target_first);
    free(b);
}

static const struct money_currency *currency(const struct tariff_book *b, const char *code)
{
    if (!code)
        return NULL;
    if (b->finished)
        return money_currency_find(b->cur, b->n_cur, code);
    for (size_t i = 0; i < b->n_cur; i++)
        if (strcmp(b->cur[i].code, code) == 0)
            return &b->cur[i];
    return NULL;
}

static bool code_ok(const char *c)
{
    size_t n = strnlen(c, TARIFF_CODE_MAX);
    return n > 0 && n < TARIFF_CODE_MAX;
}

int tariff_book_add_currency(struct tariff_book *b, const char *code, int minor_units, char *err,
                             size_t errlen)
{
    if (b->finished || !code || strlen(code) != 3 || minor_units < 0 ||
        minor_units > MONEY_MAX_MINOR_UNITS || currency(b, code)) {
        ERR("invalid or duplicate currency %s", code ? code : "(null)");
        return TARIFF_EINVALID;
    }
    GROW(b->cur, b->n_cur, b->cap_cur);
    memcpy(b->cur[b->n_cur].code, code, 4);
    b->cur[b->n_cur++].minor_units = minor_units;
    return TARIFF_OK;
}

int tariff_book_add_row(struct tariff_book *b, const struct tariff_row *r, char *err,
                        size_t errlen)
{
    long long id = (long long)r->id;
    bool on_link = r->link != NETWORK_NONE, on_node = r->node != NETWORK_NONE;
    if (b->finished || !code_ok(r->charge_code) || on_link == on_node ||
        (on_link && r->link >= network_link_count(b->net)) ||
        (on_node && r->node >= network_node_count(b->net))) {
        ERR("tariff %lld: bad charge code or target", id);
        return TARIFF_EINVALID;
    }
    if (r->container_type < TARIFF_ANY_TYPE || r->container_type >= TARIFF_N_CONTAINER_TYPES ||
        (unsigned)r->basis >= TARIFF_PERCENT) {
        ERR("tariff %lld: bad container type or basis", id);
        return TARIFF_EINVALID;
    }
    if (r->min_gross_kg < TARIFF_NO_BOUND || r->max_gross_kg < TARIFF_NO_BOUND ||
        (r->min_gross_kg >= 0 && r->max_gross_kg >= 0 && r->max_gross_kg < r->min_gross_kg)) {
        ERR("tariff %lld: bad weight band", id);
        return TARIFF_EINVALID;
    }
    if (r->rate < 0 || r->min_charge < 0 || r->valid_to < r->valid_from) {
        ERR("tariff %lld: negative rate or min_charge, or valid_to before valid_from", id);
        return TARIFF_EINVALID;
    }
    if (!currency(b, r->currency)) {
        ERR("tariff %lld: unknown currency %.3s", id, r->currency);
        return TARIFF_EINVALID;
    }
    GROW(b->rows, b->n_rows, b->cap_rows);
    b->rows[b->n_rows++] = *r;
    return TARIFF_OK;
}

int tariff_book_add_surcharge(struct tariff_book *b, const struct tariff_surcharge *s, char *err,
                              size_t errlen)
{
    if (b->finished || !code_ok(s->code) || !code_ok(s->applies_to) || s->mode < -1 ||
        s->mode >= NETWORK_N_MODES || s->percent < -100000 || s->percent > 1000000 ||
        s->valid_to < s->valid_from) {
        ERR("surcharge %lld: bad code, mode, percent or validity", (long long)s->id);
        return TARIFF_EINVALID;
    }
    GROW(b->sur, b->n_sur, b->cap_sur);
    b->sur[b->n_sur++] = *s;
    return TARIFF_OK;
}

int tariff_book_add_discount(struct tariff_book *b, const struct tariff_discount *d, char *err,
                             size_t errlen)
{
    if (b->finished || !code_ok(d->code) || strnlen(d->applies_to, TARIFF_CODE_MAX) >= TARIFF_CODE_MAX ||
        strnlen(d->org_code, TARIFF_ORG_MAX) >= TARIFF_ORG_MAX || d->percent <= 0 ||
        d->percent > 100000 || d->valid_to < d->valid_from) {
        ERR("discount %lld: bad code, percent or validity", (long long)d->id);
        return TARIFF_EINVALID;
    }
    GROW(b->disc, b->n_disc, b->cap_disc);
    b->disc[b->n_disc++] = *d;
    return TARIFF_OK;
}

int tariff_book_add_fx(struct tariff_book *b, const struct tariff_fx *fx, char *err,
                       size_t errlen)
{
    if (b->finished || fx->per_usd <= 0 || !currency(b, fx->currency)) {
        ERR("fx rate %.3s: unknown currency or per_usd <= 0", fx->currency);
        return TARIFF_EINVALID;
    }
    GROW(b->fx, b->n_fx, b->cap_fx);
    b->fx[b->n_fx++] = *fx;
    return TARIFF_OK;
}

/* qsort, but never with a NULL base (an empty array may be NULL). */
static void sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    if (n > 1)
        qsort(base, n, size, cmp);
}

static int cmp_row(const void *a, const void *b)
{
    const struct tariff_row *x = a, *y = b;
    if (x->link != y->link)
        return x->link < y->link ? -1 : 1;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    int c = strcmp(x->charge_code, y->charge_code);
    if (c)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

static int cmp_sur(const void *a, const void *b)
{
    int64_t x = ((const struct tariff_surcharge *)a)->id, y = ((const struct tariff_surcharge *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_disc(const void *a, const void *b)
{
    int64_t x = ((const struct tariff_discount *)a)->id, y = ((const struct tariff_discount *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_fx(const void *a, const void *b)
{
    const struct tariff_fx *x = a, *y = b;
    int c = strcmp(x->currency, y->currency);
    return c ? c : (x->on_date > y->on_date) - (x->on_date < y->on_date);
}

static int cmp_cur(const void *a, const void *b)
{
    return strcmp(((const struct money_currency *)a)->code, ((const struct money_currency *)b)->code);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

int tariff_book_finish(struct tariff_book *b, char *err, size_t errlen)
{
    sort(b->cur, b->n_cur, sizeof *b->cur, cmp_cur);
    sort(b->rows, b->n_rows, sizeof *b->rows, cmp_row);
    sort(b->sur, b->n_sur, sizeof *b->sur, cmp_sur);
    sort(b->disc, b->n_disc, sizeof *b->disc, cmp_disc);
    sort(b->fx, b->n_fx, sizeof *b->fx, cmp_fx);
    for (size_t i = 1; i < b->n_fx; i++)
        if (cmp_fx(&b->fx[i - 1], &b->fx[i]) == 0) {
            ERR("duplicate fx rate for %s", b->fx[i].currency);
            return TARIFF_EINVALID;
        }
    int64_t *ids = xreallocarray(NULL, b->n_rows + 1, sizeof *ids);
    for (size_t i = 0; i < b->n_rows; i++)
        ids[i] = b->rows[i].id;
    qsort(ids, b->n_rows, sizeof *ids, cmp_i64);
    for (size_t i = 1; i < b->n_rows; i++)
        if (ids[i] == ids[i - 1]) {
            ERR("duplicate tariff id %lld", (long long)ids[i]);
            free(ids);
            return TARIFF_EINVALID;
        }
    free(ids);
    /* Rows are sorted link rows first (node == NONE), then node rows (link ==
     * NONE): one offset table finds the rows of any link or node. */
    size_t nl = network_link_count(b->net), nn = network_node_count(b->net);
    b->target_first = xcalloc(nl + nn + 1, sizeof *b->target_first);
    for (size_t i = 0; i < b->n_rows; i++)
        b->target_first[1 + (b->rows[i].link != NETWORK_NONE ? b->rows[i].link
                                                            : nl + b->rows[i].node)]++;
    for (size_t t = 0; t < nl + nn; t++)
        b->target_first[t + 1] += b->target_first[t];
    b->finished = true;
    return TARIFF_OK;
}

int tariff_book_minor_units(const struct tariff_book *b, const char *code)
{
    const struct money_currency *c = currency(b, code);
    return c ? c->minor_units : -1;
}

int tariff_book_per_usd(const struct tariff_book *b, const char *cur, int32_t date,
                        int64_t *per_usd)
{
    if (strcmp(cur, "USD") == 0) {
        *per_usd = money_pow10(TARIFF_FX_SCALE);
        return TARIFF_OK;
    }
    /* The last entry <= (cur, date). */
    size_t lo = 0, hi = b->n_fx;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(b->fx[mid].currency, cur);
        if (c < 0 || (c == 0 && b->fx[mid].on_date <= date))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0 || strcmp(b->fx[lo - 1].currency, cur) != 0)
        return TARIFF_ENOFX;
    *per_usd = b->fx[lo - 1].per_usd;
    return TARIFF_OK;
}

size_t tariff_book_row_count(const struct tariff_book *b)
{
    return b->n_rows;
}

const struct tariff_row *tariff_book_row_at(const struct tariff_book *b, size_t i)
{
    return &b->rows[i];
}

const struct tariff_row *tariff_book_rows(const struct tariff_book *b, uint32_t link,
                                          uint32_t node, const char *charge_code, size_t *n)
{
    size_t nl = network_link_count(b->net), t;
    if (link != NETWORK_NONE && link < nl && node == NETWORK_NONE)
        t = link;
    else if (link == NETWORK_NONE && node < network_node_count(b->net))
        t = nl + node;
    else {
        *n = 0;
        return b->rows;
    }
    size_t lo = b->target_first[t], end = b->target_first[t + 1];
    while (lo < end && strcmp(b->rows[lo].charge_code, charge_code) < 0)
        lo++;
    size_t hi = lo;
    while (hi < end && strcmp(b->rows[hi].charge_code, charge_code) == 0)
        hi++;
    *n = hi - lo;
    return b->rows + lo;
}

const struct tariff_surcharge *tariff_book_surcharges(const struct tariff_book *b, size_t *n)
{
    *n = b->n_sur;
    return b->sur;
}

const struct tariff_discount *tariff_book_discounts(const struct tariff_book *b, size_t *n)
{
    *n = b->n_disc;
    return b->disc;
}

const struct network *tariff_book_network(const struct tariff_book *b)
{
    return b->net;
}
