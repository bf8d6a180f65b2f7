/* tariff: the pricing of legs and node calls into charge lines (semantics
 * in tariff.h and design/operator-sql.md). */
#include "tariff.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "timetable.h"
#include "xmem.h"

/* A tariff line's exact amount is units / 10^EXACT_SCALE in its currency:
 * rate (scale 6) x quantity (scale 4).  Percent lines multiply by percent
 * (scale 3) / 100, giving PERCENT_LINE_SCALE. */
#define EXACT_SCALE (TARIFF_RATE_SCALE + TARIFF_QUANTITY_SCALE)
#define PERCENT_LINE_SCALE (EXACT_SCALE + TARIFF_PERCENT_SCALE + 2)

#define ERR(...) (err ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)

const char *tariff_leg_code(enum network_mode m)
{
    switch (m) {
    case NETWORK_RAIL:
        return "RAIL_FREIGHT";
    case NETWORK_SEA:
        return "SEA_FREIGHT";
    case NETWORK_ROAD:
        return "ROAD_FREIGHT";
    }
    return "?";
}

const char *tariff_node_code(enum tariff_node_charge c)
{
    return c == TARIFF_TRANSSHIPMENT ? "TRANSSHIPMENT" : "PORT_HANDLING";
}

int tariff_pricing_init(struct tariff_pricing *p, const struct tariff_book *book, int32_t date,
                        const char *cur, const char *org_code,
                        const struct tariff_container *containers, size_t n_containers,
                        char *err, size_t errlen)
{
    memset(p, 0, sizeof *p);
    p->book = book;
    p->date = date;
    p->containers = containers;
    p->n_containers = n_containers;
    int mu = cur ? tariff_book_minor_units(book, cur) : -1;
    if (mu < 0) {
        ERR("unknown currency %s", cur ? cur : "(null)");
        return TARIFF_EINVALID;
    }
    memcpy(p->currency, cur, 4);
    p->minor_units = mu;
    if (org_code && strlen(org_code) >= sizeof p->org_code) {
        ERR("organization code too long");
        return TARIFF_EINVALID;
    }
    snprintf(p->org_code, sizeof p->org_code, "%s", org_code ? org_code : "");
    if (n_containers == 0) {
        ERR("no containers");
        return TARIFF_EINVALID;
    }
    for (size_t i = 0; i < n_containers; i++)
        if ((unsigned)containers[i].type >= TARIFF_N_CONTAINER_TYPES ||
            containers[i].count <= 0 || containers[i].gross_weight_kg < 0) {
            ERR("container line %zu: bad type, count or weight", i + 1);
            return TARIFF_EINVALID;
        }
    if (tariff_book_per_usd(book, p->currency, date, &p->per_usd) != TARIFF_OK) {
        char d[11] = "?";
        timetable_date_format(date, d, sizeof d);
        ERR("no FX rate for %s on or before %s", p->currency, d);
        return TARIFF_ENOFX;
    }
    return TARIFF_OK;
}

void tariff_charges_free(struct tariff_charges *c)
{
    free(c->v);
    c->v = NULL;
    c->n = c->cap = 0;
}

/* Appends printf output to buf (NUL-terminated, size bytes); on truncation
 * cuts back to a whole UTF-8 character, so JSON encoders accept the text. */
__attribute__((format(printf, 3, 4))) static void append(char *buf, size_t size,
                                                         const char *fmt, ...)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + len, size - len, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= size - len) {
        size_t end = size - 1;
        while (end > len && ((unsigned char)buf[end] & 0xC0) == 0x80)
            end--;
        /* buf[end] is now a lead byte (or ASCII) whose sequence may be cut. */
        unsigned char lead = (unsigned char)buf[end];
        size_t need = lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
        if (end + need > size - 1)
            buf[end] = '\0';
    }
}

static bool valid_on(int32_t from, int32_t to, int32_t d)
{
    return from <= d && d <= to;
}

static bool row_applies(const struct tariff_row *r, int32_t date, const struct tariff_container *c)
{
    return valid_on(r->valid_from, r->valid_to, date) &&
           (r->container_type == TARIFF_ANY_TYPE || r->container_type == (int)c->type) &&
           (r->min_gross_kg == TARIFF_NO_BOUND || c->gross_weight_kg >= r->min_gross_kg) &&
           (r->max_gross_kg == TARIFF_NO_BOUND || c->gross_weight_kg <= r->max_gross_kg);
}

/* Specificity: a container type beats NULL, then a band beats none. */
static int rank(const struct tariff_row *r)
{
    return (r->container_type != TARIFF_ANY_TYPE) * 2 +
           (r->min_gross_kg != TARIFF_NO_BOUND || r->max_gross_kg != TARIFF_NO_BOUND);
}

/* Quantity of one container line at scale TARIFF_QUANTITY_SCALE. */
static __int128 line_quantity(enum tariff_basis basis, const struct tariff_container *c,
                              int64_t km10)
{
    __int128 n = c->count, teu = (__int128)c->count * tariff_container_teu(c->type);
    __int128 kg = (__int128)c->count * c->gross_weight_kg;
    switch (basis) {
    case TARIFF_PER_CONTAINER:
        return n * 10000;
    case TARIFF_PER_TEU:
        return teu * 10000;
    case TARIFF_PER_TONNE:
        return kg * 10;            /* kg / 1000 at scale 4 */
    case TARIFF_PER_CONTAINER_KM:
        return n * km10 * 1000;    /* km10 at scale 1 -> scale 4 */
    case TARIFF_PER_TEU_KM:
        return teu * km10 * 1000;
    case TARIFF_PER_TONNE_KM:
        return kg * km10;          /* scale 3 x scale 1 */
    case TARIFF_PER_SHIPMENT:
    case TARIFF_PERCENT:
        break;
    }
    return 10000;
}

/* Formats round(num / den) at `scale` decimals, trimmed, into buf. */
static void ratio_text(__int128 num, __int128 den, int scale, char *buf, size_t size)
{
    int64_t v;
    if (money_mul128(num, money_pow10(scale), &num) != MONEY_OK ||
        money_div_round(num, den, &v) != MONEY_OK ||
        money_decimal_format(v, scale, buf, size) < 0)
        snprintf(buf, size, "0");
}

struct target {
    uint32_t link, node;
    const char *code;
    int mode;        /* for surcharges; -1 for node calls */
    int leg;
    int64_t km10;
    const char *call_kind;
};

static void describe(const struct tariff_pricing *p, const struct target *t, char *buf,
                     size_t size)
{
    const struct network *net = tariff_book_network(p->book);
    buf[0] = '\0';
    if (t->link != NETWORK_NONE) {
        const struct network_link *l = network_link_at(net, t->link);
        static const char *const label[] = {"Rail freight", "Sea freight", "Road freight"};
        append(buf, size, "%s %s → %s", label[l->mode], network_node_at(net, l->from)->name,
               network_node_at(net, l->to)->name);
    } else if (strcmp(t->code, "TRANSSHIPMENT") == 0)
        append(buf, size, "Transshipment at %s", network_node_at(net, t->node)->name);
    else
        append(buf, size, "Port handling at %s (%s)", network_node_at(net, t->node)->name,
               t->call_kind ? t->call_kind : "call");
}

static void where_text(const struct tariff_pricing *p, const struct target *t, char *buf,
                       size_t size)
{
    const struct network *net = tariff_book_network(p->book);
    if (t->link != NETWORK_NONE) {
        const struct network_link *l = network_link_at(net, t->link);
        snprintf(buf, size, "on link %lld (%s → %s)", (long long)l->id,
                 network_node_at(net, l->from)->code, network_node_at(net, l->to)->code);
    } else
        snprintf(buf, size, "at %s", network_node_at(net, t->node)->code);
}

static struct tariff_charge *push(struct tariff_charges *out)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 16;
        out->v = xreallocarray(out->v, out->cap, sizeof *out->v);
    }
    struct tariff_charge *c = &out->v[out->n++];
    memset(c, 0, sizeof *c);
    return c;
}

/* Converts one line's exact amount into *amount and adds it to *total. */
static int add_line(const struct tariff_pricing *p, int64_t pt, __int128 units, int scale, int64_t *total, int64_t *amount)
{
    if (money_convert(units, scale, pt, p->per_usd, p->minor_units, amount) != MONEY_OK ||
        __builtin_add_overflow(*total, *amount, total))
        return TARIFF_EOVERFLOW;
    return TARIFF_OK;
}

static int price(const struct tariff_pricing *p, const struct target *t,
                 struct tariff_charges *out, int64_t *total, char *reason, size_t reasonlen)
{
    const struct tariff_book *b = p->book;
    size_t n_rows, n_sur, n_disc, saved = out ? out->n : 0;
    uint32_t local[16], *sel = p->n_containers <= 16 ? local
                                                     : xreallocarray(NULL, p->n_containers, 4);
    int rc = TARIFF_OK;
    char what[128] = "", fx_text[48] = "";
    *total = 0;
    const struct tariff_row *rows = tariff_book_rows(b, t->link, t->node, t->code, &n_rows);
    const struct tariff_surcharge *sur = tariff_book_surcharges(b, &n_sur);
    const struct tariff_discount *disc = tariff_book_discounts(b, &n_disc);
    for (size_t j = 0; j < p->n_containers; j++) {
        const struct tariff_container *c = &p->containers[j];
        int best_rank = -1;
        sel[j] = UINT32_MAX;
        for (size_t i = 0; i < n_rows; i++)
            if (row_applies(&rows[i], p->date, c) && rank(&rows[i]) > best_rank) {
                best_rank = rank(&rows[i]);
                sel[j] = (uint32_t)i;
            }
        if (sel[j] == UINT32_MAX) {
            char where[96], d[11] = "?";
            where_text(p, t, where, sizeof where);
            timetable_date_format(p->date, d, sizeof d);
            snprintf(reason, reasonlen, "no %s tariff for %s at %d kg %s on %s", t->code,
                     tariff_container_type_name(c->type), (int)c->gross_weight_kg, where, d);
            rc = TARIFF_ENOTARIFF;
            goto out;
        }
    }
    if (out)
        describe(p, t, what, sizeof what);
    for (size_t j = 0; j < p->n_containers; j++) {
        bool seen = false;
        for (size_t k = 0; k < j && !seen; k++)
            seen = sel[k] == sel[j];
        if (seen)
            continue; /* priced with the first container line selecting it */
        const struct tariff_row *r = &rows[sel[j]];
        if (t->link == NETWORK_NONE &&
            (r->basis == TARIFF_PER_CONTAINER_KM || r->basis == TARIFF_PER_TEU_KM ||
             r->basis == TARIFF_PER_TONNE_KM)) {
            char where[96];
            where_text(p, t, where, sizeof where);
            snprintf(reason, reasonlen, "%s tariff %lld %s has a per-km basis, which needs a link",
                     t->code, (long long)r->id, where);
            rc = TARIFF_ENOTARIFF;
            goto out;
        }
        __int128 qty = 0;
        for (size_t k = j; k < p->n_containers; k++)
            if (sel[k] == sel[j])
                qty = r->basis == TARIFF_PER_SHIPMENT
                          ? line_quantity(r->basis, &p->containers[k], t->km10)
                          : qty + line_quantity(r->basis, &p->containers[k], t->km10);
        int64_t pt, amount;
        if (tariff_book_per_usd(b, r->currency, p->date, &pt) != TARIFF_OK) {
            char d[11] = "?";
            timetable_date_format(p->date, d, sizeof d);
            snprintf(reason, reasonlen, "no FX rate for %s on or before %s", r->currency, d);
            rc = TARIFF_ENOFX;
            goto out;
        }
        /* amount = max(rate x quantity, min_charge), exact at EXACT_SCALE. */
        __int128 units, floor_units;
        if (qty > INT64_MAX || money_mul128(r->rate, qty, &units) != MONEY_OK ||
            money_mul128(r->min_charge, money_pow10(EXACT_SCALE - TARIFF_MIN_CHARGE_SCALE),
                         &floor_units) != MONEY_OK)
            goto overflow;
        if (units < floor_units)
            units = floor_units;
        if (add_line(p, pt, units, EXACT_SCALE, total, &amount) != TARIFF_OK)
            goto overflow;
        if (out) {
            ratio_text(p->per_usd, pt, TARIFF_FX_RATE_TEXT_SCALE, fx_text, sizeof fx_text);
            struct tariff_charge *c = push(out);
            snprintf(c->code, sizeof c->code, "%s", t->code);
            c->leg = t->leg;
            snprintf(c->description, sizeof c->description, "%s, ", what);
            for (size_t k = j; k < p->n_containers; k++)
                if (sel[k] == sel[j])
                    append(c->description, sizeof c->description, "%s%d × %s",
                           k == j ? "" : ", ", (int)p->containers[k].count,
                           tariff_container_type_name(p->containers[k].type));
            c->basis = r->basis;
            money_decimal_format((int64_t)qty, TARIFF_QUANTITY_SCALE, c->quantity, sizeof c->quantity);
            money_decimal_format(r->rate, TARIFF_RATE_SCALE, c->unit_price, sizeof c->unit_price);
            memcpy(c->unit_currency, r->currency, 4);
            c->amount = amount;
            snprintf(c->fx_rate, sizeof c->fx_rate, "%s", fx_text);
            c->tariff_id = r->id;
        }
        /* Surcharges, then discounts, on this line's exact amount. */
        for (size_t s = 0; s < n_sur + n_disc; s++) {
            const struct tariff_surcharge *su = s < n_sur ? &sur[s] : NULL;
            const struct tariff_discount *di = su ? NULL : &disc[s - n_sur];
            int64_t pct;
            if (su) {
                if (!valid_on(su->valid_from, su->valid_to, p->date) ||
                    strcmp(su->applies_to, t->code) != 0 || (su->mode != -1 && su->mode != t->mode))
                    continue;
                pct = su->percent;
            } else {
                if (!valid_on(di->valid_from, di->valid_to, p->date) ||
                    (di->org_code[0] && strcmp(di->org_code, p->org_code) != 0) ||
                    (di->applies_to[0] && strcmp(di->applies_to, t->code) != 0))
                    continue;
                pct = -di->percent;
            }
            __int128 pu;
            if (money_mul128(units, pct, &pu) != MONEY_OK ||
                add_line(p, pt, pu, PERCENT_LINE_SCALE, total, &amount) != TARIFF_OK)
                goto overflow;
            if (!out)
                continue;
            struct tariff_charge *c = push(out);
            const char *rule = su ? su->code : di->code;
            snprintf(c->code, sizeof c->code, "%s_%s", su ? "SURCHARGE" : "DISCOUNT", rule);
            c->leg = t->leg;
            c->basis = TARIFF_PERCENT;
            money_decimal_format(pct < 0 ? -pct : pct, TARIFF_PERCENT_SCALE, c->quantity,
                                 sizeof c->quantity);
            append(c->description, sizeof c->description, "%s %s %s%% on %s",
                   su ? "Surcharge" : "Discount", rule, c->quantity, what);
            int64_t base6;
            if (money_rescale(units, EXACT_SCALE, TARIFF_RATE_SCALE, &base6) != MONEY_OK)
                goto overflow;
            money_decimal_format(base6, TARIFF_RATE_SCALE, c->unit_price, sizeof c->unit_price);
            memcpy(c->unit_currency, r->currency, 4);
            c->amount = amount;
            snprintf(c->fx_rate, sizeof c->fx_rate, "%s", fx_text);
            c->tariff_id = r->id;
            c->rule_id = su ? su->id : di->id;
        }
    }
    goto out;
overflow: {
    char where[96];
    where_text(p, t, where, sizeof where);
    snprintf(reason, reasonlen, "%s amount out of range %s", t->code, where);
    rc = TARIFF_EOVERFLOW;
}
out:
    if (rc != TARIFF_OK && out)
        out->n = saved;
    if (sel != local)
        free(sel);
    return rc;
}

int tariff_price_leg(const struct tariff_pricing *p, uint32_t link, int leg_seq,
                     struct tariff_charges *out, int64_t *total, char *reason, size_t reasonlen)
{
    const struct network_link *l = network_link_at(tariff_book_network(p->book), link);
    struct target t = {.link = link,
                       .node = NETWORK_NONE,
                       .code = tariff_leg_code(l->mode),
                       .mode = (int)l->mode,
                       .leg = leg_seq,
                       .km10 = l->distance_km10};
    return price(p, &t, out, total, reason, reasonlen);
}

int tariff_price_call(const struct tariff_pricing *p, uint32_t node,
                      enum tariff_node_charge charge, const char *call_kind,
                      struct tariff_charges *out, int64_t *total, char *reason, size_t reasonlen)
{
    struct target t = {.link = NETWORK_NONE,
                       .node = node,
                       .code = tariff_node_code(charge),
                       .mode = -1,
                       .call_kind = call_kind};
    return price(p, &t, out, total, reason, reasonlen);
}
