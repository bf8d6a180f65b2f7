/* quote_json: a computed quote as the API's JSON (see include/quote_json.h). */
#include "quote_json.h"

#include "money.h"
#include "network.h"
#include "tariff.h"
#include "timetable.h"
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON string even for text cut inside a UTF-8 sequence. */
json_t *quote_json_string(const char *s)
{
    json_t *j = json_string(s ? s : "");
    if (j)
        return j;
    char *copy = xstrdup(s);
    for (unsigned char *p = (unsigned char *)copy; *p; p++)
        if (*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j;
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

static json_t *charge_json(const struct tariff_charge *ch, const struct quote_result *res)
{
    json_t *c = json_object();
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
        json_array_append_new(charges, charge_json(&o->charges[i], res));
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

