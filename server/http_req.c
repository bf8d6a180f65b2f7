/* http_req: the request object and its hand-off between threads (see
 * include/http_req.h). */
#include "http_req.h"

#include "log.h"
#include "xmem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

static atomic_uint alive;
static pthread_mutex_t handoff_mu = PTHREAD_MUTEX_INITIALIZER;
static struct http_request *handoff_head; /* under handoff_mu */

/* ---- creation and destruction ---- */

static void make_request_id(char out[65])
{
    static __thread uint64_t state;
    if (state == 0) {
        if (getrandom(&state, sizeof state, 0) != (ssize_t)sizeof state)
            state = (uint64_t)time(NULL) ^ (uint64_t)(uintptr_t)&state;
        state |= 1;
    }
    /* xorshift64*: unique enough to find a request in the logs */
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    snprintf(out, 65, "%016llx", (unsigned long long)(state * 0x2545F4914F6CDD1DULL));
}

static enum MHD_Result copy_value(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    struct http_request *req = cls;
    struct kv **list = kind == MHD_HEADER_KIND ? &req->headers : &req->query;
    size_t *n = kind == MHD_HEADER_KIND ? &req->n_headers : &req->n_query;
    if (!key)
        return MHD_YES;
    *list = xreallocarray(*list, *n + 1, sizeof **list);
    (*list)[(*n)++] = (struct kv){xstrdup(key), xstrdup(value ? value : "")};
    return MHD_YES;
}

struct http_request *http_req_new(struct MHD_Connection *conn, const char *url, const char *method)
{
    struct http_request *req = xcalloc(1, sizeof *req);
    clock_gettime(CLOCK_MONOTONIC, &req->started);
    req->conn = conn;
    snprintf(req->method, sizeof req->method, "%s", method);
    req->path = xstrdup(url);
    /* query values come URL-decoded by MHD */
    MHD_get_connection_values(conn, MHD_HEADER_KIND, copy_value, req);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, copy_value, req);
    const char *rid = http_req_kv(req->headers, req->n_headers, "X-Request-Id", true);
    if (http_request_id_valid(rid))
        snprintf(req->request_id, sizeof req->request_id, "%s", rid);
    else
        make_request_id(req->request_id);
    req->label = "unmatched";
    atomic_fetch_add(&alive, 1);
    return req;
}

static void free_kvs(struct kv *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].value);
    }
    free(list);
}

void http_req_free(struct http_request *req)
{
    for (size_t i = 0; i < req->n_on_free; i++)
        req->on_free[i].fn(req->on_free[i].arg);
    free(req->on_free);
    for (size_t i = 0; i < req->n_params; i++) {
        free(req->params[i].name);
        free(req->params[i].value);
    }
    free_kvs(req->headers, req->n_headers);
    free_kvs(req->query, req->n_query);
    free_kvs(req->resp_headers, req->n_resp_headers);
    free(req->path);
    free(req->cors_origin);
    free(req->body_raw);
    json_decref(req->body);
    free(req->content_type);
    free(req->resp);
    free(req);
    atomic_fetch_sub(&alive, 1);
}

unsigned http_req_alive(void)
{
    return atomic_load(&alive);
}

const char *http_req_kv(const struct kv *list, size_t n, const char *name, bool nocase)
{
    for (size_t i = 0; i < n; i++)
        if ((nocase ? strcasecmp(list[i].name, name) : strcmp(list[i].name, name)) == 0)
            return list[i].value;
    return NULL;
}

/* ---- the reply ---- */

void http_req_add_header(struct http_request *req, const char *name, const char *value)
{
    req->resp_headers =
        xreallocarray(req->resp_headers, req->n_resp_headers + 1, sizeof *req->resp_headers);
    req->resp_headers[req->n_resp_headers++] = (struct kv){xstrdup(name), xstrdup(value)};
}

void http_req_set_reply(struct http_request *req, unsigned status, const char *content_type,
                        char *body, size_t len)
{
    if (req->replied) {
        log_event(LOGL_WARN, "http_double_reply", "request %s: second reply %u ignored",
                  req->request_id, status);
        free(body);
        return;
    }
    req->replied = true;
    req->status = status;
    req->content_type = content_type ? xstrdup(content_type) : NULL;
    req->resp = body;
    req->resp_len = body ? len : 0;
}

bool http_req_lock(struct http_request *req)
{
    if (!req->handed_off)
        return true;
    pthread_mutex_lock(&handoff_mu);
    if (req->forced) {
        pthread_mutex_unlock(&handoff_mu);
        return false;
    }
    return true;
}

void http_req_unlock(struct http_request *req)
{
    if (req->handed_off)
        pthread_mutex_unlock(&handoff_mu);
}

/* ---- hand-off ---- */

static void list_add(struct http_request *req)
{
    req->prev = NULL;
    req->next = handoff_head;
    if (handoff_head)
        handoff_head->prev = req;
    handoff_head = req;
    req->in_list = true;
}

static void list_remove(struct http_request *req)
{
    if (!req->in_list)
        return;
    if (req->prev)
        req->prev->next = req->next;
    else
        handoff_head = req->next;
    if (req->next)
        req->next->prev = req->prev;
    req->in_list = false;
}

void http_req_hand_off(struct http_request *req, bool job)
{
    pthread_mutex_lock(&handoff_mu);
    req->handed_off = true;
    req->job_running = job;
    list_add(req);
    pthread_mutex_unlock(&handoff_mu);
    MHD_suspend_connection(req->conn);
}

/* MHD is called outside the mutex: a suspended connection cannot complete,
 * so conn stays valid until it is resumed (and only this call resumes it). */
void http_req_resume(struct http_request *req)
{
    struct MHD_Connection *conn = NULL;
    pthread_mutex_lock(&handoff_mu);
    if (!req->resumed) {
        req->resumed = true;
        conn = req->conn;
    }
    pthread_mutex_unlock(&handoff_mu);
    if (conn)
        MHD_resume_connection(conn);
}

void http_req_job_done(struct http_request *req)
{
    pthread_mutex_lock(&handoff_mu);
    req->job_running = false;
    bool orphan = req->orphaned;
    pthread_mutex_unlock(&handoff_mu);
    if (orphan)
        http_req_free(req);
    else
        http_req_resume(req);
}

void http_req_take_back(struct http_request *req)
{
    pthread_mutex_lock(&handoff_mu);
    list_remove(req);
    if (!req->replied)
        http_req_set_reply(req, 500, NULL, NULL, 0);
    pthread_mutex_unlock(&handoff_mu);
}

void http_req_completed(struct http_request *req)
{
    if (req->handed_off) {
        pthread_mutex_lock(&handoff_mu);
        list_remove(req);
        bool running = req->job_running;
        if (running)
            req->orphaned = true; /* http_req_job_done frees it */
        pthread_mutex_unlock(&handoff_mu);
        if (running)
            return;
    }
    http_req_free(req);
}

size_t http_req_force_all(void)
{
    struct MHD_Connection **conns = NULL;
    size_t n = 0;
    pthread_mutex_lock(&handoff_mu);
    for (struct http_request *r = handoff_head; r; r = r->next) {
        if (r->resumed)
            continue;
        if (!r->replied) {
            http_req_add_header(r, "Retry-After", "1");
            json_t *o = http_problem_body(503, "service_unavailable", "the server is shutting down",
                                          r->request_id, NULL);
            char *s = json_dumps(o, JSON_COMPACT);
            json_decref(o);
            http_req_set_reply(r, 503, "application/problem+json", s, s ? strlen(s) : 0);
        }
        r->forced = true;
        r->resumed = true;
        conns = xreallocarray(conns, n + 1, sizeof *conns);
        conns[n++] = r->conn;
    }
    pthread_mutex_unlock(&handoff_mu);
    for (size_t i = 0; i < n; i++)
        MHD_resume_connection(conns[i]);
    free(conns);
    return n;
}
