/* config: defaults, then config/corridord.json, then CORRIDOR_* environment
 * variables (see include/config.h).  One declarative table lists every key
 * with its type and bounds; the file reader, the environment reader and the
 * error messages all come from it. */
#include "config.h"

#include "log.h"
#include "xmem.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PATH "config/corridord.json"

enum kind { K_LISTEN, K_STRING, K_UINT, K_SIZE, K_STRLIST, K_LOGLEVEL };

struct key {
    const char *name;
    enum kind kind;
    size_t offset;
    unsigned long long min, max;
};

#define F(field) offsetof(struct config, field)

static const struct key keys[] = {
    {"listen", K_LISTEN, 0, 0, 0},
    {"database_url", K_STRING, F(database_url), 1, 0},
    {"database_role", K_STRING, F(database_role), 0, 0},
    {"workers", K_UINT, F(workers), 1, 1024},
    {"booking_concurrency", K_UINT, F(booking_concurrency), 0, 1024},
    {"booking_batch", K_UINT, F(booking_batch), 1, 32},
    {"http_threads", K_UINT, F(http_threads), 1, 64},
    {"connection_timeout_s", K_UINT, F(connection_timeout_s), 1, 86400},
    {"connection_limit", K_UINT, F(connection_limit), 1, 1000000},
    {"body_limit", K_SIZE, F(body_limit), 256, 64ull << 20},
    {"quote_ttl_s", K_UINT, F(quote_ttl_s), 1, 7 * 86400},
    {"quote_horizon_days", K_UINT, F(quote_horizon_days), 1, 366},
    {"hold_ttl_s", K_UINT, F(hold_ttl_s), 1, 7 * 86400},
    {"sweep_interval_ms", K_UINT, F(sweep_interval_ms), 10, 3600000},
    {"rate_limit_per_minute", K_UINT, F(rate_limit_per_minute), 0, 100000000},
    {"cors_origins", K_STRLIST, F(cors_origins), 0, 0},
    {"log_level", K_LOGLEVEL, F(log_level), 0, 0},
    {"www_root", K_STRING, F(www_root), 1, 0},
    {"openapi_path", K_STRING, F(openapi_path), 1, 0},
    {"sql_dir", K_STRING, F(sql_dir), 1, 0},
};
#define N_KEYS (sizeof keys / sizeof keys[0])

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || !errlen)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static char **str_field(struct config *cfg, const struct key *k)
{
    return (char **)((char *)cfg + k->offset);
}

static void set_string(char **slot, const char *v)
{
    free(*slot);
    *slot = xstrdup(v);
}

static void free_origins(struct config *cfg)
{
    for (size_t i = 0; i < cfg->n_cors_origins; i++)
        free(cfg->cors_origins[i]);
    free(cfg->cors_origins);
    cfg->cors_origins = NULL;
    cfg->n_cors_origins = 0;
}

static void add_origin(struct config *cfg, const char *s, size_t n)
{
    cfg->cors_origins =
        xreallocarray(cfg->cors_origins, cfg->n_cors_origins + 1, sizeof *cfg->cors_origins);
    cfg->cors_origins[cfg->n_cors_origins++] = xstrndup(s, n);
}

static void set_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->listen_host = xstrdup("127.0.0.1");
    cfg->listen_port = 8080;
    cfg->database_url = xstrdup("dbname=corridor");
    cfg->database_role = xstrdup("corridor_app");
    cfg->workers = 4;
    cfg->booking_concurrency = 0;
    cfg->booking_batch = 8;
    cfg->http_threads = 2;
    cfg->connection_timeout_s = 30;
    cfg->connection_limit = 4000;
    cfg->body_limit = 65536;
    cfg->quote_ttl_s = 1800;
    cfg->quote_horizon_days = 30;
    cfg->hold_ttl_s = 900;
    cfg->sweep_interval_ms = 1000;
    cfg->rate_limit_per_minute = 6000;
    add_origin(cfg, "http://127.0.0.1:8080", strlen("http://127.0.0.1:8080"));
    add_origin(cfg, "http://localhost:8080", strlen("http://localhost:8080"));
    cfg->log_level = xstrdup("info");
    cfg->www_root = xstrdup("server/www");
    cfg->openapi_path = xstrdup("server/openapi.json");
    cfg->sql_dir = xstrdup("sql");
}

int config_parse_listen(const char *s, char **host, unsigned *port)
{
    if (!s || !*s)
        return -1;
    const char *colon;
    const char *h;
    size_t hlen;
    if (s[0] == '[') { /* [::1]:8080 */
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':')
            return -1;
        h = s + 1;
        hlen = (size_t)(close - h);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon)
            return -1;
        h = s;
        hlen = (size_t)(colon - s);
    }
    const char *p = colon + 1;
    if (*p < '0' || *p > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long v = strtoul(p, &end, 10);
    if (errno || *end || v > 65535)
        return -1;
    if (hlen == 0) {
        h = "0.0.0.0";
        hlen = 7;
    }
    for (size_t i = 0; i < hlen; i++) {
        if (h[i] == ' ' || h[i] == '/' || (unsigned char)h[i] < 0x21)
            return -1;
    }
    *host = xstrndup(h, hlen);
    *port = (unsigned)v;
    return 0;
}

/* Applies a value given as text (environment).  Returns 0 or -1 with err. */
static int apply_text(struct config *cfg, const struct key *k, const char *v, const char *source,
                      char *err, size_t errlen)
{
    switch (k->kind) {
    case K_LISTEN: {
        char *host;
        unsigned port;
        if (config_parse_listen(v, &host, &port) != 0) {
            set_err(err, errlen, "%s: %s must be host:port (port 0..65535), got \"%s\"", source,
                    k->name, v);
            return -1;
        }
        free(cfg->listen_host);
        cfg->listen_host = host;
        cfg->listen_port = port;
        return 0;
    }
    case K_STRING:
        if (k->min > 0 && !*v) {
            set_err(err, errlen, "%s: %s must not be empty", source, k->name);
            return -1;
        }
        set_string(str_field(cfg, k), v);
        return 0;
    case K_LOGLEVEL: {
        enum log_level lvl;
        if (log_level_parse(v, &lvl) != 0) {
            set_err(err, errlen, "%s: %s must be one of debug, info, warn, error, got \"%s\"",
                    source, k->name, v);
            return -1;
        }
        set_string(str_field(cfg, k), v);
        return 0;
    }
    case K_UINT:
    case K_SIZE: {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(v, &end, 10);
        if (!*v || *v == '-' || *v == ' ' || errno || *end || n < k->min || n > k->max) {
            set_err(err, errlen, "%s: %s must be an integer %llu..%llu, got \"%s\"", source,
                    k->name, k->min, k->max, v);
            return -1;
        }
        if (k->kind == K_UINT)
            *(unsigned *)((char *)cfg + k->offset) = (unsigned)n;
        else
            *(size_t *)((char *)cfg + k->offset) = (size_t)n;
        return 0;
    }
    case K_STRLIST: { /* comma-separated */
        free_origins(cfg);
        const char *p = v;
        while (*p) {
            const char *comma = strchr(p, ',');
            size_t n = comma ? (size_t)(comma - p) : strlen(p);
            while (n > 0 && *p == ' ') {
                p++;
                n--;
            }
            while (n > 0 && p[n - 1] == ' ')
                n--;
            if (n > 0)
                add_origin(cfg, p, n);
            if (!comma)
                break;
            p = comma + 1;
        }
        return 0;
    }
    }
    return -1;
}

/* The value as JSON text for an error message (cut to a sane length). */
static void value_text(json_t *v, char *buf, size_t len)
{
    char *s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    snprintf(buf, len, "%s", s ? s : "?");
    if (strlen(buf) == len - 1 && len > 4)
        memcpy(buf + len - 4, "...", 4);
    free(s);
}

static int apply_json(struct config *cfg, const struct key *k, json_t *v, const char *source,
                      char *err, size_t errlen)
{
    char vt[128];
    value_text(v, vt, sizeof vt);
    switch (k->kind) {
    case K_LISTEN:
    case K_STRING:
    case K_LOGLEVEL:
        if (!json_is_string(v)) {
            set_err(err, errlen, "%s: %s must be a string, got %s", source, k->name, vt);
            return -1;
        }
        return apply_text(cfg, k, json_string_value(v), source, err, errlen);
    case K_UINT:
    case K_SIZE: {
        json_int_t n = json_is_integer(v) ? json_integer_value(v) : -1;
        if (!json_is_integer(v) || n < 0 || (unsigned long long)n < k->min ||
            (unsigned long long)n > k->max) {
            set_err(err, errlen, "%s: %s must be an integer %llu..%llu, got %s", source, k->name,
                    k->min, k->max, vt);
            return -1;
        }
        if (k->kind == K_UINT)
            *(unsigned *)((char *)cfg + k->offset) = (unsigned)n;
        else
            *(size_t *)((char *)cfg + k->offset) = (size_t)n;
        return 0;
    }
    case K_STRLIST: {
        if (!json_is_array(v)) {
            set_err(err, errlen, "%s: %s must be an array of strings, got %s", source, k->name, vt);
            return -1;
        }
        size_t i;
        json_t *item;
        json_array_foreach(v, i, item)
        {
            if (!json_is_string(item) || json_string_length(item) == 0) {
                value_text(item, vt, sizeof vt);
                set_err(err, errlen, "%s: %s[%zu] must be a non-empty string, got %s", source,
                        k->name, i, vt);
                return -1;
            }
        }
        free_origins(cfg);
        json_array_foreach(v, i, item)
            add_origin(cfg, json_string_value(item), json_string_length(item));
        return 0;
    }
    }
    return -1;
}

static int load_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
    json_error_t je;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    int rc = -1;
    if (!root) {
        set_err(err, errlen, "%s:%d:%d: %s", path, je.line, je.column, je.text);
        goto out;
    }
    if (!json_is_object(root)) {
        set_err(err, errlen, "%s: the top level must be a JSON object", path);
        goto out;
    }
    const char *name;
    json_t *v;
    json_object_foreach(root, name, v)
    {
        const struct key *k = NULL;
        for (size_t i = 0; i < N_KEYS; i++) {
            if (strcmp(keys[i].name, name) == 0) {
                k = &keys[i];
                break;
            }
        }
        if (!k) {
            set_err(err, errlen, "%s: unknown key \"%s\"", path, name);
            goto out;
        }
        if (apply_json(cfg, k, v, path, err, errlen) != 0)
            goto out;
    }
    rc = 0;
out:
    json_decref(root);
    return rc;
}

static int load_env(struct config *cfg, char *err, size_t errlen)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char var[64] = "CORRIDOR_";
        size_t n = strlen(var);
        for (const char *p = keys[i].name; *p && n + 1 < sizeof var; p++)
            var[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
        var[n] = '\0';
        const char *v = getenv(var);
        if (!v)
            continue;
        if (apply_text(cfg, &keys[i], v, var, err, errlen) != 0)
            return -1;
    }
    return 0;
}

int config_load(struct config *cfg, const char *path, char *err, size_t errlen)
{
    set_defaults(cfg);
    if (!path && access(DEFAULT_PATH, F_OK) == 0)
        path = DEFAULT_PATH;
    if (path && load_file(cfg, path, err, errlen) != 0)
        goto fail;
    if (load_env(cfg, err, errlen) != 0)
        goto fail;
    if (cfg->booking_concurrency == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        cfg->booking_concurrency = cpus < 1 ? 1 : cpus > 1024 ? 1024 : (unsigned)cpus;
    }
    return 0;
fail:
    config_free(cfg);
    return -1;
}

void config_free(struct config *cfg)
{
    if (!cfg)
        return;
    free(cfg->listen_host);
    free(cfg->database_url);
    free(cfg->database_role);
    free_origins(cfg);
    free(cfg->log_level);
    free(cfg->www_root);
    free(cfg->openapi_path);
    free(cfg->sql_dir);
    memset(cfg, 0, sizeof *cfg);
}
