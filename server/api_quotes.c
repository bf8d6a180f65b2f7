/* api_quotes: POST /v1/quotes and GET /v1/quotes/{id} (see
 * include/api_quotes.h).  The body is validated and the location codes
 * checked on the MHD thread against the current snapshot, which the job
 * then keeps: the whole quote is priced with the snapshot the request
 * started with, and records its data version.  Offers are kept and shared
 * through quote_cache.c, quotes stored behind the answer by
 * quote_writer.c. */
#include "api_quotes.h"

#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "jsonv.h"
#include "log.h"
#include "metrics.h"
#include "money.h"
#include "network.h"
#include "quote.h"
#include "quote_cache.h"
#include "quote_json.h"
#include "quote_writer.h"
#include "snapshot.h"
#include "store_quote.h"
#include "tariff.h"
#include "timetable.h"
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_TIMEOUT_MS 3000
#define MAX_CONTAINER_LINES 20
#define MAX_COUNT 100
#define MAX_GROSS_KG 40000
#define READY_AHEAD_DAYS 365
#define DAY 86400
#define DUMP_FLAGS QUOTE_JSON_DUMP_FLAGS

/* One POST /v1/quotes; owns everything it points to. */
struct quote_job {
    struct snapshot *snap; /* held from validation to the end of the job */
    struct auth_principal who;
    char origin[NETWORK_CODE_MAX], destination[NETWORK_CODE_MAX];
    char via[QUOTE_MAX_VIA][NETWORK_CODE_MAX];
    size_t n_via;
    int32_t ready_date;
    struct tariff_container containers[MAX_CONTAINER_LINES];
    size_t n_containers;
    char currency[4];
    enum quote_optimize optimize;
    int max_options;
    unsigned avoid_modes;
    json_t *request; /* the body with defaults filled in */
    char *request_text; /* the same as stored: compact, members sorted */
    char *raw;          /* the body's bytes (NULL when too long to be a key) */
    size_t raw_len;
};

static void quote_job_free(void *arg)
{
    struct quote_job *j = arg;
    snapshot_release(j->snap);
    json_decref(j->request);
    free(j->request_text);
    free(j->raw);
    free(j);
}

/* ---- validation (MHD thread) ---- */

static const char *const TOP_KEYS[] = {"origin",   "destination", "ready_date",
                                       "cargo",    "currency",    "optimize",
                                       "max_options", "avoid_modes", "via", NULL};
static const char *const CARGO_KEYS[] = {"containers", "commodity", "hs_code",
                                         "dangerous_goods", NULL};
static const char *const CONTAINER_KEYS[] = {"type", "count", "gross_weight_kg", NULL};
static const char *const CONTAINER_TYPES[] = {"20DV", "40DV", "40HC", "20RF", "40RF", NULL};
static const char *const OPTIMIZE[] = {"cost", "time", NULL};
static const char *const MODES[] = {"rail", "sea", "road", NULL};

static void copy_code(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "");
}

/* A location code: a non-empty string; whether it exists is checked later. */
static const char *location(struct jsonv *v, json_t *obj, const char *key, bool required)
{
    return jsonv_string(v, obj, "", key, required, 1, NETWORK_CODE_MAX - 1);
}

static void validate_containers(struct jsonv *v, json_t *cargo, struct quote_job *j)
{
    json_t *list = jsonv_array(v, cargo, "/cargo", "containers", true, 1, MAX_CONTAINER_LINES);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        char base[48];
        snprintf(base, sizeof base, "/cargo/containers/%zu", i);
        if (!json_is_object(item)) {
            jsonv_error(v, base, "must be an object");
            continue;
        }
        jsonv_known_keys(v, item, base, CONTAINER_KEYS);
        int type = jsonv_enum(v, item, base, "type", true, CONTAINER_TYPES);
        json_int_t count = 0, kg = 0;
        bool ok = type >= 0;
        ok &= jsonv_int(v, item, base, "count", true, 1, MAX_COUNT, &count);
        ok &= jsonv_int(v, item, base, "gross_weight_kg", true, 1, MAX_GROSS_KG, &kg);
        if (ok)
            j->containers[j->n_containers++] =
                (struct tariff_container){(enum tariff_container_type)tariff_container_type_parse(
                                              CONTAINER_TYPES[type]),
                                          (int32_t)count, (int32_t)kg};
    }
}

static void validate_cargo(struct jsonv *v, json_t *body, struct quote_job *j)
{
    json_t *cargo = jsonv_object(v, body, "", "cargo", true);
    if (!cargo)
        return;
    jsonv_known_keys(v, cargo, "/cargo", CARGO_KEYS);
    validate_containers(v, cargo, j);
    jsonv_string(v, cargo, "/cargo", "commodity", false, 1, 200);
    const char *hs = jsonv_string(v, cargo, "/cargo", "hs_code", false, 2, 12);
    if (hs) {
        bool ok = hs[0] >= '0' && hs[0] <= '9' && hs[1] >= '0' && hs[1] <= '9';
        for (const char *p = hs; ok && *p; p++)
            ok = (*p >= '0' && *p <= '9') || *p == '.';
        if (!ok)
            jsonv_error(v, "/cargo/hs_code", "must be an HS code: digits and dots, such as 1001");
    }
    bool dg;
    jsonv_bool(v, cargo, "/cargo", "dangerous_goods", false, &dg);
}

static void validate_ready_date(struct jsonv *v, json_t *body, struct quote_job *j)
{
    const char *s = jsonv_string(v, body, "", "ready_date", true, 1, 32);
    if (!s)
        return;
    int32_t today = timetable_date_of((int64_t)time(NULL));
    if (strlen(s) != 10 || timetable_date_parse(s, &j->ready_date) != 0) {
        jsonv_error(v, "/ready_date", "must be a real date written YYYY-MM-DD");
        return;
    }
    char limit[11];
    if (j->ready_date < today - 1) {
        timetable_date_format(today - 1, limit, sizeof limit);
        jsonv_error(v, "/ready_date", "must not be before %s", limit);
    } else if (j->ready_date > today + READY_AHEAD_DAYS) {
        timetable_date_format(today + READY_AHEAD_DAYS, limit, sizeof limit);
        jsonv_error(v, "/ready_date", "must not be after %s", limit);
    }
}

/* Checks everything that needs no snapshot; fills j. */
static void validate_body(struct jsonv *v, json_t *body, struct quote_job *j)
{
    jsonv_known_keys(v, body, "", TOP_KEYS);
    copy_code(j->origin, sizeof j->origin, location(v, body, "origin", true));
    copy_code(j->destination, sizeof j->destination, location(v, body, "destination", true));
    if (j->origin[0] && strcmp(j->origin, j->destination) == 0)
        jsonv_error(v, "/destination", "must differ from origin");
    validate_ready_date(v, body, j);
    validate_cargo(v, body, j);

    const char *cur = jsonv_string(v, body, "", "currency", false, 3, 3);
    copy_code(j->currency, sizeof j->currency, cur ? cur : "USD");
    int opt = jsonv_enum(v, body, "", "optimize", false, OPTIMIZE);
    j->optimize = opt == 1 ? QUOTE_OPTIMIZE_TIME : QUOTE_OPTIMIZE_COST;
    json_int_t max = QUOTE_DEFAULT_OPTIONS;
    jsonv_int(v, body, "", "max_options", false, 1, QUOTE_MAX_OPTIONS, &max);
    j->max_options = (int)max;

    size_t i;
    json_t *item;
    json_t *avoid = jsonv_array(v, body, "", "avoid_modes", false, 0, NETWORK_N_MODES);
    json_array_foreach(avoid, i, item) {
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/avoid_modes/%zu", i);
        int m = json_is_string(item) ? network_mode_parse(json_string_value(item)) : -1;
        if (m < 0)
            jsonv_error(v, ptr, "must be one of: %s, %s, %s", MODES[0], MODES[1], MODES[2]);
        else
            j->avoid_modes |= 1u << m;
    }
    json_t *via = jsonv_array(v, body, "", "via", false, 0, QUOTE_MAX_VIA);
    json_array_foreach(via, i, item) {
        char ptr[48];
        snprintf(ptr, sizeof ptr, "/via/%zu", i);
        size_t len = json_is_string(item) ? json_string_length(item) : 0;
        if (len < 1 || len >= NETWORK_CODE_MAX)
            jsonv_error(v, ptr, "must be a location code such as KZAAU");
        else
            copy_code(j->via[j->n_via++], NETWORK_CODE_MAX, json_string_value(item));
    }
}

/* The stored request: the body with currency, optimize and max_options
 * filled in. */
static json_t *normalized_request(json_t *body, const struct quote_job *j)
{
    json_t *r = json_incref(body); /* the request's own body: filled in place */
    json_object_set_new(r, "currency", json_string(j->currency));
    json_object_set_new(r, "optimize", json_string(OPTIMIZE[j->optimize]));
    json_object_set_new(r, "max_options", json_integer(j->max_options));
    return r;
}

/* 422 unknown_location naming every unknown code; false when all are known. */
static bool reply_unknown_locations(struct http_request *req, const struct quote_job *j)
{
    const struct network *net = snapshot_network(j->snap);
    json_t *errors = json_array();
    char detail[160] = "";
    struct {
        const char *code, *pointer;
    } codes[2 + QUOTE_MAX_VIA] = {{j->origin, "/origin"}, {j->destination, "/destination"}};
    char via_ptr[QUOTE_MAX_VIA][32];
    size_t n = 2;
    for (size_t i = 0; i < j->n_via; i++, n++) {
        snprintf(via_ptr[i], sizeof via_ptr[i], "/via/%zu", i);
        codes[n].code = j->via[i];
        codes[n].pointer = via_ptr[i];
    }
    for (size_t i = 0; i < n; i++) {
        if (network_node_find(net, codes[i].code) != NETWORK_NONE)
            continue;
        char msg[96];
        snprintf(msg, sizeof msg, "unknown location code %s (see GET /v1/nodes)", codes[i].code);
        json_t *e = json_object();
        json_object_set_new(e, "pointer", json_string(codes[i].pointer));
        json_object_set_new(e, "message", quote_json_string(msg));
        json_array_append_new(errors, e);
        size_t len = strlen(detail);
        snprintf(detail + len, sizeof detail - len, "%s%s", len ? ", " : "unknown location ",
                 codes[i].code);
    }
    if (json_array_size(errors) == 0) {
        json_decref(errors);
        return false;
    }
    http_reply_problem(req, 422, "unknown_location", detail, errors);
    return true;
}

/* ---- pricing (pool thread) ---- */

/* The longest transit of any link (seconds): port calls happen up to that
 * long after the last departure of the horizon. */
static int64_t longest_transit(const struct network *net)
{
    int64_t h10 = 0;
    for (uint32_t i = 0; i < network_link_count(net); i++)
        if (network_link_at(net, i)->transit_hours10 > h10)
            h10 = network_link_at(net, i)->transit_hours10;
    return h10 * 360;
}

/* "/cargo/containers" from quote.h's "cargo.containers", "/via/1" from
 * "via[1]"; "" (the whole body) for no field. */
static void field_pointer(const char *field, char *out, size_t size)
{
    size_t n = 0;
    if (*field)
        out[n++] = '/';
    for (const char *p = field; *p && n + 2 < size; p++) {
        if (*p == '.' || *p == '[')
            out[n++] = '/';
        else if (*p != ']')
            out[n++] = *p;
    }
    out[n] = '\0';
}

static void reply_invalid(struct http_request *req, const struct quote_result *res, unsigned status,
                          const char *code)
{
    char ptr[48];
    field_pointer(res->error_field, ptr, sizeof ptr);
    json_t *errors = json_array();
    json_t *e = json_object();
    json_object_set_new(e, "pointer", json_string(ptr));
    json_object_set_new(e, "message", quote_json_string(res->error_detail));
    json_array_append_new(errors, e);
    http_reply_problem(req, status, code, res->error_detail, errors);
}

/* 409 capacity_unavailable: every departure and window too full, each with
 * what is free and what the shipment needs. */
static void reply_capacity(struct http_request *req, const struct quote_job *j,
                           const struct quote_result *res, const struct quote_availability *a)
{
    http_reply_problem(req, 409, "capacity_unavailable", res->error_detail,
                       quote_json_capacity_errors(j->snap, res, a));
}

static void reply_store_error(struct http_request *req, int st)
{
    if (st == STORE_QUOTE_UNAVAILABLE)
        http_reply_unavailable(req);
    else
        http_reply_problem(req, 500, "internal_error", "the database refused the request", NULL);
}

/* Appends s to p as a JSON string (quotes, escapes) and returns the end. */
static char *put_json_string(char *p, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    *p++ = '"';
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') {
            *p++ = '\\';
            *p++ = (char)ch;
        } else if (ch < 0x20) {
            p += sprintf(p, "\\u00%c%c", hex[ch >> 4], hex[ch & 15]);
        } else {
            *p++ = (char)ch;
        }
    }
    *p++ = '"';
    return p;
}

static char *put_text(char *p, const char *s, size_t n)
{
    memcpy(p, s, n);
    return p + n;
}
#define PUT_LIT(p, lit) put_text(p, lit, sizeof lit - 1)

/* The 201 body, exactly what dumping one compact object with these members
 * in this order would print; the request, fx and options texts are already
 * compact JSON and go in verbatim.  Returns a new string (free it) and its
 * length in *len. */
static char *quote_body(const char *id, const char *org, const char *created, const char *expires,
                        const char *currency, int64_t data_version, const char *request,
                        const char *fx, const char *options, size_t options_len, size_t *len)
{
    size_t request_len = strlen(request), fx_len = strlen(fx);
    size_t cap = 256 + strlen(id) + 6 * strlen(org) + strlen(created) + strlen(expires) +
                 6 * strlen(currency) + request_len + fx_len + options_len;
    char *body = xmalloc(cap), *p = body;
    p = PUT_LIT(p, "{\"id\":");
    p = put_json_string(p, id);
    p = PUT_LIT(p, ",\"organization\":");
    p = put_json_string(p, org);
    p = PUT_LIT(p, ",\"created_at\":");
    p = put_json_string(p, created);
    p = PUT_LIT(p, ",\"expires_at\":");
    p = put_json_string(p, expires);
    p = PUT_LIT(p, ",\"currency\":");
    p = put_json_string(p, currency);
    p += sprintf(p, ",\"data_version\":%lld", (long long)data_version);
    p = PUT_LIT(p, ",\"request\":");
    p = put_text(p, request, request_len);
    p = PUT_LIT(p, ",\"fx\":");
    p = put_text(p, fx, fx_len);
    p = PUT_LIT(p, ",\"options\":");
    p = put_text(p, options, options_len);
    *p++ = '}';
    *p = '\0';
    *len = (size_t)(p - body);
    return body;
}

static int64_t realtime_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* RFC 3339 UTC, whole seconds (truncated, as PostgreSQL's to_char shows a
 * stored time). */
static void format_utc(int64_t us, char out[32])
{
    if (timetable_time_format(us / 1000000, out, 32) < 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}

/* Queues the quote (a new id and row pointing at offer o, and o itself when
 * store_offer) and replies 201 with it. */
static void reply_quote(struct http_request *req, const char *org,
                        const struct quote_offer_entry *o, bool store_offer, int64_t now_us)
{
    char id[QUOTE_ID_LEN + 1], created[32], expires[32];
    quote_writer_new_id(id);
    int64_t expires_us = now_us + (int64_t)app.cfg->quote_ttl_s * 1000000;
    format_utc(now_us, created);
    format_utc(expires_us, expires);
    struct quote_row row = {id,         org,             now_us,     expires_us,
                            o->data_version, o->currency, o->offer_id};
    struct quote_offer_row offer = {o->offer_id, o->options, o->options_len, o->request, o->fx};
    /* queued before the answer leaves: a GET or booking of this id from
     * here waits for its batch (quote_writer_wait) */
    quote_writer_submit(&row, store_offer ? &offer : NULL);

    size_t body_len = 0;
    char *body_text = quote_body(id, org, created, expires, o->currency,
                                 o->data_version, o->request, o->fx, o->options, o->options_len,
                                 &body_len);
    char location[64];
    snprintf(location, sizeof location, "/v1/quotes/%s", id);
    http_set_header(req, "Location", location);
    http_reply_take(req, 201, "application/json", body_text, body_len);
    metrics_count("corridor_quotes_total", "Quotes priced and stored (201).", 1);
}

/* The key of an offer: everything its options depend on.  The request text
 * has its members sorted, so the order of the client's members does not
 * matter. */
static char *offer_key(const struct quote_job *j, int32_t pricing_date, int horizon, uint64_t gen)
{
    return xasprintf("%s|%d|%d|%d|%lld|%llu|%s", j->who.org_code, (int)j->who.role, pricing_date,
                     horizon, (long long)snapshot_version(j->snap), (unsigned long long)gen,
                     j->request_text);
}

/* The other key of an offer: the request's bytes as they came, with the
 * same context.  Equal bytes from the same organization and role, on the
 * same day, with the same data version and booked state, validate the same
 * and normalize to the same request, so they get the same offer without
 * being parsed (api_quotes_early). */
#define RAW_KEY_MAX 4096
static char *raw_key(const char *org, int role, int32_t pricing_date, int horizon,
                     int64_t version, uint64_t gen, const char *raw, size_t len)
{
    return xasprintf("R|%s|%d|%d|%d|%lld|%llu|%.*s", org, role, pricing_date, horizon,
                     (long long)version, (unsigned long long)gen, (int)len, raw);
}

static int horizon_days(void)
{
    return app.cfg->quote_horizon_days ? (int)app.cfg->quote_horizon_days
                                       : QUOTE_DEFAULT_HORIZON_DAYS;
}

/* The offer o (just found or made for j) also under j's raw-body key. */
static void alias_raw(const struct quote_job *j, int32_t pricing_date, uint64_t gen,
                      const struct quote_offer_entry *o)
{
    if (!j->raw || !o)
        return;
    char *key = raw_key(j->who.org_code, (int)j->who.role, pricing_date, horizon_days(),
                        snapshot_version(j->snap), gen, j->raw, j->raw_len);
    quote_cache_offer_alias(key, o);
    free(key);
}

/* The booked capacity for this quote: the kept rows when current, else
 * read now (and kept when they match the snapshot's data version).  When
 * the database is at another data version than the snapshot (a reload in
 * progress), the ranges are read whole into *direct instead and NULL is
 * returned with STORE_QUOTE_OK in *st. */
static struct quote_booked_set *booked_for(const struct quote_job *j, int64_t since,
                                           const int64_t range[4],
                                           struct quote_availability *direct, int *st)
{
    *st = STORE_QUOTE_OK;
    int64_t version = snapshot_version(j->snap);
    struct quote_booked_set *bs = quote_cache_booked_acquire(version, since);
    if (bs)
        return bs;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        *st = STORE_QUOTE_UNAVAILABLE;
        return NULL;
    }
    uint64_t gen = quote_cache_gen(); /* before the read: a change during it makes it stale */
    struct quote_booked b;
    *st = store_quote_booked(c, since, &b);
    metrics_count("corridor_quote_booked_reads_total",
                  "Reads of the booked quantities for quoting (once per change of them).", 1);
    if (*st == STORE_QUOTE_OK) {
        if (b.data_version == version) {
            /* every departure and window, once: each quote then only looks up */
            struct quote_availability all;
            store_quote_availability_build(j->snap, &b, INT64_MIN, INT64_MAX, INT64_MIN,
                                           INT64_MAX, &all);
            bs = quote_cache_booked_publish(&b, &all, gen);
        } else {
            store_quote_booked_free(&b);
            *st = store_quote_availability(c, j->snap, range[0], range[1], range[2], range[3],
                                           direct);
        }
    }
    db_release(app.db, c);
    return bs;
}

/* When a quote is made and what it searches. */
struct quote_times {
    int64_t now_us, now;
    int32_t pricing_date;
    int horizon;
    int64_t range[4]; /* departures from, to; windows from, to (unix s) */
    int64_t since;    /* the booked rows it needs: from here on */
};

static void quote_times(const struct quote_job *j, struct quote_times *t)
{
    t->now_us = realtime_us();
    t->now = t->now_us / 1000000;
    t->pricing_date = timetable_date_of(t->now);
    t->horizon = horizon_days();
    int64_t ready_at = (int64_t)j->ready_date * DAY;
    int64_t dep_to = ready_at + (int64_t)t->horizon * DAY;
    t->range[0] = t->range[2] = ready_at;
    t->range[1] = dep_to;
    t->range[3] = dep_to + longest_transit(snapshot_network(j->snap)) + DAY;
    /* every ready date accepted (today - 1 on) is covered by the same rows */
    t->since = (int64_t)(t->pricing_date - 1) * DAY;
    if (t->since > ready_at)
        t->since = ready_at;
}

static void count_reuse(void)
{
    metrics_count("corridor_quote_offer_reuses_total",
                  "Quotes answered with an offer priced moments before for the same request "
                  "and state.",
                  1);
}

/* On the MHD thread: answers the quote when its offer is kept (booked rows
 * current, same key), which costs no search, no pricing and no database
 * round trip (the row is queued for the writer), so it is not worth a trip
 * to the pool.  False when the pool must do the work. */
static bool answer_kept_offer(struct http_request *req, const struct quote_job *j)
{
    if (!quote_writer_healthy() || !db_pool_healthy(app.db) || quote_writer_full())
        return false; /* the pool answers (it may wait for room in the queue) */
    struct quote_times t;
    quote_times(j, &t);
    struct quote_booked_set *bs = quote_cache_booked_acquire(snapshot_version(j->snap), t.since);
    if (!bs)
        return false;
    char *key = offer_key(j, t.pricing_date, t.horizon, quote_cache_booked_gen(bs));
    const struct quote_offer_entry *offer = quote_cache_offer_get(key);
    if (offer) {
        count_reuse();
        reply_quote(req, j->who.org_code, offer, false, t.now_us);
        alias_raw(j, t.pricing_date, quote_cache_booked_gen(bs), offer);
        quote_cache_offer_release(offer);
    }
    free(key);
    quote_cache_booked_release(bs);
    return offer != NULL;
}

static void run_quote(struct http_request *req, void *arg)
{
    struct quote_job *j = arg;
    struct quote_availability avail = {0};
    struct quote_result res = {0};
    struct quote_offer_entry fresh;
    memset(&fresh, 0, sizeof fresh);
    const struct quote_offer_entry *offer = NULL;
    struct quote_booked_set *bs = NULL;
    char *key = NULL;
    if (!quote_writer_healthy() || !db_pool_healthy(app.db) ||
        !quote_writer_throttle(ACQUIRE_TIMEOUT_MS)) {
        http_reply_unavailable(req);
        return;
    }
    struct quote_times t;
    quote_times(j, &t);
    int64_t now_us = t.now_us, now = t.now;
    int32_t pricing_date = t.pricing_date;
    int horizon = t.horizon;
    int st;
    bs = booked_for(j, t.since, t.range, &avail, &st);
    if (st != STORE_QUOTE_OK) {
        reply_store_error(req, st);
        goto out;
    }
    if (bs) {
        key = offer_key(j, pricing_date, horizon, quote_cache_booked_gen(bs));
        offer = quote_cache_offer_get(key);
        if (offer) {
            count_reuse();
            reply_quote(req, j->who.org_code, offer, false, now_us);
            alias_raw(j, pricing_date, quote_cache_booked_gen(bs), offer);
            goto out;
        }
    }
    const char *via[QUOTE_MAX_VIA];
    for (size_t i = 0; i < j->n_via; i++)
        via[i] = j->via[i];
    struct quote_request q = {.origin = j->origin,
                              .destination = j->destination,
                              .ready_date = j->ready_date,
                              .containers = j->containers,
                              .n_containers = j->n_containers,
                              .currency = j->currency,
                              .optimize = j->optimize,
                              .max_options = j->max_options,
                              .avoid_modes = j->avoid_modes,
                              .via = via,
                              .n_via = j->n_via,
                              .org_code = j->who.org_code,
                              .now = now,
                              .pricing_date = pricing_date,
                              .horizon_days = horizon};
    const struct quote_availability *a = bs ? quote_cache_availability(bs) : &avail;
    switch (quote_compute(j->snap, &q, a, &res)) {
    case QUOTE_OK: {
        json_t *fx = quote_json_fx(j->snap, &res, pricing_date);
        fresh.options = quote_json_options_text(&res, j->containers, j->n_containers,
                                                &fresh.options_len);
        fresh.fx = json_dumps(fx, DUMP_FLAGS);
        fresh.request = xstrdup(j->request_text);
        json_decref(fx);
        if (!fresh.options || !fresh.fx) {
            http_reply_problem(req, 500, "internal_error", "the quote could not be rendered",
                               NULL);
            break;
        }
        quote_writer_new_id(fresh.offer_id);
        fresh.data_version = res.data_version;
        snprintf(fresh.currency, sizeof fresh.currency, "%s", res.currency);
        reply_quote(req, j->who.org_code, &fresh, true, now_us);
        if (key) { /* kept only after its offer was queued */
            offer = quote_cache_offer_put(key, &fresh);
            alias_raw(j, pricing_date, quote_cache_booked_gen(bs), offer);
        }
        break;
    }
    case QUOTE_EINVALID:
        reply_invalid(req, &res, 422, "validation_failed");
        break;
    case QUOTE_EUNKNOWN_LOCATION:
        reply_invalid(req, &res, 422, "unknown_location");
        break;
    case QUOTE_ENO_ROUTE:
        metrics_count("corridor_quote_refusals_total",
                      "Quote requests answered no_route or capacity_unavailable.", 1);
        http_reply_problem(req, 422, "no_route", res.error_detail, NULL);
        break;
    case QUOTE_ECAPACITY:
        metrics_count("corridor_quote_refusals_total",
                      "Quote requests answered no_route or capacity_unavailable.", 1);
        reply_capacity(req, j, &res, a);
        break;
    case QUOTE_EINTERNAL:
    default:
        log_event(LOGL_ERROR, "quote.internal", "%s -> %s: %s", j->origin, j->destination,
                  res.error_detail);
        http_reply_problem(req, 500, "internal_error", "the quote could not be priced", NULL);
        break;
    }
out:
    if (offer)
        quote_cache_offer_release(offer);
    free(fresh.options); /* NULL when the cache took them */
    free(fresh.fx);
    free(fresh.request);
    free(key);
    quote_result_free(&res);
    store_quote_availability_free(&avail);
    quote_cache_booked_release(bs);
}

/* ---- handlers (MHD thread) ---- */

static void post_quote(struct http_request *req)
{
    json_t *body = http_body(req);
    struct jsonv v;
    jsonv_init(&v);
    struct quote_job *j = xcalloc(1, sizeof *j);
    j->who = *http_principal(req);
    validate_body(&v, body, j);
    j->snap = snapshot_acquire();
    if (j->snap && tariff_book_minor_units(snapshot_tariffs(j->snap), j->currency) < 0 &&
        json_object_get(body, "currency") && json_is_string(json_object_get(body, "currency")))
        jsonv_error(&v, "/currency", "unknown currency %s", j->currency);
    if (!jsonv_ok(&v)) {
        jsonv_reply(&v, req);
        goto fail;
    }
    if (!j->snap) {
        http_set_header(req, "Retry-After", "1");
        http_reply_problem(req, 503, "service_unavailable",
                           "the pricing data is not loaded yet", NULL);
        goto fail;
    }
    if (reply_unknown_locations(req, j))
        goto fail;
    size_t raw_len = 0;
    const char *raw = http_body_raw(req, &raw_len);
    if (raw && raw_len > 0 && raw_len <= RAW_KEY_MAX) {
        j->raw = xstrndup(raw, raw_len);
        j->raw_len = raw_len;
    }
    j->request = normalized_request(body, j);
    j->request_text = json_dumps(j->request, DUMP_FLAGS | JSON_SORT_KEYS);
    jsonv_free(&v);
    if (!j->request_text) {
        http_reply_problem(req, 500, "internal_error", "the request could not be rendered", NULL);
        quote_job_free(j);
        return;
    }
    if (answer_kept_offer(req, j)) {
        quote_job_free(j);
        return;
    }
    http_on_free(req, quote_job_free, j);
    http_defer(req, run_quote, j);
    return;
fail:
    jsonv_free(&v);
    quote_job_free(j);
}

/* One GET /v1/quotes/{id}. */
struct get_job {
    char id[40];
    char org[sizeof ((struct auth_principal *)0)->org_code];
    bool any_org;
};

static bool is_uuid(const char *s)
{
    if (!s || strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        char ch = s[i];
        bool hex = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
        if (i == 8 || i == 13 || i == 18 || i == 23 ? ch != '-' : !hex)
            return false;
    }
    return true;
}

static void run_get(struct http_request *req, void *arg)
{
    struct get_job *g = arg;
    /* made here: wait until its batch has committed */
    bool made_here = quote_writer_wait(g->id, ACQUIRE_TIMEOUT_MS);
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        http_reply_unavailable(req);
        return;
    }
    char *json = NULL;
    /* made moments ago by another instance: its batch may not have committed */
    int st = !made_here && quote_writer_recent(g->id, QUOTE_RECENT_MS) ? store_quote_await(c, g->id)
                                                                        : STORE_QUOTE_OK;
    if (st == STORE_QUOTE_OK || st == STORE_QUOTE_NOT_FOUND)
        st = store_quote_get(c, g->id, g->any_org ? NULL : g->org, &json);
    db_release(app.db, c);
    json_t *doc = st == STORE_QUOTE_OK ? json_loads(json, JSON_REJECT_DUPLICATES, NULL) : NULL;
    char *text = doc ? json_dumps(doc, DUMP_FLAGS) : NULL;
    if (st == STORE_QUOTE_OK && text)
        http_reply_raw(req, 200, "application/json", text, strlen(text));
    else if (st == STORE_QUOTE_OK)
        http_reply_problem(req, 500, "internal_error", "the stored quote is not valid JSON", NULL);
    else if (st == STORE_QUOTE_NOT_FOUND)
        http_reply_problemf(req, 404, "not_found", "no quote %s", g->id);
    else
        reply_store_error(req, st);
    free(text);
    json_decref(doc);
    free(json);
}

static void get_quote(struct http_request *req)
{
    const char *id = http_param(req, "id");
    if (!is_uuid(id)) {
        http_reply_problem(req, 404, "not_found", "no such quote: quote ids are UUIDs", NULL);
        return;
    }
    const struct auth_principal *who = http_principal(req);
    struct get_job *g = xcalloc(1, sizeof *g);
    snprintf(g->id, sizeof g->id, "%s", id);
    snprintf(g->org, sizeof g->org, "%s", who->org_code);
    g->any_org = who->role == AUTH_OPERATOR;
    http_on_free(req, free, g);
    http_defer(req, run_get, g);
}

bool api_quotes_early(struct http_request *req)
{
    size_t len = 0;
    const char *raw = http_body_raw(req, &len);
    const struct auth_principal *who = http_principal(req);
    if (!raw || len == 0 || len > RAW_KEY_MAX || !who)
        return false;
    if (!quote_writer_healthy() || !db_pool_healthy(app.db) || quote_writer_full())
        return false;
    struct snapshot *snap = snapshot_acquire();
    if (!snap)
        return false;
    int64_t now_us = realtime_us();
    int32_t pricing_date = timetable_date_of(now_us / 1000000);
    /* every ready date accepted (today - 1 on) is covered by these rows */
    struct quote_booked_set *bs =
        quote_cache_booked_acquire(snapshot_version(snap), (int64_t)(pricing_date - 1) * DAY);
    const struct quote_offer_entry *offer = NULL;
    if (bs) {
        char *key = raw_key(who->org_code, (int)who->role, pricing_date, horizon_days(),
                            snapshot_version(snap), quote_cache_booked_gen(bs), raw, len);
        offer = quote_cache_offer_get(key);
        free(key);
    }
    if (offer) {
        count_reuse();
        reply_quote(req, who->org_code, offer, false, now_us);
        quote_cache_offer_release(offer);
    }
    quote_cache_booked_release(bs);
    snapshot_release(snap);
    return offer != NULL;
}

static const struct http_route routes[] = {
    {HTTP_POST, "/v1/quotes", "quotes_create", AUTH_FORWARDER | AUTH_OPERATOR, true, post_quote},
    {HTTP_GET, "/v1/quotes/{id}", "quotes_get", AUTH_FORWARDER | AUTH_OPERATOR, false, get_quote},
};

const struct http_route_table api_quotes_routes = {routes, sizeof routes / sizeof routes[0]};
