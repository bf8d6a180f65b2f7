/* db: the PostgreSQL connection pool (see include/db.h).
 *
 * A fixed array of connection slots, handed out under one mutex with a
 * condition variable (CLOCK_MONOTONIC) for bounded waits.  Slots connect
 * lazily on acquire; a failed connect marks the pool unhealthy and starts a
 * back-off during which acquire fails at once (so requests get 503 quickly
 * instead of each waiting for a connect timeout).  Each slot keeps the names
 * of the statements prepared on its session, forgotten on reconnect. */
#include "db.h"

#include "log.h"
#include "xmem.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 2000

struct db_conn {
    PGconn *pg;
    struct db_pool *pool;
    char **prepared; /* names of the statements prepared on this session */
    size_t n_prepared, cap_prepared;
    struct db_conn *next_free;
};

struct db_pool {
    char *url;
    char *role;
    unsigned size;
    struct db_conn *conns;
    struct db_conn *free_list;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_uint in_use;
    atomic_bool healthy;
    int64_t next_attempt_ms; /* under mu: no connect attempt before this while unhealthy */
    int backoff_ms;          /* under mu */
};

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

PGconn *db_connect(const char *url, const char *app_name)
{
    const char *keys[] = {"dbname",    "connect_timeout", "application_name", "keepalives",
                          "keepalives_idle", NULL};
    const char *vals[] = {url, "2", app_name, "1", "30", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", pg ? PQerrorMessage(pg) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_WARN, "db.connect_failed", "%s", msg);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    return pg;
}

/* True when c has a session that has not visibly died while idle in the
 * pool.  A backend that was terminated (server restart, pg_terminate_backend,
 * DROP DATABASE ... FORCE) has sent its FATAL message and closed the socket,
 * so the socket is readable; reading it then shows the connection is bad.
 * Checking here, before any statement, means a statement is never re-sent
 * after a failure that might have executed it. */
static bool session_alive(struct db_conn *c)
{
    if (!c->pg || PQstatus(c->pg) != CONNECTION_OK)
        return false;
    struct pollfd pfd = {.fd = PQsocket(c->pg), .events = POLLIN};
    if (pfd.fd < 0)
        return false;
    /* The FATAL message and the end of the stream may take two reads. */
    for (int i = 0; i < 4 && poll(&pfd, 1, 0) > 0; i++) {
        if (!PQconsumeInput(c->pg) || PQstatus(c->pg) != CONNECTION_OK)
            return false;
        PGnotify *n;
        while ((n = PQnotifies(c->pg)) != NULL)
            PQfreemem(n);
    }
    return PQstatus(c->pg) == CONNECTION_OK;
}

static void forget_prepared(struct db_conn *c)
{
    for (size_t i = 0; i < c->n_prepared; i++)
        free(c->prepared[i]);
    c->n_prepared = 0;
}

static void drop_session(struct db_conn *c)
{
    if (c->pg)
        PQfinish(c->pg);
    c->pg = NULL;
    forget_prepared(c);
}

/* (Re)opens c's session: connect, SET ROLE, time zone UTC, and a statement
 * timeout so that no query holds a suspended HTTP request forever.
 * Returns 0 or -1. */
static int open_conn(struct db_conn *c)
{
    drop_session(c);
    PGconn *pg = db_connect(c->pool->url, "corridord");
    if (!pg)
        return -1;
    const char *params[1] = {c->pool->role ? c->pool->role : ""};
    PGresult *r = PQexecParams(pg,
                               "SELECT CASE WHEN $1::text <> '' THEN set_config('role', $1, false) "
                               "END, set_config('TimeZone', 'UTC', false), "
                               "set_config('statement_timeout', '30s', false)",
                               1, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_ERROR, "db.session_setup_failed", "%s", msg);
        PQclear(r);
        PQfinish(pg);
        return -1;
    }
    PQclear(r);
    c->pg = pg;
    return 0;
}

struct db_pool *db_pool_create(const char *url, const char *role, unsigned size)
{
    struct db_pool *p = xcalloc(1, sizeof *p);
    p->url = xstrdup(url ? url : "");
    p->role = (role && *role) ? xstrdup(role) : NULL;
    p->size = size ? size : 1;
    p->conns = xcalloc(p->size, sizeof *p->conns);
    for (unsigned i = p->size; i-- > 0;) {
        p->conns[i].pool = p;
        p->conns[i].next_free = p->free_list;
        p->free_list = &p->conns[i];
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->cv, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&p->in_use, 0);
    atomic_init(&p->healthy, true);
    p->backoff_ms = BACKOFF_MIN_MS;
    return p;
}

void db_pool_destroy(struct db_pool *pool)
{
    if (!pool)
        return;
    for (unsigned i = 0; i < pool->size; i++) {
        drop_session(&pool->conns[i]);
        free(pool->conns[i].prepared);
    }
    pthread_cond_destroy(&pool->cv);
    pthread_mutex_destroy(&pool->mu);
    free(pool->conns);
    free(pool->url);
    free(pool->role);
    free(pool);
}

static void give_back_locked(struct db_pool *p, struct db_conn *c)
{
    c->next_free = p->free_list;
    p->free_list = c;
    atomic_fetch_sub(&p->in_use, 1);
    pthread_cond_signal(&p->cv);
}

static void note_connect_result(struct db_pool *p, bool ok)
{
    pthread_mutex_lock(&p->mu);
    if (ok) {
        if (!atomic_load(&p->healthy))
            log_event(LOGL_INFO, "db.recovered", "PostgreSQL is reachable again");
        atomic_store(&p->healthy, true);
        p->backoff_ms = BACKOFF_MIN_MS;
    } else {
        if (atomic_load(&p->healthy))
            log_event(LOGL_WARN, "db.unhealthy", "PostgreSQL unreachable; failing fast");
        atomic_store(&p->healthy, false);
        p->next_attempt_ms = now_ms() + p->backoff_ms;
        p->backoff_ms = p->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : p->backoff_ms * 2;
    }
    pthread_mutex_unlock(&p->mu);
}

struct db_conn *db_acquire(struct db_pool *p, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    struct db_conn *c = NULL;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (!atomic_load(&p->healthy) && now_ms() < p->next_attempt_ms)
            goto fail_locked;
        if (p->free_list)
            break;
        if (pthread_cond_timedwait(&p->cv, &p->mu, &deadline) == ETIMEDOUT && !p->free_list)
            goto fail_locked;
    }
    c = p->free_list;
    p->free_list = c->next_free;
    c->next_free = NULL;
    atomic_fetch_add(&p->in_use, 1);
    pthread_mutex_unlock(&p->mu);
    bool need_connect = !session_alive(c);
    pthread_mutex_lock(&p->mu);
    /* While unhealthy, one caller probes; the others keep failing fast. */
    if (need_connect && !atomic_load(&p->healthy))
        p->next_attempt_ms = now_ms() + p->backoff_ms;
    pthread_mutex_unlock(&p->mu);

    if (need_connect) {
        int rc = open_conn(c);
        note_connect_result(p, rc == 0);
        if (rc != 0) {
            pthread_mutex_lock(&p->mu);
            give_back_locked(p, c);
            pthread_mutex_unlock(&p->mu);
            return NULL;
        }
    }
    return c;

fail_locked:
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

void db_release(struct db_pool *p, struct db_conn *c)
{
    if (!c)
        return;
    if (c->pg && PQstatus(c->pg) != CONNECTION_OK) {
        drop_session(c);
    } else if (c->pg) {
        PGTransactionStatusType ts = PQtransactionStatus(c->pg);
        if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR) {
            PGresult *r = PQexec(c->pg, "ROLLBACK");
            if (PQresultStatus(r) != PGRES_COMMAND_OK)
                drop_session(c);
            PQclear(r);
        } else if (ts != PQTRANS_IDLE) {
            log_event(LOGL_WARN, "db.release_busy", "connection released while busy; dropped");
            drop_session(c);
        }
    }
    pthread_mutex_lock(&p->mu);
    give_back_locked(p, c);
    pthread_mutex_unlock(&p->mu);
}

PGconn *db_pg(struct db_conn *c)
{
    return c->pg;
}

static bool is_prepared(const struct db_conn *c, const char *name)
{
    for (size_t i = 0; i < c->n_prepared; i++)
        if (strcmp(c->prepared[i], name) == 0)
            return true;
    return false;
}

static void remember_prepared(struct db_conn *c, const char *name)
{
    if (c->n_prepared == c->cap_prepared) {
        c->cap_prepared = c->cap_prepared ? c->cap_prepared * 2 : 16;
        c->prepared = xreallocarray(c->prepared, c->cap_prepared, sizeof *c->prepared);
    }
    c->prepared[c->n_prepared++] = xstrdup(name);
}

static PGresult *exec_once(struct db_conn *c, const char *name, const char *sql, int nparams,
                           const char *const *params)
{
    if (!c->pg)
        return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
    if (!name)
        return PQexecParams(c->pg, sql, nparams, NULL, params, NULL, NULL, 0);
    if (!is_prepared(c, name)) {
        PGresult *r = PQprepare(c->pg, name, sql, nparams, NULL);
        /* 42P05: prepared on this session behind the cache's back; fine */
        if (PQresultStatus(r) != PGRES_COMMAND_OK && strcmp(db_sqlstate(r), "42P05") != 0)
            return r;
        PQclear(r);
        remember_prepared(c, name);
    }
    PGresult *r = PQexecPrepared(c->pg, name, nparams, params, NULL, NULL, 0);
    /* 26000: the session lost it (DISCARD ALL); prepare again, once */
    if (PQresultStatus(r) == PGRES_FATAL_ERROR && strcmp(db_sqlstate(r), "26000") == 0 &&
        PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
        PQclear(r);
        r = PQprepare(c->pg, name, sql, nparams, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            return r;
        PQclear(r);
        r = PQexecPrepared(c->pg, name, nparams, params, NULL, NULL, 0);
    }
    return r;
}

PGresult *db_exec(struct db_conn *c, const char *name, const char *sql, int nparams,
                  const char *const *params)
{
    PGresult *r = exec_once(c, name, sql, nparams, params);
    if (!db_ok(r)) {
        /* Not re-sent after a broken connection: it may have run.  The
         * session is dropped on release and re-opened by a later acquire. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_DEBUG, "db.statement_failed", "%s: %s [%s]", name ? name : "(unnamed)",
                  msg, db_sqlstate(r));
    }
    return r;
}

int db_command(struct db_conn *c, const char *sql)
{
    if (!c->pg)
        return -1;
    PGresult *r = PQexec(c->pg, sql);
    int rc = 0;
    if (!db_ok(r)) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", PQresultErrorMessage(r));
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_WARN, "db.command_failed", "%s: %s", sql, msg);
        rc = -1;
    }
    PQclear(r);
    return rc;
}

bool db_ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return r && (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK);
}

const char *db_sqlstate(const PGresult *r)
{
    const char *s = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    return s ? s : "";
}

bool db_retryable(const PGresult *r)
{
    const char *s = db_sqlstate(r);
    return strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0;
}

static void backoff_sleep(int attempt)
{
    static __thread unsigned seed;
    if (!seed)
        seed = (unsigned)now_ms() ^ (unsigned)(uintptr_t)&seed;
    int base = 5 << (attempt < 6 ? attempt : 6); /* 5, 10, 20, ... 320 ms */
    int ms = base / 2 + rand_r(&seed) % (base / 2 + 1);
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Ends the transaction with ROLLBACK (best effort). */
static void rollback(struct db_conn *c)
{
    if (c->pg && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
        PQclear(PQexec(c->pg, "ROLLBACK"));
}

int db_transaction(struct db_conn *c, const char *isolation, int max_tries,
                   int (*body)(struct db_conn *c, void *arg), void *arg)
{
    static const char *const levels[] = {"READ COMMITTED", "REPEATABLE READ", "SERIALIZABLE",
                                         NULL};
    const char *begin = "BEGIN";
    char buf[64];
    if (isolation && *isolation) {
        for (size_t i = 0; levels[i]; i++)
            if (strcasecmp(isolation, levels[i]) == 0) {
                snprintf(buf, sizeof buf, "BEGIN ISOLATION LEVEL %s", levels[i]);
                begin = buf;
            }
        if (begin != buf) {
            log_event(LOGL_ERROR, "db.bad_isolation", "unknown isolation level %s", isolation);
            return DB_TX_ERROR;
        }
    }
    if (max_tries < 1)
        max_tries = 1;
    for (int attempt = 0; attempt < max_tries; attempt++) {
        if (attempt > 0)
            backoff_sleep(attempt);
        if (!c->pg || PQstatus(c->pg) != CONNECTION_OK) {
            int rc = open_conn(c);
            note_connect_result(c->pool, rc == 0);
            if (rc != 0)
                return DB_TX_ERROR;
        }
        PGresult *r = PQexec(c->pg, begin);
        if (!db_ok(r)) {
            PQclear(r);
            /* The session may have died while idle: reconnect once and retry. */
            if (PQstatus(c->pg) == CONNECTION_BAD) {
                int rc = open_conn(c);
                note_connect_result(c->pool, rc == 0);
                if (rc == 0)
                    continue;
            }
            return DB_TX_ERROR;
        }
        PQclear(r);
        int rc = body(c, arg);
        if (rc == DB_TX_ABORT) {
            rollback(c);
            return DB_TX_ABORT;
        }
        if (rc == DB_TX_RETRY) {
            rollback(c);
            log_event(LOGL_DEBUG, "db.tx_retry", "retryable failure, attempt %d", attempt + 1);
            continue;
        }
        if (rc != DB_TX_OK) {
            rollback(c);
            return DB_TX_ERROR;
        }
        if (PQtransactionStatus(c->pg) != PQTRANS_INTRANS) {
            /* body reported success but the transaction is aborted */
            rollback(c);
            return DB_TX_ERROR;
        }
        r = PQexec(c->pg, "COMMIT");
        if (db_ok(r) && strcmp(PQcmdStatus(r), "COMMIT") == 0) {
            PQclear(r);
            return DB_TX_OK;
        }
        bool retry = db_retryable(r);
        PQclear(r);
        rollback(c);
        if (!retry)
            return DB_TX_ERROR;
        log_event(LOGL_DEBUG, "db.tx_retry", "serialization failure at COMMIT, attempt %d",
                  attempt + 1);
    }
    log_event(LOGL_WARN, "db.tx_gave_up", "transaction failed %d times with retryable errors",
              max_tries);
    return DB_TX_ERROR;
}

bool db_pool_healthy(const struct db_pool *pool)
{
    return atomic_load(&((struct db_pool *)pool)->healthy);
}

unsigned db_pool_in_use(const struct db_pool *pool)
{
    return atomic_load(&((struct db_pool *)pool)->in_use);
}

unsigned db_pool_size(const struct db_pool *pool)
{
    return pool->size;
}
