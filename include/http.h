/* http: the libmicrohttpd daemon.  Accumulates bodies with a limit (413),
 * insists on application/json for bodies (415), parses them with jansson
 * (400 malformed_json), authenticates (401/403), routes method + path with
 * {parameters} (404, 405 with Allow), answers CORS preflights, stamps every
 * response with X-Request-Id, logs one line and records metrics per request.
 *
 * A handler runs on an MHD thread.  It either replies at once with one of the
 * http_reply_* functions, or hands the request to a libuv pool thread with
 * http_defer() (everything that touches PostgreSQL), or suspends it with
 * http_suspend() and resumes it later from any thread (long-poll).  The
 * request and everything it owns are freed when MHD completes it. */
#ifndef CORRIDOR_HTTP_H
#define CORRIDOR_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct config;
struct auth_principal;
struct http_request;

enum http_method {
    HTTP_GET = 1u << 0,
    HTTP_POST = 1u << 1,
    HTTP_PUT = 1u << 2,
    HTTP_PATCH = 1u << 3,
    HTTP_DELETE = 1u << 4,
};

typedef void (*http_handler_fn)(struct http_request *req);

struct http_route {
    unsigned method;         /* one enum http_method value */
    const char *pattern;     /* "/v1/bookings/{reference}/confirm"; "{x}" is one segment;
                              * a last segment "{x*}" matches the rest of the path (one or
                              * more segments), and only when no other pattern matches */
    const char *name;        /* route label for logs and metrics: "bookings_confirm" */
    unsigned roles;          /* 0: no key needed; else a mask of enum auth_role */
    bool json_body;          /* the route takes a JSON object body (415/400 checked first) */
    http_handler_fn handler;
};

/* Each api_* module exports one table; server/routes.c lists them all. */
struct http_route_table {
    const struct http_route *routes;
    size_t count;
};

/* The worker that runs http_defer jobs (without one, http_defer answers 503).
 * Main thread, before http_start. */
struct worker;
void http_use_worker(struct worker *w);

/* Starts the daemon on cfg->listen_host:listen_port with the routes of the
 * NULL-terminated tables.  Returns 0 or -1 (logged).  Main thread only. */
int http_start(const struct config *cfg, const struct http_route_table *const *tables);
/* The port actually bound (useful with port 0).  */
unsigned http_port(void);
/* Stops accepting, waits (at most timeout_ms) for requests in flight and
 * suspended ones to be answered, then stops the daemon.  Main thread only. */
void http_stop(int timeout_ms);

/* ---- reading a request (any thread that owns the request) ---- */
const char *http_method_name(const struct http_request *req);  /* "GET" */
const char *http_path(const struct http_request *req);
const char *http_param(const struct http_request *req, const char *name); /* path {name} */
const char *http_query(const struct http_request *req, const char *name); /* NULL if absent */
/* Number of query parameters and the i-th one's name (i < count), in the
 * order sent; e.g. to reject unknown parameters. */
size_t http_query_count(const struct http_request *req);
const char *http_query_name(const struct http_request *req, size_t i);
const char *http_header(const struct http_request *req, const char *name); /* NULL if absent */
json_t *http_body(const struct http_request *req);           /* borrowed; NULL without body */
const char *http_body_raw(const struct http_request *req, size_t *len);
const struct auth_principal *http_principal(const struct http_request *req); /* NULL if public */
const char *http_request_id(const struct http_request *req);

/* Gives the authenticated route named route_name (http_route.name) an early
 * function: called on the MHD thread once the API key is checked and before
 * the body is parsed (http_body is NULL then; http_body_raw has the bytes).
 * It answers and returns true, or returns false and the request goes on as
 * usual.  For such a route the key is checked before the JSON (401 before
 * 400).  Call before http_start; at most 4. */
void http_route_early(const char *route_name, bool (*fn)(struct http_request *req));

/* ---- answering (exactly one reply per request) ---- */
/* Adds a response header (copied).  Call before the reply. */
void http_set_header(struct http_request *req, const char *name, const char *value);
/* Replies with body as application/json; steals body. */
void http_reply_json(struct http_request *req, unsigned status, json_t *body);
/* Replies with bytes (copied) and a content type. */
void http_reply_raw(struct http_request *req, unsigned status, const char *content_type,
                    const char *body, size_t len);
/* The same, taking over body (malloc'd, len bytes and a NUL after them)
 * instead of copying it. */
void http_reply_take(struct http_request *req, unsigned status, const char *content_type,
                     char *body, size_t len);
/* Replies application/problem+json: {type:"/problems/<code>", title, status,
 * detail, code, request_id, errors?}.  The title comes from the code's table
 * entry; errors (an array of {pointer, message}) is stolen and may be NULL. */
void http_reply_problem(struct http_request *req, unsigned status, const char *code,
                        const char *detail, json_t *errors);
/* Same, with a printf-formatted detail. */
void http_reply_problemf(struct http_request *req, unsigned status, const char *code,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* 503 service_unavailable with Retry-After: 1 (PostgreSQL unreachable). */
void http_reply_unavailable(struct http_request *req);
/* True once a reply was set. */
bool http_replied(const struct http_request *req);

/* ---- leaving the MHD thread ---- */
/* Suspends the connection and runs work(req, arg) on a libuv pool thread;
 * work must reply (if it does not, 500).  The connection resumes when work
 * returns.  Call from the handler; then return from the handler at once. */
void http_defer(struct http_request *req, void (*work)(struct http_request *req, void *arg),
                void *arg);
/* The same through a lane of the worker (worker.h): work waits, off every
 * thread, while the lane is full.  lane NULL: http_defer. */
struct worker_lane;
void http_defer_lane(struct http_request *req, struct worker_lane *lane,
                     void (*work)(struct http_request *req, void *arg), void *arg);
/* http_defer_lane with two options (worker_submit_lane_job).  first (may
 * be NULL): first(req, arg) runs on a pool thread outside the lane (taking
 * none of its slots), then work(req, arg) through the lane; if first
 * replies, work does not run.  (Nor does it for a request http_stop answered
 * while it waited: a job runs only for a request not yet answered.)  batch (may be
 * NULL): requests deferred with the same batch function that waited for
 * the lane behind each other may run together: batch(reqs, args, n) on one
 * pool thread instead of their works; it must reply to each (if it does
 * not, 500). */
void http_defer_lane_job(struct http_request *req, struct worker_lane *lane,
                         void (*first)(struct http_request *req, void *arg),
                         void (*work)(struct http_request *req, void *arg),
                         void (*batch)(struct http_request **reqs, void **args, size_t n),
                         void *arg);
/* Suspends the connection without a job; the owner replies later from any
 * thread and then calls http_resume(req) exactly once.  If http_stop gives
 * up waiting, it answers 503 itself; a later reply or resume from the owner
 * is then ignored, and the owner must not touch req once its http_on_free
 * callback has run (take the owner's lock in that callback and around the
 * reply + resume). */
void http_suspend(struct http_request *req);
void http_resume(struct http_request *req);

/* Runs fn(arg) when the request is freed (for per-request state).  */
void http_on_free(struct http_request *req, void (*fn)(void *arg), void *arg);

#endif
