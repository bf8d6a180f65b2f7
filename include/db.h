/* db: the PostgreSQL connection pool, prepared statements, retry of
 * serialization failures, reconnect, and the LISTEN connection.
 * A struct db_conn is used by one thread at a time: acquire it on a libuv
 * pool thread, use it, release it on the same thread. */
#ifndef CORRIDOR_DB_H
#define CORRIDOR_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <uv.h>

struct db_pool;
struct db_conn;

/* Creates a pool of size connections to url; each connection runs
 * "SET ROLE <role>" when role is non-empty, and "SET TIME ZONE 'UTC'".
 * Connections are opened lazily and re-opened after a failure, so this
 * succeeds even while PostgreSQL is down.  Main thread only. */
struct db_pool *db_pool_create(const char *url, const char *role, unsigned size);
void db_pool_destroy(struct db_pool *pool);

/* Takes a connection, waiting at most timeout_ms for a free one.  Returns
 * NULL when none is free in time or PostgreSQL cannot be reached (the caller
 * answers 503 service_unavailable with Retry-After).  Pool threads only. */
struct db_conn *db_acquire(struct db_pool *pool, int timeout_ms);

/* Gives the connection back; rolls back an open transaction first and drops
 * a broken connection (it is re-opened on a later acquire). */
void db_release(struct db_pool *pool, struct db_conn *c);

PGconn *db_pg(struct db_conn *c);

/* Executes a parameterised statement, preparing it on this connection under
 * name the first time.  params are text (NULL = SQL NULL).  Returns the
 * result (never NULL; PQclear it); check with db_ok(). */
PGresult *db_exec(struct db_conn *c, const char *name, const char *sql, int nparams,
                  const char *const *params);

/* Plain statement without parameters (BEGIN, COMMIT, SET ...).  Returns
 * 0 on success, -1 on error (logged). */
int db_command(struct db_conn *c, const char *sql);

/* True for PGRES_COMMAND_OK / PGRES_TUPLES_OK. */
bool db_ok(const PGresult *r);
/* SQLSTATE of a failed result ("" when none). */
const char *db_sqlstate(const PGresult *r);
/* True for 40001 / 40P01: the whole transaction should be retried. */
bool db_retryable(const PGresult *r);

/* Result codes of a transaction body. */
enum { DB_TX_OK = 0, DB_TX_ABORT = 1, DB_TX_RETRY = 2, DB_TX_ERROR = -1 };

/* Runs BEGIN (isolation, e.g. "READ COMMITTED"), body(c, arg), COMMIT.
 * body returns DB_TX_OK to commit, DB_TX_ABORT to roll back (an application
 * refusal, e.g. capacity), DB_TX_RETRY after a retryable error, DB_TX_ERROR
 * for anything else.  A retryable failure (also at COMMIT) re-runs the whole
 * body up to max_tries times with jittered back-off; body must be safe to
 * re-run.  Returns DB_TX_OK, DB_TX_ABORT or DB_TX_ERROR. */
int db_transaction(struct db_conn *c, const char *isolation, int max_tries,
                   int (*body)(struct db_conn *c, void *arg), void *arg);

/* True when the last attempt to reach PostgreSQL succeeded.  Any thread. */
bool db_pool_healthy(const struct db_pool *pool);
/* Connections in use / pool size (gauges for /metrics).  Any thread. */
unsigned db_pool_in_use(const struct db_pool *pool);
unsigned db_pool_size(const struct db_pool *pool);

/* Opens one session to url (a libpq connection string or URI) with a 2 s
 * connect timeout, keepalives and application_name; no SET ROLE.  Returns it
 * (CONNECTION_OK; PQfinish it) or NULL (logged).  Any thread. */
PGconn *db_connect(const char *url, const char *application_name);

/* The LISTEN connection is in db_listen.h. */

#endif
