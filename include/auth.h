/* auth: API keys, roles, organizations and per-key rate limits.
 * Keys are issued in psql by corridor.issue_api_key(); the database keeps
 * only a SHA-256 hash and a short prefix.  The server holds every active key
 * (hash -> principal) in memory, reloaded on NOTIFY corridor_keys, so a
 * request is authenticated without touching PostgreSQL and a revoked key
 * stops working within a second. */
#ifndef CORRIDOR_AUTH_H
#define CORRIDOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_conn;

enum auth_role {
    AUTH_FORWARDER = 1u << 0,
    AUTH_CARRIER = 1u << 1,
    AUTH_OPERATOR = 1u << 2,
};
#define AUTH_ANY (AUTH_FORWARDER | AUTH_CARRIER | AUTH_OPERATOR)

struct auth_principal {
    char org_code[32];
    char key_prefix[24];
    enum auth_role role;
};

/* Result of authenticating one Authorization header.  AUTH_UNAVAILABLE: a
 * well-formed key, but no key table was ever loaded (PostgreSQL unreachable
 * since start), so it cannot be judged: answer 503, not 401. */
enum auth_result { AUTH_OK = 0, AUTH_MISSING, AUTH_INVALID, AUTH_RATE_LIMITED, AUTH_UNAVAILABLE };

/* Replaces the key table with the active keys in the database.
 * Returns 0 or -1.  Any pool thread (holding c). */
int auth_reload(struct db_conn *c);

/* Authenticates "Bearer <key>" (header may be NULL).  On AUTH_OK fills out.
 * On AUTH_RATE_LIMITED sets *retry_after_s.  Any thread. */
enum auth_result auth_check(const char *authorization, struct auth_principal *out,
                            unsigned *retry_after_s);

/* Parses an Authorization header value "Bearer <key>" (scheme
 * case-insensitive, spaces or tabs around the key allowed) and checks the key's
 * format (csk_<8 hex>_<32 hex>).  On AUTH_OK points *key into authorization
 * (*len bytes).  AUTH_MISSING for NULL or blank, else AUTH_INVALID.  Pure. */
enum auth_result auth_parse_bearer(const char *authorization, const char **key, size_t *len);

/* Sets the per-key limit (requests per minute; 0 = none).  Main thread, at start. */
void auth_set_rate_limit(unsigned per_minute);

/* Role name ("forwarder") and parse.  */
const char *auth_role_name(enum auth_role r);
int auth_role_parse(const char *s, enum auth_role *out);

/* Lower-case hex SHA-256 of data into hex (65 bytes).  Pure. */
void auth_sha256_hex(const void *data, uint64_t len, char hex[65]);

#endif
