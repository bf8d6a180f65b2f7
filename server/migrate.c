/* migrate: schema migrations and seed data (see include/migrate.h). */
#include "migrate.h"

#include "log.h"
#include "xmem.h"

#include <dirent.h>
#include <errno.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* pg_advisory_lock key shared by migrate and seed: "corridor" in ASCII. */
#define MIGRATE_LOCK_KEY "7165071367889776498"

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

static PGconn *connect_owner(const char *url)
{
    const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
    const char *vals[] = {url ? url : "", "5", "corridord-migrate", NULL};
    PGconn *pg = PQconnectdbParams(keys, vals, 1);
    if (!pg || PQstatus(pg) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", pg ? PQerrorMessage(pg) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_ERROR, "migrate.connect_failed", "cannot connect to PostgreSQL: %s", msg);
        PQfinish(pg);
        return NULL;
    }
    PQsetNoticeProcessor(pg, quiet_notice, NULL);
    return pg;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the *.sql files of dir in name order into *out (free each and the
 * array).  A missing directory is an empty list.  Returns the count or -1. */
static long list_sql(const char *dir, char ***out)
{
    *out = NULL;
    DIR *d = opendir(dir);
    if (!d) {
        if (errno == ENOENT)
            return 0;
        log_event(LOGL_ERROR, "migrate.dir", "cannot open %s: %s", dir, strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len < 5 || strcmp(e->d_name + len - 4, ".sql") != 0)
            continue;
        names = xreallocarray(names, n + 1, sizeof *names);
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, cmp_names);
    *out = names;
    return (long)n;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 16384;
            buf = xrealloc(buf, cap);
        }
        size_t got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    bool err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    return buf;
}

static bool exec_ok(PGconn *pg, const char *sql)
{
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    PQclear(r);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Logs PostgreSQL's error for a failed file in one line: file, line, SQLSTATE, message. */
static void log_file_error(const char *what, const char *path, const char *sql, PGresult *r)
{
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    long line = 0;
    if (pos) {
        long p = atol(pos); /* 1-based character position; counting bytes is close enough */
        line = 1;
        for (long i = 0; i < p - 1 && sql[i]; i++)
            if (sql[i] == '\n')
                line++;
    }
    char msg[512];
    snprintf(msg, sizeof msg, "%s", primary ? primary : PQresultErrorMessage(r));
    msg[strcspn(msg, "\n")] = '\0';
    if (line)
        log_event(LOGL_ERROR, what, "%s failed at line %ld: %s (SQLSTATE %s)", path, line, msg,
                  state ? state : "?");
    else
        log_event(LOGL_ERROR, what, "%s failed: %s (SQLSTATE %s)", path, msg, state ? state : "?");
}

/* Runs one file in a transaction; record (may be NULL) is the filename to
 * insert into schema_migration in the same transaction.  Returns 0 or -1. */
static int apply_file(PGconn *pg, const char *what, const char *path, const char *record)
{
    char *sql = read_file(path);
    if (!sql) {
        log_event(LOGL_ERROR, what, "cannot read %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = -1;
    if (!exec_ok(pg, "BEGIN")) {
        log_event(LOGL_ERROR, what, "BEGIN failed: %s", PQerrorMessage(pg));
        goto out;
    }
    PGresult *r = PQexec(pg, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY) {
        log_file_error(what, path, sql, r);
        PQclear(r);
        goto rollback;
    }
    PQclear(r);
    if (record) {
        const char *params[1] = {record};
        r = PQexecParams(pg, "INSERT INTO corridor.schema_migration (filename) VALUES ($1)", 1,
                         NULL, params, NULL, NULL, 0);
        st = PQresultStatus(r);
        if (st != PGRES_COMMAND_OK) {
            log_file_error(what, path, "", r);
            PQclear(r);
            goto rollback;
        }
        PQclear(r);
    }
    r = PQexec(pg, "COMMIT");
    st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK || strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        log_file_error(what, path, "", r);
        PQclear(r);
        goto rollback;
    }
    PQclear(r);
    rc = 0;
    goto out;
rollback:
    if (PQtransactionStatus(pg) != PQTRANS_IDLE)
        exec_ok(pg, "ROLLBACK");
out:
    free(sql);
    return rc;
}

static bool lock_exclusive(PGconn *pg)
{
    const char *params[1] = {MIGRATE_LOCK_KEY};
    PGresult *r = PQexecParams(pg, "SELECT pg_advisory_lock($1::bigint)", 1, NULL, params, NULL,
                               NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok)
        log_event(LOGL_ERROR, "migrate.lock_failed", "advisory lock: %s",
                  PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

static bool is_applied(PGconn *pg, const char *name, bool *applied)
{
    const char *params[1] = {name};
    PGresult *r = PQexecParams(pg, "SELECT 1 FROM corridor.schema_migration WHERE filename = $1",
                               1, NULL, params, NULL, NULL, 0);
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    if (ok)
        *applied = PQntuples(r) > 0;
    else
        log_event(LOGL_ERROR, "migrate.failed", "reading schema_migration: %s",
                  PQresultErrorMessage(r));
    PQclear(r);
    return ok;
}

/* Applies the .sql files of <sql_dir>/<sub> in name order under the advisory lock, each
 * file in its own transaction.  Migrations (record = true) are applied once
 * each and recorded in corridor.schema_migration; seeds run every time. */
static int apply_dir(const char *database_url, const char *sql_dir, const char *sub, bool record)
{
    const char *failed = record ? "migrate.failed" : "seed.failed";
    int rc = -1;
    char **names = NULL;
    long n = 0;
    int applied_now = 0;
    char *dir = xasprintf("%s/%s", sql_dir && *sql_dir ? sql_dir : "sql", sub);
    PGconn *pg = connect_owner(database_url);
    if (!pg)
        goto out;
    if (!lock_exclusive(pg))
        goto out;
    if (record &&
        (!exec_ok(pg, "CREATE SCHEMA IF NOT EXISTS corridor") ||
         !exec_ok(pg, "CREATE TABLE IF NOT EXISTS corridor.schema_migration ("
                      "filename text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"))) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(pg));
        msg[strcspn(msg, "\n")] = '\0';
        log_event(LOGL_ERROR, failed, "cannot create corridor.schema_migration: %s", msg);
        goto out;
    }
    n = list_sql(dir, &names);
    if (n < 0)
        goto out;
    for (long i = 0; i < n; i++) {
        bool applied = false;
        if (record && !is_applied(pg, names[i], &applied))
            goto out;
        if (applied)
            continue;
        char *path = xasprintf("%s/%s", dir, names[i]);
        int frc = apply_file(pg, failed, path, record ? names[i] : NULL);
        free(path);
        if (frc != 0)
            goto out;
        log_event(LOGL_INFO, record ? "migrate.applied" : "seed.applied", "applied %s", names[i]);
        applied_now++;
    }
    if (record)
        log_event(LOGL_INFO, "migrate.done", "%d migration(s) applied, %ld in %s", applied_now, n,
                  dir);
    rc = 0;
out:
    for (long i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(dir);
    if (pg)
        PQfinish(pg); /* ends the session, releasing the advisory lock */
    return rc;
}

int migrate_run(const char *database_url, const char *sql_dir)
{
    return apply_dir(database_url, sql_dir, "migrations", true);
}

int seed_run(const char *database_url, const char *sql_dir)
{
    return apply_dir(database_url, sql_dir, "seed", false);
}
