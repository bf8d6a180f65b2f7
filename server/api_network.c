/* api_network: read endpoints of the network and schedules (see
 * include/api_network.h).  Lists are keyset pages; the cursor is the
 * base64url form of the last item's key, validated before it reaches SQL.
 * Query parameter errors point at "/query/<name>". */
#include "api_network.h"

#include "app.h"
#include "auth.h"
#include "db.h"
#include "jsonv.h"
#include "store_network.h"
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACQUIRE_TIMEOUT_MS 3000
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200

enum list_kind { LIST_NODES, LIST_LINKS, LIST_DEPARTURES, LIST_WINDOWS, LIST_TARIFFS };

/* One deferred read; owns copies of every query value. */
struct net_job {
    enum list_kind kind;
    struct store_network_query q;
    char *strings[8]; /* owned copies behind the pointers in q */
    size_t n_strings;
};

static void job_free(void *arg)
{
    struct net_job *j = arg;
    for (size_t i = 0; i < j->n_strings; i++)
        free(j->strings[i]);
    free(j);
}

static const char *keep(struct net_job *j, char *s)
{
    if (!s)
        return NULL;
    j->strings[j->n_strings++] = s;
    return s;
}

/* ---- cursors: base64url (no padding) of the keyset key ---- */

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static char *cursor_encode(const char *key)
{
    size_t n = strlen(key);
    char *out = xmalloc(4 * ((n + 2) / 3) + 1), *p = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned char)key[i] << 16;
        if (i + 1 < n)
            v |= (unsigned char)key[i + 1] << 8;
        if (i + 2 < n)
            v |= (unsigned char)key[i + 2];
        *p++ = B64[(v >> 18) & 63];
        *p++ = B64[(v >> 12) & 63];
        if (i + 1 < n)
            *p++ = B64[(v >> 6) & 63];
        if (i + 2 < n)
            *p++ = B64[v & 63];
    }
    *p = '\0';
    return out;
}

/* Returns the decoded key (free it) or NULL when s is not base64url text. */
static char *cursor_decode(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || n % 4 == 1)
        return NULL;
    char *out = xmalloc(n), *p = out;
    unsigned acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        const char *at = strchr(B64, s[i]);
        if (!at || !s[i]) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)(at - B64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            *p++ = (char)((acc >> bits) & 0xff);
        }
    }
    *p = '\0';
    if (memchr(out, '\0', (size_t)(p - out)) != NULL) {
        free(out);
        return NULL;
    }
    return out;
}

/* ---- query validation (MHD thread) ---- */

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* True for a real calendar day written YYYY-MM-DD. */
static bool valid_date(const char *s)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
    if (y < 1900 || m < 1 || m > 12 || d < 1)
        return false;
    return d <= mdays[m - 1] + (m == 2 && leap(y));
}

static char *query_date(struct http_request *req, struct jsonv *v, const char *name)
{
    const char *s = http_query(req, name);
    if (!s)
        return NULL;
    if (!valid_date(s)) {
        jsonv_error(v, name[0] == 'o' ? "/query/on" : name[5] == 'f' ? "/query/date_from"
                                                                       : "/query/date_to",
                    "must be a date YYYY-MM-DD");
        return NULL;
    }
    return xstrdup(s);
}

static int query_limit(struct http_request *req, struct jsonv *v)
{
    const char *s = http_query(req, "limit");
    if (!s)
        return LIMIT_DEFAULT;
    char *end;
    long n = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || n < 1 || n > LIMIT_MAX) {
        jsonv_error(v, "/query/limit", "must be an integer from 1 to %d", LIMIT_MAX);
        return LIMIT_DEFAULT;
    }
    return (int)n;
}

static char *query_cursor(struct http_request *req, struct jsonv *v, enum store_network_key kind)
{
    const char *s = http_query(req, "cursor");
    if (!s)
        return NULL;
    char *key = cursor_decode(s);
    if (!key || !store_network_key_valid(kind, key)) {
        free(key);
        jsonv_error(v, "/query/cursor", "not a cursor returned by this list");
        return NULL;
    }
    return key;
}

/* A location code as given, or NULL when absent.  Its existence is checked
 * against the database later (422 unknown_location). */
static char *query_code(struct http_request *req, struct jsonv *v, const char *name,
                        const char *pointer)
{
    const char *s = http_query(req, name);
    if (!s)
        return NULL;
    if (*s == '\0' || strlen(s) > 16) {
        jsonv_error(v, pointer, "must be a location code such as KZAAU");
        return NULL;
    }
    return xstrdup(s);
}

/* ---- the deferred read (pool thread) ---- */

static void reply_page(struct http_request *req, const struct store_network_page *page)
{
    char *cursor = page->next_key ? cursor_encode(page->next_key) : NULL;
    char *body = cursor ? xasprintf("{\"items\":%s,\"next_cursor\":\"%s\"}", page->items, cursor)
                        : xasprintf("{\"items\":%s,\"next_cursor\":null}", page->items);
    http_reply_raw(req, 200, "application/json", body, strlen(body));
    free(body);
    free(cursor);
}

static void reply_store_error(struct http_request *req, int st)
{
    if (st == STORE_NETWORK_UNAVAILABLE)
        http_reply_unavailable(req);
    else
        http_reply_problem(req, 500, "internal_error", "reading from the database failed", NULL);
}

static void unknown_location(struct http_request *req, bool known_from, bool known_to,
                             const char *from, const char *to)
{
    json_t *errors = json_array();
    if (!known_from)
        json_array_append_new(errors, json_pack("{s:s, s:s}", "pointer", "/query/from", "message",
                                                "unknown location code"));
    if (!known_to)
        json_array_append_new(errors, json_pack("{s:s, s:s}", "pointer", "/query/to", "message",
                                                "unknown location code"));
    char detail[128];
    snprintf(detail, sizeof detail, "unknown location %s", !known_from ? from : to);
    http_reply_problem(req, 422, "unknown_location", detail, errors);
}

static void run_job(struct http_request *req, void *arg)
{
    struct net_job *j = arg;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        http_reply_unavailable(req);
        return;
    }
    struct store_network_page page = {0};
    int st = STORE_NETWORK_OK;
    if (j->kind == LIST_DEPARTURES || j->kind == LIST_WINDOWS) {
        bool known_from = true, known_to = true;
        const char *a = j->kind == LIST_WINDOWS ? j->q.node : j->q.from;
        const char *b = j->kind == LIST_WINDOWS ? NULL : j->q.to;
        st = store_network_nodes_exist(c, a, b, &known_from, &known_to);
        if (st != STORE_NETWORK_OK) {
            reply_store_error(req, st);
            goto out;
        }
        if (j->kind == LIST_WINDOWS && !known_from) {
            http_reply_problemf(req, 404, "not_found", "no location %s", j->q.node);
            goto out;
        }
        if (!known_from || !known_to) {
            unknown_location(req, known_from, known_to, j->q.from, j->q.to);
            goto out;
        }
    }
    switch (j->kind) {
    case LIST_NODES: st = store_network_nodes(c, &j->q, &page); break;
    case LIST_LINKS: st = store_network_links(c, &j->q, &page); break;
    case LIST_DEPARTURES: st = store_network_departures(c, &j->q, &page); break;
    case LIST_WINDOWS: st = store_network_windows(c, &j->q, &page); break;
    case LIST_TARIFFS: st = store_network_tariffs(c, &j->q, &page); break;
    }
    if (st == STORE_NETWORK_OK)
        reply_page(req, &page);
    else
        reply_store_error(req, st);
out:
    store_network_page_free(&page);
    db_release(app.db, c);
}

/* ---- handlers (MHD thread) ---- */

static void start_list(struct http_request *req, enum list_kind kind)
{
    static const char *const allowed_plain[] = {"limit", "cursor", NULL};
    static const char *const allowed_departures[] = {"from",    "to",    "date_from", "date_to",
                                                     "limit",   "cursor", NULL};
    static const char *const allowed_windows[] = {"date_from", "date_to", "limit", "cursor",
                                                  NULL};
    static const char *const allowed_tariffs[] = {"on", "limit", "cursor", NULL};
    struct jsonv v;
    jsonv_init(&v);
    struct net_job *j = xcalloc(1, sizeof *j);
    j->kind = kind;
    j->q.limit = query_limit(req, &v);
    switch (kind) {
    case LIST_NODES:
        jsonv_query_known(&v, req, allowed_plain);
        j->q.after = keep(j, query_cursor(req, &v, STORE_KEY_CODE));
        break;
    case LIST_LINKS:
        jsonv_query_known(&v, req, allowed_plain);
        j->q.after = keep(j, query_cursor(req, &v, STORE_KEY_ID));
        break;
    case LIST_DEPARTURES:
        jsonv_query_known(&v, req, allowed_departures);
        j->q.after = keep(j, query_cursor(req, &v, STORE_KEY_TIME_ID));
        j->q.from = keep(j, query_code(req, &v, "from", "/query/from"));
        j->q.to = keep(j, query_code(req, &v, "to", "/query/to"));
        j->q.date_from = keep(j, query_date(req, &v, "date_from"));
        j->q.date_to = keep(j, query_date(req, &v, "date_to"));
        break;
    case LIST_WINDOWS:
        jsonv_query_known(&v, req, allowed_windows);
        j->q.after = keep(j, query_cursor(req, &v, STORE_KEY_TIME_ID));
        j->q.node = keep(j, xstrdup(http_param(req, "code") ? http_param(req, "code") : ""));
        j->q.date_from = keep(j, query_date(req, &v, "date_from"));
        j->q.date_to = keep(j, query_date(req, &v, "date_to"));
        break;
    case LIST_TARIFFS:
        jsonv_query_known(&v, req, allowed_tariffs);
        j->q.after = keep(j, query_cursor(req, &v, STORE_KEY_ID));
        j->q.on = keep(j, query_date(req, &v, "on"));
        break;
    }
    if (jsonv_ok(&v) && j->q.date_from && j->q.date_to && strcmp(j->q.date_to, j->q.date_from) < 0)
        jsonv_error(&v, "/query/date_to", "must not be before date_from");
    if (!jsonv_ok(&v)) {
        job_free(j);
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    http_on_free(req, job_free, j);
    http_defer(req, run_job, j);
}

static void get_nodes(struct http_request *req)
{
    start_list(req, LIST_NODES);
}

static void get_links(struct http_request *req)
{
    start_list(req, LIST_LINKS);
}

static void get_departures(struct http_request *req)
{
    start_list(req, LIST_DEPARTURES);
}

static void get_windows(struct http_request *req)
{
    start_list(req, LIST_WINDOWS);
}

static void get_tariffs(struct http_request *req)
{
    start_list(req, LIST_TARIFFS);
}

static const struct http_route routes[] = {
    {HTTP_GET, "/v1/nodes", "nodes_list", AUTH_ANY, false, get_nodes},
    {HTTP_GET, "/v1/links", "links_list", AUTH_ANY, false, get_links},
    {HTTP_GET, "/v1/departures", "departures_list", AUTH_ANY, false, get_departures},
    {HTTP_GET, "/v1/ports/{code}/windows", "port_windows_list", AUTH_ANY, false,
     get_windows},
    {HTTP_GET, "/v1/tariffs", "tariffs_list", AUTH_ANY, false, get_tariffs},
};

const struct http_route_table api_network_routes = {routes, sizeof routes / sizeof routes[0]};
