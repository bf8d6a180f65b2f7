/* quote_writer: write-behind storage of quotes (see include/quote_writer.h).
 *
 * One queue (a list under one mutex), one writer thread with its own
 * session.  A batch is the whole queue when the writer comes round, up to
 * MAX_BATCH items, written by one prepared statement (SQL_BATCH) in its own
 * transaction, without waiting for the WAL flush.
 * Items carry a sequence number; done_seq is the last one committed or
 * dropped, so waiting for an item is waiting for done_seq to pass it. */
#include "quote_writer.h"

#include "db.h"
#include "log.h"
#include "metrics.h"
#include "xmem.h"

#include <errno.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MAX_BATCH 512
#define RETRY_FOR_MS 5000  /* a failing batch is retried this long, then dropped */
#define STOP_RETRY_MS 2000 /* ... or this long once stopping */
#define LINGER_US 2000     /* a small batch waits this long for company */
#define LINGER_BATCH 64    /* ... unless it has this many quotes */

struct item {
    struct item *next;
    uint64_t seq;
    char id[QUOTE_ID_LEN + 1];
    /* the quote */
    char org_code[32], currency[4];
    char offer_id[QUOTE_ID_LEN + 1];
    int64_t created_us, expires_us, data_version;
    int64_t queued_us; /* CLOCK_MONOTONIC */
    /* the offer stored with it (options NULL: none) */
    char *options, *request, *fx;
    size_t options_len;
};

static struct {
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    struct item *head, *tail;   /* queued */
    struct item *inflight;      /* being written (still findable by id) */
    size_t queued, writing;
    size_t bytes;               /* of the queued and the written items */
    uint64_t next_seq, done_seq;
    bool running, stopping;
    bool idle; /* the writer waits for work (submit signals only then) */
    pthread_t thread;
    char *url, *role;
    void (*on_lost)(void *);
    void *on_lost_arg;
    PGconn *pg;
} w = {.mu = PTHREAD_MUTEX_INITIALIZER};

static atomic_bool healthy = true;

static int64_t mono_us(void);

/* ---- ids ---- */

static const char HEX[] = "0123456789abcdef";

/* n random bytes from the kernel's generator, taken 256 at a time per
 * thread (one system call per 25 ids instead of one per id). */
static void random_bytes(unsigned char *out, size_t n)
{
    static _Thread_local unsigned char pool[256];
    static _Thread_local size_t left;
    while (n > 0) {
        if (left == 0) {
            size_t got = 0;
            while (got < sizeof pool) {
                ssize_t r = getrandom(pool + got, sizeof pool - got, 0);
                if (r > 0)
                    got += (size_t)r;
                else if (errno != EINTR)
                    abort(); /* the kernel's generator is not optional */
            }
            left = sizeof pool;
        }
        size_t k = n < left ? n : left;
        memcpy(out, pool + sizeof pool - left, k);
        memset(pool + sizeof pool - left, 0, k); /* used bytes do not stay around */
        left -= k;
        out += k;
        n -= k;
    }
}

void quote_writer_new_id(char out[QUOTE_ID_LEN + 1])
{
    unsigned char b[16];
    random_bytes(b + 6, 10);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t ms = (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
    for (int i = 0; i < 6; i++)
        b[i] = (unsigned char)(ms >> (40 - 8 * i));
    b[6] = (unsigned char)(0x70 | (b[6] & 0x0f)); /* version 7 */
    b[8] = (unsigned char)(0x80 | (b[8] & 0x3f)); /* variant 10 */
    char *p = out;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        *p++ = HEX[b[i] >> 4];
        *p++ = HEX[b[i] & 15];
    }
    *p = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool quote_writer_recent(const char *id, int64_t max_age_ms)
{
    if (!id || strlen(id) != QUOTE_ID_LEN || id[14] != '7')
        return false;
    for (int i = 0; i < QUOTE_ID_LEN; i++)
        if ((i == 8 || i == 13 || i == 18 || i == 23) ? id[i] != '-' : hexval(id[i]) < 0)
            return false;
    uint64_t ms = 0;
    for (int i = 0; i < 13; i++) { /* 8 + '-' + 4 hex digits: 48 bits */
        if (i == 8)
            continue;
        int v = hexval(id[i]);
        if (v < 0)
            return false;
        ms = ms << 4 | (uint64_t)v;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    int64_t age = now - (int64_t)ms;
    return age >= -max_age_ms && age <= max_age_ms;
}

/* ---- the queue ---- */

/* What an item counts against QUOTE_WRITER_MAX_BYTES. */
static size_t item_bytes(const struct item *it)
{
    return sizeof *it + it->options_len + (it->request ? strlen(it->request) : 0) +
           (it->fx ? strlen(it->fx) : 0);
}

static void item_free(struct item *it)
{
    free(it->request);
    free(it->fx);
    free(it->options);
    free(it);
}

void quote_writer_submit(const struct quote_row *q, const struct quote_offer_row *offer)
{
    struct item *it = xcalloc(1, sizeof *it);
    snprintf(it->id, sizeof it->id, "%s", q->id);
    snprintf(it->org_code, sizeof it->org_code, "%s", q->org_code);
    snprintf(it->currency, sizeof it->currency, "%s", q->currency);
    snprintf(it->offer_id, sizeof it->offer_id, "%s", q->offer_id);
    it->created_us = q->created_us;
    it->expires_us = q->expires_us;
    it->data_version = q->data_version;
    if (offer) {
        it->options = xmalloc(offer->options_len + 1);
        memcpy(it->options, offer->options, offer->options_len);
        it->options[offer->options_len] = '\0';
        it->options_len = offer->options_len;
        it->request = xstrdup(offer->request);
        it->fx = xstrdup(offer->fx);
    }
    it->queued_us = mono_us();
    pthread_mutex_lock(&w.mu);
    it->seq = ++w.next_seq;
    if (w.tail)
        w.tail->next = it;
    else
        w.head = it;
    w.tail = it;
    w.queued++;
    w.bytes += item_bytes(it);
    if (w.idle) /* a busy writer takes it with its next batch: no wake-up per quote */
        pthread_cond_signal(&w.work);
    pthread_mutex_unlock(&w.mu);
}

bool quote_writer_full(void)
{
    pthread_mutex_lock(&w.mu);
    bool full = w.bytes >= QUOTE_WRITER_MAX_BYTES;
    pthread_mutex_unlock(&w.mu);
    return full;
}

/* CLOCK_MONOTONIC now + ms, for pthread_cond_timedwait on w.done. */
static struct timespec deadline_in(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

bool quote_writer_throttle(int timeout_ms)
{
    struct timespec deadline = deadline_in(timeout_ms);
    pthread_mutex_lock(&w.mu);
    while (w.bytes >= QUOTE_WRITER_MAX_BYTES)
        if (pthread_cond_timedwait(&w.done, &w.mu, &deadline) == ETIMEDOUT)
            break;
    bool room = w.bytes < QUOTE_WRITER_MAX_BYTES;
    pthread_mutex_unlock(&w.mu);
    return room;
}

static uint64_t find_seq(const struct item *list, const char *id)
{
    for (; list; list = list->next)
        if (memcmp(list->id, id, QUOTE_ID_LEN) == 0)
            return list->seq;
    return 0;
}

bool quote_writer_queued(const char *id)
{
    if (!id || strlen(id) != QUOTE_ID_LEN)
        return false;
    pthread_mutex_lock(&w.mu);
    bool queued = find_seq(w.inflight, id) || find_seq(w.head, id);
    pthread_mutex_unlock(&w.mu);
    return queued;
}

bool quote_writer_wait(const char *id, int timeout_ms)
{
    if (!id || strlen(id) != QUOTE_ID_LEN)
        return false;
    struct timespec deadline = deadline_in(timeout_ms);
    pthread_mutex_lock(&w.mu);
    uint64_t seq = find_seq(w.inflight, id);
    if (!seq)
        seq = find_seq(w.head, id);
    while (seq && w.done_seq < seq)
        if (pthread_cond_timedwait(&w.done, &w.mu, &deadline) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&w.mu);
    return seq != 0;
}

bool quote_writer_healthy(void)
{
    return atomic_load(&healthy);
}

size_t quote_writer_pending(void)
{
    pthread_mutex_lock(&w.mu);
    size_t n = w.queued + w.writing;
    pthread_mutex_unlock(&w.mu);
    return n;
}

/* ---- PostgreSQL array literals ---- */

struct buf {
    char *p;
    size_t len, cap;
};

static void buf_need(struct buf *b, size_t more)
{
    if (b->len + more + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void buf_put(struct buf *b, const char *s, size_t n)
{
    buf_need(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* Appends one quoted element ("..." with " and \ escaped) and a comma. */
static void arr_add(struct buf *b, const char *s, size_t n)
{
    buf_need(b, 2 * n + 3);
    char *p = b->p + b->len;
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"' || s[i] == '\\')
            *p++ = '\\';
        *p++ = s[i];
    }
    *p++ = '"';
    *p++ = ',';
    b->len = (size_t)(p - b->p);
    b->p[b->len] = '\0';
}

static void arr_str(struct buf *b, const char *s)
{
    arr_add(b, s, strlen(s));
}

static void arr_int(struct buf *b, int64_t v)
{
    char t[24];
    int n = snprintf(t, sizeof t, "%lld,", (long long)v);
    buf_put(b, t, (size_t)n);
}

static void arr_time(struct buf *b, int64_t us)
{
    time_t s = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&s, &tm);
    char t[48];
    int n = snprintf(t, sizeof t, "%04d-%02d-%02d %02d:%02d:%02d.%06lld+00,", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (long long)(us % 1000000));
    buf_put(b, t, (size_t)n);
}

/* "{a,b,}" -> "{a,b}" */
static const char *arr_close(struct buf *b)
{
    if (b->len > 1 && b->p[b->len - 1] == ',')
        b->p[--b->len] = '\0';
    buf_put(b, "}", 1);
    return b->p;
}

/* ---- writing a batch ---- */

/* One statement, so one round trip and one (implicit) transaction per
 * batch: the offers in a data-modifying CTE, the quotes in the main INSERT.
 * The foreign key from quote.offer_id is checked after the statement, when
 * the CTE's rows are there.  $1-$4 and $12: offers (possibly empty arrays),
 * $5-$11: quotes.  The session runs with synchronous_commit off
 * (connect_session). */
static const char SQL_BATCH[] =
    "WITH offers AS (INSERT INTO corridor.quote_offer_stored (id, options, request, fx, option_at) "
    "SELECT u.id, u.options, u.request, u.fx, u.option_at::int[] "
    "FROM unnest($1::uuid[], $2::json[], $3::jsonb[], $4::jsonb[], $12::text[]) "
    "AS u(id, options, request, fx, option_at)) "
    "INSERT INTO corridor.quote (id, org_code, created_at, expires_at, data_version, currency, "
    "offer_id) "
    "SELECT * FROM unnest($5::uuid[], $6::text[], $7::timestamptz[], $8::timestamptz[], "
    "$9::bigint[], $10::text[], $11::uuid[])";
#define BATCH_PARAMS 12
#define OFFER_ARRAYS 4
#define QUOTE_ARRAYS 7
#define OPTION_AT_PARAM 11 /* $12, after the quotes' arrays */

static void log_pg(const char *what, PGresult *r)
{
    char msg[256];
    snprintf(msg, sizeof msg, "%s", r ? PQresultErrorMessage(r) : PQerrorMessage(w.pg));
    msg[strcspn(msg, "\n")] = '\0';
    log_event(LOGL_ERROR, "quote_writer.failed", "%s: %s", what, msg);
}

/* Parameter OPTIONS_PARAM goes in binary (the array's wire format, see
 * bin_*): ~22 KB of JSON per offer is then neither escaped here nor
 * unescaped by array_in, only checked by json_recv. */
#define OPTIONS_PARAM 1
#define JSON_OID 114 /* pg_type.oid of json */

static void bin_int32(struct buf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    buf_put(b, (const char *)x, 4);
}

/* A one-dimensional json[] of n elements in binary; elements follow with
 * bin_element. */
static void bin_array_head(struct buf *b, uint32_t n)
{
    bin_int32(b, n ? 1 : 0); /* dimensions */
    bin_int32(b, 0);         /* no NULLs */
    bin_int32(b, JSON_OID);
    if (n) {
        bin_int32(b, n); /* length */
        bin_int32(b, 1); /* lower bound */
    }
}

static void bin_element(struct buf *b, const char *s, size_t n)
{
    bin_int32(b, (uint32_t)n);
    buf_put(b, s, n);
}

static bool exec_batch(const char *const *params, int options_len)
{
    int lengths[BATCH_PARAMS] = {0}, formats[BATCH_PARAMS] = {0};
    lengths[OPTIONS_PARAM] = options_len;
    formats[OPTIONS_PARAM] = 1;
    PGresult *r =
        PQexecPrepared(w.pg, "quote_batch", BATCH_PARAMS, params, lengths, formats, 0);
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        log_pg("insert quotes", r);
    PQclear(r);
    return ok;
}

/* The session: the server's role, UTC, no wait for WAL flushes (quotes are
 * offers), and no sequential scans.  The only scans this session runs are
 * the foreign-key checks of quote.offer_id, planned once per session; when
 * the offer table was analysed empty (a fresh deployment, the benchmark)
 * that plan was a sequential scan, kept while the table grew to thousands of
 * offers: measured, 160 -> 720 us of PostgreSQL per quote when every quote
 * stored an offer. */
static bool connect_session(void)
{
    if (w.pg && PQstatus(w.pg) == CONNECTION_OK)
        return true;
    PQfinish(w.pg);
    w.pg = db_connect(w.url, "corridord-quote-writer");
    if (!w.pg)
        return false;
    const char *params[1] = {w.role ? w.role : ""};
    PGresult *r = PQexecParams(w.pg,
                               "SELECT CASE WHEN $1::text <> '' THEN set_config('role', $1, false) "
                               "END, set_config('TimeZone', 'UTC', false), "
                               "set_config('statement_timeout', '30s', false), "
                               "set_config('synchronous_commit', 'off', false), "
                               "set_config('enable_seqscan', 'off', false)",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        log_pg("session setup", r);
    PQclear(r);
    if (ok) {
        r = PQprepare(w.pg, "quote_batch", SQL_BATCH, 0, NULL);
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            log_pg("prepare", r);
        PQclear(r);
    }
    if (!ok) {
        PQfinish(w.pg);
        w.pg = NULL;
    }
    return ok;
}

/* The byte offsets of the options in an offer's options text (as
 * quote_json_options_text writes it: [{"option":1,...},{"option":2,...}]),
 * as an int[] literal for quote_offer_stored.option_at: where each option's
 * object starts, then one past the last one's end, so that option k is the
 * bytes [at[k], at[k+1] - 1).  booking_create parses only the option it
 * books (035) and checks what it cut.  The pattern },{"option": cannot occur
 * inside a JSON string (a quote there is escaped), and no nested object of
 * an option has the key "option". */
static void option_offsets(struct buf *b, const char *s, size_t n)
{
    static const char NEXT[] = "},{\"option\":";
    char t[32];
    buf_put(b, "{", 1);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']' && s[1] == '{') {
        size_t at = 1;
        for (;;) {
            int k = snprintf(t, sizeof t, "%zu,", at);
            buf_put(b, t, (size_t)k);
            const char *next = memmem(s + at, n - at, NEXT, sizeof NEXT - 1);
            if (!next)
                break;
            at = (size_t)(next - s) + 2;
        }
        int k = snprintf(t, sizeof t, "%zu", n);
        buf_put(b, t, (size_t)k);
    }
    buf_put(b, "}", 1);
}

static bool write_batch(const struct item *batch)
{
    if (!connect_session())
        return false;
    struct buf a[BATCH_PARAMS] = {{0}};
    for (int i = 0; i < BATCH_PARAMS; i++)
        buf_put(&a[i], "{", 1);
    struct buf *o = a, *q = a + OFFER_ARRAYS;
    uint32_t offers = 0;
    for (const struct item *it = batch; it; it = it->next)
        offers += it->options != NULL;
    o[OPTIONS_PARAM].len = 0;
    bin_array_head(&o[OPTIONS_PARAM], offers);
    for (const struct item *it = batch; it; it = it->next) {
        if (it->options) {
            arr_str(&o[0], it->offer_id);
            bin_element(&o[OPTIONS_PARAM], it->options, it->options_len);
            arr_str(&o[2], it->request);
            arr_str(&o[3], it->fx);
            struct buf at = {0};
            option_offsets(&at, it->options, it->options_len);
            arr_add(&a[OPTION_AT_PARAM], at.p, at.len);
            free(at.p);
        }
        arr_str(&q[0], it->id);
        arr_str(&q[1], it->org_code);
        arr_time(&q[2], it->created_us);
        arr_time(&q[3], it->expires_us);
        arr_int(&q[4], it->data_version);
        arr_str(&q[5], it->currency);
        arr_str(&q[6], it->offer_id);
    }
    const char *params[BATCH_PARAMS];
    for (int i = 0; i < BATCH_PARAMS; i++)
        params[i] = i == OPTIONS_PARAM ? a[i].p : arr_close(&a[i]);
    bool ok = exec_batch(params, (int)a[OPTIONS_PARAM].len);
    for (int i = 0; i < BATCH_PARAMS; i++)
        free(a[i].p);
    return ok;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void *writer_main(void *arg)
{
    (void)arg;
    int backoff = 50;
    for (;;) {
        pthread_mutex_lock(&w.mu);
        while (!w.head && !w.stopping) {
            w.idle = true;
            pthread_cond_wait(&w.work, &w.mu);
            w.idle = false;
        }
        if (!w.head) {
            pthread_mutex_unlock(&w.mu);
            break;
        }
        /* a few quotes: let more come for up to LINGER_US after the first
         * was queued (one statement per quote would cost PostgreSQL more
         * than the quotes themselves) */
        int64_t linger = w.head->queued_us + LINGER_US - mono_us();
        if (w.queued < LINGER_BATCH && linger > 0 && !w.stopping) {
            pthread_mutex_unlock(&w.mu);
            struct timespec pause = {0, (long)linger * 1000L};
            nanosleep(&pause, NULL);
            pthread_mutex_lock(&w.mu);
        }
        struct item *batch = w.head, *last = w.head;
        size_t n = 1;
        while (last->next && n < MAX_BATCH) {
            last = last->next;
            n++;
        }
        w.head = last->next;
        if (!w.head)
            w.tail = NULL;
        last->next = NULL;
        w.inflight = batch;
        w.queued -= n;
        w.writing = n;
        pthread_mutex_unlock(&w.mu);

        int64_t started = mono_us();
        bool ok;
        while (!(ok = write_batch(batch))) {
            atomic_store(&healthy, false);
            pthread_mutex_lock(&w.mu);
            bool stopping = w.stopping;
            pthread_mutex_unlock(&w.mu);
            if (mono_us() - started >= 1000 * (stopping ? STOP_RETRY_MS : RETRY_FOR_MS))
                break;
            struct timespec pause = {0, (long)backoff * 1000000L};
            nanosleep(&pause, NULL);
            backoff = backoff * 2 > 1000 ? 1000 : backoff * 2;
        }
        if (ok) {
            backoff = 50;
            atomic_store(&healthy, true);
            metrics_count("corridor_quote_batches_total", "Quote batches committed.", 1);
            metrics_count("corridor_quotes_stored_total", "Quotes committed by the writer.",
                          (double)n);
        } else {
            log_event(LOGL_ERROR, "quote_writer.dropped",
                      "%zu quote(s) could not be stored and are lost (a re-quote replaces them)",
                      n);
            metrics_count("corridor_quotes_lost_total",
                          "Quotes answered but dropped because PostgreSQL refused their batch.",
                          (double)n);
            if (w.on_lost)
                w.on_lost(w.on_lost_arg);
        }
        size_t done_bytes = 0;
        for (const struct item *it = batch; it; it = it->next)
            done_bytes += item_bytes(it);
        pthread_mutex_lock(&w.mu);
        w.inflight = NULL;
        w.writing = 0;
        w.bytes -= done_bytes;
        w.done_seq = last->seq;
        pthread_cond_broadcast(&w.done);
        pthread_mutex_unlock(&w.mu);
        while (batch) {
            struct item *next = batch->next;
            item_free(batch);
            batch = next;
        }
    }
    PQfinish(w.pg);
    w.pg = NULL;
    return NULL;
}

int quote_writer_start(const char *url, const char *role, void (*on_lost)(void *arg), void *arg)
{
    pthread_mutex_lock(&w.mu);
    if (w.running) {
        pthread_mutex_unlock(&w.mu);
        return 0;
    }
    w.url = xstrdup(url ? url : "");
    w.role = role && *role ? xstrdup(role) : NULL;
    w.on_lost = on_lost;
    w.on_lost_arg = arg;
    w.stopping = false;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w.done, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&w.work, NULL);
    int rc = pthread_create(&w.thread, NULL, writer_main, NULL);
    w.running = rc == 0;
    pthread_mutex_unlock(&w.mu);
    if (rc != 0) {
        log_event(LOGL_ERROR, "quote_writer.start_failed", "pthread_create: %s", strerror(rc));
        return -1;
    }
    return 0;
}

void quote_writer_stop(void)
{
    pthread_mutex_lock(&w.mu);
    if (!w.running) {
        pthread_mutex_unlock(&w.mu);
        return;
    }
    w.stopping = true;
    pthread_cond_signal(&w.work);
    pthread_mutex_unlock(&w.mu);
    pthread_join(w.thread, NULL);
    pthread_mutex_lock(&w.mu);
    w.running = false;
    free(w.url);
    free(w.role);
    w.url = w.role = NULL;
    pthread_mutex_unlock(&w.mu);
}
