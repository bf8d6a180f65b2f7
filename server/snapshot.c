/* snapshot: the immutable pricing bundle, its builder, reference counting
 * and the process-wide current pointer (see snapshot.h). */
#include "snapshot.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "money.h"
#include "xmem.h"

struct snapshot {
    atomic_long refs;
    int64_t version;
    struct network *net;
    struct timetable *tt;
    struct tariff_book *book;
};

struct snapshot_builder {
    struct snapshot *s;
    char error[256];
};

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct snapshot *current;

static void destroy(struct snapshot *s)
{
    tariff_book_free(s->book);
    timetable_free(s->tt);
    network_free(s->net);
    free(s);
}

struct snapshot_builder *snapshot_builder_new(int64_t version)
{
    struct snapshot_builder *b = xcalloc(1, sizeof *b);
    b->s = xcalloc(1, sizeof *b->s);
    atomic_init(&b->s->refs, 1);
    b->s->version = version;
    b->s->net = network_new();
    b->s->tt = timetable_new(b->s->net);
    b->s->book = tariff_book_new(b->s->net);
    return b;
}

void snapshot_builder_free(struct snapshot_builder *b)
{
    if (!b)
        return;
    if (b->s)
        destroy(b->s);
    free(b);
}

const char *snapshot_builder_error(const struct snapshot_builder *b)
{
    return b->error;
}

__attribute__((format(printf, 2, 3))) static int fail(struct snapshot_builder *b,
                                                      const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(b->error, sizeof b->error, fmt, ap);
    va_end(ap);
    return -1;
}

/* Copies src into a fixed buffer; false when it is NULL, empty or too long. */
static bool copy_code(char *dst, size_t size, const char *src)
{
    if (!src || !*src || strlen(src) >= size)
        return false;
    memcpy(dst, src, strlen(src) + 1);
    return true;
}

static bool parse_date(const char *text, int32_t open, int32_t *out)
{
    if (!text) {
        *out = open;
        return open != 0;
    }
    return timetable_date_parse(text, out) == 0;
}

int snapshot_builder_add_currency(struct snapshot_builder *b, const char *code, int minor_units)
{
    return tariff_book_add_currency(b->s->book, code, minor_units, b->error, sizeof b->error) ==
                   TARIFF_OK
               ? 0
               : -1;
}

int snapshot_builder_add_node(struct snapshot_builder *b, const struct snapshot_node_row *r)
{
    struct network_node n = {.name = (char *)r->name,
                             .kind = (char *)r->kind,
                             .timezone = (char *)r->timezone,
                             .transfer_minutes = r->transfer_minutes};
    if (!copy_code(n.code, sizeof n.code, r->code))
        return fail(b, "node: bad code '%s'", r->code ? r->code : "(null)");
    if (r->country && !copy_code(n.country, sizeof n.country, r->country))
        return fail(b, "node %s: bad country", r->code);
    if (r->lat && r->lon) {
        int64_t lat, lon;
        if (money_decimal_parse(r->lat, 6, &lat) != MONEY_OK ||
            money_decimal_parse(r->lon, 6, &lon) != MONEY_OK || lat < INT32_MIN ||
            lat > INT32_MAX || lon < INT32_MIN || lon > INT32_MAX)
            return fail(b, "node %s: bad lat/lon", r->code);
        n.has_position = true;
        n.lat_micro = (int32_t)lat;
        n.lon_micro = (int32_t)lon;
    }
    return network_add_node(b->s->net, &n, b->error, sizeof b->error) < 0 ? -1 : 0;
}

int snapshot_builder_add_link(struct snapshot_builder *b, const struct snapshot_link_row *r)
{
    struct network_link l = {.id = r->id, .gauge_mm = r->gauge_mm};
    int mode = network_mode_parse(r->mode);
    int64_t km10, h10;
    if (mode < 0)
        return fail(b, "link %lld: bad mode", (long long)r->id);
    l.mode = (enum network_mode)mode;
    if (money_decimal_parse(r->distance_km, 1, &km10) != MONEY_OK ||
        money_decimal_parse(r->transit_hours, 1, &h10) != MONEY_OK || h10 > INT32_MAX)
        return fail(b, "link %lld: bad distance_km or transit_hours", (long long)r->id);
    l.distance_km10 = km10;
    l.transit_hours10 = (int32_t)h10;
    if (!copy_code(l.carrier, sizeof l.carrier, r->carrier))
        return fail(b, "link %lld: bad carrier", (long long)r->id);
    return network_add_link(b->s->net, &l, r->from_code, r->to_code, b->error, sizeof b->error) <
                   0
               ? -1
               : 0;
}

int snapshot_builder_add_departure(struct snapshot_builder *b,
                                   const struct snapshot_departure_row *r)
{
    static const char *const status[] = {"scheduled", "closed", "cancelled"};
    struct timetable_departure d = {.id = r->id,
                                    .link = network_link_find(b->s->net, r->link_id),
                                    .service = (char *)r->service,
                                    .departs_at = r->departs_at,
                                    .arrives_at = r->arrives_at,
                                    .cutoff_at = r->cutoff_at,
                                    .capacity_teu = r->capacity_teu,
                                    .capacity_kg = r->capacity_kg,
                                    .status = 3};
    for (int i = 0; i < 3; i++)
        if (r->status && strcmp(r->status, status[i]) == 0)
            d.status = (enum timetable_status)i;
    if (d.link == NETWORK_NONE)
        return fail(b, "departure %lld: unknown link %lld", (long long)r->id,
                    (long long)r->link_id);
    if ((int)d.status == 3)
        return fail(b, "departure %lld: bad status", (long long)r->id);
    return timetable_add_departure(b->s->tt, &d, b->error, sizeof b->error);
}

int snapshot_builder_add_window(struct snapshot_builder *b, const struct snapshot_window_row *r)
{
    struct timetable_window w = {.id = r->id,
                                 .node = network_node_find(b->s->net, r->node_code),
                                 .starts_at = r->starts_at,
                                 .ends_at = r->ends_at,
                                 .capacity_teu = r->capacity_teu};
    if (w.node == NETWORK_NONE)
        return fail(b, "port window %lld: unknown node %s", (long long)r->id,
                    r->node_code ? r->node_code : "(null)");
    return timetable_add_window(b->s->tt, &w, b->error, sizeof b->error);
}

int snapshot_builder_add_tariff(struct snapshot_builder *b, const struct snapshot_tariff_row *r)
{
    long long id = (long long)r->id;
    struct tariff_row t = {.id = r->id,
                           .link = NETWORK_NONE,
                           .node = NETWORK_NONE,
                           .container_type = TARIFF_ANY_TYPE,
                           .min_gross_kg = r->min_gross_kg,
                           .max_gross_kg = r->max_gross_kg};
    if (!copy_code(t.charge_code, sizeof t.charge_code, r->charge_code))
        return fail(b, "tariff %lld: bad charge_code", id);
    if (r->link_id && (t.link = network_link_find(b->s->net, r->link_id)) == NETWORK_NONE)
        return fail(b, "tariff %lld: unknown link %lld", id, (long long)r->link_id);
    if (r->node_code && (t.node = network_node_find(b->s->net, r->node_code)) == NETWORK_NONE)
        return fail(b, "tariff %lld: unknown node %s", id, r->node_code);
    if (r->container_type &&
        (t.container_type = tariff_container_type_parse(r->container_type)) < 0)
        return fail(b, "tariff %lld: bad container_type", id);
    int basis = tariff_basis_parse(r->basis);
    if (basis < 0 || basis == TARIFF_PERCENT)
        return fail(b, "tariff %lld: bad basis", id);
    t.basis = (enum tariff_basis)basis;
    if (money_decimal_parse(r->rate, TARIFF_RATE_SCALE, &t.rate) != MONEY_OK ||
        money_decimal_parse(r->min_charge ? r->min_charge : "0", TARIFF_MIN_CHARGE_SCALE,
                            &t.min_charge) != MONEY_OK)
        return fail(b, "tariff %lld: bad rate or min_charge", id);
    if (!copy_code(t.currency, sizeof t.currency, r->currency))
        return fail(b, "tariff %lld: bad currency", id);
    if (!parse_date(r->valid_from, 0, &t.valid_from) ||
        !parse_date(r->valid_to, TARIFF_OPEN_DATE, &t.valid_to))
        return fail(b, "tariff %lld: bad validity dates", id);
    return tariff_book_add_row(b->s->book, &t, b->error, sizeof b->error) == TARIFF_OK ? 0 : -1;
}

int snapshot_builder_add_surcharge(struct snapshot_builder *b,
                                   const struct snapshot_surcharge_row *r)
{
    long long id = (long long)r->id;
    struct tariff_surcharge s = {.id = r->id, .mode = -1};
    if (!copy_code(s.code, sizeof s.code, r->code) ||
        !copy_code(s.applies_to, sizeof s.applies_to, r->applies_to))
        return fail(b, "surcharge %lld: bad code or applies_to", id);
    if (r->mode && (s.mode = network_mode_parse(r->mode)) < 0)
        return fail(b, "surcharge %lld: bad mode", id);
    if (money_decimal_parse(r->percent, TARIFF_PERCENT_SCALE, &s.percent) != MONEY_OK ||
        !parse_date(r->valid_from, 0, &s.valid_from) ||
        !parse_date(r->valid_to, TARIFF_OPEN_DATE, &s.valid_to))
        return fail(b, "surcharge %lld: bad percent or dates", id);
    return tariff_book_add_surcharge(b->s->book, &s, b->error, sizeof b->error) == TARIFF_OK
               ? 0
               : -1;
}

int snapshot_builder_add_discount(struct snapshot_builder *b,
                                  const struct snapshot_discount_row *r)
{
    long long id = (long long)r->id;
    struct tariff_discount d = {.id = r->id};
    if (!copy_code(d.code, sizeof d.code, r->code) ||
        (r->org_code && !copy_code(d.org_code, sizeof d.org_code, r->org_code)) ||
        (r->applies_to && !copy_code(d.applies_to, sizeof d.applies_to, r->applies_to)))
        return fail(b, "discount %lld: bad code, org_code or applies_to", id);
    if (money_decimal_parse(r->percent, TARIFF_PERCENT_SCALE, &d.percent) != MONEY_OK ||
        !parse_date(r->valid_from, 0, &d.valid_from) ||
        !parse_date(r->valid_to, TARIFF_OPEN_DATE, &d.valid_to))
        return fail(b, "discount %lld: bad percent or dates", id);
    return tariff_book_add_discount(b->s->book, &d, b->error, sizeof b->error) == TARIFF_OK ? 0
                                                                                             : -1;
}

int snapshot_builder_add_fx(struct snapshot_builder *b, const struct snapshot_fx_row *r)
{
    struct tariff_fx f = {0};
    if (!copy_code(f.currency, sizeof f.currency, r->currency) ||
        !parse_date(r->on_date, 0, &f.on_date) ||
        money_decimal_parse(r->per_usd, TARIFF_FX_SCALE, &f.per_usd) != MONEY_OK)
        return fail(b, "fx rate %s %s: bad value", r->currency ? r->currency : "(null)",
                    r->on_date ? r->on_date : "(null)");
    return tariff_book_add_fx(b->s->book, &f, b->error, sizeof b->error) == TARIFF_OK ? 0 : -1;
}

struct snapshot *snapshot_builder_finish(struct snapshot_builder *b, char *err, size_t errlen)
{
    struct snapshot *s = b->s;
    char msg[256] = "";
    network_finish(s->net);
    if (timetable_finish(s->tt, msg, sizeof msg) != 0 ||
        tariff_book_finish(s->book, msg, sizeof msg) != TARIFF_OK) {
        if (err)
            snprintf(err, errlen, "%s", msg);
        snapshot_builder_free(b);
        return NULL;
    }
    b->s = NULL;
    snapshot_builder_free(b);
    return s;
}

struct snapshot *snapshot_retain(struct snapshot *s)
{
    if (s)
        atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
    return s;
}

void snapshot_release(struct snapshot *s)
{
    if (s && atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel) == 1)
        destroy(s);
}

long snapshot_refcount(const struct snapshot *s)
{
    return atomic_load_explicit(&((struct snapshot *)s)->refs, memory_order_relaxed);
}

void snapshot_publish(struct snapshot *s)
{
    pthread_mutex_lock(&current_lock);
    struct snapshot *old = current;
    current = s;
    pthread_mutex_unlock(&current_lock);
    snapshot_release(old);
}

struct snapshot *snapshot_acquire(void)
{
    /* The lock makes "read the pointer, take a reference" atomic with respect
     * to publish dropping the old snapshot's last reference. */
    pthread_mutex_lock(&current_lock);
    struct snapshot *s = snapshot_retain(current);
    pthread_mutex_unlock(&current_lock);
    return s;
}

int64_t snapshot_version(const struct snapshot *s)
{
    return s->version;
}

const struct network *snapshot_network(const struct snapshot *s)
{
    return s->net;
}

const struct timetable *snapshot_timetable(const struct snapshot *s)
{
    return s->tt;
}

const struct tariff_book *snapshot_tariffs(const struct snapshot *s)
{
    return s->book;
}
