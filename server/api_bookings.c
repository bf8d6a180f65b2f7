/* api_bookings: the booking endpoints (see include/api_bookings.h).
 *
 * A change (create, confirm, cancel, amend) is one db_transaction on a pool
 * thread around one SQL function (store_booking.h), except a create without
 * Idempotency-Key, which is the function alone in its own transaction
 * (create_alone).  Changes go through app.booking_lane: at most
 * booking_concurrency of them are on the pool at once (they lock the same
 * hot departures), the others wait their turn on the loop thread; reads go
 * straight to the pool.  Creates that waited behind each other are booked
 * together, booking_batch at most, in one transaction
 * (create_batch, store_booking_create_many); what a batch leaves runs alone
 * as above.  A create of a quote still queued in this process's writer
 * waits for it before the lane (await_quote).  With an Idempotency-Key the
 * key is claimed in the change's own transaction and the answer is rendered inside the
 * transaction, so that the stored answer commits together with the booking
 * (idempotency.h); without one it is rendered after COMMIT.  A successful
 * answer is the booking's JSON text as PostgreSQL rendered it, without the
 * whitespace between tokens (store_booking.h), handed to MHD as it is: not
 * parsed, dumped or copied; its ETag and Location come from the version and
 * reference store_booking read from the text (from the stored text, with
 * jsontext, on a replay).  Successful answers are sent exactly as stored
 * (same bytes on a replay); refusals are stored as
 * {"code","detail","errors"} and replayed as problem+json.
 * Query parameter errors point at "/query/<name>", header errors at
 * "/header/<name>". */
#include "api_bookings.h"

#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "idempotency.h"
#include "jsontext.h"
#include "jsonv.h"
#include "log.h"
#include "metrics.h"
#include "quote_cache.h"
#include "quote_writer.h"
#include "store_booking.h"
#include "store_quote.h"
#include "worker.h"
#include "xmem.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ACQUIRE_TIMEOUT_MS 3000
#define TX_TRIES 5
#define IDEMPOTENCY_WAIT_MS 3000
#define LIMIT_DEFAULT 50
#define LIMIT_MAX 200
#define DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

enum change { CHANGE_CREATE, CHANGE_CONFIRM, CHANGE_CANCEL, CHANGE_AMEND };

/* One request's work; owns every string it points to.  Freed with the
 * request (http_on_free). */
struct booking_job {
    enum change change;
    struct auth_principal who;
    char reference[24];
    /* create */
    char quote_id[40];
    int option;
    bool hold;
    bool awaited, made_here; /* await_quote ran; the quote was queued here */
    /* amend */
    bool set_reference;
    char *containers_json;
    char *customer_reference;
    int if_match; /* -1: none */
    /* Idempotency-Key (create only): the claim's outcome, and the stored
     * answer of a replay */
    char *idem_key;
    char idem_hash[65];
    enum idempotency_state idem_state;
    struct idempotency_answer stored;
    /* the answer, rendered inside the transaction */
    struct store_booking_result res;
    unsigned status;
    char *body; /* the booking (2xx) or the stored refusal (4xx) */
    size_t body_len;
};

static void job_free(void *arg)
{
    struct booking_job *j = arg;
    free(j->containers_json);
    free(j->customer_reference);
    free(j->idem_key);
    free(j->stored.body);
    store_booking_result_clear(&j->res);
    free(j->body);
    free(j);
}

/* ---- answers ---- */

static unsigned problem_status(const char *code)
{
    static const struct {
        const char *code;
        unsigned status;
    } map[] = {
        {"not_found", 404},           {"quote_expired", 410},        {"quote_already_booked", 409},
        {"validation_failed", 422},   {"capacity_unavailable", 409}, {"invalid_state", 409},
        {"precondition_failed", 412},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].code, code) == 0)
            return map[i].status;
    return 500;
}

/* Renders j->res into j->status, j->body and j->body_len; an ok outcome's
 * booking text is taken over from j->res (so once per result).  Returns
 * false when it cannot. */
static bool render(struct booking_job *j)
{
    free(j->body);
    j->body = NULL;
    j->body_len = 0;
    if (strcmp(j->res.outcome, "ok") == 0) {
        j->status = j->change == CHANGE_CREATE ? 201 : 200;
        j->body = j->res.booking;
        j->body_len = j->res.booking_len;
        j->res.booking = NULL;
    } else {
        j->status = problem_status(j->res.outcome);
        json_t *o = json_pack("{s:s, s:s, s:O*}", "code", j->res.outcome, "detail",
                              j->res.detail ? j->res.detail : "", "errors", j->res.problems);
        j->body = o ? json_dumps(o, DUMP_FLAGS) : NULL;
        j->body_len = j->body ? strlen(j->body) : 0;
        json_decref(o);
    }
    return j->body != NULL;
}

/* Sends a booking body (exactly these bytes; taken over: malloc'd, len
 * bytes and a NUL) with ETag "<version>", and Location on 201 when reference
 * is not NULL. */
static void send_booking(struct http_request *req, unsigned status, char *body, size_t len,
                         const char *reference, long long version, bool replayed)
{
    char etag[32], location[64];
    snprintf(etag, sizeof etag, "\"%lld\"", version);
    http_set_header(req, "ETag", etag);
    if (status == 201 && reference) {
        snprintf(location, sizeof location, "/v1/bookings/%s", reference);
        http_set_header(req, "Location", location);
    }
    if (replayed)
        http_set_header(req, "Idempotent-Replayed", "true");
    http_reply_take(req, status, "application/json", body, len);
}

/* Sends a stored refusal {"code","detail","errors"} as problem+json. */
static void send_refusal(struct http_request *req, unsigned status, const char *body, bool replayed)
{
    json_t *o = json_loads(body, 0, NULL);
    const char *code = o ? json_string_value(json_object_get(o, "code")) : NULL;
    const char *detail = o ? json_string_value(json_object_get(o, "detail")) : NULL;
    json_t *errors = o ? json_object_get(o, "errors") : NULL;
    if (replayed)
        http_set_header(req, "Idempotent-Replayed", "true");
    http_reply_problem(req, status, code ? code : "internal_error", detail ? detail : "",
                       json_is_array(errors) ? json_incref(errors) : NULL);
    json_decref(o);
}

/* Sends an answer, rendered or stored; takes over body (malloc'd, len bytes
 * and a NUL).  res: the result it was rendered from, or NULL for a stored
 * one, whose reference and version are then read from its text (a missing
 * reference: no Location; a missing version: ETag "0"). */
static void send_answer(struct http_request *req, unsigned status, char *body, size_t len,
                        const struct store_booking_result *res, bool replayed)
{
    if (status >= 400) {
        send_refusal(req, status, body, replayed);
        free(body);
        return;
    }
    if (res) {
        send_booking(req, status, body, len, res->reference[0] ? res->reference : NULL,
                     res->version, replayed);
        return;
    }
    char reference[24];
    long long version = 0;
    bool has_reference =
        jsontext_member_plain_string(body, len, "reference", reference, sizeof reference);
    if (!jsontext_member_int(body, len, "version", &version))
        version = 0;
    send_booking(req, status, body, len, has_reference ? reference : NULL, version, replayed);
}

static void send_failure(struct http_request *req, struct db_conn *c)
{
    if (PQstatus(db_pg(c)) != CONNECTION_OK || !db_pool_healthy(app.db))
        http_reply_unavailable(req);
    else
        http_reply_problem(req, 500, "internal_error", "the booking could not be processed", NULL);
}

/* ---- the change transaction (pool thread) ---- */

static int change_body(struct db_conn *c, void *arg)
{
    struct booking_job *j = arg;
    int rc;
    if (j->idem_key) {
        /* the key first: claimed by this transaction, or answered (or being
         * answered) by another request's */
        free(j->stored.body);
        j->stored.body = NULL;
        rc = idempotency_claim(c, j->who.org_code, j->idem_key, j->idem_hash, IDEMPOTENCY_WAIT_MS,
                               &j->idem_state, &j->stored);
        if (rc != DB_TX_OK)
            return rc;
        if (j->idem_state != IDEMPOTENCY_NEW)
            return DB_TX_ABORT;
    }
    switch (j->change) {
    case CHANGE_CREATE:
        rc = store_booking_create(c, &j->who, j->quote_id, j->option,
                                  j->hold ? (int)app.cfg->hold_ttl_s : 0, j->customer_reference,
                                  &j->res);
        break;
    case CHANGE_CONFIRM:
    case CHANGE_CANCEL:
        rc = store_booking_transition(c, &j->who, j->reference,
                                      j->change == CHANGE_CONFIRM ? "confirm" : "cancel",
                                      j->if_match, &j->res);
        break;
    default:
        rc = store_booking_amend(c, &j->who, j->reference, j->if_match, j->set_reference,
                                 j->customer_reference, j->containers_json, &j->res);
        break;
    }
    if (rc == DB_TX_RETRY)
        metrics_count("corridor_booking_tx_retries_total",
                      "Booking transactions retried after a deadlock or serialization failure.", 1);
    if (rc != DB_TX_OK || !j->idem_key)
        return rc; /* without a key the answer is rendered after COMMIT */
    if (!render(j))
        return DB_TX_ERROR;
    return idempotency_finish(c, j->who.org_code, j->idem_key, (int)j->status, j->body);
}

/* A create without Idempotency-Key: booking_create alone, as its own
 * transaction.  PostgreSQL commits it before it answers, so the departures'
 * and windows' row locks, which every booking of the same itinerary waits
 * for, are released in that one round trip; in a db_transaction they were
 * held while the answer travelled here and COMMIT travelled back (with the
 * pool threads, PostgreSQL and the clients sharing the cores, that wait was
 * most of the time they were held).  A refusal changes nothing, so it is the
 * same whether committed or not.  Deadlocks (40P01) and serialization
 * failures are retried as db_transaction retries them. */
static void create_backoff(int attempt)
{
    static __thread unsigned seed;
    if (!seed)
        seed = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)&seed;
    int base = 5 << (attempt < 6 ? attempt : 6); /* 5, 10, 20, ... 320 ms */
    int ms = base / 2 + rand_r(&seed) % (base / 2 + 1);
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int create_alone(struct db_conn *c, struct booking_job *j)
{
    for (int attempt = 0; attempt < TX_TRIES; attempt++) {
        if (attempt > 0)
            create_backoff(attempt);
        int rc = change_body(c, j);
        if (rc != DB_TX_RETRY)
            return rc;
    }
    log_event(LOGL_WARN, "bookings.create_gave_up",
              "booking_create failed %d times with retryable errors", TX_TRIES);
    return DB_TX_ERROR;
}

static int change_tx(struct db_conn *c, struct booking_job *j)
{
    if (j->change == CHANGE_CREATE && !j->idem_key)
        return create_alone(c, j);
    return db_transaction(c, "READ COMMITTED", TX_TRIES, change_body, j);
}

static void send_change(struct http_request *req, struct booking_job *j, struct db_conn *c, int rc);

/* First stage of a create whose quote is queued here (pool thread, outside
 * the lane): waits until its batch committed. */
static void await_quote(struct http_request *req, void *arg)
{
    (void)req;
    struct booking_job *j = arg;
    j->made_here = quote_writer_wait(j->quote_id, ACQUIRE_TIMEOUT_MS);
    j->awaited = true;
}

static void change_work(struct http_request *req, void *arg)
{
    struct booking_job *j = arg;
    /* a quote made here: wait until its write-behind batch committed (done
     * before the lane by await_quote when it was still queued then) */
    bool made_here = j->made_here || (j->change == CHANGE_CREATE && !j->awaited &&
                                      quote_writer_wait(j->quote_id, ACQUIRE_TIMEOUT_MS));
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        http_reply_unavailable(req);
        return;
    }
    /* made moments ago by another instance: it may still be in that one's
     * queue; look for it briefly before the transaction (whose "not found"
     * an Idempotency-Key would keep) */
    if (j->change == CHANGE_CREATE && !made_here &&
        quote_writer_recent(j->quote_id, QUOTE_RECENT_MS) &&
        store_quote_await(c, j->quote_id) < 0) {
        send_failure(req, c);
        goto out;
    }
    int rc = change_tx(c, j);
    if (j->idem_key && j->idem_state != IDEMPOTENCY_NEW) {
        switch (j->idem_state) {
        case IDEMPOTENCY_REPLAY:
            /* (an answer stored by a batch is PostgreSQL's text: sent, like
             * every answer, without whitespace between tokens) */
            send_answer(req, (unsigned)j->stored.status, j->stored.body,
                        jsontext_minify(j->stored.body, strlen(j->stored.body)), NULL, true);
            j->stored.body = NULL;
            break;
        case IDEMPOTENCY_REUSED:
            http_reply_problem(req, 422, "idempotency_key_reused",
                               "this Idempotency-Key was used with another request; use a new "
                               "key for a new request",
                               NULL);
            break;
        case IDEMPOTENCY_IN_PROGRESS:
            http_set_header(req, "Retry-After", "1");
            http_reply_problem(req, 409, "idempotency_in_progress",
                               "a request with this Idempotency-Key is still being processed; "
                               "retry it shortly to get its answer",
                               NULL);
            break;
        default:
            send_failure(req, c);
            break;
        }
        goto out;
    }
    send_change(req, j, c, rc);
out:
    db_release(app.db, c);
}

/* Creates that waited for the lane behind each other (booking_batch of
 * them at most): booked together in one transaction
 * (store_booking_create_many), Idempotency-Keys claimed and answers stored
 * in it; the ones it leaves -- refusals, keys claimed before, anything but
 * the plain case -- and all of them when it fails, run alone as change_work
 * runs them. */
static void create_batch(struct http_request **reqs, void **args, size_t n)
{
    struct booking_job **js = (struct booking_job **)args;
    struct store_booking_create_req rq[WORKER_BATCH_MAX];
    struct store_booking_result res[WORKER_BATCH_MAX];
    bool answered[WORKER_BATCH_MAX];
    memset(res, 0, sizeof res);
    for (size_t i = 0; i < n; i++) {
        struct booking_job *j = js[i];
        if (!j->awaited) { /* a quote made here moments ago: written first */
            j->made_here = quote_writer_wait(j->quote_id, ACQUIRE_TIMEOUT_MS);
            j->awaited = true;
        }
        rq[i] = (struct store_booking_create_req){&j->who,
                                                  j->quote_id,
                                                  j->option,
                                                  j->hold ? (int)app.cfg->hold_ttl_s : 0,
                                                  j->customer_reference,
                                                  j->idem_key,
                                                  j->idem_hash};
        answered[i] = false;
    }
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    int rc = c ? store_booking_create_many(c, rq, n, res) : DB_TX_ERROR;
    long booked = 0;
    for (size_t i = 0; rc == DB_TX_OK && i < n; i++) {
        if (strcmp(res[i].outcome, "single") == 0)
            continue;
        struct booking_job *j = js[i];
        answered[i] = true;
        if (strcmp(res[i].outcome, "ok") != 0) {
            send_failure(reqs[i], c);
            continue;
        }
        store_booking_result_clear(&j->res);
        j->res = res[i];
        memset(&res[i], 0, sizeof res[i]);
        booked++;
        send_change(reqs[i], j, c, DB_TX_OK);
    }
    if (booked > 0)
        metrics_count("corridor_bookings_batched_total",
                      "Bookings made together with others in one transaction.", booked);
    if (c && rc != DB_TX_OK)
        metrics_count("corridor_booking_batches_failed_total",
                      "Batches of creates that failed as a whole (each then ran alone).", 1);
    if (c)
        db_release(app.db, c);
    for (size_t i = 0; i < n; i++) {
        store_booking_result_clear(&res[i]);
        if (!answered[i])
            change_work(reqs[i], js[i]);
    }
}

/* Sends the answer of a change that ran: rc from change_tx, or DB_TX_OK
 * with j->res from a batch.  c: the connection it ran on. */
static void send_change(struct http_request *req, struct booking_job *j, struct db_conn *c, int rc)
{
    if (rc == DB_TX_OK) /* booked quantities may have changed: quotes read them again */
        quote_cache_booked_changed();
    if (rc == DB_TX_ABORT && render(j)) { /* quote_already_booked by the unique constraint */
        if (j->idem_key)                  /* the claim was rolled back with the rest */
            idempotency_store(c, j->who.org_code, j->idem_key, j->idem_hash, (int)j->status,
                              j->body);
        rc = DB_TX_OK;
    }
    /* committed without a key: rendered now, which fails only when memory runs out or
     * an ok outcome came without its booking */
    if (rc == DB_TX_OK && !j->body && !render(j)) {
        log_event(LOGL_ERROR, "bookings.render", "the committed answer could not be rendered");
        rc = DB_TX_ERROR;
    }
    if (rc != DB_TX_OK) { /* with a key, its claim was rolled back too */
        send_failure(req, c);
        return;
    }
    if (j->status == 201)
        metrics_count("corridor_bookings_total", "Bookings made (201).", 1);
    else if (strcmp(j->res.outcome, "capacity_unavailable") == 0)
        metrics_count("corridor_booking_capacity_refusals_total",
                      "Booking changes refused for lack of capacity.", 1);
    send_answer(req, j->status, j->body, j->body_len, &j->res, false);
    j->body = NULL;
}

/* ---- validation helpers (MHD thread) ---- */

static bool uuid_valid(const char *s)
{
    if (strlen(s) != 36)
        return false;
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return false;
    }
    return true;
}

/* True for NSC- and 8 of [0-9A-Z]. */
static bool reference_valid(const char *s)
{
    if (!s || strlen(s) != 12 || strncmp(s, "NSC-", 4) != 0)
        return false;
    for (int i = 4; i < 12; i++)
        if (!isdigit((unsigned char)s[i]) && !isupper((unsigned char)s[i]))
            return false;
    return true;
}

/* If-Match: -1 when absent or "*"; the version in "<n>" (or W/"<n>", or a
 * bare number); 0 -- which no version equals, so 412 -- for anything else. */
static int parse_if_match(struct http_request *req)
{
    const char *h = http_header(req, "If-Match");
    if (!h)
        return -1;
    while (*h == ' ' || *h == '\t')
        h++;
    if (h[0] == '*' && (h[1] == '\0' || h[1] == ' '))
        return -1;
    if (strncmp(h, "W/", 2) == 0)
        h += 2;
    bool quoted = *h == '"';
    if (quoted)
        h++;
    char *end;
    long v = strtol(h, &end, 10);
    if (end == h || v < 1 || v > INT_MAX || (quoted && *end++ != '"'))
        return 0;
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == '\0' ? (int)v : 0;
}

static struct booking_job *new_job(struct http_request *req, enum change change)
{
    struct booking_job *j = xcalloc(1, sizeof *j);
    j->change = change;
    j->who = *http_principal(req);
    j->if_match = -1;
    const char *ref = http_param(req, "reference");
    if (ref)
        snprintf(j->reference, sizeof j->reference, "%s", ref);
    return j;
}

/* Replies 404 for a reference that cannot exist; returns false then. */
static bool check_reference(struct http_request *req)
{
    const char *ref = http_param(req, "reference");
    if (reference_valid(ref))
        return true;
    http_reply_problem(req, 404, "not_found", "no such booking", NULL);
    return false;
}

/* ---- handlers (MHD thread) ---- */

static void create_booking(struct http_request *req)
{
    static const char *const keys[] = {"quote_id", "option", "hold", "customer_reference", NULL};
    json_t *body = http_body(req);
    struct jsonv v;
    jsonv_init(&v);
    jsonv_known_keys(&v, body, "", keys);
    const char *quote_id = jsonv_string(&v, body, "", "quote_id", true, 1, 64);
    if (quote_id && !uuid_valid(quote_id))
        jsonv_error(&v, "/quote_id", "must be the id of a quote (a UUID)");
    json_int_t option = 0;
    jsonv_int(&v, body, "", "option", true, 1, 1000, &option);
    bool hold = false;
    jsonv_bool(&v, body, "", "hold", false, &hold);
    const char *cref = jsonv_string(&v, body, "", "customer_reference", false, 1, 100);
    const char *key = http_header(req, "Idempotency-Key");
    if (key && !idempotency_key_valid(key))
        jsonv_error(&v, "/header/Idempotency-Key", "must be 1 to 128 visible ASCII characters");
    if (!jsonv_ok(&v)) {
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    struct booking_job *j = new_job(req, CHANGE_CREATE);
    snprintf(j->quote_id, sizeof j->quote_id, "%s", quote_id);
    for (char *p = j->quote_id; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    j->option = (int)option;
    j->hold = hold;
    j->customer_reference = cref ? xstrdup(cref) : NULL;
    if (key) {
        j->idem_key = xstrdup(key);
        idempotency_hash(http_method_name(req), http_path(req), body, j->idem_hash);
    }
    http_on_free(req, job_free, j);
    /* a quote still queued in this process's writer is waited for before the
     * lane, so that the wait holds none of its slots; creates that wait for
     * the lane together are booked together (create_batch) */
    http_defer_lane_job(req, app.booking_lane,
                        quote_writer_queued(j->quote_id) ? await_quote : NULL, change_work,
                        create_batch, j);
}

static void transition(struct http_request *req, enum change change)
{
    if (!check_reference(req))
        return;
    struct booking_job *j = new_job(req, change);
    j->if_match = parse_if_match(req);
    http_on_free(req, job_free, j);
    http_defer_lane(req, app.booking_lane, change_work, j);
}

static void confirm_booking(struct http_request *req)
{
    transition(req, CHANGE_CONFIRM);
}

static void cancel_booking(struct http_request *req)
{
    transition(req, CHANGE_CANCEL);
}

static void amend_booking(struct http_request *req)
{
    static const char *const keys[] = {"customer_reference", "containers", NULL};
    static const char *const line_keys[] = {"type", "count", "gross_weight_kg", NULL};
    static const char *const types[] = {"20DV", "40DV", "40HC", "20RF", "40RF", NULL};
    if (!check_reference(req))
        return;
    json_t *body = http_body(req);
    struct jsonv v;
    jsonv_init(&v);
    jsonv_known_keys(&v, body, "", keys);
    json_t *cref = json_object_get(body, "customer_reference");
    if (cref && !json_is_null(cref))
        jsonv_string(&v, body, "", "customer_reference", false, 1, 100);
    json_t *lines = jsonv_array(&v, body, "", "containers", false, 1, 20);
    for (size_t i = 0; lines && i < json_array_size(lines); i++) {
        json_t *line = json_array_get(lines, i);
        char base[48];
        snprintf(base, sizeof base, "/containers/%zu", i);
        if (!json_is_object(line)) {
            jsonv_error(&v, base, "must be an object {type, count, gross_weight_kg}");
            continue;
        }
        json_int_t n;
        jsonv_known_keys(&v, line, base, line_keys);
        jsonv_enum(&v, line, base, "type", true, types);
        jsonv_int(&v, line, base, "count", true, 1, 100, &n);
        jsonv_int(&v, line, base, "gross_weight_kg", true, 1, 40000, &n);
    }
    if (jsonv_ok(&v) && !cref && !lines)
        jsonv_error(&v, "", "nothing to change: give customer_reference and/or containers");
    if (!jsonv_ok(&v)) {
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    struct booking_job *j = new_job(req, CHANGE_AMEND);
    j->if_match = parse_if_match(req);
    j->set_reference = cref != NULL;
    j->customer_reference = cref && json_is_string(cref) ? xstrdup(json_string_value(cref)) : NULL;
    j->containers_json = lines ? json_dumps(lines, JSON_COMPACT) : NULL;
    http_on_free(req, job_free, j);
    http_defer_lane(req, app.booking_lane, change_work, j);
}

/* ---- reads ---- */

struct read_job {
    struct auth_principal who;
    char reference[24];
    char status[16];
    long long before;
    int limit;
};

static void reply_read_failure(struct http_request *req, int st, const char *what)
{
    if (st == STORE_BOOKING_NOT_FOUND)
        http_reply_problemf(req, 404, "not_found", "booking %s does not exist", what);
    else if (st == STORE_BOOKING_UNAVAILABLE)
        http_reply_unavailable(req);
    else
        http_reply_problem(req, 500, "internal_error", "reading the booking failed", NULL);
}

/* Replies {"items": items, "next_cursor": next or null}; steals items. */
static void reply_items(struct http_request *req, json_t *items, long long next)
{
    char cursor[24];
    snprintf(cursor, sizeof cursor, "%lld", next);
    json_t *o = json_pack("{s:o, s:s?}", "items", items, "next_cursor", next > 0 ? cursor : NULL);
    char *s = o ? json_dumps(o, DUMP_FLAGS) : NULL;
    json_decref(o);
    if (!s) {
        http_reply_problem(req, 500, "internal_error", "the response could not be encoded", NULL);
        return;
    }
    http_reply_raw(req, 200, "application/json", s, strlen(s));
    free(s);
}

static void read_work(struct http_request *req, void *arg, int what)
{
    struct read_job *j = arg;
    struct db_conn *c = db_acquire(app.db, ACQUIRE_TIMEOUT_MS);
    if (!c) {
        http_reply_unavailable(req);
        return;
    }
    json_t *out = NULL;
    long long next = 0;
    int st;
    if (what == 0) {
        char *booking;
        size_t len;
        int version;
        st = store_booking_get(c, &j->who, j->reference, &booking, &len, &version);
        if (st == STORE_BOOKING_OK) {
            send_booking(req, 200, booking, len, NULL, version, false);
            goto out;
        }
    } else if (what == 1) {
        st = store_booking_list(c, &j->who, j->status[0] ? j->status : NULL, j->before, j->limit,
                                &out, &next);
        if (st == STORE_BOOKING_OK) {
            reply_items(req, out, next);
            goto out;
        }
    } else {
        st = store_booking_history(c, &j->who, j->reference, &out);
        if (st == STORE_BOOKING_OK) {
            reply_items(req, out, 0);
            goto out;
        }
    }
    reply_read_failure(req, st, j->reference);
out:
    db_release(app.db, c);
}

static void get_work(struct http_request *req, void *arg)
{
    read_work(req, arg, 0);
}

static void list_work(struct http_request *req, void *arg)
{
    read_work(req, arg, 1);
}

static void history_work(struct http_request *req, void *arg)
{
    read_work(req, arg, 2);
}

static struct read_job *new_read(struct http_request *req)
{
    struct read_job *j = xcalloc(1, sizeof *j);
    j->who = *http_principal(req);
    const char *ref = http_param(req, "reference");
    if (ref)
        snprintf(j->reference, sizeof j->reference, "%s", ref);
    return j;
}

static void get_booking(struct http_request *req)
{
    if (!check_reference(req))
        return;
    struct read_job *j = new_read(req);
    http_on_free(req, free, j);
    http_defer(req, get_work, j);
}

static void booking_history(struct http_request *req)
{
    if (!check_reference(req))
        return;
    struct read_job *j = new_read(req);
    http_on_free(req, free, j);
    http_defer(req, history_work, j);
}

static void list_bookings(struct http_request *req)
{
    static const char *const allowed[] = {"status", "cursor", "limit", NULL};
    static const char *const statuses[] = {"HELD", "CONFIRMED", "CANCELLED", "EXPIRED", NULL};
    struct jsonv v;
    jsonv_init(&v);
    jsonv_query_known(&v, req, allowed);
    struct read_job *j = new_read(req);
    j->limit = LIMIT_DEFAULT;
    const char *s = http_query(req, "status");
    if (s) {
        bool ok = false;
        for (size_t i = 0; statuses[i] && !ok; i++)
            ok = strcmp(statuses[i], s) == 0;
        if (ok)
            snprintf(j->status, sizeof j->status, "%s", s);
        else
            jsonv_error(&v, "/query/status", "must be HELD, CONFIRMED, CANCELLED or EXPIRED");
    }
    char *end;
    if ((s = http_query(req, "cursor")) != NULL) {
        j->before = strtoll(s, &end, 10);
        if (!isdigit((unsigned char)*s) || *end != '\0' || j->before < 1)
            jsonv_error(&v, "/query/cursor", "not a cursor returned by this list");
    }
    if ((s = http_query(req, "limit")) != NULL) {
        long n = strtol(s, &end, 10);
        if (!isdigit((unsigned char)*s) || *end != '\0' || n < 1 || n > LIMIT_MAX)
            jsonv_error(&v, "/query/limit", "must be an integer from 1 to %d", LIMIT_MAX);
        else
            j->limit = (int)n;
    }
    if (!jsonv_ok(&v)) {
        free(j);
        jsonv_reply(&v, req);
        jsonv_free(&v);
        return;
    }
    jsonv_free(&v);
    http_on_free(req, free, j);
    http_defer(req, list_work, j);
}

#define WRITERS (AUTH_FORWARDER | AUTH_OPERATOR)

static const struct http_route routes[] = {
    {HTTP_POST, "/v1/bookings", "bookings_create", WRITERS, true, create_booking},
    {HTTP_GET, "/v1/bookings", "bookings_list", AUTH_ANY, false, list_bookings},
    {HTTP_GET, "/v1/bookings/{reference}", "bookings_get", AUTH_ANY, false, get_booking},
    {HTTP_PATCH, "/v1/bookings/{reference}", "bookings_amend", WRITERS, true, amend_booking},
    {HTTP_POST, "/v1/bookings/{reference}/confirm", "bookings_confirm", WRITERS, false,
     confirm_booking},
    {HTTP_POST, "/v1/bookings/{reference}/cancel", "bookings_cancel", WRITERS, false,
     cancel_booking},
    {HTTP_GET, "/v1/bookings/{reference}/events", "bookings_events", AUTH_ANY, false,
     booking_history},
};

const struct http_route_table api_bookings_routes = {routes, sizeof routes / sizeof routes[0]};
