/* jsonv: strict validation of request bodies.  Collects every problem with
 * its JSON Pointer, so one 400 validation_failed lists them all.
 * Pointers are built as base + "/" + key (base "" for the root object).
 * Any thread; a struct jsonv belongs to one request. */
#ifndef CORRIDOR_JSONV_H
#define CORRIDOR_JSONV_H

#include <jansson.h>
#include <stdbool.h>

struct http_request;

struct jsonv {
    json_t *errors; /* array of {"pointer","message"} */
};

/* A JSON string of s (NULL: ""), any byte that is not valid UTF-8 replaced
 * by '?' (jansson refuses invalid UTF-8). */
json_t *jsonv_safe_string(const char *s);
void jsonv_init(struct jsonv *v);
void jsonv_free(struct jsonv *v);
/* Adds one error at pointer. */
void jsonv_error(struct jsonv *v, const char *pointer, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
bool jsonv_ok(const struct jsonv *v);
/* Replies 400 validation_failed with every error collected (steals them). */
void jsonv_reply(struct jsonv *v, struct http_request *req);

/* Every key of obj must be in allowed (NULL-terminated); each other key is an
 * error "unknown field" at base/key.  Returns true when none was unknown. */
bool jsonv_known_keys(struct jsonv *v, json_t *obj, const char *base, const char *const *allowed);

/* Every query parameter of req must be one of allowed (NULL-terminated);
 * each other one is an error "unknown query parameter" at /query/<name>, so
 * a typo in a filter is never silently ignored.  Returns true when none was
 * unknown. */
bool jsonv_query_known(struct jsonv *v, const struct http_request *req,
                       const char *const *allowed);

/* Field readers: when the key is missing and required, or of the wrong type
 * or out of range, they record an error and return false/NULL.  A missing
 * optional key returns false/NULL without an error and leaves *out alone;
 * an explicit JSON null counts as missing. */
const char *jsonv_string(struct jsonv *v, json_t *obj, const char *base, const char *key,
                         bool required, size_t min_len, size_t max_len);
bool jsonv_int(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
               json_int_t min, json_int_t max, json_int_t *out);
bool jsonv_bool(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
                bool *out);
/* Returns the value (borrowed) when it is an array with min..max items. */
json_t *jsonv_array(struct jsonv *v, json_t *obj, const char *base, const char *key,
                    bool required, size_t min_items, size_t max_items);
json_t *jsonv_object(struct jsonv *v, json_t *obj, const char *base, const char *key,
                     bool required);
/* A string that must be one of choices (NULL-terminated); returns the index or -1. */
int jsonv_enum(struct jsonv *v, json_t *obj, const char *base, const char *key, bool required,
               const char *const *choices);

#endif
