/* harness: what integration tests need to drive the real thing — a fresh
 * database cloned from the migrated and seeded template, the real corridord
 * binary started on a free loopback port, HTTP over libcurl, and SQL over
 * libpq as the cluster's superuser.
 *
 * Environment (set by tests/run.sh): CORRIDOR_TEST_PG (libpq string of the
 * throwaway cluster without dbname), CORRIDOR_TEST_TEMPLATE (template
 * database), CORRIDOR_TEST_BIN (build/corridord).
 *
 * Every integration suite is tests/integration/check_<area>.c exporting
 * Suite *<area>_suite(void).  Start servers in unchecked fixtures (they are
 * separate processes, so Check's fork mode is fine) and give TCases a
 * generous tcase_set_timeout. */
#ifndef CORRIDOR_TEST_HARNESS_H
#define CORRIDOR_TEST_HARNESS_H

#include <jansson.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <sys/types.h>

/* Creates a new database "it_<tag>_<pid>_<n>" from the template; writes its
 * name into name (64 bytes).  Aborts the test program on failure. */
void it_db_create(const char *tag, char name[64]);
/* libpq connection string for a database of the test cluster (static buffer). */
const char *it_db_url(const char *dbname);

/* Runs SQL on dbname as superuser; returns the result (PQclear it).  Each
 * call is its own connection and session. */
PGresult *it_sql(const char *dbname, const char *sql);
/* Runs SQL and returns the first column of the first row as a new string
 * (free it), or NULL when there is no row or the statement failed. */
char *it_sql_value(const char *dbname, const char *sql);
/* Runs SQL; returns the SQLSTATE of the error ("" when it succeeded), as a
 * static string of the last call.  For testing that PostgreSQL refuses rows. */
const char *it_sql_error(const char *dbname, const char *sql);
/* Runs SQL as role (SET ROLE role first), returning the SQLSTATE like it_sql_error. */
const char *it_sql_error_as(const char *dbname, const char *role, const char *sql);
/* Issues a key with corridor.issue_api_key(org, role, 'test'); returns it (free it). */
char *it_issue_key(const char *dbname, const char *org, const char *role);

struct it_server {
    pid_t pid;
    unsigned port;
    char dbname[64];
    char base_url[64];
    char log_path[128];
};

/* Starts build/corridord serve against dbname on a free port, with extra
 * environment entries ("NAME=value", NULL-terminated; may be NULL), and waits
 * until /readyz answers 200 (at most 15 s).  Returns 0 or -1. */
int it_server_start(struct it_server *s, const char *dbname, const char *const *env);
/* Sends SIGTERM, waits for exit; returns the exit status (0 = clean) or -1. */
int it_server_stop(struct it_server *s);
/* Kills the server with SIGKILL, as a crash would: no shutdown, open
 * connections to clients and to PostgreSQL simply vanish.  Waits for it. */
void it_server_kill(struct it_server *s);

struct it_response {
    long status;
    char *body;      /* NUL-terminated */
    size_t body_len;
    char *headers;   /* raw header block */
    json_t *json;    /* parsed body when it is JSON, else NULL */
};

/* One HTTP request.  key: API key for "Authorization: Bearer" (NULL: none).
 * body: sent as is with Content-Type: application/json unless headers set
 * another (NULL: no body).  headers: extra "Name: value" lines, NULL-terminated
 * (may be NULL).  Returns 0, or -1 when no HTTP answer came. */
int it_request(const struct it_server *s, const char *method, const char *path, const char *key,
               const char *body, const char *const *headers, struct it_response *out);
/* Header value of a response (case-insensitive name), static buffer; NULL if absent. */
const char *it_header(const struct it_response *r, const char *name);
void it_response_free(struct it_response *r);

/* Convenience: JSON string at a dotted path ("options.0.total.amount") or NULL. */
const char *it_json_str(json_t *root, const char *path);
json_t *it_json_get(json_t *root, const char *path);

#endif
