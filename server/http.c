/* http: the libmicrohttpd daemon (see include/http.h): routing, body limits,
 * media type, JSON parsing, authentication, CORS, replies with X-Request-Id,
 * one log line and metrics per request, suspend/resume, start and stop.
 * The request object and its hand-off between threads are in http_req.c.
 *
 * A response is queued on an MHD thread only: at once when the handler
 * replied synchronously, otherwise when MHD calls the access handler again
 * after MHD_resume_connection. */
#include "http.h"

#include "auth.h"
#include "http_proto.h"
#include "http_req.h"
#include "config.h"
#include "log.h"
#include "metrics.h"
#include "worker.h"
#include "xmem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_JSON_DEPTH 64

static struct MHD_Daemon *daemon_;
static const struct config *cfg_;
static const struct http_route_table *const *tables_;
static struct worker *worker_;

/* ======================================================================
 * Reading a request
 * ====================================================================== */

const char *http_method_name(const struct http_request *req)
{
    return req->method;
}

const char *http_path(const struct http_request *req)
{
    return req->path;
}

const char *http_param(const struct http_request *req, const char *name)
{
    return http_req_kv(req->params, req->n_params, name, false);
}

const char *http_query(const struct http_request *req, const char *name)
{
    return http_req_kv(req->query, req->n_query, name, false);
}

size_t http_query_count(const struct http_request *req)
{
    return req->n_query;
}

const char *http_query_name(const struct http_request *req, size_t i)
{
    return i < req->n_query ? req->query[i].name : NULL;
}

const char *http_header(const struct http_request *req, const char *name)
{
    return http_req_kv(req->headers, req->n_headers, name, true);
}

json_t *http_body(const struct http_request *req)
{
    return req->body;
}

const char *http_body_raw(const struct http_request *req, size_t *len)
{
    if (len)
        *len = req->body_len;
    return req->body_raw;
}

const struct auth_principal *http_principal(const struct http_request *req)
{
    return req->has_principal ? &req->principal : NULL;
}

const char *http_request_id(const struct http_request *req)
{
    return req->request_id;
}

/* ======================================================================
 * Answering
 * ====================================================================== */

void http_set_header(struct http_request *req, const char *name, const char *value)
{
    if (!http_req_lock(req))
        return;
    http_req_add_header(req, name, value);
    http_req_unlock(req);
}

/* Sets the reply under the hand-off lock; drops it when http_stop already
 * answered req. */
static void reply_locked(struct http_request *req, unsigned status, const char *ct, char *body,
                         size_t len)
{
    if (!http_req_lock(req)) {
        free(body);
        return;
    }
    http_req_set_reply(req, status, ct, body, len);
    http_req_unlock(req);
}

void http_reply_json(struct http_request *req, unsigned status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!s) {
        log_event(LOGL_ERROR, "http_reply_json", "request %s: could not encode the response",
                  req->request_id);
        http_reply_problem(req, 500, "internal_error", "the response could not be encoded", NULL);
        return;
    }
    reply_locked(req, status, "application/json", s, strlen(s));
}

void http_reply_raw(struct http_request *req, unsigned status, const char *content_type,
                    const char *body, size_t len)
{
    char *copy = xmalloc(len + 1);
    if (len)
        memcpy(copy, body, len);
    copy[len] = '\0';
    reply_locked(req, status, content_type, copy, len);
}

void http_reply_take(struct http_request *req, unsigned status, const char *content_type,
                     char *body, size_t len)
{
    reply_locked(req, status, content_type, body, len);
}

void http_reply_problem(struct http_request *req, unsigned status, const char *code,
                        const char *detail, json_t *errors)
{
    json_t *o = http_problem_body(status, code, detail, req->request_id, errors);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        s = xstrdup("{\"type\":\"/problems/internal_error\",\"status\":500}");
    reply_locked(req, status, "application/problem+json", s, strlen(s));
}

void http_reply_problemf(struct http_request *req, unsigned status, const char *code,
                         const char *fmt, ...)
{
    char detail[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    http_reply_problem(req, status, code, detail, NULL);
}

void http_reply_unavailable(struct http_request *req)
{
    http_set_header(req, "Retry-After", "1");
    http_reply_problem(req, 503, "service_unavailable",
                       "the database is unreachable; retry shortly", NULL);
}

bool http_replied(const struct http_request *req)
{
    struct http_request *r = (struct http_request *)req;
    if (!http_req_lock(r))
        return true; /* http_stop answered it */
    bool v = r->replied;
    http_req_unlock(r);
    return v;
}

void http_on_free(struct http_request *req, void (*fn)(void *arg), void *arg)
{
    req->on_free = xreallocarray(req->on_free, req->n_on_free + 1, sizeof *req->on_free);
    req->on_free[req->n_on_free++] = (struct free_cb){fn, arg};
}

/* ======================================================================
 * Handing off: suspend / resume
 * ====================================================================== */

/* A request already answered when its job comes to run (http_stop answered
 * it 503 while it waited in a lane, or its first stage replied) is not
 * worked on: whatever the work would change, the client was told it did not
 * happen. */
static void job_run(void *arg)
{
    struct http_request *req = arg;
    if (http_replied(req))
        return;
    req->work(req, req->work_arg);
    if (!http_replied(req))
        http_reply_problem(req, 500, "internal_error", "the request was not answered", NULL);
}

static void job_first(void *arg)
{
    struct http_request *req = arg;
    if (!http_replied(req)) /* as in job_run */
        req->first(req, req->work_arg);
}

static void job_done(void *arg)
{
    http_req_job_done(arg);
}

void http_defer(struct http_request *req, void (*work)(struct http_request *req, void *arg),
                void *arg)
{
    http_defer_lane(req, NULL, work, arg);
}

/* A batch of requests deferred with the same batch function (the worker
 * batches jobs of one worker batch function: this one). */
static void job_run_batch(void **args, size_t n)
{
    struct http_request *reqs[WORKER_BATCH_MAX];
    void *work_args[WORKER_BATCH_MAX];
    size_t all = n;
    n = 0;
    for (size_t i = 0; i < all; i++) {
        struct http_request *req = args[i];
        if (http_replied(req)) /* as in job_run */
            continue;
        reqs[n] = req;
        work_args[n++] = req->work_arg;
    }
    /* runs of one batch function each (there is one today) */
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && reqs[j]->batch == reqs[i]->batch; j++)
            ;
        reqs[i]->batch(reqs + i, work_args + i, j - i);
    }
    for (size_t i = 0; i < n; i++)
        if (!http_replied(reqs[i]))
            http_reply_problem(reqs[i], 500, "internal_error", "the request was not answered",
                               NULL);
}

void http_defer_lane(struct http_request *req, struct worker_lane *lane,
                     void (*work)(struct http_request *req, void *arg), void *arg)
{
    http_defer_lane_job(req, lane, NULL, work, NULL, arg);
}

void http_defer_lane_job(struct http_request *req, struct worker_lane *lane,
                         void (*first)(struct http_request *req, void *arg),
                         void (*work)(struct http_request *req, void *arg),
                         void (*batch)(struct http_request **reqs, void **args, size_t n),
                         void *arg)
{
    req->first = first;
    req->work = work;
    req->batch = batch;
    req->work_arg = arg;
    http_req_hand_off(req, true);
    if (!worker_ || worker_submit_lane_job(worker_, lane, first ? job_first : NULL, job_run,
                                           batch ? job_run_batch : NULL, job_done, req) != 0) {
        http_set_header(req, "Retry-After", "1");
        http_reply_problem(req, 503, "service_unavailable", "the server is shutting down", NULL);
        http_req_job_done(req); /* no job: resume now */
    }
}

void http_suspend(struct http_request *req)
{
    http_req_hand_off(req, false);
}

void http_resume(struct http_request *req)
{
    http_req_resume(req);
}

void http_use_worker(struct worker *w)
{
    worker_ = w;
}

/* ======================================================================
 * The request lifecycle on MHD threads
 * ====================================================================== */

static double elapsed_s(const struct timespec *t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static bool origin_allowed(const char *origin)
{
    if (!origin || !cfg_)
        return false;
    for (size_t i = 0; i < cfg_->n_cors_origins; i++)
        if (strcmp(cfg_->cors_origins[i], "*") == 0 || strcmp(cfg_->cors_origins[i], origin) == 0)
            return true;
    return false;
}

/* Queues the prepared reply (MHD thread), logs it and records metrics. */
static enum MHD_Result queue_reply(struct http_request *req)
{
    struct MHD_Response *resp;
    if (req->resp_len > 0) {
        resp = MHD_create_response_from_buffer(req->resp_len, req->resp, MHD_RESPMEM_MUST_FREE);
        if (resp)
            req->resp = NULL; /* MHD frees it now */
    } else {
        resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, "X-Request-Id", req->request_id);
    if (req->content_type && req->status != 204 && req->status != 304)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, req->content_type);
    for (size_t i = 0; i < req->n_resp_headers; i++)
        MHD_add_response_header(resp, req->resp_headers[i].name, req->resp_headers[i].value);
    if (req->cors_origin) {
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", req->cors_origin);
        MHD_add_response_header(resp, "Vary", "Origin");
        MHD_add_response_header(resp, "Access-Control-Expose-Headers",
                                "X-Request-Id, ETag, Idempotent-Replayed, Retry-After, Location");
    }
    enum MHD_Result ret = MHD_queue_response(req->conn, req->status, resp);
    MHD_destroy_response(resp);
    req->queued = true;
    double s = elapsed_s(&req->started);
    log_request(req->request_id, req->method, req->path, req->label, req->status, s,
                req->has_principal ? req->principal.org_code : NULL);
    metrics_request(req->label, req->status, s);
    return ret;
}

static void preflight(struct http_request *req, unsigned allowed)
{
    char allow[96];
    http_allow_list(allowed, allow, sizeof allow);
    http_req_add_header(req, "Allow", allow);
    if (req->cors_origin) {
        http_req_add_header(req, "Access-Control-Allow-Methods", allow);
        http_req_add_header(req, "Access-Control-Allow-Headers",
                            "Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-Id");
        http_req_add_header(req, "Access-Control-Max-Age", "600");
    }
    req->label = "preflight";
    http_req_set_reply(req, 204, NULL, NULL, 0);
}

static unsigned method_bit(const char *m)
{
    static const struct {
        const char *name;
        unsigned bit;
    } methods[] = {{"GET", HTTP_GET}, {"HEAD", HTTP_GET},    {"POST", HTTP_POST},
                   {"PUT", HTTP_PUT}, {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (strcmp(methods[i].name, m) == 0)
            return methods[i].bit;
    return 0;
}

/* A path for a problem detail: cut, so that absurd paths stay short. */
static const char *short_path(const struct http_request *req, char *buf, size_t len)
{
    snprintf(buf, len, "%s", req->path);
    if (strlen(req->path) >= len && len > 4)
        memcpy(buf + len - 4, "...", 4);
    return buf;
}

/* First call (headers parsed): route, Content-Length, Content-Type.  Sets a
 * reply when the request is refused before its body is read. */
static void begin(struct http_request *req)
{
    char pbuf[200];
    const char *cl = http_header(req, "Content-Length");
    const char *te = http_header(req, "Transfer-Encoding");
    unsigned long long len = 0;
    if (cl) {
        char *end;
        errno = 0;
        len = strtoull(cl, &end, 10);
        if (errno || end == cl)
            len = ULLONG_MAX;
    }
    req->expects_body = len > 0 || te;
    req->method_bit = method_bit(req->method);
    bool options = strcmp(req->method, "OPTIONS") == 0;
    struct http_match m;
    http_match_route(tables_, req->method_bit, req->path, &m);
    if (!m.route) {
        char allow[96];
        http_allow_list(m.allowed, allow, sizeof allow);
        if (m.allowed && options) {
            preflight(req, m.allowed);
        } else if (m.allowed) {
            http_req_add_header(req, "Allow", allow);
            http_reply_problemf(req, 405, "method_not_allowed", "%s is not allowed here; use %s",
                                req->method, allow);
        } else {
            http_reply_problemf(req, 404, "not_found", "no resource at %s",
                                short_path(req, pbuf, sizeof pbuf));
        }
        return;
    }
    req->route = m.route;
    req->label = m.route->name;
    for (size_t i = 0; i < m.n_params; i++) {
        req->params[i].name = xstrndup(m.params[i].name, m.params[i].name_len);
        req->params[i].value = xstrndup(m.params[i].value, m.params[i].value_len);
    }
    req->n_params = m.n_params;

    if (len > cfg_->body_limit) {
        http_reply_problemf(req, 413, "payload_too_large",
                            "the body is larger than the limit of %zu bytes", cfg_->body_limit);
        return;
    }
    if (req->expects_body && !http_is_json_type(http_header(req, "Content-Type"))) {
        http_reply_problem(req, 415, "unsupported_media_type",
                           "a request body must be sent as Content-Type: application/json", NULL);
        return;
    }
}

/* True when v nests at most MAX_JSON_DEPTH levels below depth. */
static bool json_depth_ok(json_t *v, int depth)
{
    if (depth > MAX_JSON_DEPTH)
        return false;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (!json_depth_ok(x, depth + 1))
                return false;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (!json_depth_ok(x, depth + 1))
                return false;
        }
    }
    return true;
}

/* The route's API key check: 401, 503 (keys never loaded), 429, 403, or
 * true with the principal set. */
static bool authenticate(struct http_request *req)
{
    unsigned retry = 1;
    enum auth_result ar =
        auth_check(http_header(req, "Authorization"), &req->principal, &retry);
    if (ar == AUTH_MISSING || ar == AUTH_INVALID) {
        http_req_add_header(req, "WWW-Authenticate",
                            ar == AUTH_MISSING
                                ? "Bearer realm=\"corridor\""
                                : "Bearer realm=\"corridor\", error=\"invalid_token\"");
        http_reply_problem(req, 401, "unauthorized",
                           ar == AUTH_MISSING
                               ? "an API key is required: Authorization: Bearer <key>"
                               : "the API key is unknown, expired or revoked",
                           NULL);
        return false;
    }
    if (ar == AUTH_UNAVAILABLE) { /* keys never loaded: PostgreSQL unreachable */
        http_reply_unavailable(req);
        return false;
    }
    if (ar == AUTH_RATE_LIMITED) {
        char ra[16];
        snprintf(ra, sizeof ra, "%u", retry ? retry : 1);
        http_req_add_header(req, "Retry-After", ra);
        http_reply_problemf(req, 429, "rate_limited",
                            "too many requests for this API key; retry in %s s", ra);
        return false;
    }
    req->has_principal = true;
    if (!(req->principal.role & req->route->roles)) {
        http_reply_problemf(req, 403, "forbidden", "the %s role may not use this endpoint",
                            auth_role_name(req->principal.role));
        return false;
    }
    return true;
}

/* Routes answered, when they can, before their body is parsed. */
static struct {
    const char *route;
    bool (*fn)(struct http_request *req);
} early[4];
static size_t n_early;

void http_route_early(const char *route_name, bool (*fn)(struct http_request *req))
{
    if (n_early < sizeof early / sizeof early[0]) {
        early[n_early].route = route_name;
        early[n_early].fn = fn;
        n_early++;
    }
}

static bool (*early_for(const struct http_route *r))(struct http_request *)
{
    for (size_t i = 0; i < n_early; i++)
        if (strcmp(early[i].route, r->name) == 0)
            return early[i].fn;
    return NULL;
}

/* Final call (body complete): 413, JSON, authentication, then the handler;
 * for a route with an early function (http_route_early), the key is checked
 * before the JSON. */
static void dispatch(struct http_request *req)
{
    if (req->too_big) {
        http_reply_problemf(req, 413, "payload_too_large",
                            "the body is larger than the limit of %zu bytes", cfg_->body_limit);
        return;
    }
    /* An authenticated route with an early answer: the key first, then the
     * early function on the raw body; the usual path if it declines. */
    bool authed = false;
    bool (*fast)(struct http_request *) = req->route->roles ? early_for(req->route) : NULL;
    if (fast && req->body_len > 0) {
        if (!authenticate(req))
            return;
        authed = true;
        if (fast(req))
            return;
    }
    if (req->body_len > 0) {
        json_error_t je;
        req->body = json_loadb(req->body_raw, req->body_len, JSON_REJECT_DUPLICATES, &je);
        if (!req->body) {
            http_reply_problemf(req, 400, "malformed_json",
                                "invalid JSON at line %d, column %d (byte %d): %s", je.line,
                                je.column, je.position, je.text);
            return;
        }
        if (!json_is_object(req->body)) {
            http_reply_problem(req, 400, "malformed_json", "the body must be a JSON object", NULL);
            return;
        }
        if (!json_depth_ok(req->body, 0)) {
            http_reply_problemf(req, 400, "malformed_json", "the body nests deeper than %d levels",
                                MAX_JSON_DEPTH);
            return;
        }
    } else if (req->route->json_body) {
        http_reply_problem(req, 400, "malformed_json", "this request needs a JSON object body",
                           NULL);
        return;
    }
    if (req->route->roles && !authed && !authenticate(req))
        return;
    req->route->handler(req);
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    struct http_request *req = *con_cls;
    (void)cls;
    (void)version;
    if (!req) {
        req = http_req_new(conn, url, method);
        *con_cls = req;
        const char *origin = http_header(req, "Origin");
        if (origin_allowed(origin))
            req->cors_origin = xstrdup(origin);
        begin(req);
        /* A refusal of a request with a body is queued at once, so MHD skips
         * the body (and closes the connection); without a body it waits for
         * the final call, which keeps the connection alive. */
        return req->replied && req->expects_body ? queue_reply(req) : MHD_YES;
    }
    if (req->queued)
        return MHD_YES;
    if (*upload_size > 0) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (req->too_big || req->body_len + n > cfg_->body_limit) {
            req->too_big = true; /* drain the rest; 413 on the final call */
            return MHD_YES;
        }
        req->body_raw = xrealloc(req->body_raw, req->body_len + n + 1);
        memcpy(req->body_raw + req->body_len, upload, n);
        req->body_len += n;
        req->body_raw[req->body_len] = '\0';
        return MHD_YES;
    }
    if (req->handed_off) { /* called again after MHD_resume_connection */
        http_req_take_back(req);
        return queue_reply(req);
    }
    if (!req->replied)
        dispatch(req);
    if (req->handed_off)
        return MHD_YES; /* suspended: another thread owns the reply now */
    if (!req->replied) {
        log_event(LOGL_ERROR, "http_no_reply", "handler %s did not answer", req->label);
        http_reply_problem(req, 500, "internal_error", "the request was not answered", NULL);
    }
    return queue_reply(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_request *req = *con_cls;
    (void)cls;
    (void)conn;
    if (!req)
        return;
    *con_cls = NULL;
    if (!req->queued)
        log_event(LOGL_DEBUG, "http_aborted", "request %s %s ended before a reply (code %d)",
                  req->request_id, req->method, (int)toe);
    http_req_completed(req);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
        msg[--n] = '\0';
    log_event(LOGL_WARN, "mhd", "%s", msg);
}

/* ======================================================================
 * Start and stop
 * ====================================================================== */

int http_start(const struct config *cfg, const struct http_route_table *const *tables)
{
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%u", cfg->listen_port);
    int rc = getaddrinfo(cfg->listen_host, port, &hints, &ai);
    if (rc != 0 || !ai) {
        log_event(LOGL_ERROR, "http_start", "cannot resolve %s: %s", cfg->listen_host,
                  gai_strerror(rc));
        return -1;
    }
    cfg_ = cfg;
    tables_ = tables;
    /* Poll, not epoll: libmicrohttpd 0.9.75's epoll loop can stall when one
     * thread gets exactly 128 ready events at once (it calls epoll_wait
     * again with the same timeout and sleeps on queued requests; see
     * bench/RESULTS.md).  poll(2) has no such limit. */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    daemon_ = MHD_start_daemon(
        flags, 0, NULL, NULL, on_access, NULL, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->http_threads, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)cfg->connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned int)cfg->connection_limit, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!daemon_) {
        log_event(LOGL_ERROR, "http_start", "cannot listen on %s:%u", cfg->listen_host,
                  cfg->listen_port);
        return -1;
    }
    return 0;
}

unsigned http_port(void)
{
    if (!daemon_)
        return 0;
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void http_stop(int timeout_ms)
{
    if (!daemon_)
        return;
    MHD_socket lfd = MHD_quiesce_daemon(daemon_); /* stop accepting */
    int waited = 0;
    while (http_req_alive() > 0 && waited < timeout_ms) {
        sleep_ms(10);
        waited += 10;
    }
    size_t forced = http_req_force_all();
    if (forced > 0) {
        log_event(LOGL_WARN, "http_stop", "answered %zu suspended requests with 503", forced);
        for (int i = 0; i < 100 && http_req_alive() > 0; i++)
            sleep_ms(10); /* let MHD send those answers */
    }
    MHD_stop_daemon(daemon_);
    daemon_ = NULL;
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
}
