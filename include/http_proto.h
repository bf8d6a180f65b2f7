/* http_proto: the parts of HTTP handling that need no connection — route
 * matching with {parameters}, Allow lists, problem+json bodies (RFC 9457),
 * X-Request-Id and Content-Type checks.  Used by http.c; pure (no I/O, no
 * globals), so any thread may call them and unit tests need no server. */
#ifndef CORRIDOR_HTTP_PROTO_H
#define CORRIDOR_HTTP_PROTO_H

#include "http.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_PARAMS 8

/* Result of matching one method and path against the route tables. */
struct http_match {
    const struct http_route *route; /* NULL: 404 (allowed == 0) or 405 */
    unsigned allowed;               /* methods of the routes whose pattern matches the path */
    size_t n_params;
    struct {
        const char *name, *value; /* into the pattern and the path (not terminated) */
        size_t name_len, value_len;
    } params[HTTP_MAX_PARAMS];
};
/* Matches method (one enum http_method value; 0 matches nothing, e.g. for
 * OPTIONS) and path.  The most specific pattern wins (literal segments
 * before {x}, {x} before {x*}).  Pure; any thread. */
void http_match_route(const struct http_route_table *const *tables, unsigned method,
                      const char *path, struct http_match *m);
/* Writes the Allow list for a method mask ("GET, HEAD, OPTIONS") into buf. */
void http_allow_list(unsigned allowed, char *buf, size_t len);
/* The title of a problem code ("Not found"); a generic one for unknown codes. */
const char *http_problem_title(const char *code);
/* Builds a problem+json body (new reference; steals errors, which may be NULL).
 * Strings that are not valid UTF-8 are repaired.  Pure; any thread. */
json_t *http_problem_body(unsigned status, const char *code, const char *detail,
                          const char *request_id, json_t *errors);
/* True for 1..64 characters of [A-Za-z0-9._-] (an acceptable X-Request-Id). */
bool http_request_id_valid(const char *s);
/* True for "application/json" with at most a "; charset=utf-8" parameter. */
bool http_is_json_type(const char *content_type);

#endif
