/* http_req: the object behind struct http_request (see http.h), for http.c
 * only.  A request owns copies of its headers and query arguments (so a pool
 * thread never reads MHD's connection), its body, its prepared reply and the
 * callbacks to run when it is freed.
 *
 * Hand-off: a request given to another thread (http_defer, http_suspend)
 * sits on a list under one mutex.  Every reply to it and its one resume
 * happen under that mutex, so http_stop can answer whatever is still
 * suspended at its deadline (503) and resume it exactly once
 * (MHD_stop_daemon with suspended connections is an API violation).  A job
 * still running then keeps the request alive (orphaned) and frees it when it
 * completes. */
#ifndef CORRIDOR_HTTP_REQ_H
#define CORRIDOR_HTTP_REQ_H

#include "auth.h"
#include "http.h"
#include "http_proto.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct kv {
    char *name, *value;
};

struct free_cb {
    void (*fn)(void *arg);
    void *arg;
};

struct http_request {
    struct MHD_Connection *conn;
    char method[16];
    unsigned method_bit; /* GET for HEAD */
    char *path;
    char request_id[65];
    struct timespec started; /* CLOCK_MONOTONIC */
    const struct http_route *route;
    const char *label; /* metrics and log route label */
    struct kv params[HTTP_MAX_PARAMS];
    size_t n_params;
    struct kv *headers, *query;
    size_t n_headers, n_query;
    char *cors_origin; /* allowed Origin of the request, or NULL */

    char *body_raw;
    size_t body_len;
    bool expects_body; /* Content-Length > 0 or Transfer-Encoding */
    bool too_big;
    json_t *body;
    struct auth_principal principal;
    bool has_principal;

    /* the reply (under the hand-off mutex once handed_off) */
    bool replied;
    unsigned status;
    char *content_type;
    char *resp;
    size_t resp_len;
    struct kv *resp_headers;
    size_t n_resp_headers;

    /* lifecycle: queued and handed_off are written by the MHD thread only */
    bool queued;
    bool handed_off;
    bool in_list, resumed, forced, job_running, orphaned; /* under the mutex */
    struct http_request *prev, *next;                     /* hand-off list */
    void (*first)(struct http_request *req, void *arg); /* http_defer_lane_job */
    void (*work)(struct http_request *req, void *arg);
    void (*batch)(struct http_request **reqs, void **args, size_t n);
    void *work_arg;
    struct free_cb *on_free;
    size_t n_on_free;
};

/* A new request for conn with copies of its headers and query arguments and
 * its request id (X-Request-Id when acceptable, else generated).  MHD thread. */
struct http_request *http_req_new(struct MHD_Connection *conn, const char *url, const char *method);
/* Runs the on_free callbacks and frees everything req owns. */
void http_req_free(struct http_request *req);
/* Requests alive now (created and not freed).  Any thread. */
unsigned http_req_alive(void);
/* The value of name in list (case-insensitive when nocase), or NULL. */
const char *http_req_kv(const struct kv *list, size_t n, const char *name, bool nocase);

/* Adds a response header (copied); the caller holds the lock if needed. */
void http_req_add_header(struct http_request *req, const char *name, const char *value);
/* Sets the reply, taking ownership of body (malloc'd; may be NULL); a second
 * reply is logged and dropped.  The caller holds the lock if needed. */
void http_req_set_reply(struct http_request *req, unsigned status, const char *content_type,
                        char *body, size_t len);
/* Takes the hand-off mutex when req may be shared with another thread.
 * Returns false (not locked) when http_stop already answered req. */
bool http_req_lock(struct http_request *req);
void http_req_unlock(struct http_request *req);

/* MHD thread: marks req handed off (job: a deferred job will run) and
 * suspends its connection. */
void http_req_hand_off(struct http_request *req, bool job);
/* Resumes req's connection exactly once, from any thread. */
void http_req_resume(struct http_request *req);
/* Loop thread, after the deferred job: frees req when it was orphaned,
 * else resumes it. */
void http_req_job_done(struct http_request *req);
/* MHD thread, called again after the resume: takes req off the hand-off
 * list and makes sure it has a reply (500 when the owner gave none). */
void http_req_take_back(struct http_request *req);
/* MHD completion: frees req, unless its job still runs (then the job frees
 * it). */
void http_req_completed(struct http_request *req);
/* Answers 503 to every handed-off request not resumed yet, resumes them and
 * returns how many.  Main thread (http_stop). */
size_t http_req_force_all(void);

#endif
