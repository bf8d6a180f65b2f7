/* jsonv: strict validation of request bodies, every error with its JSON
 * Pointer (RFC 6901: "~" is written "~0" and "/" is written "~1" in a key).
 * See include/jsonv.h. */
#include "jsonv.h"

#include "http.h"
#include "xmem.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void jsonv_init(struct jsonv *v)
{
    v->errors = json_array();
}

void jsonv_free(struct jsonv *v)
{
    json_decref(v->errors);
    v->errors = NULL;
}

bool jsonv_ok(const struct jsonv *v)
{
    return !v->errors || json_array_size(v->errors) == 0;
}

/* base + "/" + escaped key, as a new string. */
static char *pointer_of(const char *base, const char *key)
{
    size_t bl = strlen(base ? base : "");
    size_t extra = 0;
    for (const char *p = key; *p; p++)
        extra += (*p == '~' || *p == '/') ? 2 : 1;
    char *s = xmalloc(bl + 1 + extra + 1);
    memcpy(s, base ? base : "", bl);
    size_t n = bl;
    s[n++] = '/';
    for (const char *p = key; *p; p++) {
        if (*p == '~') {
            s[n++] = '~';
            s[n++] = '0';
        } else if (*p == '/') {
            s[n++] = '~';
            s[n++] = '1';
        } else {
            s[n++] = *p;
        }
    }
    s[n] = '\0';
    return s;
}

/* A JSON string must be valid UTF-8: replace any invalid byte (a key can
 * only hold valid UTF-8 when it came through json_loadb, but pointers may be
 * built from other text). */
json_t *jsonv_safe_string(const char *s)
{
    if (!s)
        s = "";
    json_t *j = json_string(s);
    if (j)
        return j;
    char *copy = xstrdup(s);
    for (unsigned char *p = (unsigned char *)copy; *p; p++)
        if (*p >= 0x80)
            *p = '?';
    j = json_string(copy);
    free(copy);
    return j ? j : json_string("");
}

static void add_error(struct jsonv *v, const char *pointer, const char *msg)
{
    if (!v->errors)
        v->errors = json_array();
    json_t *e = json_object();
    json_object_set_new(e, "pointer", jsonv_safe_string(pointer));
    json_object_set_new(e, "message", jsonv_safe_string(msg));
    json_array_append_new(v->errors, e);
}

void jsonv_error(struct jsonv *v, const char *pointer, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    add_error(v, pointer, msg);
}

static void key_error(struct jsonv *v, const char *base, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void key_error(struct jsonv *v, const char *base, const char *key, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char *ptr = pointer_of(base, key);
    add_error(v, ptr, msg);
    free(ptr);
}

void jsonv_reply(struct jsonv *v, struct http_request *req)
{
    json_t *errors = v->errors ? v->errors : json_array();
    size_t n = json_array_size(errors);
    char detail[96];
    v->errors = json_array();
    snprintf(detail, sizeof detail, "%zu invalid field%s in the request", n, n == 1 ? "" : "s");
    http_reply_problem(req, 400, "validation_failed", detail, errors);
}

bool jsonv_known_keys(struct jsonv *v, json_t *obj, const char *base, const char *const *allowed)
{
    if (!json_is_object(obj))
        return true;
    bool ok = true;
    const char *key;
    json_t *val;
    json_object_foreach(obj, key, val)
    {
        bool found = false;
        for (size_t i = 0; allowed && allowed[i]; i++) {
            if (strcmp(allowed[i], key) == 0) {
                found = true;
                break;
            }
        }
        if (!found) {
            key_error(v, base, key, "unknown field");
            ok = false;
        }
    }
    return ok;
}

bool jsonv_query_known(struct jsonv *v, const struct http_request *req,
                       const char *const *allowed)
{
    bool ok = true;
    size_t n = http_query_count(req);
    for (size_t i = 0; i < n; i++) {
        const char *name = http_query_name(req, i);
        bool found = false;
        for (size_t k = 0; name && allowed && allowed[k] && !found; k++)
            found = strcmp(allowed[k], name) == 0;
        if (!found) {
            key_error(v, "/query", name ? name : "", "unknown query parameter");
            ok = false;
        }
    }
    return ok;
}

/* The value at key, or NULL when missing or null (then "is required" is
 * recorded when required). */
static json_t *field(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required)
{
    json_t *val = json_is_object(obj) ? json_object_get(obj, key) : NULL;
    if (json_is_null(val))
        val = NULL;
    if (!val && required)
        key_error(v, base, key, "is required");
    return val;
}

/* Number of UTF-8 characters (json strings hold valid UTF-8). */
static size_t utf8_chars(const char *s, size_t bytes)
{
    size_t n = 0;
    for (size_t i = 0; i < bytes; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

const char *jsonv_string(struct jsonv *v, json_t *obj, const char *base, const char *key,
                         bool required, size_t min_len, size_t max_len)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return NULL;
    if (!json_is_string(val)) {
        key_error(v, base, key, "must be a string");
        return NULL;
    }
    size_t n = utf8_chars(json_string_value(val), json_string_length(val));
    if (n < min_len || n > max_len) {
        if (min_len == max_len)
            key_error(v, base, key, "must be exactly %zu characters long", min_len);
        else if (n < min_len && min_len == 1)
            key_error(v, base, key, "must not be empty");
        else
            key_error(v, base, key, "must be %zu to %zu characters long", min_len, max_len);
        return NULL;
    }
    return json_string_value(val);
}

bool jsonv_int(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
               json_int_t min, json_int_t max, json_int_t *out)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return false;
    if (!json_is_integer(val)) {
        key_error(v, base, key, "must be an integer");
        return false;
    }
    json_int_t n = json_integer_value(val);
    if (n < min || n > max) {
        key_error(v, base, key,
                  "must be between %" JSON_INTEGER_FORMAT " and %" JSON_INTEGER_FORMAT, min, max);
        return false;
    }
    *out = n;
    return true;
}

bool jsonv_bool(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
                bool *out)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return false;
    if (!json_is_boolean(val)) {
        key_error(v, base, key, "must be true or false");
        return false;
    }
    *out = json_is_true(val);
    return true;
}

json_t *jsonv_array(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
                    size_t min_items, size_t max_items)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return NULL;
    if (!json_is_array(val)) {
        key_error(v, base, key, "must be an array");
        return NULL;
    }
    size_t n = json_array_size(val);
    if (n < min_items || n > max_items) {
        if (n < min_items && min_items == 1 && max_items >= (size_t)-1 / 2)
            key_error(v, base, key, "must not be empty");
        else
            key_error(v, base, key, "must have %zu to %zu items", min_items, max_items);
        return NULL;
    }
    return val;
}

json_t *jsonv_object(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return NULL;
    if (!json_is_object(val)) {
        key_error(v, base, key, "must be an object");
        return NULL;
    }
    return val;
}

int jsonv_enum(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
               const char *const *choices)
{
    json_t *val = field(v, obj, base, key, required);
    if (!val)
        return -1;
    if (json_is_string(val)) {
        for (int i = 0; choices && choices[i]; i++)
            if (strcmp(choices[i], json_string_value(val)) == 0)
                return i;
    }
    char list[256];
    size_t n = 0;
    list[0] = '\0';
    for (size_t i = 0; choices && choices[i] && n < sizeof list; i++) {
        int w = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", choices[i]);
        if (w < 0)
            break;
        n += (size_t)w;
    }
    key_error(v, base, key, "must be one of: %s", list);
    return -1;
}
