/* http_proto: the parts of HTTP handling that need no connection — route
 * matching, Allow lists, problem+json bodies, request-id and media-type
 * checks (see include/http_proto.h).  Pure: no I/O, no globals; any thread. */
#include "http_proto.h"

#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Matches one pattern against path.  Returns -1 when it does not match, else
 * a specificity score (literal segments count most; a wildcard least). */
static int match_pattern(const char *pattern, const char *path, struct http_match *m)
{
    size_t np = 0;
    int literals = 0, params = 0;
    const char *p = pattern, *s = path;
    if (*p != '/' || *s != '/')
        return -1;
    if (strcmp(pattern, "/") == 0)
        return strcmp(path, "/") == 0 ? 1000 : -1;
    while (*p == '/') {
        if (*s != '/')
            return -1;
        p++;
        s++;
        const char *pe = strchr(p, '/');
        size_t plen = pe ? (size_t)(pe - p) : strlen(p);
        const char *se = strchr(s, '/');
        size_t slen = se ? (size_t)(se - s) : strlen(s);
        if (plen >= 2 && p[0] == '{' && p[plen - 1] == '}') {
            bool rest = plen >= 3 && p[plen - 2] == '*';
            if (rest)
                slen = strlen(s); /* the rest of the path */
            if (slen == 0 || np >= HTTP_MAX_PARAMS)
                return -1;
            m->params[np].name = p + 1;
            m->params[np].name_len = plen - 2 - (rest ? 1 : 0);
            m->params[np].value = s;
            m->params[np].value_len = slen;
            np++;
            if (rest) {
                m->n_params = np;
                return 0; /* a wildcard is never preferred */
            }
            params++;
        } else {
            if (plen != slen || memcmp(p, s, plen) != 0)
                return -1;
            literals++;
        }
        p += plen;
        s += slen;
    }
    if (*p || *s)
        return -1;
    m->n_params = np;
    return 1 + literals * 16 + (15 - (params > 15 ? 15 : params));
}

void http_match_route(const struct http_route_table *const *tables, unsigned method,
                      const char *path, struct http_match *m)
{
    struct http_match best, tmp;
    int best_score = -1;
    unsigned strong_allowed = 0, weak_allowed = 0;
    memset(m, 0, sizeof *m);
    memset(&best, 0, sizeof best);
    for (size_t t = 0; tables && tables[t]; t++) {
        for (size_t i = 0; i < tables[t]->count; i++) {
            const struct http_route *r = &tables[t]->routes[i];
            memset(&tmp, 0, sizeof tmp);
            int score = match_pattern(r->pattern, path, &tmp);
            if (score < 0)
                continue;
            if (score == 0)
                weak_allowed |= r->method;
            else
                strong_allowed |= r->method;
            if (r->method == method && score > best_score) {
                best = tmp;
                best.route = r;
                best_score = score;
            }
        }
    }
    /* A wildcard only counts when no other pattern matches the path. */
    if (strong_allowed) {
        if (best_score > 0)
            *m = best;
        m->allowed = strong_allowed;
    } else if (best_score == 0) {
        *m = best;
        m->allowed = weak_allowed;
    }
}

void http_allow_list(unsigned allowed, char *buf, size_t len)
{
    static const struct {
        unsigned bit;
        const char *names;
    } order[] = {{HTTP_GET, "GET, HEAD"},
                 {HTTP_POST, "POST"},
                 {HTTP_PUT, "PUT"},
                 {HTTP_PATCH, "PATCH"},
                 {HTTP_DELETE, "DELETE"}};
    size_t n = 0;
    if (!len)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (allowed & order[i].bit) {
            int w = snprintf(buf + n, len - n, "%s, ", order[i].names);
            if (w < 0 || (size_t)w >= len - n)
                return;
            n += (size_t)w;
        }
    }
    snprintf(buf + n, len - n, "OPTIONS");
}

static const struct {
    const char *code, *title;
} problem_titles[] = {
    {"malformed_json", "Malformed JSON"},
    {"validation_failed", "Validation failed"},
    {"unauthorized", "Unauthorized"},
    {"forbidden", "Forbidden"},
    {"not_found", "Not found"},
    {"method_not_allowed", "Method not allowed"},
    {"payload_too_large", "Payload too large"},
    {"unsupported_media_type", "Unsupported media type"},
    {"unknown_location", "Unknown location"},
    {"no_route", "No route"},
    {"quote_expired", "Quote expired"},
    {"capacity_unavailable", "Capacity unavailable"},
    {"invalid_state", "Invalid state"},
    {"precondition_failed", "Precondition failed"},
    {"idempotency_key_reused", "Idempotency key reused"},
    {"quote_already_booked", "Quote already booked"},
    {"rate_limited", "Too many requests"},
    {"service_unavailable", "Service unavailable"},
    {"internal_error", "Internal server error"},
};

const char *http_problem_title(const char *code)
{
    for (size_t i = 0; i < sizeof problem_titles / sizeof problem_titles[0]; i++)
        if (code && strcmp(problem_titles[i].code, code) == 0)
            return problem_titles[i].title;
    return "Request failed";
}

/* A JSON string of s; bytes that are not valid UTF-8 become U+FFFD. */
static json_t *utf8_string(const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (j)
        return j;
    size_t n = strlen(s);
    char *out = xmalloc(n * 3 + 1);
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        size_t k = c < 0x80             ? 1
                   : (c & 0xe0) == 0xc0 ? 2
                   : (c & 0xf0) == 0xe0 ? 3
                   : (c & 0xf8) == 0xf0 ? 4
                                        : 0;
        bool ok = k > 0 && i + k <= n;
        for (size_t b = 1; ok && b < k; b++)
            ok = ((unsigned char)s[i + b] & 0xc0) == 0x80;
        if (ok && k > 1) {
            char tmp[5];
            memcpy(tmp, s + i, k);
            tmp[k] = '\0';
            json_t *probe = json_string(tmp); /* rejects overlongs and surrogates */
            ok = probe != NULL;
            json_decref(probe);
        }
        if (ok) {
            memcpy(out + o, s + i, k);
            o += k;
            i += k;
        } else {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3;
            i++;
        }
    }
    out[o] = '\0';
    j = json_string(out);
    free(out);
    return j ? j : json_string("");
}

json_t *http_problem_body(unsigned status, const char *code, const char *detail,
                          const char *request_id, json_t *errors)
{
    json_t *o = json_object();
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", code ? code : "internal_error");
    json_object_set_new(o, "type", utf8_string(type));
    json_object_set_new(o, "title", json_string(http_problem_title(code)));
    json_object_set_new(o, "status", json_integer(status));
    json_object_set_new(o, "detail", utf8_string(detail ? detail : http_problem_title(code)));
    json_object_set_new(o, "code", utf8_string(code ? code : "internal_error"));
    json_object_set_new(o, "request_id", utf8_string(request_id ? request_id : ""));
    if (errors)
        json_object_set_new(o, "errors", errors);
    return o;
}

bool http_request_id_valid(const char *s)
{
    size_t n = 0;
    if (!s)
        return false;
    for (; s[n]; n++) {
        char c = s[n];
        if (n >= 64 || !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-'))
            return false;
    }
    return n > 0;
}

bool http_is_json_type(const char *ct)
{
    if (!ct)
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "application/json", 16) != 0)
        return false;
    ct += 16;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (!*ct)
        return true;
    if (*ct++ != ';')
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    if (strncasecmp(ct, "charset=", 8) != 0)
        return false;
    ct += 8;
    bool quoted = *ct == '"';
    ct += quoted;
    if (strncasecmp(ct, "utf-8", 5) != 0)
        return false;
    ct += 5;
    if (quoted && *ct++ != '"')
        return false;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    return *ct == '\0';
}
