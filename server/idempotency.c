/* idempotency: Idempotency-Key claims and stored answers (see
 * include/idempotency.h). */
#include "idempotency.h"

#include "auth.h"
#include "db.h"
#include "log.h"
#include "xmem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STALE_TEXT "60 seconds" /* IDEMPOTENCY_STALE_S */
#define POLL_MS 25

static const char SQL_CLAIM[] =
    "INSERT INTO corridor.idempotency_key (org_code, key, request_hash) "
    "VALUES ($1::text, $2::text, $3::text) ON CONFLICT DO NOTHING";

static const char SQL_LOOK[] =
    "SELECT request_hash, status_code, response_body, "
    "created_at < now() - interval '" STALE_TEXT "' "
    "FROM corridor.idempotency_key WHERE org_code = $1::text AND key = $2::text";

static const char SQL_TAKE_OVER[] =
    "UPDATE corridor.idempotency_key SET created_at = now() "
    "WHERE org_code = $1::text AND key = $2::text AND request_hash = $3::text "
    "AND status_code IS NULL AND created_at < now() - interval '" STALE_TEXT "'";

static const char SQL_FINISH[] =
    "UPDATE corridor.idempotency_key SET status_code = $3::int, response_body = $4::text "
    "WHERE org_code = $1::text AND key = $2::text";

static const char SQL_FORGET[] =
    "DELETE FROM corridor.idempotency_key "
    "WHERE org_code = $1::text AND key = $2::text AND status_code IS NULL";

static const char SQL_PURGE[] =
    "DELETE FROM corridor.idempotency_key WHERE created_at < now() - interval '24 hours'";

bool idempotency_key_valid(const char *key)
{
    size_t n = 0;
    for (const char *p = key; *p; p++, n++)
        if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e)
            return false;
    return n >= 1 && n <= 128;
}

void idempotency_hash(const char *method, const char *path, const json_t *body, char hex[65])
{
    char *canon = body ? json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY) : NULL;
    char *text = xasprintf("%s\n%s\n%s", method, path, canon ? canon : "");
    auth_sha256_hex(text, strlen(text), hex);
    free(text);
    free(canon);
}

static enum idempotency_state failed(struct db_conn *c)
{
    return PQstatus(db_pg(c)) == CONNECTION_OK ? IDEMPOTENCY_ERROR : IDEMPOTENCY_UNAVAILABLE;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

enum idempotency_state idempotency_begin(struct db_conn *c, const char *org, const char *key,
                                         const char *hash, int wait_ms,
                                         struct idempotency_answer *out)
{
    const char *params[] = {org, key, hash};
    out->status = 0;
    out->body = NULL;
    int waited = 0;
    for (int round = 0; round < 1000; round++) {
        PGresult *r = db_exec(c, "idem_claim", SQL_CLAIM, 3, params);
        if (!db_ok(r)) {
            PQclear(r);
            return failed(c);
        }
        bool claimed = strcmp(PQcmdTuples(r), "1") == 0;
        PQclear(r);
        if (claimed)
            return IDEMPOTENCY_NEW;

        r = db_exec(c, "idem_look", SQL_LOOK, 2, params);
        if (!db_ok(r)) {
            PQclear(r);
            return failed(c);
        }
        if (PQntuples(r) == 0) { /* forgotten or purged meanwhile: claim again */
            PQclear(r);
            continue;
        }
        if (strcmp(PQgetvalue(r, 0, 0), hash) != 0) {
            PQclear(r);
            return IDEMPOTENCY_REUSED;
        }
        if (!PQgetisnull(r, 0, 1)) {
            out->status = atoi(PQgetvalue(r, 0, 1));
            out->body = xstrdup(PQgetisnull(r, 0, 2) ? "" : PQgetvalue(r, 0, 2));
            PQclear(r);
            return IDEMPOTENCY_REPLAY;
        }
        bool stale = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
        PQclear(r);
        if (stale) {
            r = db_exec(c, "idem_take_over", SQL_TAKE_OVER, 3, params);
            bool taken = db_ok(r) && strcmp(PQcmdTuples(r), "1") == 0;
            PQclear(r);
            if (taken) {
                log_event(LOGL_WARN, "idempotency.take_over",
                          "key of %s left unanswered for %d s: taken over", org,
                          IDEMPOTENCY_STALE_S);
                return IDEMPOTENCY_NEW;
            }
            continue;
        }
        if (waited >= wait_ms)
            return IDEMPOTENCY_IN_PROGRESS;
        sleep_ms(POLL_MS);
        waited += POLL_MS;
    }
    return IDEMPOTENCY_IN_PROGRESS;
}

int idempotency_finish(struct db_conn *c, const char *org, const char *key, int status,
                       const char *body)
{
    char st[16];
    snprintf(st, sizeof st, "%d", status);
    const char *params[] = {org, key, st, body};
    PGresult *r = db_exec(c, "idem_finish", SQL_FINISH, 4, params);
    int rc = DB_TX_OK;
    if (!db_ok(r))
        rc = db_retryable(r) ? DB_TX_RETRY : DB_TX_ERROR;
    PQclear(r);
    return rc;
}

int idempotency_forget(struct db_conn *c, const char *org, const char *key)
{
    const char *params[] = {org, key};
    PGresult *r = db_exec(c, "idem_forget", SQL_FORGET, 2, params);
    int rc = db_ok(r) ? 0 : -1;
    PQclear(r);
    return rc;
}

long idempotency_purge(struct db_conn *c)
{
    PGresult *r = db_exec(c, "idem_purge", SQL_PURGE, 0, NULL);
    long n = db_ok(r) ? strtol(PQcmdTuples(r), NULL, 10) : -1;
    PQclear(r);
    return n;
}
