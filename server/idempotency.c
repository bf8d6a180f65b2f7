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

static const char SQL_CLAIM[] =
    "SELECT state, status_code, response_body "
    "FROM corridor.idempotency_claim($1::text, $2::text, $3::text, $4::int)";

static const char SQL_FINISH[] =
    "UPDATE corridor.idempotency_key SET status_code = $3::int, response_body = $4::text "
    "WHERE org_code = $1::text AND key = $2::text";

static const char SQL_STORE[] =
    "INSERT INTO corridor.idempotency_key (org_code, key, request_hash, status_code, "
    "response_body) VALUES ($1::text, $2::text, $3::text, $4::int, $5::text) "
    "ON CONFLICT DO NOTHING";

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

int idempotency_claim(struct db_conn *c, const char *org, const char *key, const char *hash,
                      int wait_ms, enum idempotency_state *state, struct idempotency_answer *out)
{
    char wait[16];
    snprintf(wait, sizeof wait, "%d", wait_ms);
    const char *params[] = {org, key, hash, wait};
    out->status = 0;
    out->body = NULL;
    PGresult *r = db_exec(c, "idem_claim", SQL_CLAIM, 4, params);
    if (!db_ok(r) || PQntuples(r) != 1) {
        int rc = db_retryable(r) ? DB_TX_RETRY : DB_TX_ERROR;
        *state = PQstatus(db_pg(c)) == CONNECTION_OK ? IDEMPOTENCY_ERROR : IDEMPOTENCY_UNAVAILABLE;
        PQclear(r);
        return rc;
    }
    const char *st = PQgetvalue(r, 0, 0);
    if (strcmp(st, "new") == 0) {
        *state = IDEMPOTENCY_NEW;
    } else if (strcmp(st, "taken_over") == 0) {
        log_event(LOGL_WARN, "idempotency.take_over",
                  "key of %s left unanswered for %d s by an older server: taken over", org,
                  IDEMPOTENCY_STALE_S);
        *state = IDEMPOTENCY_NEW;
    } else if (strcmp(st, "replay") == 0) {
        *state = IDEMPOTENCY_REPLAY;
        out->status = atoi(PQgetvalue(r, 0, 1));
        out->body = xstrdup(PQgetisnull(r, 0, 2) ? "" : PQgetvalue(r, 0, 2));
    } else if (strcmp(st, "reused") == 0) {
        *state = IDEMPOTENCY_REUSED;
    } else {
        *state = IDEMPOTENCY_IN_PROGRESS;
    }
    PQclear(r);
    return DB_TX_OK;
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

int idempotency_store(struct db_conn *c, const char *org, const char *key, const char *hash,
                      int status, const char *body)
{
    char st[16];
    snprintf(st, sizeof st, "%d", status);
    const char *params[] = {org, key, hash, st, body};
    PGresult *r = db_exec(c, "idem_store", SQL_STORE, 5, params);
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
