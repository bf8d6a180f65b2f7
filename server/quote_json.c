/* quote_json: a computed quote as the API's JSON (see include/quote_json.h). */
#include "quote_json.h"

#include "jsonv.h"

#include "money.h"
#include "network.h"
#include "tariff.h"
#include "timetable.h"
#include "xmem.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string even for text cut inside a UTF-8 sequence. */
json_t *quote_json_string(const char *s)
{
    return jsonv_safe_string(s);
}

static json_t *money_json(int64_t amount, int minor_units, const char *currency)
{
    char buf[40];
    if (money_format(amount, minor_units, buf, sizeof buf) < 0)
        snprintf(buf, sizeof buf, "%lld", (long long)amount);
    json_t *m = json_object();
    json_object_set_new(m, "amount", json_string(buf));
    json_object_set_new(m, "currency", quote_json_string(currency));
    return m;
}

static json_t *time_json(int64_t t)
{
    char buf[32];
    if (timetable_time_format(t, buf, sizeof buf) < 0)
        return json_null();
    return json_string(buf);
}

/* A decimal text ("928", "52.5") as a JSON number. */
static json_t *number_json(const char *text)
{
    if (strchr(text, '.'))
        return json_real(strtod(text, NULL));
    return json_integer(strtoll(text, NULL, 10));
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

static json_t *containers_json(const struct tariff_container *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_object();
        json_object_set_new(c, "type", json_string(tariff_container_type_name(v[i].type)));
        json_object_set_new(c, "count", json_integer(v[i].count));
        json_object_set_new(c, "gross_weight_kg", json_integer(v[i].gross_weight_kg));
        json_array_append_new(a, c);
    }
    return a;
}

static json_t *charge_json(const struct tariff_charge *ch, size_t line,
                           const struct quote_result *res)
{
    json_t *c = json_object();
    json_object_set_new(c, "line", json_integer((json_int_t)line));
    json_object_set_new(c, "code", quote_json_string(ch->code));
    json_object_set_new(c, "leg", ch->leg ? json_integer(ch->leg) : json_null());
    json_object_set_new(c, "description", quote_json_string(ch->description));
    json_object_set_new(c, "basis", json_string(tariff_basis_name(ch->basis)));
    json_object_set_new(c, "quantity", quote_json_string(ch->quantity));
    json_t *unit = json_object();
    json_object_set_new(unit, "amount", quote_json_string(ch->unit_price));
    json_object_set_new(unit, "currency", quote_json_string(ch->unit_currency));
    json_object_set_new(c, "unit_price", unit);
    json_object_set_new(c, "amount", money_json(ch->amount, res->minor_units, res->currency));
    json_object_set_new(c, "fx_rate", quote_json_string(ch->fx_rate));
    json_object_set_new(c, "tariff_id", id_or_null(ch->tariff_id));
    return c;
}

/* One option as the API shows it and the booking transaction reads it. */
static json_t *option_json(const struct quote_option *o, const struct quote_result *res,
                           json_t *containers)
{
    json_t *opt = json_object(), *legs = json_array(), *calls = json_array(),
           *charges = json_array();
    json_object_set_new(opt, "option", json_integer(o->option));
    json_object_set_new(opt, "total", money_json(o->total, res->minor_units, res->currency));
    json_object_set_new(opt, "departs_at", time_json(o->departs_at));
    json_object_set_new(opt, "arrives_at", time_json(o->arrives_at));
    json_object_set_new(opt, "transit_hours", number_json(o->transit_hours));
    for (size_t i = 0; i < o->n_legs; i++) {
        const struct quote_leg *l = &o->legs[i];
        json_t *x = json_object();
        json_object_set_new(x, "seq", json_integer(l->seq));
        json_object_set_new(x, "from", json_string(l->from));
        json_object_set_new(x, "to", json_string(l->to));
        json_object_set_new(x, "mode", json_string(network_mode_name(l->mode)));
        json_object_set_new(x, "carrier", quote_json_string(l->carrier));
        json_object_set_new(x, "departure_id", json_integer(l->departure_id));
        json_object_set_new(x, "link_id", json_integer(l->link_id));
        json_object_set_new(x, "departs_at", time_json(l->departs_at));
        json_object_set_new(x, "arrives_at", time_json(l->arrives_at));
        json_object_set_new(x, "distance_km", number_json(l->distance_km));
        json_array_append_new(legs, x);
    }
    for (size_t i = 0; i < o->n_port_calls; i++) {
        const struct quote_port_call *p = &o->port_calls[i];
        json_t *x = json_object();
        json_object_set_new(x, "node", json_string(p->node));
        json_object_set_new(x, "kind", json_string(quote_call_kind_name(p->kind)));
        json_object_set_new(x, "window_id", id_or_null(p->window_id));
        json_object_set_new(x, "at", time_json(p->at));
        json_array_append_new(calls, x);
    }
    for (size_t i = 0; i < o->n_charges; i++)
        json_array_append_new(charges, charge_json(&o->charges[i], i + 1, res));
    json_object_set_new(opt, "legs", legs);
    json_object_set_new(opt, "port_calls", calls);
    json_object_set_new(opt, "charges", charges);
    json_object_set_new(opt, "containers", json_incref(containers));
    json_object_set_new(opt, "teu", json_integer(res->teu));
    json_object_set_new(opt, "kg", json_integer(res->kg));
    return opt;
}

json_t *quote_json_fx(const struct snapshot *s, const struct quote_result *res, int32_t date)
{
    const struct tariff_book *book = snapshot_tariffs(s);
    json_t *per_usd = json_object();
    char day[11] = "";
    timetable_date_format(date, day, sizeof day);
    for (size_t i = 0; i <= res->n_options; i++) {
        size_t n = i < res->n_options ? res->options[i].n_charges : 1;
        for (size_t k = 0; k < n; k++) {
            const char *cur = i < res->n_options ? res->options[i].charges[k].unit_currency
                                                 : res->currency;
            int64_t rate;
            char text[48];
            if (json_object_get(per_usd, cur) ||
                tariff_book_per_usd(book, cur, date, &rate) != TARIFF_OK ||
                money_decimal_format(rate, TARIFF_FX_SCALE, text, sizeof text) < 0)
                continue;
            json_object_set_new(per_usd, cur, json_string(text));
        }
    }
    json_t *fx = json_object();
    json_object_set_new(fx, "date", json_string(day));
    json_object_set_new(fx, "per_usd", per_usd);
    return fx;
}


json_t *quote_json_options(const struct quote_result *res, const struct tariff_container *c,
                           size_t n_containers)
{
    json_t *containers = containers_json(c, n_containers), *options = json_array();
    for (size_t i = 0; i < res->n_options; i++)
        json_array_append_new(options, option_json(&res->options[i], res, containers));
    json_decref(containers);
    return options;
}

/* ---- the options as text, without a jansson tree ----
 * json_dumps of the tree quote_json_options builds costs a hash table
 * entry, an snprintf("%p") and several allocations per object (jansson's
 * loop check), and building the tree as much again: most of corridord's CPU
 * per quote.  This writer prints the same document directly, byte for byte
 * what json_dumps(tree, QUOTE_JSON_DUMP_FLAGS) prints (same key order,
 * string escapes and number formats; tests/unit/check_quote_json.c compares
 * the two). */

struct text {
    char *p;
    size_t len, cap;
};

static void put(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 8192;
        while (t->len + n + 1 > cap)
            cap *= 2;
        t->p = xrealloc(t->p, cap);
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

/* literal: a string literal */
#define PUT(t, literal) put(t, "" literal, sizeof(literal) - 1)

static void put_int(struct text *t, int64_t v)
{
    char buf[24], *end = buf + sizeof buf, *p = end;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    put(t, p, (size_t)(end - p));
}

/* jansson's UTF-8 check (utf8_check_string): json_string refuses what fails it. */
static bool utf8_valid(const unsigned char *s)
{
    while (*s) {
        unsigned char u = *s;
        size_t n = u < 0x80 ? 1 : u >= 0xC2 && u <= 0xDF ? 2 : u >= 0xE0 && u <= 0xEF ? 3
                                : u >= 0xF0 && u <= 0xF4 ? 4 : 0;
        if (n == 0)
            return false;
        if (n == 1) {
            s++;
            continue;
        }
        int32_t cp = u & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
        for (size_t i = 1; i < n; i++) {
            if (s[i] < 0x80 || s[i] > 0xBF) /* also stops at the NUL */
                return false;
            cp = (cp << 6) + (s[i] & 0x3F);
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF) || (n == 2 && cp < 0x80) ||
            (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000))
            return false;
        s += n;
    }
    return true;
}

/* A JSON string as jansson dumps it (no JSON_ESCAPE_SLASH, no
 * JSON_ENSURE_ASCII), of s made valid as quote_json_string does. */
static void put_string(struct text *t, const char *s)
{
    char *copy = NULL;
    if (!s)
        s = "";
    if (!utf8_valid((const unsigned char *)s)) {
        copy = xstrdup(s);
        for (unsigned char *p = (unsigned char *)copy; *p; p++)
            if (*p >= 0x80)
                *p = '?';
        s = copy;
    }
    PUT(t, "\"");
    const char *run = s;
    for (const char *p = s;; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        put(t, run, (size_t)(p - run));
        if (ch == '\0')
            break;
        char esc[8];
        switch (ch) {
        case '"': PUT(t, "\\\""); break;
        case '\\': PUT(t, "\\\\"); break;
        case '\b': PUT(t, "\\b"); break;
        case '\f': PUT(t, "\\f"); break;
        case '\n': PUT(t, "\\n"); break;
        case '\r': PUT(t, "\\r"); break;
        case '\t': PUT(t, "\\t"); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", ch);
            put(t, esc, 6);
        }
        run = p + 1;
    }
    PUT(t, "\"");
    free(copy);
}

/* number_json's value as jansson dumps it: an integer, or a real printed
 * with %.15g (JSON_REAL_PRECISION(15)), ".0" added when that looks like an
 * integer, and the exponent without '+' or leading zeros. */
static void put_decimal(struct text *t, const char *text)
{
    if (!strchr(text, '.')) {
        put_int(t, strtoll(text, NULL, 10));
        return;
    }
    char buf[64];
    int n = snprintf(buf, sizeof buf - 3, "%.15g", strtod(text, NULL));
    if (n < 0 || (size_t)n >= sizeof buf - 3) {
        PUT(t, "null");
        return;
    }
    size_t len = (size_t)n;
    for (char *p = buf; *p; p++)
        if (*p == ',') /* a locale's decimal comma, as jansson's from_locale */
            *p = '.';
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + len, ".0", 3);
        len += 2;
    }
    char *e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *end = e + 2;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, len - (size_t)(end - buf) + 1);
            len -= (size_t)(end - start);
        }
    }
    put(t, buf, len);
}

static void put_time(struct text *t, int64_t unix_seconds)
{
    char buf[32];
    int n = timetable_time_format(unix_seconds, buf, sizeof buf);
    if (n < 0) {
        PUT(t, "null");
        return;
    }
    PUT(t, "\"");
    put(t, buf, (size_t)n);
    PUT(t, "\"");
}

static void put_id_or_null(struct text *t, int64_t id)
{
    if (id)
        put_int(t, id);
    else
        PUT(t, "null");
}

static void put_money(struct text *t, int64_t amount, const struct quote_result *res)
{
    char buf[40];
    if (money_format(amount, res->minor_units, buf, sizeof buf) < 0)
        snprintf(buf, sizeof buf, "%lld", (long long)amount);
    PUT(t, "{\"amount\":");
    put_string(t, buf);
    PUT(t, ",\"currency\":");
    put_string(t, res->currency);
    PUT(t, "}");
}

static void put_charge(struct text *t, const struct tariff_charge *ch, size_t line,
                       const struct quote_result *res)
{
    PUT(t, "{\"line\":");
    put_int(t, (int64_t)line);
    PUT(t, ",\"code\":");
    put_string(t, ch->code);
    PUT(t, ",\"leg\":");
    put_id_or_null(t, ch->leg);
    PUT(t, ",\"description\":");
    put_string(t, ch->description);
    PUT(t, ",\"basis\":");
    put_string(t, tariff_basis_name(ch->basis));
    PUT(t, ",\"quantity\":");
    put_string(t, ch->quantity);
    PUT(t, ",\"unit_price\":{\"amount\":");
    put_string(t, ch->unit_price);
    PUT(t, ",\"currency\":");
    put_string(t, ch->unit_currency);
    PUT(t, "},\"amount\":");
    put_money(t, ch->amount, res);
    PUT(t, ",\"fx_rate\":");
    put_string(t, ch->fx_rate);
    PUT(t, ",\"tariff_id\":");
    put_id_or_null(t, ch->tariff_id);
    PUT(t, "}");
}

static void put_option(struct text *t, const struct quote_option *o,
                       const struct quote_result *res, const char *containers, size_t n_containers)
{
    PUT(t, "{\"option\":");
    put_int(t, o->option);
    PUT(t, ",\"total\":");
    put_money(t, o->total, res);
    PUT(t, ",\"departs_at\":");
    put_time(t, o->departs_at);
    PUT(t, ",\"arrives_at\":");
    put_time(t, o->arrives_at);
    PUT(t, ",\"transit_hours\":");
    put_decimal(t, o->transit_hours);
    PUT(t, ",\"legs\":[");
    for (size_t i = 0; i < o->n_legs; i++) {
        const struct quote_leg *l = &o->legs[i];
        if (i)
            PUT(t, ",");
        PUT(t, "{\"seq\":");
        put_int(t, l->seq);
        PUT(t, ",\"from\":");
        put_string(t, l->from);
        PUT(t, ",\"to\":");
        put_string(t, l->to);
        PUT(t, ",\"mode\":");
        put_string(t, network_mode_name(l->mode));
        PUT(t, ",\"carrier\":");
        put_string(t, l->carrier);
        PUT(t, ",\"departure_id\":");
        put_int(t, l->departure_id);
        PUT(t, ",\"link_id\":");
        put_int(t, l->link_id);
        PUT(t, ",\"departs_at\":");
        put_time(t, l->departs_at);
        PUT(t, ",\"arrives_at\":");
        put_time(t, l->arrives_at);
        PUT(t, ",\"distance_km\":");
        put_decimal(t, l->distance_km);
        PUT(t, "}");
    }
    PUT(t, "],\"port_calls\":[");
    for (size_t i = 0; i < o->n_port_calls; i++) {
        const struct quote_port_call *p = &o->port_calls[i];
        if (i)
            PUT(t, ",");
        PUT(t, "{\"node\":");
        put_string(t, p->node);
        PUT(t, ",\"kind\":");
        put_string(t, quote_call_kind_name(p->kind));
        PUT(t, ",\"window_id\":");
        put_id_or_null(t, p->window_id);
        PUT(t, ",\"at\":");
        put_time(t, p->at);
        PUT(t, "}");
    }
    PUT(t, "],\"charges\":[");
    for (size_t i = 0; i < o->n_charges; i++) {
        if (i)
            PUT(t, ",");
        put_charge(t, &o->charges[i], i + 1, res);
    }
    PUT(t, "],\"containers\":");
    put(t, containers, n_containers);
    PUT(t, ",\"teu\":");
    put_int(t, res->teu);
    PUT(t, ",\"kg\":");
    put_int(t, res->kg);
    PUT(t, "}");
}

char *quote_json_options_text(const struct quote_result *res, const struct tariff_container *c,
                              size_t n_containers, size_t *len)
{
    struct text containers = {0}, t = {0};
    PUT(&containers, "[");
    for (size_t i = 0; i < n_containers; i++) {
        if (i)
            PUT(&containers, ",");
        PUT(&containers, "{\"type\":");
        put_string(&containers, tariff_container_type_name(c[i].type));
        PUT(&containers, ",\"count\":");
        put_int(&containers, c[i].count);
        PUT(&containers, ",\"gross_weight_kg\":");
        put_int(&containers, c[i].gross_weight_kg);
        PUT(&containers, "}");
    }
    PUT(&containers, "]");
    PUT(&t, "[");
    for (size_t i = 0; i < res->n_options; i++) {
        if (i)
            PUT(&t, ",");
        put_option(&t, &res->options[i], res, containers.p, containers.len);
    }
    PUT(&t, "]");
    free(containers.p);
    if (len)
        *len = t.len;
    return t.p;
}

json_t *quote_json_capacity_errors(const struct snapshot *s, const struct quote_result *res,
                                   const struct quote_availability *a)
{
    const struct timetable *tt = snapshot_timetable(s);
    const struct network *net = snapshot_network(s);
    json_t *errors = json_array();
    char msg[256], when[32];
    for (size_t i = 0; i < res->n_full_departures; i++) {
        int64_t id = res->full_departures[i];
        int32_t teu = 0;
        int64_t kg = 0;
        for (size_t k = 0; k < a->n_departures; k++)
            if (a->departures[k].id == id) {
                teu = a->departures[k].free_teu;
                kg = a->departures[k].free_kg;
            }
        uint32_t d = timetable_departure_find(tt, id);
        if (d == TIMETABLE_NONE)
            continue;
        const struct timetable_departure *dep = timetable_departure_at(tt, d);
        const struct network_link *l = network_link_at(net, dep->link);
        timetable_time_format(dep->departs_at, when, sizeof when);
        snprintf(msg, sizeof msg,
                 "departure %lld %s → %s at %s: %d TEU / %lld kg free, %d TEU / %lld kg needed",
                 (long long)id, network_node_at(net, l->from)->code,
                 network_node_at(net, l->to)->code, when, (int)teu, (long long)kg,
                 (int)res->teu, (long long)res->kg);
        json_t *e = json_object();
        json_object_set_new(e, "pointer", json_string("/cargo/containers"));
        json_object_set_new(e, "message", quote_json_string(msg));
        json_object_set_new(e, "departure_id", json_integer(id));
        json_array_append_new(errors, e);
    }
    for (size_t i = 0; i < res->n_full_windows; i++) {
        int64_t id = res->full_windows[i];
        int32_t teu = 0;
        for (size_t k = 0; k < a->n_windows; k++)
            if (a->windows[k].id == id)
                teu = a->windows[k].free_teu;
        uint32_t w = timetable_window_find(tt, id);
        if (w == TIMETABLE_NONE)
            continue;
        const struct timetable_window *win = timetable_window_at(tt, w);
        timetable_time_format(win->starts_at, when, sizeof when);
        snprintf(msg, sizeof msg, "port window %lld at %s from %s: %d TEU free, %d TEU needed",
                 (long long)id, network_node_at(net, win->node)->code, when, (int)teu,
                 (int)res->teu);
        json_t *e = json_object();
        json_object_set_new(e, "pointer", json_string("/cargo/containers"));
        json_object_set_new(e, "message", quote_json_string(msg));
        json_object_set_new(e, "window_id", json_integer(id));
        json_array_append_new(errors, e);
    }
    return errors;
}

